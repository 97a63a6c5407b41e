/**
 * The Worker in front of the rooms (wrangler host), for any number of apps:
 * routes `/parties/<party>/<roomId>` (WebSocket) and
 * `/parties/<party>/<roomId>/stats` (JSON) to the room's Durable Object — the
 * same path partysocket and PartyKit use —, the HTTP fallback for networks
 * that refuse WebSockets (`…/events`, `…/send`: party/engine/fallback.ts) and
 * its upgrade probe (`…/probe`, answered here), and everything else to the
 * built client (`ASSETS`), if there is one.
 *
 * Everything that can be decided without the room is decided here, before it
 * is woken: the room id, the token (party/engine/auth.ts), the Origin
 * allowlist; plain requests to a room are answered here, so they create
 * nothing. Every response the Worker makes carries the security headers.
 */
import { FALLBACK_TICKET_TTL_MS, ROOM_ID_PATTERN, ROOM_OPENS_PER_MINUTE } from "../shared/limits.ts";
import { CloseCode, ErrorCode, PONG_FRAME, TRY_AGAIN_LATER } from "../shared/protocol.ts";
import { type Access, authorize, bearerOf, mintTicket, mintToken, readTicket, type TicketAccess, TOKEN_TTL_SECONDS } from "./auth.ts";
import type { RoomEnv } from "./durable-object.ts";
import { assetError, readAsset } from "./assets.ts";
import { API_HEADER, ASSET_HEADER, FALLBACK_HEADER, INDEX_HEADER, ROOM_HEADER, STATS_HEADER, setVerdict, stripInternal, TICKET_HEADER } from "./headers.ts";
import { indexName } from "./rooms-index.ts";
import { apiAction, apiError, bodyLimit, checkApiSecret, fork, readBounded } from "./http-api.ts";

/** One app's rooms: its party name and the env binding of its Durable Object namespace. */
export interface RoomRoute {
  party: string;
  binding: string;
}

/** `/parties/<party>/<room>[/<sub>]`: sub is `stats` or an HTTP API path
 * (one segment, or `history/<seq or version>`). */
const ROUTE = /^\/parties\/([a-z0-9-]{1,32})\/([^/]+)(?:\/([a-z]{1,16}(?:\/[^/]{1,256})?))?\/?$/;

/** Headers for everything the Worker itself answers (the whiteboard's static
 * files get the same set from client/whiteboard/public/_headers). */
export const SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
};

/** An invalid room id still gets a typed error over the socket it asked for,
 * not an opaque failed handshake. */
function refuseSocket(code: ErrorCode, message: string, closeCode: number): Response {
  const pair = new WebSocketPair();
  const server = pair[1];
  server.accept();
  server.send(JSON.stringify({ type: "error", code, message }));
  server.close(closeCode, message.slice(0, 120));
  return new Response(null, { status: 101, webSocket: pair[0] });
}

/** Development only (DEV_TOKENS="true" and a secret set): mint a token for
 * `?room=&role=[&ttl=]`. In production your own backend mints tokens (docs/SECURITY.md). */
async function devToken(url: URL, env: RoomEnv): Promise<Response> {
  if (env.DEV_TOKENS !== "true" || !env.AUTH_SECRET) return new Response("not found", { status: 404 });
  const room = url.searchParams.get("room") ?? "";
  const role = url.searchParams.get("role") ?? "editor";
  if (!ROOM_ID_PATTERN.test(room)) return Response.json({ code: ErrorCode.INVALID_ROOM, message: "bad room id" }, { status: 400 });
  if (role !== "editor" && role !== "viewer") return Response.json({ code: ErrorCode.BAD_MESSAGE, message: "role is editor or viewer" }, { status: 400 });
  const ttlParam = url.searchParams.get("ttl");
  const ttl = ttlParam === null ? TOKEN_TTL_SECONDS : Math.floor(Number(ttlParam));
  if (!Number.isFinite(ttl) || ttl < 1 || ttl > TOKEN_TTL_SECONDS) {
    return Response.json({ code: ErrorCode.BAD_MESSAGE, message: `ttl is 1-${TOKEN_TTL_SECONDS} seconds` }, { status: 400 });
  }
  return Response.json({ token: await mintToken(env.AUTH_SECRET, { room, role, ttlSeconds: ttl }) });
}

function withSecurityHeaders(res: Response): Response {
  // A 101 carries the socket; its headers cannot (and need not) change.
  if (res.status === 101) return res;
  const out = new Response(res.body, res);
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!out.headers.has(k)) out.headers.set(k, v);
  return out;
}

/** `ALLOWED_ORIGINS` (comma-separated, e.g. "https://board.example.com"): when
 * set, a browser socket from any other page is refused. Unset: any origin (the
 * room link is the credential; see docs/SECURITY.md). Requests without an
 * Origin header (servers, the Node client) are not browsers and pass. */
export function originAllowed(origin: string | null, allowedList: string | undefined): boolean {
  const allowed = allowedList?.split(",").map((o) => o.trim()).filter(Boolean);
  if (!allowed?.length) return true;
  return origin === null || allowed.includes(origin);
}

/** The Worker's fetch handler for `routes`. */
export function createWorker(routes: readonly RoomRoute[]): ExportedHandler<RoomEnv> {
  const byParty = new Map(routes.map((r) => [r.party, r]));
  return {
    async fetch(request, env) {
      return withSecurityHeaders(await route(request, env, byParty));
    },
  };
}

async function route(request: Request, env: RoomEnv, byParty: ReadonlyMap<string, RoomRoute>): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname === "/auth/dev-token") return devToken(url, env);
  const party = /^\/parties\/([a-z0-9-]{1,32})\/?$/.exec(url.pathname)?.[1];
  const indexed = party !== undefined ? byParty.get(party) : undefined;
  if (indexed) return listRooms(request, env, indexed);
  const match = ROUTE.exec(url.pathname);
  const target = match ? byParty.get(match[1]!) : undefined;
  if (!match || !target) {
    if (env.ASSETS) return env.ASSETS.fetch(request);
    return new Response("not found", { status: 404 });
  }
  // The id is the path segment as it is, never URL-decoded: PartyKit names
  // its rooms by the raw segment too, so both hosts agree on which ids exist
  // (`%41b` is not `Ab` on either; `%` is outside ROOM_ID_PATTERN).
  const roomId = match[2]!;
  const isSocket = request.headers.get("Upgrade")?.toLowerCase() === "websocket";
  const sub = match[3];
  const isStats = sub === "stats";
  const asset = isSocket ? null : assetAction(request.method, sub);
  if (asset !== null) return assetRoute(asset, request, env, target, roomId);
  // A client on the fallback asks now and then whether WebSockets get through
  // again: a socket accepted and closed here, waking nothing.
  if (sub === "probe" && isSocket) return probeSocket();
  const fallback = isSocket ? null : fallbackAction(request.method, sub);
  if (fallback === "method") return Response.json({ code: ErrorCode.BAD_MESSAGE, message: "the fallback is POST …/ticket, GET …/events and POST …/send (docs/PROTOCOL.md §1)" }, { status: 405 });
  const api = isSocket || fallback ? null : apiAction(request.method, sub);
  if (api === "method") return apiError(405, ErrorCode.BAD_MESSAGE, `${request.method} is not an HTTP API method for this path (docs/HTTP-API.md)`);
  if (sub !== undefined && !isStats && api === null && fallback === null) {
    // Not a room endpoint: the client's own paths, as before the API existed.
    if (env.ASSETS) return env.ASSETS.fetch(request);
    return new Response("not found", { status: 404 });
  }
  // Answered here, without waking (or creating) the room: only sockets, stats
  // and authenticated API requests reach the Durable Object.
  if (!isSocket && !isStats && api === null && fallback === null) return Response.json({ code: ErrorCode.BAD_MESSAGE, message: "expected a WebSocket upgrade" }, { status: 426 });
  if (!ROOM_ID_PATTERN.test(roomId)) {
    const message = "room ids are 1-64 characters of A-Z a-z 0-9 _ -";
    if (isSocket) return refuseSocket(ErrorCode.INVALID_ROOM, message, CloseCode.INVALID_ROOM);
    return Response.json({ code: ErrorCode.INVALID_ROOM, message }, { status: 400 });
  }
  if (api !== null) {
    const refused = await checkApiSecret(request, env, api);
    if (refused) return refused;
    if (api === "fork") return fork(request, url, roomId, (id) => roomStub(env, target.binding, id));
    const headers = new Headers(request.headers);
    // The secret stops here, like a token.
    headers.delete("Authorization");
    headers.delete(STATS_HEADER);
    headers.delete(ASSET_HEADER);
    stripInternal(headers);
    headers.set(ROOM_HEADER, roomId);
    headers.set(API_HEADER, api);
    const stub = roomStub(env, target.binding, roomId);
    if (stub instanceof Response) return stub;
    if (request.method === "GET" || request.method === "DELETE") return stub.fetch(new Request(url, new Request(request, { headers })));
    // A body is read here, bounded (413 by its declared length before a byte
    // is read, or at the first byte past the limit): the room gets it whole or not at all.
    const body = await readBounded(request, bodyLimit(api), api === "import" ? "an export" : "a body");
    if (!body.ok) return body.response;
    headers.delete("Content-Length");
    headers.delete("Transfer-Encoding");
    return stub.fetch(new Request(url, { method: request.method, headers, body: body.bytes }));
  }
  if ((isSocket || fallback) && !originAllowed(request.headers.get("Origin"), env.ALLOWED_ORIGINS)) {
    const message = "this page may not open this room (origin not allowed)";
    if (isSocket) return refuseSocket(ErrorCode.FORBIDDEN, message, CloseCode.UNAUTHORIZED);
    return Response.json({ code: ErrorCode.FORBIDDEN, message }, { status: 403 });
  }
  // Tokens in URLs end up in proxy and server logs. A WebSocket upgrade has
  // no other place for one (browsers cannot set its headers); the fallback
  // has: its POSTs carry `Authorization: Bearer`, its stream a single-use ticket.
  if (fallback && url.searchParams.has("token")) {
    return Response.json({ code: ErrorCode.BAD_MESSAGE, message: "fallback requests carry the token in Authorization: Bearer, never in the URL (a stream: ?ticket=)" }, { status: 400 });
  }
  // Verify at the edge: a bad token (or ticket) never wakes the room's object.
  const access: Access | TicketAccess =
    fallback === "events" && env.AUTH_SECRET
      ? await readTicket(env.AUTH_SECRET, roomId, url.searchParams.get("ticket"))
      : await authorize(env.AUTH_SECRET, roomId, bearerOf(request) ?? (fallback ? null : url.searchParams.get("token")));
  if (!access.ok) {
    if (isSocket) return refuseSocket(access.code, access.message, access.close);
    return Response.json({ code: access.code, message: access.message }, { status: 401 });
  }
  if ((isSocket || fallback === "events") && !(await mayOpenRoom(env, access.subject, request.headers.get("CF-Connecting-IP")))) {
    const message = `at most ${ROOM_OPENS_PER_MINUTE} room connections per minute from you; retry later`;
    if (isSocket) return refuseSocket(ErrorCode.RATE_LIMITED, message, TRY_AGAIN_LATER);
    return Response.json({ code: ErrorCode.RATE_LIMITED, message }, { status: 429 });
  }
  // Without tokens there is nothing to trade for a ticket: open …/events as is.
  if (fallback === "ticket" && !env.AUTH_SECRET) return Response.json({ ticket: null });
  const headers = new Headers(request.headers);
  headers.set(ROOM_HEADER, roomId);
  setVerdict(headers, access);
  // Only the engine's own objects speak of relays and links.
  stripInternal(headers);
  headers.delete(TICKET_HEADER);
  const ticketId = (access as { id?: string }).id;
  if (ticketId !== undefined) headers.set(TICKET_HEADER, ticketId);
  headers.delete("Authorization");
  if (isStats) headers.set(STATS_HEADER, "1");
  else headers.delete(STATS_HEADER);
  if (fallback) headers.set(FALLBACK_HEADER, fallback);
  else headers.delete(FALLBACK_HEADER);
  headers.delete(API_HEADER);
  headers.delete(ASSET_HEADER);
  // The token stops here: nothing behind the Worker sees (or logs) it.
  url.searchParams.delete("token");
  url.searchParams.delete("ticket");
  const stub = roomStub(env, target.binding, roomId);
  if (stub instanceof Response) return stub;
  const res = await stub.fetch(new Request(url, new Request(request, { headers })));
  if (fallback !== "ticket" || !res.ok || !env.AUTH_SECRET) return res;
  // The room issued the ticket (it redeems it once); the Worker signs it, so
  // a forged one is refused here without waking the room.
  const { id } = (await res.json()) as { id: string };
  const ticket = await mintTicket(env.AUTH_SECRET, { room: roomId, role: access.role, subject: access.subject, expiresAt: access.expiresAt, id, ttlMs: FALLBACK_TICKET_TTL_MS });
  return Response.json({ ticket }, { headers: { "Cache-Control": "no-store" } });
}

/** `GET /parties/<party>[?…]`: the rooms index (rooms-index.ts), for holders
 * of an API secret (the read-only one too). */
async function listRooms(request: Request, env: RoomEnv, target: RoomRoute): Promise<Response> {
  if (request.method !== "GET") return apiError(405, ErrorCode.BAD_MESSAGE, "the rooms index is GET /parties/<party> (docs/HTTP-API.md)");
  const refused = await checkApiSecret(request, env, "snapshot");
  if (refused) return refused;
  const namespace = (env as unknown as Record<string, DurableObjectNamespace | undefined>)[target.binding];
  if (!namespace) return Response.json({ code: ErrorCode.INTERNAL, message: `no Durable Object binding ${target.binding}` }, { status: 500 });
  const url = new URL(request.url);
  return namespace.get(namespace.idFromName(indexName(target.party))).fetch(new Request(url, { headers: { [INDEX_HEADER]: "list" } }));
}

/** `POST …/assets` uploads, `GET …/assets/<hash>` reads (assets.ts). */
function assetAction(method: string, sub: string | undefined): "upload" | "read" | "method" | null {
  if (sub === "assets") return method === "POST" ? "upload" : "method";
  if (sub?.startsWith("assets/")) return method === "GET" || method === "HEAD" ? "read" : "method";
  return null;
}

/**
 * A room's assets at the edge. A read comes straight from R2 and wakes no
 * room: the URL names the room and the content's hash, which only someone who
 * has the bytes or has read a record naming them can know (docs/SECURITY.md
 * §4). An upload needs what a socket needs — the Origin allowlist and, with
 * tokens, an editor's token, in `Authorization: Bearer` (never the URL) — or
 * the HTTP API's full secret; the room then stores it (its tally is there).
 */
async function assetRoute(action: "upload" | "read" | "method", request: Request, env: RoomEnv, target: RoomRoute, roomId: string): Promise<Response> {
  if (action === "method") return assetError(405, ErrorCode.BAD_MESSAGE, "assets are POST …/assets and GET …/assets/<sha256> (docs/HTTP-API.md)");
  if (!ROOM_ID_PATTERN.test(roomId)) return assetError(400, ErrorCode.INVALID_ROOM, "room ids are 1-64 characters of A-Z a-z 0-9 _ -");
  const url = new URL(request.url);
  if (action === "read") return readAsset(env.ROOM_ASSETS, target.party, roomId, url.pathname.replace(/\/$/, "").split("/").pop()!, request);
  if (!originAllowed(request.headers.get("Origin"), env.ALLOWED_ORIGINS)) return assetError(403, ErrorCode.FORBIDDEN, "this page may not upload to this room (origin not allowed)");
  if (url.searchParams.has("token")) return assetError(400, ErrorCode.BAD_MESSAGE, "an upload carries its token in Authorization: Bearer, never in the URL");
  const viaApi = env.API_SECRET !== undefined && env.API_SECRET !== "" && (await checkApiSecret(request, { API_SECRET: env.API_SECRET }, "import")) === null;
  const access: Access = viaApi ? { ok: true, role: "editor", subject: null } : await authorize(env.AUTH_SECRET, roomId, bearerOf(request));
  if (!access.ok) return assetError(401, access.code, access.message);
  if (access.role !== "editor") return assetError(403, ErrorCode.FORBIDDEN, "viewers cannot upload assets");
  const headers = new Headers(request.headers);
  headers.delete("Authorization");
  for (const h of [STATS_HEADER, API_HEADER, FALLBACK_HEADER, TICKET_HEADER]) headers.delete(h);
  headers.set(ROOM_HEADER, roomId);
  headers.set(ASSET_HEADER, "upload");
  setVerdict(headers, access);
  const stub = roomStub(env, target.binding, roomId);
  if (stub instanceof Response) return stub;
  try {
    return await stub.fetch(new Request(url, new Request(request, { headers })));
  } catch {
    // The room's object failed (reset, overloaded): a typed answer the client retries.
    return assetError(500, ErrorCode.INTERNAL, "the room could not take the upload just now; try again");
  }
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/** Room opens (a socket or a fallback stream: the requests that can create a
 * room's object) per identity — the token's subject, else a non-loopback
 * client address — counted by the `ROOM_OPENS` rate-limiting binding
 * (wrangler.toml: ROOM_OPENS_PER_MINUTE per 60 s). Without the binding (a
 * deployment that leaves it out, PartyKit) or an identity (local development:
 * every client is loopback), there is no limit. */
async function mayOpenRoom(env: RoomEnv, subject: string | null, ip: string | null): Promise<boolean> {
  if (!env.ROOM_OPENS) return true;
  const key = subject ? `s:${subject.slice(0, 64)}` : ip && !LOOPBACK.test(ip) ? `i:${ip.slice(0, 64)}` : null;
  if (key === null) return true;
  return (await env.ROOM_OPENS.limit({ key })).success;
}

/** `POST …/ticket` trades a token for a stream ticket, `GET …/events` opens a
 * fallback stream, `POST …/send` posts into one. */
function fallbackAction(method: string, sub: string | undefined): "ticket" | "events" | "send" | "method" | null {
  if (sub === "ticket") return method === "POST" ? "ticket" : "method";
  if (sub === "events") return method === "GET" ? "events" : "method";
  if (sub === "send") return method === "POST" ? "send" : "method";
  return null;
}

/** The upgrade probe: accepted, one pong, closed (1000, "probe"). A frame,
 * not just the open: a proxy may complete an upgrade and pass nothing. */
function probeSocket(): Response {
  const pair = new WebSocketPair();
  pair[1].accept();
  pair[1].send(PONG_FRAME);
  pair[1].close(1000, "probe");
  return new Response(null, { status: 101, webSocket: pair[0] });
}

/** The room's Durable Object, or the error for a deployment without the binding. */
function roomStub(env: RoomEnv, binding: string, roomId: string): DurableObjectStub | Response {
  const namespace = (env as unknown as Record<string, DurableObjectNamespace | undefined>)[binding];
  if (!namespace) return Response.json({ code: ErrorCode.INTERNAL, message: `no Durable Object binding ${binding}` }, { status: 500 });
  return namespace.get(namespace.idFromName(roomId));
}
