/**
 * `npm run fuzz -- --seeds N [--from S]` runs N seeds of the convergence fuzz;
 * `npm run fuzz -- --seed S [--trace]` replays one, with its whole trace.
 * The fuzz runs inside vitest (its fake timers drive the clients' clock), so
 * this only translates flags into the FUZZ_* variables tests/unit/fuzz.test.ts
 * reads, and reports the wall time.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const env: Record<string, string | undefined> = { ...process.env };
const seeds = flag("seeds");
const seed = flag("seed");
if (seeds) env.FUZZ_SEEDS = String(Number(seeds));
if (flag("from")) env.FUZZ_FROM = String(Number(flag("from")));
if (seed) env.FUZZ_SEED = String(Number(seed));
if (args.includes("--trace")) env.FUZZ_TRACE = "1";

const root = join(import.meta.dirname, "..");
const started = Date.now();
const run = spawnSync(join(root, "node_modules/.bin/vitest"), ["run", "--project", "unit", "tests/unit/fuzz.test.ts"], {
  cwd: root,
  env,
  stdio: "inherit",
});
const what = seed ? `seed ${seed}` : `${env.FUZZ_SEEDS ?? "default"} seeds from ${env.FUZZ_FROM ?? 1}`;
console.log(`fuzz: ${what} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${run.status === 0 ? "all converged" : "FAILED (seeds above)"}`);
process.exit(run.status ?? 1);
