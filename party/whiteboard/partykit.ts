/**
 * The PartyKit host: the same room core as a PartyKit party. Hibernation is on
 * (an instance field: PartyKit ignores a static one); storage is PartyKit's
 * key-value API (its Durable Objects have no SQLite). PartyKit gives no access to
 * the Durable Object state, so pings are answered by the room (no auto-response).
 */
import type * as Party from "partykit/server";
import { type Access, authorize } from "../engine/auth.ts";
import { ROOM_ID_PATTERN } from "../shared/limits.ts";
import { CloseCode, ErrorCode, PARTY } from "../shared/protocol.ts";
import { type ConnState, type LogLine, Room, type RoomSocket } from "../engine/room.ts";
import { KvRoomStorage } from "../engine/storage.ts";

class PartySocket implements RoomSocket {
  private readonly conn: Party.Connection<ConnState>;
  constructor(conn: Party.Connection<ConnState>) {
    this.conn = conn;
  }
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

  readonly room: Party.Room;

  constructor(room: Party.Room) {
    this.room = room;
    this.core = new Room(room.id, {
      storage: new KvRoomStorage(room.storage),
      sockets: () => this.openSockets(),
      now: () => Date.now(),
      setTimeout: (fn, ms) => void setTimeout(fn, ms),
      getAlarm: () => room.storage.getAlarm(),
      setAlarm: (at) => room.storage.setAlarm(at),
      // No auto-response here: the room answers pings itself, and its
      // last-message time covers liveness.
      lastPing: () => null,
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

  onConnect(conn: Party.Connection, ctx: Party.ConnectionContext): Promise<void> {
    let access: Access | Promise<Access>;
    if (!ROOM_ID_PATTERN.test(this.room.id)) {
      access = { ok: false, code: ErrorCode.INVALID_ROOM, close: CloseCode.INVALID_ROOM, message: "room ids are 1-64 characters of A-Z a-z 0-9 _ -" };
    } else {
      const secret = this.room.env.AUTH_SECRET;
      const token = new URL(ctx.request.url).searchParams.get("token");
      access = authorize(typeof secret === "string" ? secret : undefined, this.room.id, token);
    }
    return this.core.connect(this.socketFor(conn), access);
  }

  async onAlarm(): Promise<void> {
    await this.core.alarm();
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
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === `/parties/${PARTY}/${this.room.id}/stats`) {
      if (!ROOM_ID_PATTERN.test(this.room.id)) return Response.json({ code: ErrorCode.INVALID_ROOM, message: "bad room id" }, { status: 400 });
      // Same rule as the wrangler host: with a secret set, stats need a token for the room.
      const secret = this.room.env.AUTH_SECRET;
      const access = await authorize(typeof secret === "string" ? secret : undefined, this.room.id, url.searchParams.get("token"));
      if (!access.ok) return Response.json({ code: access.code, message: access.message }, { status: 401 });
      return Response.json(await this.core.stats());
    }
    return new Response("not found", { status: 404 });
  }
}
