/**
 * The PartyKit host: the same room core as a PartyKit party. Hibernation is on
 * (an instance field: PartyKit ignores a static one); storage is PartyKit's
 * key-value API (its Durable Objects have no SQLite). PartyKit gives no access to
 * the Durable Object state, so pings are answered by the room (no auto-response).
 */
import type * as Party from "partykit/server";
import { ROOM_ID_PATTERN } from "./limits.ts";
import { CloseCode, ErrorCode } from "./protocol.ts";
import { type ConnState, type LogLine, Room, type RoomSocket } from "./room.ts";
import { KvRoomStorage } from "./storage.ts";

class PartySocket implements RoomSocket {
  constructor(private readonly conn: Party.Connection<ConnState>) {}
  send(frame: string): void {
    this.conn.send(frame);
  }
  close(code: number, reason: string): void {
    this.conn.close(code, reason);
  }
  getState(): ConnState | null {
    return (this.conn.state as ConnState | null) ?? null;
  }
  setState(state: ConnState): void {
    this.conn.setState(state);
  }
}

export default class WhiteboardParty implements Party.Server {
  readonly options: Party.ServerOptions = { hibernate: true };
  private readonly core: Room;
  private readonly sockets = new WeakMap<Party.Connection, PartySocket>();

  constructor(readonly room: Party.Room) {
    this.core = new Room(room.id, {
      storage: new KvRoomStorage(room.storage),
      sockets: () => this.openSockets(),
      now: () => Date.now(),
      setTimeout: (fn, ms) => void setTimeout(fn, ms),
      log: (line: LogLine) => console.log(JSON.stringify(line)),
    });
  }

  private socketFor(conn: Party.Connection): PartySocket {
    let s = this.sockets.get(conn);
    if (!s) {
      s = new PartySocket(conn as Party.Connection<ConnState>);
      this.sockets.set(conn, s);
    }
    return s;
  }

  private *openSockets(): Iterable<RoomSocket> {
    for (const conn of this.room.getConnections()) if (conn.readyState === 1) yield this.socketFor(conn);
  }

  onConnect(conn: Party.Connection): void {
    if (!ROOM_ID_PATTERN.test(this.room.id)) {
      conn.send(JSON.stringify({ type: "error", code: ErrorCode.INVALID_ROOM, message: "room ids are 1-64 characters of A-Z a-z 0-9 _ -" }));
      conn.close(CloseCode.INVALID_ROOM, "invalid room id");
      return;
    }
    this.core.connect(this.socketFor(conn), "editor");
  }

  async onMessage(message: string | ArrayBuffer | ArrayBufferView, sender: Party.Connection): Promise<void> {
    await this.core.message(this.socketFor(sender), message);
  }

  async onClose(conn: Party.Connection): Promise<void> {
    await this.core.close(this.socketFor(conn));
  }

  async onError(conn: Party.Connection): Promise<void> {
    await this.core.close(this.socketFor(conn));
  }

  async onRequest(request: Party.Request): Promise<Response> {
    if (request.method === "GET" && new URL(request.url).pathname.endsWith("/stats")) {
      return Response.json(await this.core.stats());
    }
    return new Response("not found", { status: 404 });
  }
}
