/**
 * How long a silent socket stays visible, on `wrangler dev`: a live client
 * pings as the library does (the runtime answers; the room may hibernate); a
 * ghost says hello and then sends nothing, its TCP connection left open (a
 * half-open tab). Prints the time from the ghost's last frame to the leave the
 * live client receives. The bound is STALE_AFTER_MS + SWEEP_INTERVAL_MS.
 *   node scripts/ghost-time.ts
 */
import WebSocket from "ws";
import { PING_INTERVAL_MS, STALE_AFTER_MS, SWEEP_INTERVAL_MS } from "../party/shared/limits.ts";
import { PING_FRAME, PROTOCOL_VERSION } from "../party/shared/protocol.ts";
import { WHITEBOARD_SCHEMA_VERSION } from "./whiteboard-version.ts";
import { startDevServer } from "../tests/support/dev-server.ts";

const server = await startDevServer("wrangler");
const room = `ghost-${Date.now()}`;
const open = async (name: string) => {
  const ws = new WebSocket(`ws://${server.host}/parties/whiteboard/${room}`);
  await new Promise((r) => ws.once("open", r));
  ws.send(JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, schema: WHITEBOARD_SCHEMA_VERSION, clientId: name, epoch: null, lastSeq: 0, name, color: "#000000" }));
  return ws;
};
try {
  const live = await open("live");
  const ghost = await open("ghost");
  const lastFrame = performance.now();
  // The ghost's socket stays open but goes quiet: ws would answer protocol
  // pings, but the room never sends those; it sends no application frame.
  const timer = setInterval(() => live.send(PING_FRAME), PING_INTERVAL_MS);
  const bound = STALE_AFTER_MS + SWEEP_INTERVAL_MS;
  const leftAfter = await new Promise<number>((resolve, reject) => {
    const giveUp = setTimeout(() => reject(new Error(`no leave within ${bound + 15_000} ms`)), bound + 15_000);
    live.on("message", (d) => {
      const msg = JSON.parse(String(d)) as { type: string };
      if (msg.type === "leave") {
        clearTimeout(giveUp);
        resolve(performance.now() - lastFrame);
      }
    });
  });
  clearInterval(timer);
  console.log(`silent socket's leave after ${(leftAfter / 1000).toFixed(1)} s (bound ${bound / 1000} s: STALE_AFTER_MS ${STALE_AFTER_MS / 1000} s + SWEEP_INTERVAL_MS ${SWEEP_INTERVAL_MS / 1000} s)`);
  live.close();
  ghost.terminate();
} finally {
  await server.stop();
}
