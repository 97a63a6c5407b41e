/**
 * `npm run bench [-- --quick] [--systems=relay,edgeroom] [--only=W1,W3] [--threads=2]`
 *
 * Starts one `wrangler dev` with every system under test (bench/wrangler.toml),
 * runs the workloads against each system in turn with the same load generator,
 * prints a table and writes bench/results/latest.json plus a dated copy.
 * Every phase is bounded: a full run takes under 10 minutes, --quick under 2.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, release, tmpdir, totalmem, type as osType } from "node:os";
import { join, resolve } from "node:path";
import { startDevServer } from "../tests/support/dev-server.ts";
import { SYSTEMS, type SystemName } from "./drivers/types.ts";
import { wallMs } from "./lib/clock.ts";
import { findWorkerd } from "./lib/proc.ts";
import { markdownReport, summarizeW1, type BenchResults } from "./report.ts";
import { runW1 } from "./workloads/w1-cursor-storm.ts";
import { runW2 } from "./workloads/w2-edit-storm.ts";
import { runW3 } from "./workloads/w3-big-room.ts";
import { runW4 } from "./workloads/w4-many-rooms.ts";

const ROOT = resolve(import.meta.dirname, "..");
const RESULTS = join(ROOT, "bench/results");

/** Everything that differs between a full run and --quick. */
const PROFILES = {
  full: {
    w1Steps: [10, 20, 30, 40, 50, 60, 80, 100, 125, 150, 200, 250],
    w1WarmupMs: 1_500,
    w1WindowMs: 4_000,
    w2WindowMs: 8_000,
    w3Shapes: 10_000,
    w3Repeats: 3,
    w4Rooms: 100,
    w4WarmupMs: 2_000,
    w4WindowMs: 5_000,
    quietWaitMs: 5_000,
    retryBusyW1Steps: true,
  },
  // A smoke run of every workload on every system: its figures are indicative
  // only (short windows, half-size W3, no retries).
  quick: {
    w1Steps: [10, 30],
    w1WarmupMs: 500,
    w1WindowMs: 2_000,
    w2WindowMs: 2_000,
    w3Shapes: 5_000,
    w3Repeats: 1,
    w4Rooms: 20,
    w4WarmupMs: 500,
    w4WindowMs: 2_000,
    quietWaitMs: 1_000,
    retryBusyW1Steps: false,
  },
};
/** The whole run's hard stop: a hung workload must not hang the bench. */
const DEADLINE_MS = { full: 12 * 60_000, quick: 3 * 60_000 };

function arg(name: string): string | undefined {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}

function gitCommit(): string {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "party", "client", "bench"], { cwd: ROOT, encoding: "utf8" }).trim();
    return dirty ? `${sha}+dirty` : sha;
  } catch {
    return "unknown";
  }
}

/**
 * Bundle the bench Worker once, into a temporary directory, and return a
 * config that serves that bundle as is (`no_bundle`). `wrangler dev` watches
 * its sources and restarts the runtime when one changes — and other engineers
 * edit party/ while a run is going. A pinned bundle keeps every system's code
 * fixed for the whole run (and the commit in the results meaningful).
 */
function bundleOnce(): string {
  const dir = mkdtempSync(join(tmpdir(), "edgeroom-bench-"));
  const outdir = join(dir, "dist");
  execFileSync(join(ROOT, "node_modules/.bin/node"), [join(ROOT, "node_modules/.bin/wrangler"), "deploy", "--dry-run", "--config", join(ROOT, "bench/wrangler.toml"), "--outdir", outdir], {
    cwd: ROOT,
    stdio: "ignore",
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
  });
  const config = readFileSync(join(ROOT, "bench/wrangler.toml"), "utf8")
    .replace(/^main = .*$/m, `main = ${JSON.stringify(join(outdir, "worker.js"))}\nno_bundle = true`);
  const path = join(dir, "wrangler.toml");
  writeFileSync(path, config);
  return path;
}

async function main(): Promise<void> {
  const mode = process.argv.includes("--quick") ? "quick" : "full";
  const profile = PROFILES[mode];
  const systems = (arg("systems")?.split(",") ?? [...SYSTEMS]).filter((s): s is SystemName => (SYSTEMS as readonly string[]).includes(s));
  const only = new Set((arg("only") ?? "W1,W2,W3,W4").toUpperCase().split(","));
  const threads = Number(arg("threads") ?? 2);
  const runId = Date.now().toString(36);
  const log = (line: string) => console.log(line);
  process.setMaxListeners(0);

  const started = Date.now();
  const server = await startDevServer("wrangler", { config: bundleOnce() });
  // Ctrl-C or a kill must not orphan the server (it runs in its own process group).
  const stopOnSignal = (signal: NodeJS.Signals) => {
    void server.stop(true).finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);
  const watchdog = setTimeout(() => {
    console.error(`bench: over the ${DEADLINE_MS[mode] / 60_000} min budget, giving up`);
    void server.stop(true).finally(() => process.exit(2));
  }, DEADLINE_MS[mode] - (Date.now() - started));
  watchdog.unref();
  const workerdPids = findWorkerd(server.pid, server.port);
  log(`bench (${mode}) on ${server.host}; workerd pids: runtime ${workerdPids.runtime.join(", ") || "?"}, proxy ${workerdPids.proxy.join(", ") || "?"}; generator threads ${threads}`);
  const epochMs = wallMs();
  const results: BenchResults = {
    date: new Date().toISOString(),
    commit: gitCommit(),
    mode,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "unknown",
      memGB: Math.round(totalmem() / 2 ** 30),
      os: `${osType()} ${release()}`,
      node: process.version,
      note: "load generator and workerd share these cores",
    },
    W1: {},
    W2: {},
    W3: {},
    W4: {},
  };
  try {
    if (only.has("W1")) {
      const w1 = await runW1(systems, { host: server.host, epochMs, steps: profile.w1Steps, warmupMs: profile.w1WarmupMs, windowMs: profile.w1WindowMs, threads, workerdPids, quietWaitMs: profile.quietWaitMs, retryBusy: profile.retryBusyW1Steps, runId, log });
      for (const s of systems) if (w1[s]) results.W1[s] = summarizeW1(w1[s]);
    }
    if (only.has("W2")) {
      for (const s of systems) results.W2[s] = await runW2(s, { host: server.host, epochMs, windowMs: profile.w2WindowMs, workerdPids, quietWaitMs: profile.quietWaitMs, runId, log });
    }
    if (only.has("W3")) {
      for (const s of systems) {
        if (s === "relay") continue; // no document to join or resync
        results.W3[s] = await runW3(s, { host: server.host, shapes: profile.w3Shapes, missedOps: 100, repeats: profile.w3Repeats, workerdPids, quietWaitMs: profile.quietWaitMs, runId, log });
      }
    }
    if (only.has("W4")) {
      for (const s of systems) {
        results.W4[s] = await runW4(s, { host: server.host, epochMs, rooms: profile.w4Rooms, clientsPerRoom: 5, warmupMs: profile.w4WarmupMs, windowMs: profile.w4WindowMs, threads, workerdPids, quietWaitMs: profile.quietWaitMs, runId, log });
      }
    }
  } finally {
    await server.stop();
  }
  results.durationSec = Math.round((Date.now() - started) / 1000);
  const report = markdownReport(results);
  console.log(`\n${report}`);
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const stamp = results.date.slice(0, 19).replace(/[:T]/g, "-");
  const complete = systems.length === SYSTEMS.length && only.size === 4 && ["W1", "W2", "W3", "W4"].every((w) => only.has(w));
  if (!complete) {
    // A partial run (--systems/--only) must not replace the published results.
    const path = join(tmpdir(), `edgeroom-bench-${stamp}-partial.json`);
    writeFileSync(path, json);
    console.log(`partial run: wrote ${path} only (${results.durationSec} s)`);
    return;
  }
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, "latest.json"), json);
  writeFileSync(join(RESULTS, `${stamp}-${mode}.json`), json);
  writeFileSync(join(RESULTS, "latest.md"), `${report}\n`);
  console.log(`wrote bench/results/latest.json, bench/results/${stamp}-${mode}.json and latest.md (${results.durationSec} s)`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
