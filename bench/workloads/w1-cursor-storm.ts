/**
 * W1 cursor storm: one room, N clients each moving a cursor at 20 Hz. N is
 * searched upward; the search stops at the first N whose p99 is 100 ms or
 * more (or whose clients cannot all connect), and the largest passing N is
 * the system's figure.
 */
import type { SystemName } from "../drivers/types.ts";
import { runCursorLoad } from "./cursors.ts";

export const W1_RATE_HZ = 20;
export const W1_P99_LIMIT_MS = 100;

export interface W1Step {
  n: number;
  pass: boolean;
  connectFailed: number;
  deliveredPerSec: number;
  deliveredRatio: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  bytesPerUpdate: number;
  framesInPerSec: number;
  workerdCpuSec: number;
  generatorCpuSec: number;
  otherCpuSec: number;
  windowSec: number;
}

export interface W1Result {
  maxClientsP99Under100ms: number;
  steps: W1Step[];
}

export interface W1Options {
  host: string;
  epochMs: number;
  steps: number[];
  warmupMs: number;
  windowMs: number;
  threads: number;
  workerdPid: number | null;
  runId: string;
  log: (line: string) => void;
}

const r1 = (n: number) => Math.round(n * 10) / 10;

export async function runW1(system: SystemName, opts: W1Options): Promise<W1Result> {
  const steps: W1Step[] = [];
  let max = 0;
  for (const n of opts.steps) {
    const out = await runCursorLoad({
      system,
      host: opts.host,
      epochMs: opts.epochMs,
      rooms: [{ name: `w1-${system}-${n}-${opts.runId}`, size: n }],
      rateHz: W1_RATE_HZ,
      warmupMs: opts.warmupMs,
      windowMs: opts.windowMs,
      drainMs: 1_000,
      threads: opts.threads,
      workerdPid: opts.workerdPid,
    });
    const p99 = out.all.quantile(0.99);
    const pass = out.connectFailed === 0 && out.delivered > 0 && p99 < W1_P99_LIMIT_MS;
    const step: W1Step = {
      n,
      pass,
      connectFailed: out.connectFailed,
      deliveredPerSec: Math.round(out.delivered / out.windowSec),
      deliveredRatio: out.expected ? Math.round((out.delivered / out.expected) * 1000) / 1000 : 0,
      p50Ms: out.all.quantile(0.5),
      p95Ms: out.all.quantile(0.95),
      p99Ms: p99,
      bytesPerUpdate: out.delivered ? r1(out.wire.bytesIn / out.delivered) : 0,
      framesInPerSec: Math.round(out.wire.framesIn / out.windowSec),
      workerdCpuSec: out.workerdCpuSec,
      generatorCpuSec: out.generatorCpuSec,
      otherCpuSec: out.otherCpuSec,
      windowSec: out.windowSec,
    };
    steps.push(step);
    opts.log(
      `W1 ${system.padEnd(8)} N=${String(n).padStart(3)} ${pass ? "pass" : "FAIL"} delivered/s=${step.deliveredPerSec} (${Math.round(step.deliveredRatio * 100)}%) ` +
        `p50=${step.p50Ms} p95=${step.p95Ms} p99=${step.p99Ms} ms B/update=${step.bytesPerUpdate} ` +
        `cpu workerd=${step.workerdCpuSec}s gen=${step.generatorCpuSec}s other=${step.otherCpuSec}s /${step.windowSec}s${out.connectError ? ` connect error: ${out.connectError}` : ""}`,
    );
    if (!pass) break;
    max = n;
  }
  return { maxClientsP99Under100ms: max, steps };
}
