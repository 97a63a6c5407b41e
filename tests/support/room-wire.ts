/**
 * A RoomClient transport onto the in-memory room core (CardsRoomHost),
 * with the timing of a real wire: each direction delivers in a microtask, a
 * dropped connection loses the frames in flight, and `reconnect` opens a new
 * socket. Tests choose which room frames are lost and can watch both ways.
 */
import type { TransportFactory } from "../../client/engine/connection.ts";
import type { Card } from "./cards.ts";
import { TestSocket, type CardsRoomHost } from "./cards-room.ts";

/** A room-side socket that hands frames to the client asynchronously, like a wire. */
class WireSocket extends TestSocket<Card> {
  readonly deliver: (frame: string) => void;
  constructor(deliver: (frame: string) => void) {
    super();
    this.deliver = deliver;
  }
  override send(frame: string): void {
    super.send(frame);
    queueMicrotask(() => this.deliver(frame));
  }
}

export interface WireOptions {
  /** A room frame for which this says true never reaches the client. */
  drop?: (frame: string) => boolean;
  /** Every room frame the client received, in order. */
  received?: string[];
  /** Every frame the client handed to the wire, in order. */
  sent?: string[];
}

/** Connect RoomClients to `host`'s room, as an editor. */
export function roomWire(host: CardsRoomHost, opts: WireOptions = {}): TransportFactory {
  return (handlers) => {
    let socket: WireSocket | null = null;
    const connect = () => {
      const s: WireSocket = new WireSocket((frame) => {
        if (socket !== s || opts.drop?.(frame)) return; // the connection is gone: frames in flight are lost
        opts.received?.push(frame);
        handlers.message(frame);
      });
      socket = s;
      host.sockets.add(s);
      void host.room.connect(s, { ok: true, role: "editor", subject: null });
      queueMicrotask(() => socket === s && handlers.open());
    };
    const drop = (code: number, reason: string) => {
      const s = socket;
      if (!s) return;
      socket = null;
      void host.disconnect(s);
      handlers.close(code, reason);
    };
    connect();
    return {
      get isOpen() {
        return socket !== null;
      },
      send: (frame) => {
        opts.sent?.push(frame);
        if (socket) void host.room.message(socket, frame);
      },
      reconnect: () => {
        drop(1000, "reconnect");
        connect();
      },
      close: (code = 1000, reason = "") => drop(code, reason),
    };
  };
}
