/**
 * Seeded convergence fuzz (tests/support/fuzz/run.ts says what one seed does and
 * checks). `npm test` runs DEFAULT_SEEDS seeds; `npm run fuzz -- --seeds N`
 * runs N (through FUZZ_SEEDS / FUZZ_FROM), `--seed S --trace` replays one with
 * its whole trace. Every seed that ever failed is pinned below by name, so the
 * bug it found stays found.
 */
import { describe, expect, it } from "vitest";
import { type FuzzResult, runSeed } from "../support/fuzz/run.ts";

const DEFAULT_SEEDS = 200;
const BATCH = 50;
const from = Number(process.env.FUZZ_FROM ?? 1);
const total = Number(process.env.FUZZ_SEEDS ?? DEFAULT_SEEDS);
const single = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : null;
const fullTrace = process.env.FUZZ_TRACE === "1";

function report(r: FuzzResult, traceLines: number): string {
  return [
    `seed ${r.seed} failed (replay: npm run fuzz -- --seed ${r.seed} --trace)`,
    ...r.failures.slice(0, 10).map((f) => `  ${f}`),
    `  profile ${JSON.stringify(r.profile)}`,
    ...r.trace.slice(-traceLines).map((l) => `    ${l}`),
  ].join("\n");
}

async function expectConverges(seed: number): Promise<FuzzResult> {
  const r = await runSeed(seed, { trace: fullTrace });
  if (!r.ok) throw new Error(report(r, fullTrace ? Number.POSITIVE_INFINITY : 40));
  return r;
}

describe("pinned seeds (each once failed)", () => {
  it("seed 2: an edit resent after a reload, applied from the old tab's link, leaves the pending store", async () => {
    await expectConverges(2);
  });
  it("seed 6: an edit confirmed by a change from a half-open earlier link leaves the pending store", async () => {
    await expectConverges(6);
  });
  it("seed 85: a reload during a restart, the old edit applied before the new tab resends it", async () => {
    await expectConverges(85);
  });
  it("seed 777: the ack of a mutation the client had rolled back leaves it silently behind the room", async () => {
    await expectConverges(777);
  });
  it("seed 9: mutate accepts a record the room's schema refuses, which then stays pending forever", async () => {
    await expectConverges(9);
  });
  it("seed 109: a field the schema does not know stays in the client's records; the room strips it", async () => {
    await expectConverges(109);
  });
});

if (single !== null) {
  it(`seed ${single}`, async () => {
    const r = await expectConverges(single);
    if (fullTrace) console.log(r.trace.join("\n"));
  }, 120_000);
} else {
  describe("seeded convergence", () => {
    for (let start = from; start < from + total; start += BATCH) {
      const end = Math.min(start + BATCH, from + total) - 1;
      it(`seeds ${start}–${end} converge`, async () => {
        const failed: string[] = [];
        for (let seed = start; seed <= end; seed++) {
          const r = await runSeed(seed);
          if (r.ok) continue;
          failed.push(`seed ${seed}: ${r.failures[0]}`);
          // One line per failing seed, easy to grep out of a long run.
          console.error(report(r, 20));
        }
        expect(failed).toEqual([]);
      }, 300_000);
    }
  });
}
