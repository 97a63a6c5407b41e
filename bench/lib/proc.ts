/**
 * CPU accounting for the two sides of the benchmark: the workerd process that
 * runs every room (read from /proc, Linux only), and the load generator (this
 * process, all its worker threads included).
 */
import { readdirSync, readFileSync } from "node:fs";

/** Linux reports utime/stime in clock ticks; USER_HZ is 100 on every mainstream kernel. */
const CLOCK_TICKS_PER_SEC = 100;

function readStat(pid: number): { ppid: number; comm: string; cpuSec: number } | null {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, "utf8");
    // comm is in parentheses and may contain spaces: split after the last ')'.
    const close = raw.lastIndexOf(")");
    const comm = raw.slice(raw.indexOf("(") + 1, close);
    const fields = raw.slice(close + 2).split(" ");
    // fields[0] is state (field 3); utime and stime are fields 14 and 15.
    const ppid = Number(fields[1]);
    const cpuSec = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SEC;
    return { ppid, comm, cpuSec };
  } catch {
    return null;
  }
}

/** The workerd processes of one `wrangler dev`, by role. */
export interface WorkerdPids {
  /** The runtime that runs the Worker and every Durable Object. */
  runtime: number[];
  /** wrangler's dev proxy in front of it, listening on the public port: every
   * frame crosses it too. Production has no such hop. */
  proxy: number[];
}

/**
 * The workerd processes started (directly or not) by process `rootPid`, the
 * proxy told apart by the public port in its command line.
 */
export function findWorkerd(rootPid: number, publicPort: number): WorkerdPids {
  const parents = new Map<number, number>();
  const comms = new Map<number, string>();
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const st = readStat(pid);
    if (!st) continue;
    parents.set(pid, st.ppid);
    comms.set(pid, st.comm);
  }
  const found: WorkerdPids = { runtime: [], proxy: [] };
  for (const [pid, comm] of comms) {
    if (comm !== "workerd") continue;
    for (let p = parents.get(pid), hops = 0; p !== undefined && hops < 10; p = parents.get(p), hops++) {
      if (p === rootPid) {
        let cmdline = "";
        try {
          cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
        } catch {
          // gone
        }
        (cmdline.includes(`entry=127.0.0.1:${publicPort}`) ? found.proxy : found.runtime).push(pid);
        break;
      }
    }
  }
  return found;
}

/**
 * CPU seconds one process (all its threads) has run so far, from the
 * scheduler's nanosecond counters (/proc/<pid>/task/<tid>/schedstat); falls
 * back to /proc/<pid>/stat, whose 10 ms ticks are too coarse for a small
 * room's 2-second window.
 */
function processRunSec(pid: number): number {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        // thread exited meanwhile
      }
    }
    return ns / 1e9;
  } catch {
    return readStat(pid)?.cpuSec ?? Number.NaN;
  }
}

/** CPU seconds the processes have used so far (NaN if unreadable or none). */
export function processCpuSec(pids: readonly number[]): number {
  if (pids.length === 0) return Number.NaN;
  return pids.reduce((sum, pid) => sum + processRunSec(pid), 0);
}

/** CPU seconds this generator process (all threads) has used so far. */
export function generatorCpuSec(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Busy CPU seconds of the whole machine so far (all cores), from /proc/stat. */
export function machineBusySec(): number {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
    // cpu user nice system idle iowait irq softirq steal ...
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!;
    return busy / CLOCK_TICKS_PER_SEC;
  } catch {
    return Number.NaN;
  }
}

export interface CpuUse {
  workerdCpuSec: number;
  /** wrangler dev's proxy workerd (see WorkerdPids). */
  proxyCpuSec: number;
  generatorCpuSec: number;
  /** CPU the rest of the machine used meanwhile: other engineers' tests, the
   * wrangler CLI, the kernel's softirq work. High values mean a noisy window. */
  otherCpuSec: number;
  wallSec: number;
}

export interface CpuWindow {
  /** Stop the window: CPU seconds used by workerd, the generator and everything else. */
  stop(): CpuUse;
}

export function cpuWindow(pids: WorkerdPids): CpuWindow {
  const w0 = processCpuSec(pids.runtime);
  const p0 = processCpuSec(pids.proxy);
  const g0 = generatorCpuSec();
  const m0 = machineBusySec();
  const t0 = performance.now();
  const r2 = (n: number) => Math.round(n * 10_000) / 10_000;
  return {
    stop() {
      const workerd = processCpuSec(pids.runtime) - w0;
      const proxy = processCpuSec(pids.proxy) - p0;
      const generator = generatorCpuSec() - g0;
      const machine = machineBusySec() - m0;
      return {
        workerdCpuSec: r2(workerd),
        proxyCpuSec: r2(proxy),
        generatorCpuSec: r2(generator),
        otherCpuSec: r2(Math.max(0, machine - (Number.isNaN(workerd) ? 0 : workerd) - (Number.isNaN(proxy) ? 0 : proxy) - generator)),
        wallSec: r2((performance.now() - t0) / 1000),
      };
    },
  };
}

/**
 * Wait (bounded) until the machine is quiet: the workerd runtime idle (a
 * system that fell behind in the previous step may still be draining a
 * backlog of frames, which would be billed to the next system measured), and
 * the rest of the machine under `quietCores` (other engineers' test runs share
 * these cores; a window measured while a browser test saturates them says
 * nothing about the system under test). Returns how long it waited and the
 * loads (in cores) when it stopped waiting.
 */
export async function waitForQuiet(
  workerdPids: WorkerdPids,
  maxWaitMs: number,
  quietCores = 0.35,
  sampleMs = 500,
): Promise<{ waitedMs: number; otherCores: number; runtimeCores: number }> {
  const start = performance.now();
  for (;;) {
    const window = cpuWindow(workerdPids);
    await new Promise((r) => setTimeout(r, sampleMs));
    const used = window.stop();
    const otherCores = Math.round((used.otherCpuSec / used.wallSec) * 100) / 100;
    const runtimeCores = Math.round(((used.workerdCpuSec || 0) / used.wallSec) * 100) / 100;
    const waitedMs = Math.round(performance.now() - start);
    if ((otherCores <= quietCores && runtimeCores <= 0.1) || waitedMs >= maxWaitMs) return { waitedMs, otherCores, runtimeCores };
  }
}
