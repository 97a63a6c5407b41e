/**
 * The driver, host and label of each system. A label names the exact package
 * versions (read from the installed packages, not typed here) and the
 * configuration, and goes into the results next to every figure.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EDGEROOM_LABEL, edgeroomClient } from "./edgeroom.ts";
import { LIVEBLOCKS_THROTTLE_MS, liveblocksDriver } from "./liveblocks.ts";
import { relayDriver } from "./relay.ts";
import { tldrawClient } from "./tldraw.ts";
import type { DriverFactory, SystemName } from "./types.ts";
import { yjsDriver } from "./yjs.ts";

export const DRIVERS: Record<SystemName, DriverFactory> = {
  relay: relayDriver("relay"),
  "relay-coalescing": relayDriver("relay-coalescing"),
  tldraw: tldrawClient,
  yjs: yjsDriver("yjs"),
  "yjs-readme": yjsDriver("yjs-readme"),
  "yjs-ws": yjsDriver("yjs-ws"),
  hocuspocus: yjsDriver("hocuspocus"),
  liveblocks: liveblocksDriver("liveblocks"),
  "liveblocks-16ms": liveblocksDriver("liveblocks-16ms"),
  edgeroom: edgeroomClient,
};

/** Where each system runs: the shared workerd (Durable Objects), or its own server process. */
export type Hosting = "workerd" | "yjs-ws" | "hocuspocus" | "liveblocks";
export const HOSTING: Record<SystemName, Hosting> = {
  relay: "workerd",
  "relay-coalescing": "workerd",
  tldraw: "workerd",
  yjs: "workerd",
  "yjs-readme": "workerd",
  "yjs-ws": "yjs-ws",
  hocuspocus: "hocuspocus",
  liveblocks: "liveblocks",
  "liveblocks-16ms": "liveblocks",
  edgeroom: "workerd",
};

const BENCH = join(import.meta.dirname, "..");
function version(pkg: string): string {
  for (const dir of [join(BENCH, "node_modules", pkg), join(BENCH, "../node_modules", pkg)]) {
    try {
      return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
    } catch {
      // try the next
    }
  }
  return "?";
}

/** Package versions and configuration of each system, as recorded in the results. */
export function labels(): Record<SystemName, string> {
  const v = version;
  return {
    relay: "bare Durable Object, forwards every frame to every other socket unparsed (hibernation API); the per-frame limit",
    "relay-coalescing": "bare Durable Object, batches the raw frames of each 16 ms into one array frame for every socket; the coalescing limit",
    tldraw: `@tldraw/sync-core ${v("@tldraw/sync-core")} TLSocketRoom + SQLiteSyncStorage, default schema; client pushes ≤ 30/s (TLSyncClient's cadence), presence with lastActivityTimestamp`,
    yjs: `y-partyserver ${v("y-partyserver")} YServer, hibernate: true; yjs ${v("yjs")}; YProvider`,
    "yjs-readme": `y-partyserver ${v("y-partyserver")} YServer as its README configures it (no options: no hibernation); yjs ${v("yjs")}; YProvider`,
    "yjs-ws": `@y/websocket-server ${v("@y/websocket-server")} in Node (not a Durable Object), memory only; y-websocket ${v("y-websocket")} provider; yjs ${v("yjs")}`,
    hocuspocus: `@hocuspocus/server ${v("@hocuspocus/server")} in Node (not a Durable Object), debounce 0, memory only; @hocuspocus/provider ${v("@hocuspocus/provider")}; yjs ${v("yjs")}`,
    liveblocks: `liveblocks ${v("liveblocks")} dev server (@liveblocks/server ${v("@liveblocks/server")}) on Bun ${v("bun")}, not a Durable Object; @liveblocks/client ${v("@liveblocks/client")} throttle ${LIVEBLOCKS_THROTTLE_MS.liveblocks} ms (default); presence + LiveMap`,
    "liveblocks-16ms": `as liveblocks, client throttle ${LIVEBLOCKS_THROTTLE_MS["liveblocks-16ms"]} ms (its minimum)`,
    edgeroom: EDGEROOM_LABEL,
  };
}
