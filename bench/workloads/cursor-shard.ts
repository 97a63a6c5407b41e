/**
 * One load-generator thread for the cursor workloads (W1, W4): it owns a slice
 * of the clients, connects them, moves each cursor at a fixed rate with a
 * random phase, and records the latency of every cursor update its clients
 * receive, per room. Driven by messages from cursors.ts; every phase is
 * bounded in time.
 *
 * Besides arrival latency it samples staleness: every STALENESS_SAMPLE_MS a
 * few receivers per room record, for each peer, the age of the newest
 * position they hold of it. That is the fair figure across designs: a
 * coalescing room delivers the newest position only, a relay every move.
 * And it records its own event-loop delay over the window, so a window in
 * which the generator itself lagged can be thrown away (cursors.ts).
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import { loadDriver } from "../drivers/load.ts";
import type { BenchClient, SystemName } from "../drivers/types.ts";
import { sleep, stampSince, wallMs } from "../lib/clock.ts";
import { Histogram } from "../lib/histogram.ts";
import { emptyWireStats, type WireStats } from "../lib/wire.ts";

export interface ShardInit {
  system: SystemName;
  host: string;
  epochMs: number;
  rateHz: number;
  /** Global client indices this shard owns, and the room of each; a `light`
   * client sends but does not measure (edgeroom-light.ts, W1's largest rooms). */
  clients: { index: number; room: string; first: boolean; light?: boolean }[];
  connectConcurrency: number;
  /** Receivers per room (in this shard) that sample staleness. */
  stalenessReceivers: number;
}

/** How often a sampling receiver reads the age of what it holds (ms). */
export const STALENESS_SAMPLE_MS = 5;

export type ShardCommand =
  | { cmd: "connect" }
  | { cmd: "run"; startAt: number; windowStart: number; endAt: number; drainMs: number }
  | { cmd: "close" };

export interface ShardResult {
  rooms: Record<string, { hist: ReturnType<Histogram["toJSON"]>; staleness: ReturnType<Histogram["toJSON"]>; sentInWindow: number; sentByMeasuring: number }>;
  wire: WireStats;
  /** This thread's event-loop delay over the window (ms): p99 and max. */
  lagP99Ms: number;
  lagMaxMs: number;
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
  light?: boolean;
  client: BenchClient;
  timer: ReturnType<typeof setInterval> | null;
}
const members: Member[] = [];

async function connectAll(): Promise<ShardReply> {
  let failed = 0;
  let error: string | undefined;
  const driver = await loadDriver(init.system);
  const light = init.clients.some((c) => c.light) ? (await import("../drivers/edgeroom-light.ts")).edgeroomLightClient : null;
  const queue = [...init.clients];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const client = (next.light && light ? light : driver)({ host: init.host, room: next.room, index: next.index, first: next.first });
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
  const rooms = new Map<string, { hist: Histogram; staleness: Histogram; sentInWindow: number; sentByMeasuring: number }>();
  for (const m of members) if (!rooms.has(m.room)) rooms.set(m.room, { hist: new Histogram(), staleness: new Histogram(), sentInWindow: 0, sentByMeasuring: 0 });
  // The sampling receivers: the first few of each room, each with the newest
  // send stamp it holds per peer.
  const samplers: { room: string; latest: Map<number, number> }[] = [];
  const perRoomSamplers = new Map<string, number>();
  const latestOf = new Map<Member, Map<number, number>>();
  for (const m of members) {
    if (m.light) continue;
    const k = perRoomSamplers.get(m.room) ?? 0;
    if (k >= init.stalenessReceivers) continue;
    perRoomSamplers.set(m.room, k + 1);
    const latest = new Map<number, number>();
    latestOf.set(m, latest);
    samplers.push({ room: m.room, latest });
  }
  const wireStart = emptyWireStats();
  const wireEnd = emptyWireStats();
  const period = 1000 / init.rateHz;

  for (const m of members) {
    const room = rooms.get(m.room)!;
    const latest = latestOf.get(m);
    m.client.onCursor = (x, y) => {
      if (y === m.index) return; // own echo (Yjs awareness sends it back)
      if (latest && x > (latest.get(y) ?? Number.NEGATIVE_INFINITY)) latest.set(y, x);
      if (x < windowStart || x > endAt) return;
      room.hist.add(wallMs() - init.epochMs - x);
    };
  }
  await sleep(Math.max(0, init.epochMs + startAt - wallMs()));
  for (const m of members) {
    const room = rooms.get(m.room)!;
    const tick = () => {
      const x = stampSince(init.epochMs);
      if (x >= windowStart && x <= endAt) {
        room.sentInWindow++;
        if (!m.light) room.sentByMeasuring++;
      }
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
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const sampler = setInterval(() => {
    const now = wallMs() - init.epochMs;
    for (const s of samplers) {
      const hist = rooms.get(s.room)!.staleness;
      for (const stamp of s.latest.values()) hist.add(now - stamp);
    }
  }, STALENESS_SAMPLE_MS);
  await sleep(Math.max(0, init.epochMs + endAt - wallMs()));
  clearInterval(sampler);
  lag.disable();
  for (const m of members) if (m.timer) clearInterval(m.timer);
  // Deliveries of moves sent inside the window may still be in flight.
  await sleep(drainMs);
  snapshotWire(wireEnd);
  for (const m of members) m.client.onCursor = null;
  const wire = emptyWireStats();
  for (const k of Object.keys(wire) as (keyof WireStats)[]) wire[k] = wireEnd[k] - wireStart[k];
  // monitorEventLoopDelay reports nanoseconds, and includes its own 1 ms resolution.
  const out: ShardResult = { rooms: {}, wire, lagP99Ms: Math.round(lag.percentile(99) / 1e5) / 10, lagMaxMs: Math.round(lag.max / 1e5) / 10 };
  for (const [room, r] of rooms) out.rooms[room] = { hist: r.hist.toJSON(), staleness: r.staleness.toJSON(), sentInWindow: r.sentInWindow, sentByMeasuring: r.sentByMeasuring };
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
