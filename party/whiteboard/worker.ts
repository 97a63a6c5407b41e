/**
 * The Worker in front of the rooms (wrangler host). Routes
 * `/parties/whiteboard/<roomId>` (WebSocket) and `/parties/whiteboard/<roomId>/stats`
 * (JSON) to the room's Durable Object — the same path partysocket and PartyKit use —
 * and everything else to the built client.
 */
import { authorize, mintToken, TOKEN_TTL_SECONDS } from "../engine/auth.ts";
import { EXPIRES_HEADER, ROOM_HEADER, ROLE_HEADER, STATS_HEADER, SUBJECT_HEADER, type Env } from "../engine/durable-object.ts";
import { ROOM_ID_PATTERN } from "../shared/limits.ts";
import { CloseCode, ErrorCode, PARTY } from "../shared/protocol.ts";

export { WhiteboardRoom } from "../engine/durable-object.ts";

const ROUTE = new RegExp(`^/parties/${PARTY}/([^/]+)(/stats)?/?$`);

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
async function devToken(url: URL, env: Env): Promise<Response> {
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

/** Headers for everything the Worker itself answers (the static client gets
 * the same set from client/whiteboard/public/_headers). */
export const SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
};

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
function originAllowed(request: Request, env: Env): boolean {
  const allowed = env.ALLOWED_ORIGINS?.split(",").map((o) => o.trim()).filter(Boolean);
  if (!allowed?.length) return true;
  const origin = request.headers.get("Origin");
  return origin === null || allowed.includes(origin);
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    return withSecurityHeaders(await route(request, env));
  },
} satisfies ExportedHandler<Env>;

async function route(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname === "/auth/dev-token") return devToken(url, env);
  const match = ROUTE.exec(url.pathname);
  if (!match) {
    if (env.ASSETS) return env.ASSETS.fetch(request);
    return new Response("not found", { status: 404 });
  }
  let roomId: string;
  try {
    roomId = decodeURIComponent(match[1]!);
  } catch {
    roomId = "";
  }
  const isSocket = request.headers.get("Upgrade")?.toLowerCase() === "websocket";
  // Answered here, without waking (or creating) the room: only sockets and
  // stats reach the Durable Object.
  if (!isSocket && !match[2]) return Response.json({ code: ErrorCode.BAD_MESSAGE, message: "expected a WebSocket upgrade" }, { status: 426 });
  if (!ROOM_ID_PATTERN.test(roomId)) {
    const message = "room ids are 1-64 characters of A-Z a-z 0-9 _ -";
    if (isSocket) return refuseSocket(ErrorCode.INVALID_ROOM, message, CloseCode.INVALID_ROOM);
    return Response.json({ code: ErrorCode.INVALID_ROOM, message }, { status: 400 });
  }
  if (isSocket && !originAllowed(request, env)) {
    return refuseSocket(ErrorCode.FORBIDDEN, "this page may not open this room (origin not allowed)", CloseCode.UNAUTHORIZED);
  }
  // Verify at the edge: a bad token never wakes the room's object.
  const access = await authorize(env.AUTH_SECRET, roomId, url.searchParams.get("token"));
  if (!access.ok) {
    if (isSocket) return refuseSocket(access.code, access.message, access.close);
    return Response.json({ code: access.code, message: access.message }, { status: 401 });
  }
  const headers = new Headers(request.headers);
  headers.set(ROOM_HEADER, roomId);
  headers.set(ROLE_HEADER, access.role);
  if (access.expiresAt) headers.set(EXPIRES_HEADER, String(access.expiresAt));
  else headers.delete(EXPIRES_HEADER);
  if (access.subject) headers.set(SUBJECT_HEADER, access.subject);
  else headers.delete(SUBJECT_HEADER);
  if (match[2]) headers.set(STATS_HEADER, "1");
  else headers.delete(STATS_HEADER);
  // The token stops here: nothing behind the Worker sees (or logs) it.
  url.searchParams.delete("token");
  const stub = env.WHITEBOARD.get(env.WHITEBOARD.idFromName(roomId));
  return stub.fetch(new Request(url, new Request(request, { headers })));
}
