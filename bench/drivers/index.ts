/** The driver for each system, by name. */
import { edgeroomClient } from "./edgeroom.ts";
import { relayClient } from "./relay.ts";
import { tldrawClient } from "./tldraw.ts";
import type { DriverFactory, SystemName } from "./types.ts";
import { yjsClient } from "./yjs.ts";

export const DRIVERS: Record<SystemName, DriverFactory> = {
  relay: relayClient,
  tldraw: tldrawClient,
  yjs: yjsClient,
  edgeroom: edgeroomClient,
};
