/**
 * One load-generator thread for the cursor workloads (W1, W4): it owns a slice
 * of the clients, connects them, moves each cursor at a fixed rate with a
 * random phase, and records the latency of every cursor update its clients
 * receive, per room. Driven by messages from cursors.ts; every phase is
 * bounded in time.
 */
import { parentPort, workerData } from "node:worker_threads";
import { DRIVERS } from "../drivers/index.ts";
import type { BenchClient, SystemName } from "../drivers/types.ts";
import { sleep, stampSince, wallMs } from "../lib/clock.ts";
import { Histogram } from "../lib/histogram.ts";
import { emptyWireStats, type WireStats } from "../lib/wire.ts";

export interface ShardInit {
  system: SystemName;
  host: string;
  epochMs: number;
  rateHz: number;
  /** Global client indices this shard owns, and the room of each. */
  clients: { index: number; room: string }[];
  connectConcurrency: number;
}

export type ShardCommand =
  | { cmd: "connect" }
  | { cmd: "run"; startAt: number; windowStart: number; endAt: number; drainMs: number }
  | { cmd: "close" };

export interface ShardResult {
  rooms: Record<string, { hist: ReturnType<Histogram["toJSON"]>; sentInWindow: number }>;
  wire: WireStats;
}

export type ShardReply =
  | { kind: "connected"; ok: number; failed: number; error?: string }
  | { kind: "result"; result: ShardResult }
  | { kind: "closed" };

const init = workerData as ShardInit;
const port = parentPort!;
process.setMaxListeners(0);

interface Member {
  index: number;
  room: string;
  client: BenchClient;
  timer: ReturnType<typeof setInterval> | null;
}
const members: Member[] = [];

async function connectAll(): Promise<ShardReply> {
  let failed = 0;
  let error: string | undefined;
  const queue = [...init.clients];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const client = DRIVERS[init.system]({ host: init.host, room: next.room, index: next.index });
      try {
        await client.connect();
        members.push({ ...next, client, timer: null });
      } catch (e) {
        failed++;
        error ??= e instanceof Error ? e.message : String(e);
        client.close();
      }
    }
  };
  await Promise.all(Array.from({ length: init.connectConcurrency }, worker));
  return { kind: "connected", ok: members.length, failed, ...(error ? { error } : {}) };
}

async function run(startAt: number, windowStart: number, endAt: number, drainMs: number): Promise<ShardReply> {
  const rooms = new Map<string, { hist: Histogram; sentInWindow: number }>();
  for (const m of members) if (!rooms.has(m.room)) rooms.set(m.room, { hist: new Histogram(), sentInWindow: 0 });
  const wireStart = emptyWireStats();
  const wireEnd = emptyWireStats();
  const period = 1000 / init.rateHz;

  for (const m of members) {
    const room = rooms.get(m.room)!;
    m.client.onCursor = (x, y) => {
      if (y === m.index) return; // own echo (Yjs awareness sends it back)
      if (x < windowStart || x > endAt) return;
      room.hist.add(wallMs() - init.epochMs - x);
    };
  }
  await sleep(Math.max(0, init.epochMs + startAt - wallMs()));
  for (const m of members) {
    const room = rooms.get(m.room)!;
    const tick = () => {
      const x = stampSince(init.epochMs);
      if (x >= windowStart && x <= endAt) room.sentInWindow++;
      m.client.sendCursor(x, m.index);
    };
    // Random phase, so N clients do not move in lockstep.
    setTimeout(() => {
      if (stampSince(init.epochMs) >= endAt) return;
      tick();
      m.timer = setInterval(tick, period);
    }, Math.random() * period);
  }
  const snapshotWire = (into: WireStats) => {
    for (const k of Object.keys(into) as (keyof WireStats)[]) into[k] = members.reduce((n, m) => n + m.client.wire[k], 0);
  };
  await sleep(Math.max(0, init.epochMs + windowStart - wallMs()));
  snapshotWire(wireStart);
  await sleep(Math.max(0, init.epochMs + endAt - wallMs()));
  for (const m of members) if (m.timer) clearInterval(m.timer);
  // Deliveries of moves sent inside the window may still be in flight.
  await sleep(drainMs);
  snapshotWire(wireEnd);
  for (const m of members) m.client.onCursor = null;
  const wire = emptyWireStats();
  for (const k of Object.keys(wire) as (keyof WireStats)[]) wire[k] = wireEnd[k] - wireStart[k];
  const out: ShardResult = { rooms: {}, wire };
  for (const [room, r] of rooms) out.rooms[room] = { hist: r.hist.toJSON(), sentInWindow: r.sentInWindow };
  return { kind: "result", result: out };
}

port.on("message", async (msg: ShardCommand) => {
  if (msg.cmd === "connect") port.postMessage(await connectAll());
  else if (msg.cmd === "run") port.postMessage(await run(msg.startAt, msg.windowStart, msg.endAt, msg.drainMs));
  else {
    for (const m of members) {
      if (m.timer) clearInterval(m.timer);
      m.client.close();
    }
    port.postMessage({ kind: "closed" } satisfies ShardReply);
  }
});
