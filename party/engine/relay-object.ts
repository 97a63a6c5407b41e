/**
 * The Durable Object side of an audience room (issue 18; docs/ARCHITECTURE.md
 * "One room over many objects"), used by durable-object.ts:
 * - `RelayPart`: an object acting as relay `k` of a room — it accepts the
 *   members' sockets the room hands it (hibernatable, tagged `relay`) and
 *   opens the link to the room (an outgoing WebSocket, which never
 *   hibernates: the relay lives while it holds members);
 * - the names: relay `k` of room `r` is the object named `relay:r:k`, which
 *   no room id can be (ROOM_ID_PATTERN has no `:`).
 */
import { BROADCAST_QUERY } from "../shared/broadcast.ts";
import type { RecordBase } from "../shared/protocol.ts";
import type { RoomSchema } from "../shared/schema.ts";
import { DurableSocket } from "./durable-socket.ts";
import { LINK_HEADER, RELAY_HEADER, ROOM_HEADER, verdictOf } from "./headers.ts";
import { RelayCore, type RelayLink } from "./relay.ts";
import type { LogLine } from "./room.ts";

/** The tag of a relay's member sockets and of a room's link sockets. */
export const RELAY_TAG = "relay";
export const LINK_TAG = "link";

/** The object that is relay `k` of room `roomId`. */
export function relayStub(namespace: DurableObjectNamespace, roomId: string, k: number): DurableObjectStub {
  return namespace.get(namespace.idFromName(`relay:${roomId}:${k}`));
}

/** Hand a member's upgrade request to relay `k` (the room's answer is the relay's 101). */
export function handToRelay(namespace: DurableObjectNamespace, roomId: string, k: number, request: Request): Promise<Response> {
  const headers = new Headers(request.headers);
  headers.set(RELAY_HEADER, String(k));
  headers.set(ROOM_HEADER, roomId);
  return relayStub(namespace, roomId, k).fetch(new Request(request, { headers }));
}

export class RelayPart<R extends RecordBase = RecordBase> {
  readonly core: RelayCore<R>;
  private readonly ctx: DurableObjectState;
  private readonly sockets = new WeakMap<WebSocket, DurableSocket>();

  constructor(ctx: DurableObjectState, roomId: string, k: number, schema: RoomSchema<R>, namespace: DurableObjectNamespace, maxMembers?: number) {
    this.ctx = ctx;
    this.core = new RelayCore<R>(
      roomId,
      {
        members: () => this.members(),
        openLink: (onFrame, onClose) => openLink(namespace, roomId, k, onFrame, onClose),
        now: () => Date.now(),
        lastPing: (s) => (s instanceof DurableSocket ? (ctx.getWebSocketAutoResponseTimestamp(s.ws)?.getTime() ?? null) : null),
        setTimeout: (fn, ms) => void setTimeout(fn, ms),
        log: (line: LogLine) => console.log(JSON.stringify({ ...line, relay: k })),
      },
      schema,
      maxMembers,
    );
  }

  socketFor(ws: WebSocket): DurableSocket {
    let s = this.sockets.get(ws);
    if (!s) {
      s = new DurableSocket(ws);
      this.sockets.set(ws, s);
    }
    return s;
  }

  private *members(): Iterable<DurableSocket> {
    for (const ws of this.ctx.getWebSockets(RELAY_TAG)) if (ws.readyState === WebSocket.OPEN) yield this.socketFor(ws);
  }

  /** A member's socket, handed over by the room with the edge's verdict. */
  accept(request: Request, roomId: string): Response {
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], [roomId, RELAY_TAG]);
    const broadcasts = new URL(request.url).searchParams.get(BROADCAST_QUERY) === "1";
    this.core.connect(this.socketFor(pair[1]), { ok: true, ...verdictOf(request.headers) }, { broadcasts });
    return new Response(null, { status: 101, webSocket: pair[0] });
  }
}

async function openLink(namespace: DurableObjectNamespace, roomId: string, k: number, onFrame: (data: string) => void, onClose: () => void): Promise<RelayLink> {
  const stub = namespace.get(namespace.idFromName(roomId));
  const res = await stub.fetch("http://room/link", { headers: { Upgrade: "websocket", [ROOM_HEADER]: roomId, [LINK_HEADER]: String(k) } });
  const ws = res.webSocket;
  if (!ws) throw new Error(`the room refused the link: HTTP ${res.status}`);
  ws.accept();
  let closed = false;
  const lost = () => {
    if (closed) return;
    closed = true;
    onClose();
  };
  ws.addEventListener("message", (e: MessageEvent) => onFrame(typeof e.data === "string" ? e.data : ""));
  ws.addEventListener("close", lost);
  ws.addEventListener("error", lost);
  return {
    send: (frame) => ws.send(frame),
    close: () => {
      closed = true;
      try {
        ws.close(1000, "relay empty");
      } catch {
        // already closed
      }
    },
  };
}
