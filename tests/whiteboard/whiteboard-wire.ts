/**
 * RoomClients of the whiteboard on the in-memory room core: the whiteboard's
 * records and schema version, and a wire that delivers each way in a
 * microtask, like a socket. `hold` keeps a client's frames from reaching the
 * room until `release` (two people editing "at the same moment").
 */
import type { TransportFactory } from "../../client/engine/connection.ts";
import { MemoryPendingStore } from "../../client/engine/pending-store.ts";
import { RoomClient } from "../../client/engine/room-client.ts";
import { MemoryRoomHost, TestSocket } from "../../party/engine/testing/memory-host.ts";
import type { Shape } from "../../party/whiteboard/records.ts";
import { whiteboard } from "../../party/whiteboard/schema.ts";

export class WhiteboardHost extends MemoryRoomHost<Shape> {
  constructor(roomId = "board") {
    super(whiteboard, roomId);
  }
}

class WireSocket extends TestSocket<Shape> {
  constructor(private readonly deliver: (frame: string) => void) {
    super();
  }
  override send(frame: string): void {
    super.send(frame);
    queueMicrotask(() => this.deliver(frame));
  }
}

export interface Person {
  client: RoomClient<Shape>;
  /** Keep what this client sends from the room until `release`. */
  hold(): void;
  release(): Promise<void>;
}

/** A whiteboard RoomClient on `host`, as an editor. */
export function person(host: WhiteboardHost, name: string): Person {
  let held: string[] | null = null;
  let socket: WireSocket | null = null;
  const transport: TransportFactory = (handlers) => {
    const s = new WireSocket((frame) => socket === s && handlers.message(frame));
    socket = s;
    host.sockets.add(s);
    void host.room.connect(s, { ok: true, role: "editor", subject: null });
    queueMicrotask(() => socket === s && handlers.open());
    return {
      get isOpen() {
        return socket !== null;
      },
      send: (frame) => {
        if (held) held.push(frame);
        else if (socket) void host.room.message(socket, frame);
      },
      reconnect: () => {},
      close: () => {
        socket = null;
      },
    };
  };
  const client = new RoomClient<Shape>({ schema: whiteboard, room: host.roomId, clientId: `c-${name}`, name, color: "#123456", pendingStore: new MemoryPendingStore(), transport, reloadWhenOutdated: false });
  return {
    client,
    hold: () => {
      held = [];
    },
    release: async () => {
      const frames = held ?? [];
      held = null;
      for (const f of frames) if (socket) await host.room.message(socket, f);
    },
  };
}
