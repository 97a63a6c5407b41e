/**
 * The Worker in front of the rooms (wrangler host). Routes
 * `/parties/whiteboard/<roomId>` (WebSocket) and `/parties/whiteboard/<roomId>/stats`
 * (JSON) to the room's Durable Object — the same path partysocket and PartyKit use —
 * and everything else to the built client.
 */
import { ROOM_HEADER, ROLE_HEADER, type Env } from "./durable-object.ts";
import { ROOM_ID_PATTERN } from "./limits.ts";
import { CloseCode, ErrorCode, PARTY } from "./protocol.ts";

export { WhiteboardRoom } from "./durable-object.ts";

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

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
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
    if (!ROOM_ID_PATTERN.test(roomId)) {
      const message = "room ids are 1-64 characters of A-Z a-z 0-9 _ -";
      if (isSocket) return refuseSocket(ErrorCode.INVALID_ROOM, message, CloseCode.INVALID_ROOM);
      return Response.json({ code: ErrorCode.INVALID_ROOM, message }, { status: 400 });
    }
    const headers = new Headers(request.headers);
    headers.set(ROOM_HEADER, roomId);
    headers.set(ROLE_HEADER, "editor");
    const stub = env.WHITEBOARD.get(env.WHITEBOARD.idFromName(roomId));
    return stub.fetch(new Request(request, { headers }));
  },
} satisfies ExportedHandler<Env>;
