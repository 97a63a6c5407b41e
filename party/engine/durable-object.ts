/**
 * The wrangler host: one Durable Object per room, a thin adapter over the room
 * core. We use the Durable Object API directly rather than partyserver: the room
 * needs exactly the hibernation API (acceptWebSocket, attachments, tags,
 * setWebSocketAutoResponse, auto-response timestamps) and nothing of
 * partyserver's routing or connection wrapper; see docs/ARCHITECTURE.md.
 *
 * `durableRoomClass(schema, options)` builds the class for one app; the app
 * exports it under the name its wrangler.toml binds (createRoomServer does
 * both). The class does not extend `DurableObject` from "cloudflare:workers",
 * so this module imports nothing host-specific and the same server module can
 * also build the PartyKit party.
 */
import { BROADCAST_QUERY } from "../shared/broadcast.ts";
import { ROOMS_INDEX_REPORT_MS } from "../shared/limits.ts";
import { CloseCode, ErrorCode, PING_FRAME, PONG_FRAME, type RecordBase } from "../shared/protocol.ts";
import type { RoomSchema } from "../shared/schema.ts";
import { FallbackStreams } from "./fallback.ts";
import { AssetCollector } from "./asset-gc.ts";
import { eraseAssets, uploadAsset } from "./assets.ts";
import { DurableLink, DurableSocket } from "./durable-socket.ts";
import { API_HEADER, ASSET_HEADER, FALLBACK_HEADER, INDEX_HEADER, LINK_HEADER, RELAY_HEADER, ROOM_HEADER, STATS_HEADER, TICKET_HEADER, verdictOf } from "./headers.ts";
import { serveApi } from "./http-api.ts";
import { handToRelay, LINK_TAG, RELAY_TAG, RelayPart } from "./relay-object.ts";
import { type AudienceBounds, type LogLine, Room, type RoomHost, type RoomOptions, type RoomSocket } from "./room.ts";
import { indexName, readReport, RoomsIndex } from "./rooms-index.ts";
import type { IndexReport } from "./room/types.ts";
import { SqlRoomStorage } from "./sql-storage.ts";
import { type WebhookConfig, webhooksFromEnv } from "./webhook-config.ts";

/** The variables a deployment may set (wrangler.toml `[vars]`, `wrangler secret`). */
export interface RoomEnv {
  /** Built client, served for every path that is not a room (wrangler `[assets]`). */
  ASSETS?: Fetcher;
  /** When set, connections need a signed token (party/engine/auth.ts). A secret:
   * `wrangler secret put AUTH_SECRET`; locally `.dev.vars`. */
  AUTH_SECRET?: string;
  /** "true" enables GET /auth/dev-token (never in production). */
  DEV_TOKENS?: string;
  /** Comma-separated origins allowed to open sockets (unset: any). */
  ALLOWED_ORIGINS?: string;
  /** When set, the HTTP API (party/engine/http-api.ts, docs/HTTP-API.md) accepts
   * `Authorization: Bearer <API_SECRET>`; unset, the API is off. A secret:
   * `wrangler secret put API_SECRET`. */
  API_SECRET?: string;
  /** A second, read-only API secret: `GET` endpoints only (docs/HTTP-API.md). */
  API_READ_SECRET?: string;
  /** Webhooks (docs/WEBHOOKS.md): the receiver's URL and the signing secret;
   * both set, or webhooks are off. */
  WEBHOOK_URL?: string;
  WEBHOOK_SECRET?: string;
  /** The "default" endpoint's rotation and filter: the secret being replaced
   * (also signs until WEBHOOK_PREVIOUS_SECRET_UNTIL, an ISO 8601 time or ms,
   * if set), and the event types it gets (comma-separated). */
  WEBHOOK_PREVIOUS_SECRET?: string;
  WEBHOOK_PREVIOUS_SECRET_UNTIL?: string;
  WEBHOOK_EVENTS?: string;
  /** More endpoints, each with its secret and event filter: a JSON array of
   * `{name, url, secret, previousSecret?, previousSecretUntil?, events?}`. */
  WEBHOOK_ENDPOINTS?: string;
  /** Room opens per identity per minute (the Workers rate-limiting binding,
   * wrangler.toml `[[ratelimits]]`; party/engine/worker.ts). Unset: no limit. */
  ROOM_OPENS?: RateLimit;
  /** The R2 bucket rooms keep their assets in (wrangler.toml `[[r2_buckets]]`,
   * party/engine/assets.ts). Unset: uploads are refused ASSETS_DISABLED. */
  ROOM_ASSETS?: R2Bucket;
  /** Lower the audience bounds (AUDIENCE_DIRECT_MAX, RELAY_MAX_MEMBERS) so a
   * test sees relays with a few sockets; never set in a deployment. */
  AUDIENCE_DIRECT?: string;
  RELAY_MEMBERS?: string;
  AUDIENCE_RELAYS?: string;
  AUDIENCE_EDITORS?: string;
  RELAY_LINK_OWED?: string;
  /** The rooms index's report window in ms (default ROOMS_INDEX_REPORT_MS);
   * tests shorten it, a deployment never sets it. */
  ROOMS_INDEX_MS?: string;
  /** "off" switches retained history off for this deployment (the benchmark
   * compares W2 with and without it); anything else keeps the app's choice. */
  HISTORY?: string;
}

/** The webhook endpoints `env` configures (webhook-config.ts), or null (off).
 * An endpoint that is misconfigured is left out, and logged. */
export function webhookOf(env: object | undefined): WebhookConfig | null {
  const { endpoints, errors } = webhooksFromEnv(env as Record<string, unknown> | undefined);
  for (const e of errors) console.log(JSON.stringify({ level: "error", event: "webhook_config", detail: e }));
  return endpoints.length ? endpoints : null;
}

export interface DurableRoom {
  fetch(request: Request): Promise<Response>;
  alarm(): Promise<void>;
  webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void>;
  webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void>;
  webSocketError(ws: WebSocket): Promise<void>;
}

export type DurableRoomClass = new (ctx: DurableObjectState, env: unknown) => DurableRoom;

/** The Durable Object class for rooms of `schema`. With `binding` (the env
 * name of its own namespace), a room past AUDIENCE_DIRECT_MAX members hands
 * new sockets to relays, objects of the same class (relay-object.ts); an
 * object named `relay:<room>:<k>` is such a relay. */
export function durableRoomClass<R extends RecordBase>(schema: RoomSchema<R>, options: RoomOptions<R> = {}, binding?: string): DurableRoomClass {
  return class EdgeroomRoom implements DurableRoom {
    private readonly ctx: DurableObjectState;
    private readonly storage: SqlRoomStorage<R>;
    private room: Room<R> | null = null;
    private readonly sockets = new WeakMap<WebSocket, DurableSocket>();
    private readonly webhook: WebhookConfig | null;
    private readonly bucket: R2Bucket | undefined;
    private readonly options: RoomOptions<R>;
    /** SSE streams of clients whose network refuses WebSockets (fallback.ts). */
    private readonly fallback = new FallbackStreams();
    /** Its own namespace: where its relays (or, for a relay, its room) live. */
    private readonly namespace: DurableObjectNamespace | undefined;
    /** Set when this object is a relay (relay-object.ts). */
    private relay: RelayPart<R> | null = null;
    private readonly links = new WeakMap<WebSocket, DurableLink>();
    private readonly bounds: AudienceBounds;
    /** This object as the rooms index, when it is that (serveIndex). */
    private roomsIndex: RoomsIndex | null = null;
    private readonly roomsIndexHost: RoomHost<R>["roomsIndex"];
    /** Whether any relay's link is open here: a room without one never looks. */
    private linked: boolean | undefined;
    /** Collection of the room's assets no record names (asset-gc.ts). */
    private collector: AssetCollector | undefined;

    constructor(ctx: DurableObjectState, env: unknown) {
      this.ctx = ctx;
      this.webhook = webhookOf(env as RoomEnv | undefined);
      this.bucket = (env as RoomEnv | undefined)?.ROOM_ASSETS;
      this.options = (env as RoomEnv | undefined)?.HISTORY === "off" ? { ...options, history: false } : options;
      // Pings are answered by the runtime without waking the room.
      ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
      this.storage = new SqlRoomStorage<R>(ctx.storage);
      const e = env as RoomEnv | undefined;
      const n = (v: string | undefined) => (v ? Number(v) : undefined);
      this.bounds = { directMax: n(e?.AUDIENCE_DIRECT), relayMax: n(e?.RELAY_MEMBERS), relaysMax: n(e?.AUDIENCE_RELAYS), editorsMax: n(e?.AUDIENCE_EDITORS), linkOwedMax: n(e?.RELAY_LINK_OWED) };
      this.namespace = binding ? (env as Record<string, DurableObjectNamespace | undefined> | undefined)?.[binding] : undefined;
      this.roomsIndexHost = this.indexHost(e);
    }

    /** This object as relay `k` of `roomId` (its name says so after a wake). */
    private relayPart(roomId: string, k: number): RelayPart<R> {
      this.relay ??= new RelayPart<R>(this.ctx, roomId, k, schema, this.namespace!, this.bounds.relayMax);
      return this.relay;
    }

    /** The relay this object is, if it is one, from its name (`relay:<room>:<k>`). */
    private asRelay(): RelayPart<R> | null {
      if (this.relay) return this.relay;
      const m = /^relay:(.+):(\d+)$/.exec(this.ctx.id.name ?? "");
      return m && this.namespace ? this.relayPart(m[1]!, Number(m[2])) : null;
    }

    private linkFor(ws: WebSocket): DurableLink {
      let l = this.links.get(ws);
      if (!l) {
        l = new DurableLink(ws);
        this.links.set(ws, l);
      }
      return l;
    }

    private *openLinks(): Iterable<DurableLink> {
      for (const ws of this.ctx.getWebSockets(LINK_TAG)) if (ws.readyState === WebSocket.OPEN) yield this.linkFor(ws);
    }

    /** The room core, created on the first event after construction (or a wake).
     * The room id travels as the sockets' tag, so a woken object knows its name. */
    private core(roomId: string): Room<R> {
      this.room ??= new Room<R>(
        roomId,
        {
          storage: this.storage,
          sockets: () => this.openSockets(),
          links: () => this.openLinks(),
          now: () => Date.now(),
          setTimeout: (fn, ms) => void setTimeout(fn, ms),
          getAlarm: () => this.ctx.storage.getAlarm(),
          setAlarm: (at) => this.ctx.storage.setAlarm(at),
          lastPing: (s) => (s instanceof DurableSocket || s instanceof DurableLink ? (this.ctx.getWebSocketAutoResponseTimestamp(s.ws)?.getTime() ?? null) : null),
          log: (line: LogLine) => console.log(JSON.stringify(line)),
          webhook: this.webhook,
          ...(this.gc(roomId) ? { assets: this.gc(roomId) } : {}),
          roomsIndex: this.roomsIndexHost,
        },
        schema,
        this.options,
      );
      this.room.audienceBounds = this.bounds;
      return this.room;
    }

    /** The room's asset collection, when its app takes assets and the deployment has a bucket. */
    private gc(roomId: string): AssetCollector | undefined {
      if (!this.bucket || !this.options.assets?.types.length) return undefined;
      this.collector ??= new AssetCollector(this.ctx.storage, this.bucket, { party: schema.party, room: roomId }, async (at) => {
        const current = await this.ctx.storage.getAlarm();
        if (current === null || current > at) await this.ctx.storage.setAlarm(at);
      });
      return this.collector;
    }

    private socketFor(ws: WebSocket): DurableSocket {
      let s = this.sockets.get(ws);
      if (!s) {
        s = new DurableSocket(ws);
        this.sockets.set(ws, s);
      }
      return s;
    }

    private *openSockets(): Iterable<RoomSocket> {
      this.linked ??= this.ctx.getWebSockets(LINK_TAG).length > 0;
      // getWebSockets() can include sockets that are already closing.
      for (const ws of this.ctx.getWebSockets()) {
        if (ws.readyState !== WebSocket.OPEN || (this.linked && this.ctx.getTags(ws)[1] === LINK_TAG)) continue;
        yield this.socketFor(ws);
      }
      yield* this.fallback.sockets();
    }

    private roomIdOf(ws: WebSocket): string {
      return this.ctx.getTags(ws)[0] ?? "unknown";
    }

    async fetch(request: Request): Promise<Response> {
      const index = request.headers.get(INDEX_HEADER);
      if (index !== null) return this.serveIndex(index, request);
      const roomId = request.headers.get(ROOM_HEADER);
      if (!roomId) return new Response("missing room", { status: 400 });
      if (request.headers.get(STATS_HEADER) === "1") return Response.json(await this.core(roomId).stats());
      const api = request.headers.get(API_HEADER);
      if (api) {
        const assetIo = { bucket: this.bucket, storage: this.ctx.storage, policy: this.options.assets, party: schema.party, now: () => Date.now(), stored: (at: number) => this.gc(roomId)?.stored(at) ?? Promise.resolve() };
        const res = await serveApi(this.core(roomId), schema, api, request, assetIo);
        // A deleted room's assets go with it (its asset table went with its storage).
        if (api === "delete" && res.ok) await eraseAssets(this.bucket, schema.party, roomId);
        // A write through the API: the next collection pass looks at it.
        else if (request.method === "POST" && res.ok) await this.gc(roomId)?.changed(Date.now());
        return res;
      }
      if (request.headers.get(ASSET_HEADER) === "upload") {
        if (verdictOf(request.headers).role !== "editor") return Response.json({ code: "FORBIDDEN", message: "viewers cannot upload assets" }, { status: 403 });
        const io = { storage: this.ctx.storage, bucket: this.bucket, now: () => Date.now(), stored: (at: number) => this.gc(roomId)?.stored(at) ?? Promise.resolve() };
        return uploadAsset(io, { party: schema.party, room: roomId }, this.options.assets, request);
      }
      const fallback = request.headers.get(FALLBACK_HEADER);
      if (fallback === "ticket") return this.fallback.issueTicket(verdictOf(request.headers), Date.now());
      if (fallback === "events") {
        // With tokens, the Worker verified a ticket's signature; it is good once.
        const ticket = request.headers.get(TICKET_HEADER);
        const verdict = ticket === null ? verdictOf(request.headers) : this.fallback.redeem(ticket, Date.now());
        if (!verdict) return Response.json({ code: "UNAUTHORIZED", message: "this ticket was used or has expired; ask for another" }, { status: 401 });
        const broadcasts = new URL(request.url).searchParams.get(BROADCAST_QUERY) === "1";
        return this.fallback.open(this.core(roomId), roomId, { ok: true, ...verdict }, request.headers.get("CF-Connecting-IP"), Date.now(), broadcasts);
      }
      if (fallback === "send") return this.fallback.post(this.core(roomId), request, verdictOf(request.headers), Date.now());
      if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
        return new Response("expected a WebSocket upgrade", { status: 426 });
      }
      const relayIndex = request.headers.get(RELAY_HEADER);
      if (relayIndex !== null && this.namespace) return this.relayPart(roomId, Number(relayIndex)).accept(request, roomId);
      const linkIndex = request.headers.get(LINK_HEADER);
      if (linkIndex !== null) {
        // A relay of this room subscribes: accepted hibernatably, not a member.
        const pair = new WebSocketPair();
        this.ctx.acceptWebSocket(pair[1], [roomId, LINK_TAG]);
        this.linked = true;
        this.core(roomId).linkOpened(this.linkFor(pair[1]), Number(linkIndex));
        return new Response(null, { status: 101, webSocket: pair[0] });
      }
      if (this.namespace) {
        // An audience room: past its direct members, the socket goes to a relay.
        // (Sockets past their hello deadline do not count: this accept closes them.)
        const room = this.core(roomId);
        const where = room.route(room.holding());
        if (typeof where === "number") return handToRelay(this.namespace, roomId, where, request);
        if (where === null) return refuseFull();
      }
      // The Worker verified the token (at the edge, before waking this object).
      const pair = new WebSocketPair();
      const [client, server] = [pair[0], pair[1]];
      this.ctx.acceptWebSocket(server, [roomId]);
      const access = { ok: true as const, ...verdictOf(request.headers) };
      const broadcasts = new URL(request.url).searchParams.get(BROADCAST_QUERY) === "1";
      void this.core(roomId).connect(this.socketFor(server), access, { ip: request.headers.get("CF-Connecting-IP"), broadcasts });
      return new Response(null, { status: 101, webSocket: client });
    }

    /** This object as the app's rooms index (rooms-index.ts, named `index:<party>`). */
    private async serveIndex(op: string, request: Request): Promise<Response> {
      this.roomsIndex ??= new RoomsIndex(this.ctx.storage);
      if (op === "list") return this.roomsIndex.list(new URL(request.url));
      const report = readReport(await request.json().catch(() => null));
      if (op !== "report" || !report) return new Response("bad index request", { status: 400 });
      this.roomsIndex.report(report, Date.now());
      return new Response(null, { status: 204 });
    }

    /** Where this app's rooms report to the rooms index (none without the namespace). */
    private indexHost(e: RoomEnv | undefined): RoomHost<R>["roomsIndex"] {
      const ns = this.namespace;
      if (!ns) return null;
      const stub = () => ns.get(ns.idFromName(indexName(schema.party)));
      const report = async (r: IndexReport) => {
        const res = await stub().fetch("http://index/report", { method: "POST", headers: { [INDEX_HEADER]: "report" }, body: JSON.stringify(r) });
        await res.body?.cancel();
      };
      return { report, everyMs: e?.ROOMS_INDEX_MS ? Number(e.ROOMS_INDEX_MS) : ROOMS_INDEX_REPORT_MS };
    }

    async alarm(): Promise<void> {
      // An alarm carries no request: the room id comes from any socket's tag,
      // or a fallback stream's, or, with none open (a webhook retry), from the
      // object's name.
      const ws = this.ctx.getWebSockets()[0];
      const roomId = ws ? this.roomIdOf(ws) : this.fallback.size > 0 ? this.fallback.roomId : this.ctx.id.name;
      if (!roomId) return;
      await this.core(roomId).alarm();
    }

    async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
      const tag = this.ctx.getTags(ws)[1];
      if (tag === RELAY_TAG) return this.asRelay()?.core.message(this.asRelay()!.socketFor(ws), message);
      if (tag === LINK_TAG) return this.core(this.roomIdOf(ws)).linkMessage(this.linkFor(ws), message);
      await this.core(this.roomIdOf(ws)).message(this.socketFor(ws), message);
    }

    /** A socket ended: a member's (of the room or of this relay) or a link's. */
    private async ended(ws: WebSocket): Promise<void> {
      const tag = this.ctx.getTags(ws)[1];
      if (tag === RELAY_TAG) return this.asRelay()?.core.close(this.asRelay()!.socketFor(ws));
      if (tag === LINK_TAG) {
        this.linked = undefined;
        return this.core(this.roomIdOf(ws)).linkClosed(this.linkFor(ws));
      }
      await this.core(this.roomIdOf(ws)).close(this.socketFor(ws));
    }

    async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
      // Complete the closing handshake. 1005/1006 are reserved and cannot be sent.
      try {
        ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
      } catch {
        // already closed
      }
      await this.ended(ws);
    }

    async webSocketError(ws: WebSocket): Promise<void> {
      await this.ended(ws);
    }
  };
}

/** Every relay of an audience room is full: ROOM_FULL, retried by the client. */
function refuseFull(): Response {
  const pair = new WebSocketPair();
  pair[1].accept();
  pair[1].send(JSON.stringify({ type: "error", code: ErrorCode.ROOM_FULL, message: "the room holds its most members (retrying)" }));
  pair[1].close(CloseCode.ROOM_FULL, "room full");
  return new Response(null, { status: 101, webSocket: pair[0] });
}
