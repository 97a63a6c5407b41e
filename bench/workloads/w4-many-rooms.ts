/**
 * W4 many rooms: R rooms × 5 clients, every cursor moving at 5 Hz — people in
 * a small room are not all dragging at once; 100 rooms × 5 × 20 Hz (10,000
 * frames/s in) saturates one workerd on this machine for every system,
 * the relay included, which measures nothing. Isolation shows as the spread
 * of p99 across rooms (worst room vs median room); capacity as total
 * delivered updates per second.
 */
export const W4_RATE_HZ = 5;
import type { SystemName } from "../drivers/types.ts";
import { waitForQuiet, type WorkerdPids } from "../lib/proc.ts";
import { runCursorLoad } from "./cursors.ts";

export interface W4Result {
  rooms: number;
  clientsPerRoom: number;
  deliveredPerSec: number;
  deliveredRatio: number;
  p99MsWorstRoom: number;
  p99MsMedianRoom: number;
  p99MsBestRoom: number;
  p50Ms: number;
  connectFailed: number;
  workerdCpuSec: number;
  generatorCpuSec: number;
  otherCpuSec: number;
  proxyCpuSec: number;
  windowSec: number;
}

export interface W4Options {
  host: string;
  epochMs: number;
  rooms: number;
  clientsPerRoom: number;
  warmupMs: number;
  windowMs: number;
  threads: number;
  workerdPids: WorkerdPids;
  quietWaitMs: number;
  runId: string;
  log: (line: string) => void;
}

export async function runW4(system: SystemName, opts: W4Options): Promise<W4Result> {
  const rooms = Array.from({ length: opts.rooms }, (_, i) => ({ name: `w4-${system}-${i}-${opts.runId}`, size: opts.clientsPerRoom }));
  await waitForQuiet(opts.workerdPids, opts.quietWaitMs);
  const out = await runCursorLoad({
    system,
    host: opts.host,
    epochMs: opts.epochMs,
    rooms,
    rateHz: W4_RATE_HZ,
    warmupMs: opts.warmupMs,
    windowMs: opts.windowMs,
    drainMs: 1_000,
    threads: opts.threads,
    workerdPids: opts.workerdPids,
  });
  const p99s = out.perRoom.map((r) => r.hist.quantile(0.99)).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const result: W4Result = {
    rooms: opts.rooms,
    clientsPerRoom: opts.clientsPerRoom,
    deliveredPerSec: Math.round(out.delivered / out.windowSec),
    deliveredRatio: out.expected ? Math.round((out.delivered / out.expected) * 1000) / 1000 : 0,
    p99MsWorstRoom: p99s.at(-1) ?? Number.NaN,
    p99MsMedianRoom: p99s[Math.floor(p99s.length / 2)] ?? Number.NaN,
    p99MsBestRoom: p99s[0] ?? Number.NaN,
    p50Ms: out.all.quantile(0.5),
    connectFailed: out.connectFailed,
    workerdCpuSec: out.workerdCpuSec,
    generatorCpuSec: out.generatorCpuSec,
    otherCpuSec: out.otherCpuSec,
      proxyCpuSec: out.proxyCpuSec,
    windowSec: out.windowSec,
  };
  opts.log(
    `W4 ${system.padEnd(8)} ${opts.rooms}x${opts.clientsPerRoom} delivered/s=${result.deliveredPerSec} (${Math.round(result.deliveredRatio * 100)}%) ` +
      `p99 rooms best/median/worst=${result.p99MsBestRoom}/${result.p99MsMedianRoom}/${result.p99MsWorstRoom} ms ` +
      `cpu rooms=${result.workerdCpuSec}s proxy=${result.proxyCpuSec}s gen=${result.generatorCpuSec}s other=${result.otherCpuSec}s /${result.windowSec}s` +
      (out.connectFailed ? ` connect failed: ${out.connectFailed} (${out.connectError})` : ""),
  );
  return result;
}
