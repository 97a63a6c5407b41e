/**
 * Mutation ack round trip on `wrangler dev`: 1,000 sequential mutations (each
 * sent after the previous ack), paced under the per-connection rate limit
 * (30/s), timed from send to ack. Prints p50/p95/p99.
 *   node scripts/ack-rtt.ts [count]
 */
import WebSocket from "ws";
import { PROTOCOL_VERSION } from "../party/shared/protocol.ts";
import { WHITEBOARD_SCHEMA_VERSION } from "./whiteboard-version.ts";
import { startDevServer } from "../tests/support/dev-server.ts";

const COUNT = Number(process.argv[2] ?? 1000);
const PACE_MS = 40; // 25 mutations/s: under MUTATION_RATE_PER_SEC

const server = await startDevServer("wrangler");
try {
  const ws = new WebSocket(`ws://${server.host}/parties/whiteboard/ack-rtt-${Date.now()}`);
  await new Promise((r) => ws.once("open", r));
  const waiting = new Map<string, (t: number) => void>();
  ws.on("message", (d) => {
    const msg = JSON.parse(String(d)) as { type: string; mid?: string };
    if (msg.type === "ack" && msg.mid) waiting.get(msg.mid)?.(performance.now());
  });
  ws.send(JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, schema: WHITEBOARD_SCHEMA_VERSION, clientId: "rtt", epoch: null, lastSeq: 0, name: "rtt", color: "#000000" }));
  const samples: number[] = [];
  for (let i = 0; i < COUNT; i++) {
    const mid = `m${i}`;
    const op = i === 0 ? { op: "put", rec: { id: "s", type: "rect", x: 0, y: 0, z: 1, color: "#000000", stroke: 2, w: 10, h: 10, fill: null } } : { op: "patch", id: "s", set: { x: i } };
    const acked = new Promise<number>((r) => waiting.set(mid, r));
    const start = performance.now();
    ws.send(JSON.stringify({ type: "mutate", mid, ops: [op] }));
    const end = await Promise.race([acked, new Promise<number>((_, rej) => setTimeout(() => rej(new Error(`no ack for ${mid}`)), 5_000))]);
    waiting.delete(mid);
    samples.push(end - start);
    const rest = PACE_MS - (end - start);
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
  }
  ws.close();
  samples.sort((a, b) => a - b);
  const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!.toFixed(2);
  console.log(`ack round trip over ${COUNT} sequential mutations on wrangler dev: p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, p99 ${q(0.99)} ms, max ${samples.at(-1)!.toFixed(2)} ms`);
} finally {
  await server.stop();
}
