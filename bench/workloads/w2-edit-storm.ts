/**
 * W2 edit storm: one room of 100 shapes, 10 editors each committing a small
 * patch (move one of its 10 shapes) 10 times a second. Measures commits/s,
 * ack latency (systems that acknowledge: tldraw, edgeroom), the latency until
 * the other editors see the edit (every system), and checks afterwards that
 * every editor and a late joiner hold the same board, with every editor's
 * last write in it and every edit acknowledged.
 */
import { DRIVERS } from "../drivers/index.ts";
import type { BenchClient, BenchShape, SystemName } from "../drivers/types.ts";
import { sleep, stampSince, until, wallMs } from "../lib/clock.ts";
import { Histogram } from "../lib/histogram.ts";
import { cpuWindow, waitForQuiet, type WorkerdPids } from "../lib/proc.ts";

export const DEFAULT_EDITORS = 10;
export const DEFAULT_RATE_HZ = 10;
/** Capacity: every editor at 20 patches/s (under edgeroom's 30/s per-connection limit), more editors per step. */
export const CAPACITY_RATE_HZ = 20;
export const CAPACITY_ACK_P99_LIMIT_MS = 100;
const SHAPES_PER_EDITOR = 10;

export interface W2Result {
  commitsPerSec: number;
  ackP50Ms: number | null;
  ackP99Ms: number | null;
  seenP50Ms: number;
  seenP99Ms: number;
  sent: number;
  acked: number | null;
  /** Edits not acknowledged, plus shapes whose final state misses its author's last write at some client. */
  lost: number;
  /** Every client (and a late joiner) holds the identical board. */
  converged: boolean;
  /** Remote edits seen by other editors / (sent × (editors − 1)). */
  seenRatio: number;
  /** Remote edits of one shape seen out of the order they were made. */
  outOfOrder: number;
  workerdCpuSec: number;
  generatorCpuSec: number;
  otherCpuSec: number;
  proxyCpuSec: number;
  windowSec: number;
}

export interface W2Options {
  host: string;
  epochMs: number;
  windowMs: number;
  workerdPids: WorkerdPids;
  quietWaitMs: number;
  runId: string;
  log: (line: string) => void;
  /** Defaults: W2_EDITORS editors at W2_RATE_HZ each. */
  editors?: number;
  rateHz?: number;
  /** A configuration of the system (DriverOptions.variant). */
  variant?: string;
}

const sameBoard = (a: Map<string, { x: number; y: number }>, b: Map<string, { x: number; y: number }>) => {
  if (a.size !== b.size) return false;
  for (const [id, p] of a) {
    const q = b.get(id);
    if (!q || q.x !== p.x || q.y !== p.y) return false;
  }
  return true;
};

export async function runW2(system: SystemName, opts: W2Options): Promise<W2Result> {
  const W2_EDITORS = opts.editors ?? DEFAULT_EDITORS;
  const W2_RATE_HZ = opts.rateHz ?? DEFAULT_RATE_HZ;
  const room = `w2-${system}${opts.variant ? `-${opts.variant}` : ""}-${W2_EDITORS}x${W2_RATE_HZ}-${opts.runId}`;
  const make = (index: number) => DRIVERS[system]({ host: opts.host, room, index, ...(opts.variant ? { variant: opts.variant } : {}) });
  const editors: BenchClient[] = [];
  const clients: BenchClient[] = [];
  try {
    for (let i = 0; i < W2_EDITORS; i++) {
      const c = make(i);
      clients.push(c);
      await c.connect();
      editors.push(c);
    }
    const shapes: BenchShape[] = [];
    for (let e = 0; e < W2_EDITORS; e++) for (let s = 0; s < SHAPES_PER_EDITOR; s++) shapes.push({ id: `e${e}s${s}`, x: 0, y: 0 });
    await editors[0]!.putShapes(shapes);
    // Every editor must hold the seeded board before the storm starts.
    await until(() => editors.every((c) => !c.stateful || c.shapes().size === shapes.length), 15_000, `${system} W2 seed visible`);

    const ack = new Histogram();
    const seen = new Histogram();
    let sent = 0;
    let acked = 0;
    let outOfOrder = 0;
    let seenCount = 0;
    const lastWrite = new Map<string, number>();
    // Send times of each editor's unacknowledged patches: acks come in order.
    const inFlightOf = editors.map(() => [] as number[]);
    editors.forEach((c, e) => {
      const inFlight = inFlightOf[e]!;
      const lastSeenK = new Map<string, number>();
      c.onAck = () => {
        acked++;
        const at = inFlight.shift();
        if (at !== undefined) ack.add(wallMs() - at);
      };
      c.onRemoteEdit = (id, x, y) => {
        seenCount++;
        seen.add(stampSince(opts.epochMs) - y);
        if (x < (lastSeenK.get(id) ?? -1)) outOfOrder++;
        lastSeenK.set(id, x);
      };
    });

    await waitForQuiet(opts.workerdPids, opts.quietWaitMs);
    const cpu = cpuWindow(opts.workerdPids);
    const t0 = Date.now();
    const timers = editors.map((c, e) => {
      let k = 0;
      const inFlight = inFlightOf[e]!;
      const tick = () => {
        const id = `e${e}s${k % SHAPES_PER_EDITOR}`;
        k++;
        // x: the editor's edit counter (orders this shape's edits); y: send stamp.
        inFlight.push(wallMs());
        c.patchShape(id, k, stampSince(opts.epochMs));
        lastWrite.set(id, k);
        sent++;
      };
      const timer = { handle: null as ReturnType<typeof setInterval> | null };
      setTimeout(() => {
        if (Date.now() - t0 >= opts.windowMs) return;
        tick();
        timer.handle = setInterval(tick, 1000 / W2_RATE_HZ);
      }, Math.random() * (1000 / W2_RATE_HZ));
      return timer;
    });
    await sleep(opts.windowMs);
    for (const t of timers) if (t.handle) clearInterval(t.handle);
    const used = cpu.stop();
    const acks = editors[0]!.acks;
    // Drain: acks and broadcasts of the last edits.
    if (acks) await until(() => acked >= sent, 10_000, `${system} W2 acks`).catch(() => undefined);
    // Broadcasts of the last edits to the other editors.
    await sleep(500);

    // Convergence: every editor, and a client that joins now, hold one board.
    const boards = editors.map((c) => c.shapes());
    let lost = acks ? sent - acked : 0;
    const stateful = editors[0]!.stateful;
    if (stateful) {
      const late = make(W2_EDITORS);
      clients.push(late);
      await late.connect();
      boards.push(late.shapes());
    }
    const reference = boards[0]!;
    const converged = boards.every((b) => sameBoard(b, reference));
    for (const [id, k] of lastWrite) {
      if (boards.some((b) => b.get(id)?.x !== k)) lost++;
    }
    const windowSec = used.wallSec;
    const result: W2Result = {
      commitsPerSec: Math.round(((acks ? acked : sent) / windowSec) * 10) / 10,
      ackP50Ms: acks ? ack.quantile(0.5) : null,
      ackP99Ms: acks ? ack.quantile(0.99) : null,
      seenP50Ms: seen.quantile(0.5),
      seenP99Ms: seen.quantile(0.99),
      sent,
      acked: acks ? acked : null,
      lost,
      converged,
      seenRatio: Math.round((seenCount / (sent * (W2_EDITORS - 1))) * 1000) / 1000,
      outOfOrder,
      workerdCpuSec: used.workerdCpuSec,
      generatorCpuSec: used.generatorCpuSec,
      otherCpuSec: used.otherCpuSec,
      proxyCpuSec: used.proxyCpuSec,
      windowSec,
    };
    opts.log(
      `W2 ${system.padEnd(8)} ${W2_EDITORS}×${W2_RATE_HZ}/s commits/s=${result.commitsPerSec} ack p50/p99=${result.ackP50Ms ?? "-"}/${result.ackP99Ms ?? "-"} ms ` +
        `seen p50/p99=${result.seenP50Ms}/${result.seenP99Ms} ms lost=${lost} converged=${converged} seen=${Math.round(result.seenRatio * 100)}% ` +
        `outOfOrder=${outOfOrder} cpu rooms=${result.workerdCpuSec}s proxy=${result.proxyCpuSec}s gen=${result.generatorCpuSec}s other=${result.otherCpuSec}s /${windowSec}s`,
    );
    return result;
  } finally {
    for (const c of clients) c.close();
  }
}

export interface W2CapacityStep {
  editors: number;
  offeredPerSec: number;
  commitsPerSec: number;
  ackP99Ms: number | null;
  lost: number;
  converged: boolean;
}

/**
 * Raise the commit rate in one room (editors × CAPACITY_RATE_HZ) until ack p99
 * reaches 100 ms, an edit is lost, or the ladder ends. Only for systems that
 * acknowledge edits. Returns every step and the largest sustained commits/s
 * (from a step that stayed under the limit and lost nothing).
 */
export async function runW2Capacity(system: SystemName, editorSteps: number[], opts: W2Options): Promise<{ maxCommitsPerSec: number; steps: W2CapacityStep[] }> {
  const steps: W2CapacityStep[] = [];
  let maxCommitsPerSec = 0;
  for (const editors of editorSteps) {
    const r = await runW2(system, { ...opts, editors, rateHz: CAPACITY_RATE_HZ, runId: `${opts.runId}-cap` });
    steps.push({ editors, offeredPerSec: editors * CAPACITY_RATE_HZ, commitsPerSec: r.commitsPerSec, ackP99Ms: r.ackP99Ms, lost: r.lost, converged: r.converged });
    const ok = r.ackP99Ms !== null && r.ackP99Ms < CAPACITY_ACK_P99_LIMIT_MS && r.lost === 0 && r.converged;
    if (!ok) break;
    maxCommitsPerSec = Math.max(maxCommitsPerSec, r.commitsPerSec);
  }
  return { maxCommitsPerSec, steps };
}

/** One W2 repeat, as kept beside the merged figures. */
export interface W2Repeat {
  ackP50Ms: number | null;
  ackP99Ms: number | null;
  commitsPerSec: number;
  lost: number;
  converged: boolean;
}

/**
 * Several interleaved repeats of one system's W2 as one result: the median of
 * every figure, but nothing lost or diverged hidden by a median — `lost` is the
 * sum over the repeats and `converged` holds only if every repeat converged.
 * The repeats themselves are kept (`repeats`), for "in every repeat" targets.
 */
export function mergeW2(samples: W2Result[]): W2Result & { repeats: W2Repeat[] } {
  const med = (pick: (r: W2Result) => number | null): number | null => {
    const xs = samples.map(pick).filter((x): x is number => x !== null).sort((a, b) => a - b);
    if (xs.length === 0) return null;
    const mid = Math.floor(xs.length / 2);
    return xs.length % 2 ? xs[mid]! : Math.round(((xs[mid - 1]! + xs[mid]!) / 2) * 100) / 100;
  };
  const num = (pick: (r: W2Result) => number) => med(pick) ?? 0;
  return {
    commitsPerSec: num((r) => r.commitsPerSec),
    ackP50Ms: med((r) => r.ackP50Ms),
    ackP99Ms: med((r) => r.ackP99Ms),
    seenP50Ms: num((r) => r.seenP50Ms),
    seenP99Ms: num((r) => r.seenP99Ms),
    sent: num((r) => r.sent),
    acked: med((r) => r.acked),
    lost: samples.reduce((n, r) => n + r.lost, 0),
    converged: samples.every((r) => r.converged),
    seenRatio: num((r) => r.seenRatio),
    outOfOrder: samples.reduce((n, r) => n + r.outOfOrder, 0),
    workerdCpuSec: num((r) => r.workerdCpuSec),
    generatorCpuSec: num((r) => r.generatorCpuSec),
    otherCpuSec: num((r) => r.otherCpuSec),
    proxyCpuSec: num((r) => r.proxyCpuSec),
    windowSec: num((r) => r.windowSec),
    repeats: samples.map((r) => ({ ackP50Ms: r.ackP50Ms, ackP99Ms: r.ackP99Ms, commitsPerSec: r.commitsPerSec, lost: r.lost, converged: r.converged })),
  };
}
