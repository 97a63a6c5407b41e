/**
 * The benchmark's Worker: one workerd hosting every Durable Object system
 * under test.
 *
 *   /parties/relay/<room>             RelayRoom           (bare forwarding: the per-frame limit)
 *   /parties/relay-coalescing/<room>  CoalescingRelayRoom (bare 16 ms batching: the coalescing limit)
 *   /parties/tldraw/<room>            TldrawRoom          (TLSocketRoom from @tldraw/sync-core)
 *   /parties/yjs/<room>               YjsRoom             (y-partyserver, hibernate: true)
 *   /parties/yjs-readme/<room>        YjsReadmeRoom       (y-partyserver as its README sets it up)
 *   /parties/whiteboard/<room>        edgeroom's WhiteboardRoom, routed by edgeroom's
 *                                     own Worker so the path is exactly the product's.
 *   /parties/whiteboard-nohistory/<room>  the same room with retained history off
 *                                     (W2's history on/off comparison), through a
 *                                     Worker of its own built by the same call.
 *   /parties/whiteboard-audience/<room>   the product's rooms with tokens on (W6).
 *   /parties/whiteboard-single/<room>     the same room as ONE object (no relays:
 *                                     refuses past MAX_CONNECTIONS_PER_ROOM), tokens
 *                                     on: W6's "edgeroom as one object".
 *
 * This file and bench/drivers/edgeroom.ts are the only bench files that
 * import party/ and client/.
 */
import edgeroomWorker, { roomOptions } from "../../party/whiteboard/worker.ts";
import { createRoomServer } from "../../party/engine/server.ts";
import { durableRoomClass } from "../../party/engine/durable-object.ts";
import { createWorker } from "../../party/engine/worker.ts";
import { whiteboard } from "../../party/whiteboard/schema.ts";
import type { RoomEnv as EdgeroomEnv } from "../../party/engine/durable-object.ts";
import { AUDIENCE_SECRET } from "./audience-secret.ts";
import type { RelayRoom } from "./relay.ts";
import type { CoalescingRelayRoom } from "./relay-coalescing.ts";
import type { TldrawRoom } from "./tldraw.ts";
import type { YjsReadmeRoom, YjsRoom } from "./yjs.ts";

export { WhiteboardRoom } from "../../party/whiteboard/worker.ts";

const noHistory = createRoomServer(whiteboard, { binding: "WHITEBOARD_NOHISTORY", history: false });
/** The whiteboard room exactly as the product builds it, but with `history: false`. */
export const WhiteboardRoomNoHistory = noHistory.DurableObject;
const NO_HISTORY_ROUTE = /^\/parties\/whiteboard-nohistory\/([A-Za-z0-9_-]{1,64})\/?$/;
/** W6: the product's rooms with tokens on, so an audience joins as viewers. */
const AUDIENCE_ROUTE = /^\/parties\/whiteboard-audience\/([A-Za-z0-9_-]{1,64})(\/stats)?\/?$/;
/** W6: the product's room as one object — no binding given, so it never hands
 * a socket to a relay and refuses past its cap, as every room did before. */
export const WhiteboardRoomSingle = durableRoomClass(whiteboard, roomOptions);
const singleWorker = createWorker([{ party: whiteboard.party, binding: "WHITEBOARD_SINGLE" }]);
const SINGLE_ROUTE = /^\/parties\/whiteboard-single\/([A-Za-z0-9_-]{1,64})(\/stats)?\/?$/;
export { RelayRoom } from "./relay.ts";
export { CoalescingRelayRoom } from "./relay-coalescing.ts";
export { TldrawRoom } from "./tldraw.ts";
export { YjsReadmeRoom, YjsRoom } from "./yjs.ts";

interface Env extends EdgeroomEnv {
  WHITEBOARD: DurableObjectNamespace;
  WHITEBOARD_NOHISTORY: DurableObjectNamespace;
  WHITEBOARD_SINGLE: DurableObjectNamespace;
  RELAY: DurableObjectNamespace<RelayRoom>;
  RELAY_COALESCING: DurableObjectNamespace<CoalescingRelayRoom>;
  TLDRAW: DurableObjectNamespace<TldrawRoom>;
  YJS: DurableObjectNamespace<YjsRoom>;
  YJS_README: DurableObjectNamespace<YjsReadmeRoom>;
}

type Peer = "relay" | "relay-coalescing" | "tldraw" | "yjs" | "yjs-readme";
const PEER_ROUTE = /^\/parties\/(relay|relay-coalescing|tldraw|yjs|yjs-readme)\/([A-Za-z0-9_-]{1,64})\/?$/;

/** The room's object; only its fetch() is called, so a Fetcher is all we need. */
function stub(env: Env, peer: Peer, room: string): Fetcher {
  const get = <T extends Rpc.DurableObjectBranded | undefined>(ns: DurableObjectNamespace<T>) => ns.get(ns.idFromName(room)) as unknown as Fetcher;
  switch (peer) {
    case "relay":
      return get(env.RELAY);
    case "relay-coalescing":
      return get(env.RELAY_COALESCING);
    case "tldraw":
      return get(env.TLDRAW);
    case "yjs":
      return get(env.YJS);
    case "yjs-readme":
      return get(env.YJS_README);
  }
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    const noHistoryRoom = NO_HISTORY_ROUTE.exec(url.pathname)?.[1];
    if (noHistoryRoom) {
      // The room sees the product's own path; only the binding differs.
      url.pathname = `/parties/whiteboard/${noHistoryRoom}`;
      return noHistory.worker.fetch!(new Request(url, request) as Parameters<NonNullable<typeof edgeroomWorker.fetch>>[0], env, ctx);
    }
    const audience = AUDIENCE_ROUTE.exec(url.pathname);
    if (audience) {
      // The same rooms and path; only the Worker's env has a token secret.
      url.pathname = `/parties/whiteboard/${audience[1]}${audience[2] ?? ""}`;
      return edgeroomWorker.fetch!(new Request(url, request) as Parameters<NonNullable<typeof edgeroomWorker.fetch>>[0], { ...env, AUTH_SECRET: AUDIENCE_SECRET }, ctx);
    }
    const single = SINGLE_ROUTE.exec(url.pathname);
    if (single) {
      url.pathname = `/parties/whiteboard/${single[1]}${single[2] ?? ""}`;
      return singleWorker.fetch!(new Request(url, request) as Parameters<NonNullable<typeof edgeroomWorker.fetch>>[0], { ...env, AUTH_SECRET: AUDIENCE_SECRET }, ctx);
    }
    const match = PEER_ROUTE.exec(url.pathname);
    if (!match) return edgeroomWorker.fetch!(request as Parameters<NonNullable<typeof edgeroomWorker.fetch>>[0], env, ctx);
    const [, peer, room] = match as unknown as [string, Peer, string];
    const headers = new Headers(request.headers);
    // partyserver learns its room name from this header (or ctx.id.name).
    headers.set("x-partykit-room", room);
    return stub(env, peer, room).fetch(new Request(request, { headers }));
  },
} satisfies ExportedHandler<Env>;
