/**
 * `node --conditions=edgeroom-source --experimental-transform-types bench/room-core.ts`
 *
 * Where the room spends its CPU in a cursor storm, without workerd, sockets or
 * a load generator in the way: the room core (party/engine/room.ts) on the in-memory
 * host from the tests, N joined connections, every connection moving its
 * cursor once per 50 ms frame. Splits one simulated storm-second into
 * "handle the N×20 cursor messages" and "build and send the 20 frames", and
 * reports bytes sent. Evidence for the proposals in BENCHMARKS.md; not part of
 * `npm run bench` (no peers run here).
 */
import { MemoryRoomHost } from "../party/engine/testing/memory-host.ts";
import { whiteboard } from "../party/whiteboard/schema.ts";

const FRAMES_PER_SEC = 20;
const SECONDS = 3;

async function measure(n: number): Promise<{ n: number; handleMsPerSec: number; flushMsPerSec: number; bytesPerSec: number }> {
  const host = new MemoryRoomHost(whiteboard, `core-${n}`);
  let bytes = 0;
  const sockets = [];
  for (let i = 0; i < n; i++) {
    const s = await host.join(`u${i}`, { schema: whiteboard.version });
    // Count instead of parsing: the test socket's JSON.parse would dwarf the room.
    s.send = (frame: string) => void (bytes += frame.length);
    sockets.push(s);
  }
  host.flushTimers();
  let handle = 0;
  let flush = 0;
  bytes = 0;
  for (let f = 0; f < FRAMES_PER_SEC * SECONDS; f++) {
    host.clock += 1000 / FRAMES_PER_SEC; // keep the token buckets full, as 20 Hz does
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await host.send(sockets[i]!, `{"type":"cursor","p":[${f * 10 + 0.5},${i}]}`);
    const t1 = performance.now();
    host.flushTimers();
    const t2 = performance.now();
    handle += t1 - t0;
    flush += t2 - t1;
  }
  const r = (x: number) => Math.round((x / SECONDS) * 10) / 10;
  return { n, handleMsPerSec: r(handle), flushMsPerSec: r(flush), bytesPerSec: Math.round(bytes / SECONDS) };
}

console.log("N | handle cursor msgs (ms CPU per storm-second) | build+send frames (ms per storm-second) | bytes out per second");
for (const n of [25, 50, 100, 150, 250]) {
  const m = await measure(n);
  console.log(`${m.n} | ${m.handleMsPerSec} | ${m.flushMsPerSec} | ${m.bytesPerSec.toLocaleString("en-US")}`);
}
