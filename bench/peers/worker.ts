/**
 * The benchmark's Worker: one `wrangler dev` hosting every system under test.
 *
 *   /parties/relay/<room>       RelayRoom  (bare forwarding: the limit)
 *   /parties/tldraw/<room>      TldrawRoom (TLSocketRoom from @tldraw/sync-core)
 *   /parties/yjs/<room>         YjsRoom    (y-partyserver)
 *   /parties/whiteboard/<room>  edgeroom's WhiteboardRoom, routed by edgeroom's
 *                               own Worker so the path is exactly the product's.
 */
import edgeroomWorker from "../../party/whiteboard/worker.ts";
import type { Env as EdgeroomEnv } from "../../party/engine/durable-object.ts";
import type { RelayRoom } from "./relay.ts";
import type { TldrawRoom } from "./tldraw.ts";
import type { YjsRoom } from "./yjs.ts";

export { WhiteboardRoom } from "../../party/engine/durable-object.ts";
export { RelayRoom } from "./relay.ts";
export { TldrawRoom } from "./tldraw.ts";
export { YjsRoom } from "./yjs.ts";

interface Env extends EdgeroomEnv {
  RELAY: DurableObjectNamespace<RelayRoom>;
  TLDRAW: DurableObjectNamespace<TldrawRoom>;
  YJS: DurableObjectNamespace<YjsRoom>;
}

const PEER_ROUTE = /^\/parties\/(relay|tldraw|yjs)\/([A-Za-z0-9_-]{1,64})\/?$/;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const match = PEER_ROUTE.exec(new URL(request.url).pathname);
    if (!match) return edgeroomWorker.fetch(request, env);
    const [, system, room] = match as unknown as [string, "relay" | "tldraw" | "yjs", string];
    const stub =
      system === "relay"
        ? env.RELAY.get(env.RELAY.idFromName(room))
        : system === "tldraw"
          ? env.TLDRAW.get(env.TLDRAW.idFromName(room))
          : env.YJS.get(env.YJS.idFromName(room));
    const headers = new Headers(request.headers);
    // partyserver learns its room name from this header (or ctx.id.name).
    headers.set("x-partykit-room", room);
    return stub.fetch(new Request(request, { headers }));
  },
} satisfies ExportedHandler<Env>;
