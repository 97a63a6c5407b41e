/**
 * The cursor load shared by W1 (one room, N clients) and W4 (many rooms):
 * spreads the clients over worker threads (cursor-shard.ts), starts every
 * thread on one shared clock, and merges what they measured.
 */
import { Worker } from "node:worker_threads";
import type { SystemName } from "../drivers/types.ts";
import { wallMs } from "../lib/clock.ts";
import { Histogram } from "../lib/histogram.ts";
import { cpuWindow, type WorkerdPids } from "../lib/proc.ts";
import { emptyWireStats, type WireStats } from "../lib/wire.ts";
import type { ShardCommand, ShardInit, ShardReply, ShardResult } from "./cursor-shard.ts";

export interface CursorLoad {
  system: SystemName;
  host: string;
  epochMs: number;
  /** `measureEvery`: every k-th client of the room measures (spread over the
   * room, so over its relays too); the others are light (edgeroom-light.ts).
   * Unset: all of them measure. */
  rooms: { name: string; size: number; measureEvery?: number }[];
  rateHz: number;
  /** Moves before the window opens (joins settle, JITs warm up). */
  warmupMs: number;
  windowMs: number;
  drainMs: number;
  threads: number;
  workerdPids: WorkerdPids;
}

export interface CursorOutcome {
  clients: number;
  connectFailed: number;
  connectError?: string;
  all: Histogram;
  /** Age of the newest position held per peer, sampled every 5 ms by a few receivers per room. */
  staleness: Histogram;
  perRoom: { room: string; hist: Histogram; staleness: Histogram; expected: number }[];
  /** The generator's worst thread: event-loop delay p99 / max over the window (ms). */
  lagP99Ms: number;
  lagMaxMs: number;
  delivered: number;
  expected: number;
  windowSec: number;
  wire: WireStats;
  workerdCpuSec: number;
  generatorCpuSec: number;
  otherCpuSec: number;
  proxyCpuSec: number;
  wallSec: number;
}

const SHARD_URL = new URL("./cursor-shard.ts", import.meta.url);

function ask(worker: Worker, msg: ShardCommand, timeoutMs: number): Promise<ShardReply> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`shard did not answer ${msg.cmd} within ${timeoutMs} ms`)), timeoutMs);
    worker.once("message", (reply: ShardReply) => {
      clearTimeout(timer);
      resolve(reply);
    });
    worker.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    worker.postMessage(msg);
  });
}

export async function runCursorLoad(load: CursorLoad): Promise<CursorOutcome> {
  const members: { index: number; room: string; first: boolean; light: boolean }[] = [];
  for (const r of load.rooms) for (let i = 0; i < r.size; i++) members.push({ index: members.length, room: r.name, first: i === 0, light: i % (r.measureEvery ?? 1) !== 0 });
  const threads = Math.max(1, Math.min(load.threads, members.length));
  const workers: Worker[] = [];
  for (let t = 0; t < threads; t++) {
    const init: ShardInit = {
      system: load.system,
      host: load.host,
      epochMs: load.epochMs,
      rateHz: load.rateHz,
      // Round-robin, so every room's clients are spread over the threads too.
      clients: members.filter((_, i) => i % threads === t),
      connectConcurrency: 32,
      // Spread over the threads: ~4 sampling receivers per room in all.
      stalenessReceivers: Math.max(1, Math.ceil(4 / threads)),
    };
    workers.push(new Worker(SHARD_URL, { workerData: init }));
  }
  try {
    const connected = await Promise.all(workers.map((w) => ask(w, { cmd: "connect" }, 120_000)));
    let ok = 0;
    let failed = 0;
    let connectError: string | undefined;
    for (const c of connected) {
      if (c.kind !== "connected") continue;
      ok += c.ok;
      failed += c.failed;
      connectError ??= c.error;
    }
    const now = wallMs() - load.epochMs;
    const startAt = now + 200;
    const windowStart = startAt + load.warmupMs;
    const endAt = windowStart + load.windowMs;
    const cpuStartDelay = Math.max(0, load.epochMs + windowStart - wallMs());
    const results = Promise.all(
      workers.map((w) => ask(w, { cmd: "run", startAt, windowStart, endAt, drainMs: load.drainMs }, endAt - now + load.drainMs + 30_000)),
    );
    // CPU is measured over the window only: not the connects, not the warm-up.
    await new Promise((r) => setTimeout(r, cpuStartDelay));
    const cpu = cpuWindow(load.workerdPids);
    await new Promise((r) => setTimeout(r, load.windowMs));
    const used = cpu.stop();
    const replies = await results;

    const all = new Histogram();
    const staleness = new Histogram();
    let lagP99Ms = 0;
    let lagMaxMs = 0;
    const perRoom = new Map<string, { hist: Histogram; staleness: Histogram; sent: number; sentByMeasuring: number }>();
    const wire = emptyWireStats();
    for (const reply of replies) {
      if (reply.kind !== "result") continue;
      const result: ShardResult = reply.result;
      for (const k of Object.keys(wire) as (keyof WireStats)[]) wire[k] += result.wire[k];
      lagP99Ms = Math.max(lagP99Ms, result.lagP99Ms);
      lagMaxMs = Math.max(lagMaxMs, result.lagMaxMs);
      for (const [room, r] of Object.entries(result.rooms)) {
        const acc = perRoom.get(room) ?? { hist: new Histogram(), staleness: new Histogram(), sent: 0, sentByMeasuring: 0 };
        acc.hist.merge(r.hist);
        acc.staleness.merge(r.staleness);
        staleness.merge(r.staleness);
        acc.sent += r.sentInWindow;
        acc.sentByMeasuring += r.sentByMeasuring;
        perRoom.set(room, acc);
        all.merge(r.hist);
      }
    }
    // Every move reaches every measuring client but its sender.
    const measuring = new Map(load.rooms.map((r) => [r.name, Math.ceil(r.size / (r.measureEvery ?? 1))]));
    const rooms = [...perRoom].map(([room, r]) => ({ room, hist: r.hist, staleness: r.staleness, expected: r.sent * (measuring.get(room) ?? 1) - r.sentByMeasuring }));
    return {
      clients: ok,
      connectFailed: failed,
      ...(connectError ? { connectError } : {}),
      all,
      staleness,
      perRoom: rooms,
      lagP99Ms,
      lagMaxMs,
      delivered: all.count,
      expected: rooms.reduce((n, r) => n + r.expected, 0),
      windowSec: load.windowMs / 1000,
      wire,
      workerdCpuSec: used.workerdCpuSec,
      generatorCpuSec: used.generatorCpuSec,
      otherCpuSec: used.otherCpuSec,
      proxyCpuSec: used.proxyCpuSec,
      wallSec: used.wallSec,
    };
  } finally {
    await Promise.all(workers.map((w) => ask(w, { cmd: "close" }, 10_000).catch(() => undefined)));
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
