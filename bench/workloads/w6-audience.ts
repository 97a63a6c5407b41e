/**
 * W6 audience (issue 18 item 9): one room, 10 editors (5 edits/s among them,
 * each moving a cursor at 20 Hz) and V members watching, V from the ladder
 * (250, 1,000, 2,500, 5,000, 10,000), as far as this machine's generator
 * holds — edgeroom side by side with the same room as one object, the bare
 * fan-out relay (the limit), tldraw and Liveblocks, in the same run
 * (w6-systems.ts says how each one's editors and watchers are made). The
 * systems take each rung in turn; a system leaves the ladder at its first
 * stopped rung, and the row says why.
 *
 * Per V: edit → member latency p50/p99 (every member, every edit), join time
 * p50/p99 (socket open → first state), bytes per member per second, the room
 * object's inbound messages/s (edgeroom: its /stats, frames from its direct
 * members and from relay links; the others: what the clients sent it) and
 * relays, and the system's CPU per edit (workerd's — edgeroom's room and its
 * relays together, as one workerd runs them all and no per-object CPU is
 * visible from outside — or the peer server's process). The property that
 * makes the audience scale is the room's inbound messages and per-edit CPU
 * staying flat as V grows.
 *
 * A system stops at the first V where: its cap clips the rung (edgeroom as
 * one object), members could not all get in, edits did not all arrive
 * within 5 s of the window, edit → member p99 reached W6_P99_STOP_MS, or
 * the generator itself lagged (its event loop's p99 delay over
 * GENERATOR_LAG_MS: it was measuring itself). A stop is a result of the
 * run, not an error of it.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { sleep, stampSince, until, wallMs } from "../lib/clock.ts";
import { Histogram } from "../lib/histogram.ts";
import { cpuWindow, waitForQuiet, type WorkerdPids } from "../lib/proc.ts";
import { W6_EDITORS, type W6Member, type W6System, w6System } from "./w6-systems.ts";

export { W6_EDITORS, W6_SYSTEMS, type W6System } from "./w6-systems.ts";
export const W6_EDITS_PER_SEC = 5;
export const W6_CURSOR_HZ = 20;
/** Issue 18's target for edit → member p99 (the report's verdict). */
export const W6_P99_TARGET_MS = 250;
/** A system whose edit → member p99 reaches this has fallen behind: it stops climbing. */
export const W6_P99_STOP_MS = 1_000;
/** A generator whose event loop lagged this much at p99 measured itself. */
const GENERATOR_LAG_MS = 50;
/** The longest a wave of joins may take before its stragglers count as failed. */
const WAVE_TIMEOUT_MS = 30_000;
/** All of a rung's joins: at least a minute, 10 ms a member past 6,000 (no
 * system spends the ladder's budget joining a room it cannot hold). */
const joinBudgetMs = (v: number) => Math.max(60_000, 10 * v);

export interface W6Row {
  v: number;
  joined: number;
  joinP50Ms: number;
  joinP99Ms: number;
  editP50Ms: number;
  editP99Ms: number;
  /** Changes that reached members / changes that should have. */
  deliveredRatio: number;
  bytesPerMemberPerSec: number;
  /** Frames each member received per second (a batch is one frame), where counted. */
  framesPerMemberPerSec?: number;
  /** Changes that did not follow their member's seq by one, where the system has a seq (must be 0). */
  seqErrors?: number;
  roomInboundPerSec: number;
  relays: number | null;
  /** The system's CPU (workerd, or the peer's server process) per edit. */
  workerdCpuMsPerEdit: number;
  generatorLagP99Ms: number;
  /** Why the ladder stopped here for this system, if it did. */
  stop?: string;
}

export interface W6SystemResult {
  label: string;
  rows: W6Row[];
}

/** Per system: its rows, or why it could not run at all. */
export type W6Result = Partial<Record<W6System, W6SystemResult | { label: string; error: string }>>;

export interface W6Target {
  system: W6System;
  label: string;
  host: string;
  pids: WorkerdPids;
}

export interface W6Options {
  targets: W6Target[];
  ladder: number[];
  windowMs: number;
  epochMs: number;
  quietWaitMs: number;
  runId: string;
  /** No new rung starts past this wall-clock time (the run's budget). */
  deadline: number;
  log: (line: string) => void;
}

const quantile = (xs: number[], q: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]! : NaN);

export async function runW6(opts: W6Options): Promise<W6Result> {
  const out: W6Result = {};
  let alive = [...opts.targets];
  for (const t of alive) out[t.system] = { label: t.label, rows: [] };
  for (const v of opts.ladder) {
    for (const t of alive) {
      const rows = (out[t.system] as W6SystemResult).rows;
      if (Date.now() > opts.deadline) {
        rows.push({ v, stop: "not run: the run's time budget is spent" } as W6Row);
        continue;
      }
      const row = await runOne(t, v, opts).catch((e: unknown) => ({ v, stop: `failed: ${String(e).slice(0, 200)}` }) as W6Row);
      rows.push(row);
      opts.log(`W6 ${t.system} V=${v}: ${JSON.stringify(row)}`);
      // A system that fell behind drains its backlog before the next is measured.
      if (row.stop) await waitForQuiet(t.pids, 8_000);
    }
    alive = alive.filter((t) => !(out[t.system] as W6SystemResult).rows.at(-1)?.stop);
    if (alive.length === 0) break;
  }
  return out;
}

async function runOne(t: W6Target, ladderV: number, opts: W6Options): Promise<W6Row> {
  const def = await w6System(t.system);
  const v = def.cap ? Math.min(ladderV, def.cap.v) : ladderV;
  const setup = { host: t.host, room: `w6-${t.system}-${v}-${opts.runId}`, runId: opts.runId, editors: W6_EDITORS, epochMs: opts.epochMs, counting: { on: false }, latency: new Histogram() };
  const room = await def.open(setup);
  const members: W6Member[] = [];
  const lag = monitorEventLoopDelay({ resolution: 10 });
  try {
    const joinDeadline = Date.now() + joinBudgetMs(v);
    for (let i = 0; i < v && Date.now() < joinDeadline; i += def.wave) {
      const wave = Array.from({ length: Math.min(def.wave, v - i) }, (_, j) => room.member(i + j));
      members.push(...wave);
      const bound = Math.max(1, Math.min(WAVE_TIMEOUT_MS, joinDeadline - Date.now()));
      await until(() => wave.every((m) => m.joinMs !== null || m.failed), bound, `W6 ${t.system} V=${v} wave ${i}`).catch(() => {});
    }
    const joined = members.filter((m) => m.joinMs !== null && !m.failed);
    const joins = joined.map((m) => m.joinMs!);
    await waitForQuiet(t.pids, opts.quietWaitMs);

    // The window: edits round-robin over the editors, cursors from each.
    const inbound0 = await room.inbound(members);
    const bytes0 = joined.reduce((n, m) => n + m.bytesIn(), 0);
    const frames0 = joined.reduce((n, m) => n + (m.framesIn?.() ?? 0), 0);
    const cpu = cpuWindow(t.pids);
    setup.counting.on = true;
    lag.enable();
    let edits = 0;
    const started = wallMs();
    const cursorTimer = setInterval(() => {
      for (const [i, e] of room.editors.entries()) e.cursor(stampSince(opts.epochMs), i);
    }, 1000 / W6_CURSOR_HZ);
    const editTimer = setInterval(() => {
      room.editors[edits % W6_EDITORS]!.edit(edits, stampSince(opts.epochMs));
      edits++;
    }, 1000 / W6_EDITS_PER_SEC);
    await sleep(opts.windowMs);
    clearInterval(cursorTimer);
    clearInterval(editTimer);
    // The last edits' changes are still on their way: wait for them, bounded.
    await until(() => joined.every((m) => m.changes >= edits), 5_000, "W6 last changes").catch(() => {});
    const wallSec = (wallMs() - started) / 1000;
    setup.counting.on = false;
    lag.disable();
    const used = cpu.stop();
    const inbound1 = await room.inbound(members);
    const bytes1 = joined.reduce((n, m) => n + m.bytesIn(), 0);
    const frames1 = joined.reduce((n, m) => n + (m.framesIn?.() ?? 0), 0);
    const seqErrors = joined.some((m) => m.seqErrors) ? joined.reduce((n, m) => n + (m.seqErrors?.() ?? 0), 0) : undefined;
    const delivered = joined.reduce((n, m) => n + Math.min(m.changes, edits), 0);
    const lagP99 = lag.percentile(99) / 1e6;
    const row: W6Row = {
      v,
      joined: joined.length,
      joinP50Ms: Math.round(quantile(joins, 0.5)),
      joinP99Ms: Math.round(quantile(joins, 0.99)),
      editP50Ms: Math.round(setup.latency.quantile(0.5) * 10) / 10,
      editP99Ms: Math.round(setup.latency.quantile(0.99) * 10) / 10,
      deliveredRatio: edits && joined.length ? Math.round((delivered / (edits * joined.length)) * 1000) / 1000 : 0,
      bytesPerMemberPerSec: joined.length ? Math.round((bytes1 - bytes0) / joined.length / wallSec) : 0,
      ...(frames1 > 0 ? { framesPerMemberPerSec: Math.round(((frames1 - frames0) / joined.length / wallSec) * 10) / 10 } : {}),
      ...(seqErrors !== undefined ? { seqErrors } : {}),
      roomInboundPerSec: Math.round(((inbound1 - inbound0) / wallSec) * 10) / 10,
      relays: await room.relays(),
      workerdCpuMsPerEdit: edits ? Math.round((used.workerdCpuSec * 1000 * 100) / edits) / 100 : 0,
      generatorLagP99Ms: Math.round(lagP99),
    };
    if (v < ladderV) row.stop = `${def.cap!.why} (V clipped from ${ladderV.toLocaleString("en-US")})`;
    else if (joined.length < v) row.stop = `${v - joined.length} of ${v} members could not get in${members.length < v ? ` (${v - members.length} never tried: the rung's ${joinBudgetMs(v) / 1000} s of joins were spent)` : ""}`;
    else if (seqErrors) row.stop = `${seqErrors} changes out of seq order (a gap or a repeat)`;
    else if (row.deliveredRatio < 1) row.stop = `only ${Math.round(row.deliveredRatio * 1000) / 10}% of the changes reached the members within 5 s`;
    else if (row.editP99Ms >= W6_P99_STOP_MS) row.stop = `fallen behind: edit → member p99 ${row.editP99Ms} ms ≥ ${W6_P99_STOP_MS} ms`;
    if (lagP99 > GENERATOR_LAG_MS) row.stop = `${row.stop ? `${row.stop}; ` : ""}generator-bound: its event loop lagged ${Math.round(lagP99)} ms at p99 (the latency includes its own delay)`;
    return row;
  } finally {
    lag.disable();
    for (const m of members) m.close();
    room.close();
  }
}
