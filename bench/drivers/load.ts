/**
 * One system's driver, imported on demand. A load-generator thread needs one
 * system only; importing every client library (tldraw's schema, Yjs
 * providers, Liveblocks, Hocuspocus) costs ~1.5 s of CPU per thread per
 * window on this machine — time taken from the very core the generator runs on.
 */
import type { DriverFactory, SystemName } from "./types.ts";

export async function loadDriver(system: SystemName): Promise<DriverFactory> {
  switch (system) {
    case "relay":
    case "relay-coalescing":
      return (await import("./relay.ts")).relayDriver(system);
    case "tldraw":
      return (await import("./tldraw.ts")).tldrawClient;
    case "yjs":
    case "yjs-readme":
    case "yjs-ws":
    case "hocuspocus":
      return (await import("./yjs.ts")).yjsDriver(system);
    case "liveblocks":
    case "liveblocks-16ms":
      return (await import("./liveblocks.ts")).liveblocksDriver(system);
    case "edgeroom":
      return (await import("./edgeroom.ts")).edgeroomClient;
  }
}
