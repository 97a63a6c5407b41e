/**
 * The PartyKit host: the same room core as a PartyKit party. Hibernation is on
 * (an instance field: PartyKit ignores a static one); storage is PartyKit's
 * key-value API (its Durable Objects have no SQLite). PartyKit gives no access to
 * the Durable Object state, so pings are answered by the room (no auto-response).
 *
 * Access is decided at the edge, as on the wrangler host: `onBeforeConnect` and
 * `onBeforeRequest` run in PartyKit's Worker before the room is woken, verify
 * the room id, the Origin and the token, and pass the verdict on in headers
 * the client cannot set (they are overwritten). A bad token never wakes a room.
 */
import type * as Party from "partykit/server";
import { BROADCAST_QUERY } from "../shared/broadcast.ts";
import { ROOM_ID_PATTERN } from "../shared/limits.ts";
import { AssetErrorCode } from "../shared/assets.ts";
import { CloseCode, ErrorCode, type RecordBase } from "../shared/protocol.ts";
import type { RoomSchema } from "../shared/schema.ts";
import { authorize } from "./auth.ts";
import { setVerdict, verdictOf } from "./headers.ts";
import { webhookOf } from "./durable-object.ts";
import { KvRoomStorage } from "./kv-storage.ts";
import { type ConnState, type LogLine, Room, type RoomOptions, type RoomSocket } from "./room.ts";
import { originAllowed } from "./worker.ts";

const BAD_ROOM = "room ids are 1-64 characters of A-Z a-z 0-9 _ -";

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

/** A refusal the client can read: over a socket, an error frame and a close
 * code (a plain HTTP error would look like a network failure to a browser). */
function refusal(socket: boolean, code: ErrorCode, message: string, close: number, status: number): Response {
  if (!socket) return Response.json({ code, message }, { status });
  const pair = new WebSocketPair();
  const server = pair[1];
  server.accept();
  server.send(JSON.stringify({ type: "error", code, message }));
  server.close(close, message.slice(0, 120));
  return new Response(null, { status: 101, webSocket: pair[0] });
}

/** The edge's verdict on a request to `lobby.id`: the request to forward, with
 * the verdict in headers, or the refusal. */
async function admit(req: Party.Request, lobby: Party.Lobby, socket: boolean): Promise<Party.Request | Response> {
  if (!ROOM_ID_PATTERN.test(lobby.id)) return refusal(socket, ErrorCode.INVALID_ROOM, BAD_ROOM, CloseCode.INVALID_ROOM, 400);
  const allowed = typeof lobby.env.ALLOWED_ORIGINS === "string" ? lobby.env.ALLOWED_ORIGINS : undefined;
  if (socket && !originAllowed(req.headers.get("Origin"), allowed)) {
    return refusal(socket, ErrorCode.FORBIDDEN, "this page may not open this room (origin not allowed)", CloseCode.UNAUTHORIZED, 403);
  }
  const secret = lobby.env.AUTH_SECRET;
  const url = new URL(req.url);
  const access = await authorize(typeof secret === "string" ? secret : undefined, lobby.id, url.searchParams.get("token"));
  if (!access.ok) return refusal(socket, access.code, access.message, access.close, 401);
  const headers = new Headers(req.headers);
  setVerdict(headers, access);
  url.searchParams.delete("token");
  return new Request(url, { method: req.method, headers, body: req.body }) as unknown as Party.Request;
}

export type PartyRoomClass = Party.Worker & (new (room: Party.Room) => Party.Server);

/** The PartyKit party for rooms of `schema` (export it as the party module's default). */
export function partyRoomClass<R extends RecordBase>(schema: RoomSchema<R>, options: RoomOptions<R> = {}): PartyRoomClass {
  return class EdgeroomParty implements Party.Server {
    readonly options: Party.ServerOptions = { hibernate: true };
    private readonly core: Room<R>;
    private readonly sockets = new WeakMap<Party.Connection, PartySocket>();
    readonly room: Party.Room;

    static onBeforeConnect(req: Party.Request, lobby: Party.Lobby): Promise<Party.Request | Response> {
      return admit(req, lobby, true);
    }

    static onBeforeRequest(req: Party.Request, lobby: Party.Lobby): Promise<Party.Request | Response> {
      return admit(req, lobby, false);
    }

    constructor(room: Party.Room) {
      this.room = room;
      this.core = new Room<R>(
        room.id,
        {
          storage: new KvRoomStorage<R>(room.storage),
          sockets: () => this.openSockets(),
          now: () => Date.now(),
          setTimeout: (fn, ms) => void setTimeout(fn, ms),
          getAlarm: () => room.storage.getAlarm(),
          setAlarm: (at) => room.storage.setAlarm(at),
          // No auto-response here: the room answers pings itself, and its
          // last-message time covers liveness.
          lastPing: () => null,
          log: (line: LogLine) => console.log(JSON.stringify(line)),
          webhook: webhookOf(room.env as Record<string, unknown>),
        },
        schema,
        room.env.HISTORY === "off" ? { ...options, history: false } : options,
      );
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
      // onBeforeConnect set the verdict; without it (it did not run), least privilege.
      const headers = ctx.request.headers as unknown as Headers;
      const access = { ok: true as const, ...verdictOf(headers) };
      const broadcasts = new URL(ctx.request.url).searchParams.get(BROADCAST_QUERY) === "1";
      return this.core.connect(this.socketFor(conn), access, { ip: headers.get("CF-Connecting-IP"), broadcasts });
    }

    async onAlarm(): Promise<void> {
      await this.core.alarm();
    }

    async onMessage(message: string | ArrayBuffer | ArrayBufferView, sender: Party.Connection): Promise<void> {
      await this.core.message(this.socketFor(sender), message);
    }

    async onClose(conn: Party.Connection): Promise<void> {
      // Complete the client's closing handshake, as the Durable Object host
      // does: PartyKit does not, and the client would wait 10–14 s and see
      // 1006. PartyKit passes no close code, so the answer is always 1000.
      try {
        conn.close(1000, "");
      } catch {
        // already closed
      }
      await this.core.close(this.socketFor(conn));
    }

    async onError(conn: Party.Connection): Promise<void> {
      await this.core.close(this.socketFor(conn));
    }

    async onRequest(request: Party.Request): Promise<Response> {
      const url = new URL(request.url);
      if (request.method === "GET" && url.pathname.endsWith(`/${this.room.id}/stats`)) return Response.json(await this.core.stats());
      // PartyKit has no R2 (nor a blob store); a room's storage takes values
      // of at most 128 KiB, no place for images. A stated limitation
      // (README "Hosts", docs/HTTP-API.md "Assets").
      if (url.pathname.includes(`/${this.room.id}/assets`)) {
        return Response.json({ code: AssetErrorCode.ASSETS_DISABLED, message: "assets need the wrangler host (R2); PartyKit has no asset storage" }, { status: 501 });
      }
      return Response.json({ code: ErrorCode.BAD_MESSAGE, message: "expected a WebSocket upgrade" }, { status: 426 });
    }
  };
}

/** PartyKit's "main" party for a project whose rooms live under named
 * parties: PartyKit routes `/party/<room>` to main, a second namespace beside
 * `/parties/<party>/<room>`, where the same room id would name a second room.
 * This one refuses everything at the edge, before any room is created. */
export class NoMainParty implements Party.Server {
  readonly room: Party.Room;
  constructor(room: Party.Room) {
    this.room = room;
  }
  static onBeforeConnect(): Response {
    return Response.json({ code: ErrorCode.INVALID_ROOM, message: "rooms are at /parties/<party>/<room>" }, { status: 404 });
  }
  static onBeforeRequest(): Response {
    return Response.json({ code: ErrorCode.INVALID_ROOM, message: "rooms are at /parties/<party>/<room>" }, { status: 404 });
  }
  /** Unreachable (the edge refuses first); here so the class is a Party.Server. */
  onRequest(): Response {
    return new Response("not found", { status: 404 });
  }
}
NoMainParty satisfies Party.Worker;
