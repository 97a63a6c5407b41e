/**
 * A RoomClient transport onto a room core in memory (MemoryRoomHost) that
 * stays offline until the test calls `online()`, as a network coming back
 * would; frames travel in microtasks, like a wire.
 */
import type { TransportFactory } from "../../client/engine/connection.ts";
import { type MemoryRoomHost, TestSocket } from "../../party/engine/testing/memory-host.ts";
import type { RecordBase } from "../../party/shared/protocol.ts";

export function offlineWire<R extends RecordBase>(host: MemoryRoomHost<R>) {
  const opens: (() => void)[] = [];
  let up = false;
  const transport: TransportFactory = (handlers) => {
    let socket: TestSocket<R> | null = null;
    const open = () => {
      const s = new (class extends TestSocket<R> {
        override send(frame: string): void {
          super.send(frame);
          queueMicrotask(() => socket === s && handlers.message(frame));
        }
      })();
      socket = s;
      host.sockets.add(s);
      void host.room.connect(s, { ok: true, role: "editor", subject: null });
      queueMicrotask(() => handlers.open());
    };
    if (up) open();
    else opens.push(open);
    return {
      get isOpen() {
        return socket !== null;
      },
      send: (frame) => void (socket && host.room.message(socket, frame)),
      reconnect: () => {},
      close: () => {
        const s = socket;
        socket = null;
        if (s) void host.disconnect(s);
      },
    };
  };
  const online = () => {
    up = true;
    for (const open of opens.splice(0)) open();
  };
  return { transport, online };
}

