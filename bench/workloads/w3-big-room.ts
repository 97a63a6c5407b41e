/**
 * W3 big room: a board of 10,000 shapes. Cold join: a new client from socket
 * open until the whole board is in (time, bytes received). Reconnect: a
 * client that was away while 100 edits were made comes back with what it had
 * (time, bytes received until caught up) — a delta, if the system can.
 * Each measurement is repeated and the median reported.
 */
import { DRIVERS } from "../drivers/index.ts";
import type { BenchClient, BenchShape, SystemName } from "../drivers/types.ts";
import { sleep, until, wallMs } from "../lib/clock.ts";
import { cpuWindow, waitForQuiet, type WorkerdPids } from "../lib/proc.ts";

export interface W3Result {
  shapes: number;
  joinMs: number;
  joinBytes: number;
  resyncMs: number;
  resyncBytes: number;
  resyncToJoinBytes: number;
  missedOps: number;
  seedMs: number;
  correct: boolean;
  workerdCpuSec: number;
  generatorCpuSec: number;
  otherCpuSec: number;
  proxyCpuSec: number;
}

export interface W3Options {
  host: string;
  shapes: number;
  missedOps: number;
  repeats: number;
  workerdPids: WorkerdPids;
  quietWaitMs: number;
  runId: string;
  log: (line: string) => void;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** The missed edits are paced like a person dragging (40 commits/s), under every room's rate limit. */
const MISSED_OP_INTERVAL_MS = 25;

export async function runW3(system: SystemName, opts: W3Options): Promise<W3Result> {
  const room = `w3-${system}-${opts.runId}`;
  let index = 0;
  const make = () => DRIVERS[system]({ host: opts.host, room, index: index++ });
  const clients: BenchClient[] = [];
  const open = async () => {
    const c = make();
    clients.push(c);
    await c.connect();
    return c;
  };
  try {
    const writer = await open();
    const shapes: BenchShape[] = Array.from({ length: opts.shapes }, (_, i) => ({ id: `s${i}`, x: (i % 100) * 120, y: Math.floor(i / 100) * 100 }));
    const seedStart = Date.now();
    await writer.putShapes(shapes);
    const seedMs = Date.now() - seedStart;

    await waitForQuiet(opts.workerdPids, opts.quietWaitMs);
    const cpu = cpuWindow(opts.workerdPids);
    const joins: { ms: number; bytes: number }[] = [];
    const resyncs: { ms: number; bytes: number }[] = [];
    let correct = true;
    let edit = 0;
    for (let r = 0; r < opts.repeats; r++) {
      const t0 = wallMs();
      const joiner = await open();
      // Systems without acks (Yjs) may still be absorbing the seed: wait for it.
      await until(() => joiner.shapes().size === opts.shapes, 30_000, `${system} W3 full board`);
      joins.push({ ms: wallMs() - t0, bytes: joiner.wire.bytesIn });

      await joiner.disconnect();
      let acked = 0;
      writer.onAck = () => acked++;
      for (let i = 0; i < opts.missedOps; i++) {
        edit++;
        writer.patchShape(`s${(edit * 97) % opts.shapes}`, -edit, edit);
        await sleep(MISSED_OP_INTERVAL_MS);
      }
      if (writer.acks) await until(() => acked >= opts.missedOps, 15_000, `${system} W3 acks`);
      else await sleep(500);
      writer.onAck = null;

      const bytesBefore = joiner.wire.bytesIn;
      const t1 = wallMs();
      await joiner.reconnect();
      // Caught up means: holds the writer's board (Yjs reports "synced" when
      // its sync step 2 is in; check the content too).
      const expected = writer.shapes();
      const same = () => {
        const got = joiner.shapes();
        if (got.size !== expected.size) return false;
        for (const [id, p] of expected) if (got.get(id)?.x !== p.x) return false;
        return true;
      };
      await until(same, 10_000, `${system} W3 caught up`, 1).catch(() => (correct = false));
      resyncs.push({ ms: wallMs() - t1, bytes: joiner.wire.bytesIn - bytesBefore });
      joiner.close();
    }
    const used = cpu.stop();
    const joinBytes = median(joins.map((j) => j.bytes));
    const resyncBytes = median(resyncs.map((j) => j.bytes));
    const result: W3Result = {
      shapes: opts.shapes,
      joinMs: Math.round(median(joins.map((j) => j.ms)) * 10) / 10,
      joinBytes,
      resyncMs: Math.round(median(resyncs.map((j) => j.ms)) * 10) / 10,
      resyncBytes,
      resyncToJoinBytes: Math.round((resyncBytes / joinBytes) * 10_000) / 10_000,
      missedOps: opts.missedOps,
      seedMs,
      correct,
      workerdCpuSec: used.workerdCpuSec,
      generatorCpuSec: used.generatorCpuSec,
      otherCpuSec: used.otherCpuSec,
      proxyCpuSec: used.proxyCpuSec,
    };
    opts.log(
      `W3 ${system.padEnd(8)} join ${result.joinMs} ms ${result.joinBytes} B; resync after ${opts.missedOps} ops ${result.resyncMs} ms ` +
        `${result.resyncBytes} B (${(result.resyncToJoinBytes * 100).toFixed(2)}% of join) correct=${correct} seed ${seedMs} ms ` +
        `cpu rooms=${result.workerdCpuSec}s proxy=${result.proxyCpuSec}s gen=${result.generatorCpuSec}s other=${result.otherCpuSec}s`,
    );
    return result;
  } finally {
    for (const c of clients) c.close();
  }
}
