/**
 * W1 cursor storm: one room, N clients each moving a cursor at a fixed rate
 * (20 Hz unless swept). For every N of the ladder, every system still in the
 * race is measured `repeats` times, the systems interleaved (the order
 * rotates each repeat) so a noisy spell on the shared machine spreads over
 * all of them. Each row of the curve is the median over the repeats, with
 * the min–max of p99. A system leaves the ladder after two consecutive N
 * whose median p99 is 100 ms or more (or whose clients could not all
 * connect): one failing rung can be a noisy spell on this shared machine, two
 * in a row is the system. Its figure is the largest N that passed before them.
 *
 * A window in which the generator's own event loop lagged (p99 delay over
 * GENERATOR_LAG_LIMIT_MS) measured the generator, not the system: it is
 * thrown away and run again, up to `lagRetries` times (2 in a full run) —
 * in rooms up to LAG_RETRY_MAX_N only. Above that the generator, pinned to
 * one core, is itself near its limit (a million updates a second to parse at
 * N = 250): such rows are kept and marked generator-bound instead (their
 * latency includes the generator's own delay, so the system is at least that
 * good).
 *
 * Past 250 (issue 18: ≥ 320 people moving cursors in one room; edgeroom's
 * members beyond its direct cap go through relays on the same URL) about
 * W1_MEASURING_RECEIVERS of edgeroom's clients — every k-th, so the relays'
 * members are measured too — are full RoomClients that measure, and the
 * other members are light sockets that send the same cursor moves and read
 * every frame without parsing it (drivers/edgeroom-light.ts): the room does
 * exactly the same work, and the generator, one core, measures it instead of
 * its own parsing. The peers never reach those rungs (their own clients
 * throughout); the rows say how many receivers measured.
 */
import type { SystemName } from "../drivers/types.ts";
import type { Hosts } from "../hosts/index.ts";
import { waitForQuiet } from "../lib/proc.ts";
import { type CursorOutcome, runCursorLoad } from "./cursors.ts";

export const W1_RATE_HZ = 20;
export const W1_P99_LIMIT_MS = 100;
/** A generator thread whose event loop was this late at p99 adds that much to what it measures. */
export const GENERATOR_LAG_LIMIT_MS = 15;
/** From this N up, edgeroom's rooms have light members besides the measuring ones. */
export const W1_LIGHT_FROM_N = 251;
/** About this many full RoomClients measure in such a room (at N = 250: all 250, a generator-bound row). */
export const W1_MEASURING_RECEIVERS = 50;
/** Largest N at which a lagging window is retried (see above). */
const LAG_RETRY_MAX_N = 60;
/** A first repeat this far over the limit is a verdict: no further repeats at that N. */
const CLEAR_FAIL_MS = 3 * W1_P99_LIMIT_MS;
/** ... from this room size up. */
const CLEAR_FAIL_MIN_N = 20;

/** One measured window. */
export interface W1Sample {
  n: number;
  rateHz: number;
  repeat: number;
  /** Clients that measured (N unless the room had light members). */
  measuring: number;
  connectFailed: number;
  deliveredPerSec: number;
  deliveredRatio: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  stalenessP50Ms: number;
  stalenessP99Ms: number;
  bytesPerUpdate: number;
  /** Frames the clients sent per second (the room's inbound messages). */
  inboundPerSec: number;
  framesInPerSec: number;
  /** Runtime CPU µs per inbound message / per delivered update. */
  runtimeUsPerMsg: number;
  runtimeUsPerDelivered: number;
  /** The load generator's CPU µs per delivered update (its client libraries' cost). */
  generatorUsPerDelivered: number;
  workerdCpuSec: number;
  proxyCpuSec: number;
  generatorCpuSec: number;
  otherCpuSec: number;
  windowSec: number;
  generatorLagP99Ms: number;
  /** Windows thrown away because the generator lagged. */
  lagRetries: number;
}

/** One row of a curve: medians over the repeats. */
export interface CurvePoint {
  n: number;
  rateHz: number;
  /** Clients that measured (N unless the room had light members). */
  measuring: number;
  p50Ms: number;
  p99Ms: number;
  p99MinMs: number;
  p99MaxMs: number;
  stalenessP50Ms: number;
  stalenessP99Ms: number;
  stalenessP99MinMs: number;
  stalenessP99MaxMs: number;
  deliveredPerSec: number;
  deliveredRatio: number;
  bytesPerUpdate: number;
  runtimeUsPerMsg: number;
  runtimeUsPerDelivered: number;
  generatorUsPerDelivered: number;
  /** Median over the repeats of the generator's worst thread's event-loop p99 (ms). */
  generatorLagP99Ms: number;
  /** That lag was over GENERATOR_LAG_LIMIT_MS: the row measures the generator as much as the system. */
  generatorBound: boolean;
  repeats: number;
  pass: boolean;
}

export interface W1Result {
  maxClientsP99Under100ms: number;
  curve: CurvePoint[];
  /** The input-rate sweep at one N (10/20/30/60 Hz). */
  rateSweep: CurvePoint[];
  samples: W1Sample[];
}

export interface W1Options {
  hosts: Hosts;
  epochMs: number;
  steps: number[];
  repeats: number;
  lagRetries: number;
  warmupMs: number;
  windowMs: number;
  threads: number;
  quietWaitMs: number;
  /** Input rates swept at `sweepN` clients. */
  sweepRatesHz: number[];
  sweepN: number;
  /** Repeats of each sweep point (the ladder uses `repeats`). */
  sweepRepeats: number;
  /** Date.now() after which no further rung or sweep rate starts (the run's other workloads need their time). */
  deadline: number;
  /** Rungs edgeroom still climbs past `deadline` (until `finalDeadline`), if it is
   * still passing: issue 18's ≥ 320 must be measured even when a loaded machine
   * made the ladder below slow (the rungs skipped are left out of the curve). */
  finalSteps?: number[];
  finalDeadline?: number;
  runId: string;
  log: (line: string) => void;
}

const r1 = (n: number) => Math.round(n * 10) / 10;
const median = (xs: number[]) => {
  const v = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m]! : r1((v[m - 1]! + v[m]!) / 2);
};

async function measure(system: SystemName, n: number, rateHz: number, repeat: number, opts: W1Options): Promise<W1Sample> {
  let out: CursorOutcome | null = null;
  let lagRetries = 0;
  // Every k-th client measures: spread over the room's direct members and its relays alike.
  const measureEvery = system === "edgeroom" && n >= W1_LIGHT_FROM_N ? Math.ceil(n / W1_MEASURING_RECEIVERS) : 1;
  const measuring = Math.ceil(n / measureEvery);
  for (let attempt = 0; ; attempt++) {
    await waitForQuiet(opts.hosts.pids[system], opts.quietWaitMs);
    out = await runCursorLoad({
      system,
      host: opts.hosts.host[system],
      epochMs: opts.epochMs,
      rooms: [{ name: `w1-${system}-${n}-${rateHz}-${repeat}-${opts.runId}-${attempt}`, size: n, measureEvery }],
      rateHz,
      warmupMs: opts.warmupMs,
      windowMs: opts.windowMs,
      drainMs: 300,
      threads: opts.threads,
      workerdPids: opts.hosts.pids[system],
    });
    if (out.lagP99Ms <= GENERATOR_LAG_LIMIT_MS || attempt >= opts.lagRetries || n > LAG_RETRY_MAX_N) break;
    lagRetries++;
    opts.log(`W1 ${system} N=${n} ${rateHz} Hz: generator lagged (event-loop p99 ${out.lagP99Ms} ms), window thrown away`);
  }
  const cpuUs = out.workerdCpuSec * 1e6;
  const inbound = out.wire.framesOut;
  const s: W1Sample = {
    n,
    rateHz,
    repeat,
    measuring,
    connectFailed: out.connectFailed,
    deliveredPerSec: Math.round(out.delivered / out.windowSec),
    deliveredRatio: out.expected ? Math.round((out.delivered / out.expected) * 1000) / 1000 : 0,
    p50Ms: out.all.quantile(0.5),
    p95Ms: out.all.quantile(0.95),
    p99Ms: out.all.quantile(0.99),
    stalenessP50Ms: out.staleness.quantile(0.5),
    stalenessP99Ms: out.staleness.quantile(0.99),
    bytesPerUpdate: out.delivered ? r1(out.wire.bytesIn / out.delivered) : 0,
    inboundPerSec: Math.round(inbound / out.windowSec),
    framesInPerSec: Math.round(out.wire.framesIn / out.windowSec),
    runtimeUsPerMsg: inbound ? r1(cpuUs / inbound) : Number.NaN,
    runtimeUsPerDelivered: out.delivered ? Math.round((cpuUs / out.delivered) * 100) / 100 : Number.NaN,
    generatorUsPerDelivered: out.delivered ? Math.round(((out.generatorCpuSec * 1e6) / out.delivered) * 100) / 100 : Number.NaN,
    workerdCpuSec: out.workerdCpuSec,
    proxyCpuSec: out.proxyCpuSec,
    generatorCpuSec: out.generatorCpuSec,
    otherCpuSec: out.otherCpuSec,
    windowSec: out.windowSec,
    generatorLagP99Ms: out.lagP99Ms,
    lagRetries,
  };
  opts.log(
    `W1 ${system.padEnd(16)} N=${String(n).padStart(3)} ${rateHz} Hz #${repeat} p50=${s.p50Ms} p99=${s.p99Ms} stale p50=${s.stalenessP50Ms} p99=${s.stalenessP99Ms} ms ` +
      `delivered/s=${s.deliveredPerSec} (${Math.round(s.deliveredRatio * 100)}%) µs/msg=${s.runtimeUsPerMsg} cpu sut=${s.workerdCpuSec}s proxy=${s.proxyCpuSec}s gen=${s.generatorCpuSec}s other=${s.otherCpuSec}s lag=${s.generatorLagP99Ms}ms` +
      `${out.connectError ? ` connect error: ${out.connectError}` : ""}`,
  );
  // A system that fell behind drains its backlog before anyone else is measured.
  if (s.p99Ms >= W1_P99_LIMIT_MS) await waitForQuiet(opts.hosts.pids[system], 4 * opts.quietWaitMs);
  return s;
}

function point(samples: W1Sample[]): CurvePoint {
  const m = (f: (s: W1Sample) => number) => median(samples.map(f));
  const p99s = samples.map((s) => s.p99Ms);
  const st99 = samples.map((s) => s.stalenessP99Ms);
  const p: CurvePoint = {
    n: samples[0]!.n,
    rateHz: samples[0]!.rateHz,
    measuring: samples[0]!.measuring,
    p50Ms: m((s) => s.p50Ms),
    p99Ms: m((s) => s.p99Ms),
    p99MinMs: Math.min(...p99s),
    p99MaxMs: Math.max(...p99s),
    stalenessP50Ms: m((s) => s.stalenessP50Ms),
    stalenessP99Ms: m((s) => s.stalenessP99Ms),
    stalenessP99MinMs: Math.min(...st99),
    stalenessP99MaxMs: Math.max(...st99),
    deliveredPerSec: m((s) => s.deliveredPerSec),
    deliveredRatio: m((s) => s.deliveredRatio),
    bytesPerUpdate: m((s) => s.bytesPerUpdate),
    runtimeUsPerMsg: m((s) => s.runtimeUsPerMsg),
    runtimeUsPerDelivered: m((s) => s.runtimeUsPerDelivered),
    generatorUsPerDelivered: m((s) => s.generatorUsPerDelivered),
    generatorLagP99Ms: m((s) => s.generatorLagP99Ms),
    generatorBound: m((s) => s.generatorLagP99Ms) > GENERATOR_LAG_LIMIT_MS,
    repeats: samples.length,
    pass: false,
  };
  p.pass = samples.every((s) => s.connectFailed === 0) && p.deliveredPerSec > 0 && p.p99Ms < W1_P99_LIMIT_MS;
  return p;
}

/** Measure one ladder rung (or sweep rate) for every system in `systems`, interleaved over the repeats. */
async function rung(systems: SystemName[], n: number, rateHz: number, opts: W1Options, results: Partial<Record<SystemName, W1Result>>): Promise<Map<SystemName, CurvePoint>> {
  const got = new Map<SystemName, W1Sample[]>(systems.map((s) => [s, []]));
  const done = new Set<SystemName>();
  for (let r = 0; r < opts.repeats; r++) {
    const order = systems.map((_, i) => systems[(i + r) % systems.length]!);
    for (const system of order) {
      if (done.has(system)) continue;
      const s = await measure(system, n, rateHz, r, opts);
      got.get(system)!.push(s);
      results[system]!.samples.push(s);
      // In small rooms a window that bad is this machine's noise, not a verdict: all repeats run.
      if (s.connectFailed > 0 || s.deliveredPerSec === 0 || (n >= CLEAR_FAIL_MIN_N && s.p99Ms >= CLEAR_FAIL_MS)) done.add(system);
    }
  }
  return new Map([...got].map(([s, samples]) => [s, point(samples)]));
}

export async function runW1(systems: readonly SystemName[], opts: W1Options): Promise<Partial<Record<SystemName, W1Result>>> {
  const results: Partial<Record<SystemName, W1Result>> = {};
  for (const s of systems) results[s] = { maxClientsP99Under100ms: 0, curve: [], rateSweep: [], samples: [] };
  let alive = [...systems];
  const failedRungs = new Map<SystemName, number>(systems.map((s) => [s, 0]));
  let swept = false;
  const sweep = async () => {
    swept = true;
    for (const rate of opts.sweepRatesHz) {
      if (Date.now() > opts.deadline) {
        opts.log(`W1: time budget spent, rate sweep stops before ${rate} Hz`);
        break;
      }
      const points = await rung([...systems], opts.sweepN, rate, { ...opts, repeats: opts.sweepRepeats }, results);
      for (const [system, p] of points) results[system]!.rateSweep.push(p);
    }
  };
  let late = false;
  for (const n of opts.steps) {
    if (Date.now() > opts.deadline) {
      if (!late) opts.log(`W1: time budget spent, ladder stops before N=${n} (still passing: ${alive.join(", ")})`);
      late = true;
      if (!opts.finalSteps?.includes(n) || !alive.includes("edgeroom") || Date.now() > (opts.finalDeadline ?? 0)) continue;
      opts.log(`W1: edgeroom climbs on to N=${n} (issue 18's rungs; the ones in between are skipped)`);
      alive = ["edgeroom"];
    }
    const points = await rung(alive, n, W1_RATE_HZ, opts, results);
    for (const [system, p] of points) {
      results[system]!.curve.push(p);
      failedRungs.set(system, p.pass ? 0 : failedRungs.get(system)! + 1);
      // The largest N passed before two failing rungs in a row (a lone ✗ between passes is noise, shown in the curve).
      if (p.pass) results[system]!.maxClientsP99Under100ms = n;
    }
    alive = alive.filter((s) => failedRungs.get(s)! < 2);
    // The sweep runs right after its own rung, not after the ladder, so the
    // big rungs' connect times can never crowd it out of the budget.
    if (n === opts.sweepN) await sweep();
    if (alive.length === 0) break;
  }
  if (!swept) await sweep();
  return results;
}
