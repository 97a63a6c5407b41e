/**
 * `npm run bench [-- --quick] [--via-wrangler] [--systems=relay,edgeroom] [--only=W1,W2,W3,W4,W5,W6,W7,W8,W9] [--threads=2]`
 *   `[--steps=2,5,10] [--repeats=3]` (another W1 ladder; never published)
 *   `[--experiment=CURSOR_FRAME_MS=16,client:cursorIntervalMs=25]` (room constants patched in the bundle; never published)
 *
 * Starts the systems under test (bench/hosts/), runs every workload against
 * each with the same load generator, prints the report and writes
 * bench/results/latest.json plus a dated copy.
 *
 * Isolation (default): workerd serving the bundled Worker directly and the
 * Node/Bun peers are pinned to core 0, this generator (all its threads) to
 * core 1. --via-wrangler puts the same bundle behind `wrangler dev` and pins
 * nothing, as the earlier runs did. Every phase is bounded; a watchdog ends a
 * run that overruns its budget (full 46 min, --quick 6 min).
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, tmpdir, totalmem, type as osType } from "node:os";
import { join, resolve } from "node:path";
import { labels } from "./drivers/index.ts";
import { SYSTEMS, type SystemName } from "./drivers/types.ts";
import { GENERATOR_CORE, SUT_CORE, startHosts } from "./hosts/index.ts";
import { wallMs } from "./lib/clock.ts";
import { pinSelf } from "./lib/service.ts";
import { writePlot } from "./plot.ts";
import { markdownReport, type BenchResults } from "./report.ts";
import { runW1 } from "./workloads/w1-cursor-storm.ts";
import { mergeW2, runW2, runW2Capacity, type W2Result } from "./workloads/w2-edit-storm.ts";
import { runW3 } from "./workloads/w3-big-room.ts";
import { runW4 } from "./workloads/w4-many-rooms.ts";
import { runW6, type W6System, type W6Target } from "./workloads/w6-audience.ts";
import { AUDIENCE_DIRECT_MAX, MAX_CONNECTIONS_PER_ROOM } from "../party/shared/limits.ts";
import { runW7 } from "./workloads/w7-glass-to-glass.ts";
import { runW8 } from "./workloads/w8-reconnect-storm.ts";
import { runW9 } from "./workloads/w9-history-flood.ts";

const ROOT = resolve(import.meta.dirname, "..");
const RESULTS = join(ROOT, "bench/results");
const ALL_WORKLOADS = ["W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8", "W9"];

/** Everything that differs between a full run and --quick. */
const PROFILES = {
  full: {
    // Past 250 (issue 18) only edgeroom and the coalescing relay are still in
    // the race; edgeroom's rooms there have light members (w1-cursor-storm.ts).
    w1Steps: [2, 5, 10, 20, 30, 40, 60, 80, 100, 150, 200, 250, 320, 400],
    w1Repeats: 3,
    // 1.5 s windows × 3 repeats: 90 moves per client per point at 20 Hz, and
    // time left in the 30 min for the rate sweep and W2–W5 (the 2 s windows
    // of 873171d spent the whole W1 budget on the ladder).
    w1WarmupMs: 500,
    w1WindowMs: 1_500,
    w1LagRetries: 2,
    // 20 Hz is the ladder's own row at N = 10. One window per system and
    // rate (the ladder has three): 30 windows instead of 90, so the 30 min
    // leave the big rungs their time.
    sweepRatesHz: [10, 30, 60],
    sweepN: 10,
    sweepRepeats: 1,
    // W1 and the sweep stop climbing past this, so W2–W5 always run ...
    w1BudgetMs: 19 * 60_000,
    // ... except edgeroom at issue 18's rungs (≥ 320 people in one room), if
    // the budget ran out below them: at most this much more.
    w1FinalSteps: [320, 400],
    w1FinalBudgetMs: 3 * 60_000,
    // 3 interleaved repeats of every system (and edgeroom with history off).
    w2Repeats: 3,
    w2WindowMs: 3_000,
    // × 20 commits/s each: up to 2,400 offered, 300 apart around the 900–1,800 where systems part.
    capacityEditors: [10, 20, 30, 45, 60, 75, 90, 120],
    capacityWindowMs: 2_000,
    w3Shapes: 10_000,
    w3MissedOps: 100,
    w3Repeats: 2,
    w4Rooms: 100,
    w4WarmupMs: 1_000,
    w4WindowMs: 3_000,
    // W7: 3 interleaved repeats × N × {floor, edgeroom}, each window about 12 s.
    // W6: the audience ladder, every system side by side, one window each, as
    // far as each goes; no rung starts past the budget (the rows say so).
    w6Ladder: [250, 1_000, 2_500, 5_000, 10_000],
    w6WindowMs: 6_000,
    w6BudgetMs: 6 * 60_000,
    // W8: the reconnect storm (issue 23 item 6); W9: the history floods, bystander edits per phase.
    w8Members: 500,
    w9Edits: 60,
    w7Ns: [2, 5, 10],
    w7Repeats: 3,
    w7WarmupMs: 1_500,
    w7WindowMs: 6_000,
    quietWaitMs: 300,
  },
  // A smoke run of every workload on every system: indicative figures only
  // (one repeat, short windows, small W3/W4, no render).
  quick: {
    w1Steps: [10],
    w1Repeats: 1,
    w1WarmupMs: 400,
    w1WindowMs: 1_000,
    w1LagRetries: 0,
    sweepRatesHz: [] as number[],
    sweepN: 10,
    sweepRepeats: 1,
    w1BudgetMs: 60_000,
    w1FinalSteps: [] as number[],
    w1FinalBudgetMs: 0,
    w2Repeats: 1,
    w2WindowMs: 1_000,
    capacityEditors: [20],
    capacityWindowMs: 1_000,
    w3Shapes: 500,
    w3MissedOps: 20,
    w3Repeats: 1,
    w4Rooms: 4,
    w4WarmupMs: 300,
    w4WindowMs: 1_000,
    w6Ladder: [250],
    w6WindowMs: 3_000,
    w6BudgetMs: 90_000,
    w8Members: 100,
    w9Edits: 15,
    w7Ns: [2],
    w7Repeats: 1,
    w7WarmupMs: 500,
    w7WindowMs: 3_000,
    quietWaitMs: 300,
  },
};
/** The whole run's hard stop: a hung workload must not hang the bench. */
const DEADLINE_MS = { full: 46 * 60_000, quick: 6 * 60_000 };
/** Time kept back at the end for what follows the other workloads: W7 (about 4 min), W5 (build + three render runs and the peers' pages, about 6 min) and the report. */
const RESERVE_MS = { full: 12 * 60_000, quick: 90_000 };
/** The render benchmark's own bound (it starts wrangler dev and Chromium). */
const RENDER_TIMEOUT_MS = 150_000;
/** W5's peers: two bundles, two pages loading 10,000 shapes, five 6 s windows each. */
const PEERS_TIMEOUT_MS = 240_000;

function arg(name: string): string | undefined {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}

function git(args: string[]): string {
  return execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
}

/** W5: bench/render.ts (wrangler dev + Chromium), or bench/render-peers.ts
 * (tldraw's and Excalidraw's pages), in its own process; its last line is JSON. */
function runRender(log: (l: string) => void, args: string[], script = "bench/render.ts", timeoutMs = RENDER_TIMEOUT_MS): Promise<unknown> {
  return new Promise((res) => {
    const child = spawn(join(ROOT, "node_modules/.bin/node"), ["--conditions=edgeroom-source", "--experimental-transform-types", "--disable-warning=ExperimentalWarning", join(ROOT, script), ...args], { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // gone
      }
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      for (const line of out.split("\n")) if (line && !line.startsWith("{")) log(`W5 ${line}`);
      const json = out.split("\n").reverse().find((l) => l.startsWith("{"));
      try {
        res(json ? JSON.parse(json) : { error: `render exited ${code}`, tail: out.slice(-500) });
      } catch {
        res({ error: "render output unreadable" });
      }
    });
  });
}

async function main(): Promise<void> {
  const mode = process.argv.includes("--quick") ? "quick" : "full";
  const viaWrangler = process.argv.includes("--via-wrangler");
  // --steps=2,5,10 and --repeats=3 override the profile's W1 ladder (partial runs only).
  const profile = {
    ...PROFILES[mode],
    ...(arg("steps") ? { w1Steps: arg("steps")!.split(",").map(Number) } : {}),
    ...(arg("repeats") ? { w1Repeats: Number(arg("repeats")) } : {}),
  };
  const systems = (arg("systems")?.split(",") ?? [...SYSTEMS]).filter((s): s is SystemName => (SYSTEMS as readonly string[]).includes(s));
  const only = new Set((arg("only") ?? ALL_WORKLOADS.join(",")).toUpperCase().split(","));
  // Browser workloads are not part of a smoke run unless asked for.
  if (mode === "quick" && !arg("only")) {
    only.delete("W5");
    only.delete("W7");
  }
  const threads = Number(arg("threads") ?? 2);
  const runId = Date.now().toString(36);
  const log = (line: string) => console.log(line);
  process.setMaxListeners(0);
  const started = Date.now();

  const isolated = !viaWrangler && cpus().length >= 2 && pinSelf(GENERATOR_CORE);
  // --experiment=CURSOR_FRAME_MS=16,client:cursorIntervalMs=25 — room constants
  // patched in the bundle, the edgeroom client's throttle via the driver.
  const experiment = arg("experiment");
  const patch: Record<string, number> = {};
  for (const kv of experiment?.split(",") ?? []) {
    const [k, v] = kv.split("=");
    if (k === "client:cursorIntervalMs") process.env.BENCH_EDGEROOM_CURSOR_MS = v;
    else if (k && v) patch[k] = Number(v);
  }
  // W7 alone needs only the relay (its floor) and edgeroom; W8 and W9 only edgeroom.
  const edgeroomOnly = [...only].every((w) => w === "W8" || w === "W9");
  const onlyW7 = !edgeroomOnly && [...only].every((w) => w === "W7" || w === "W8" || w === "W9");
  const hosts = await startHosts(edgeroomOnly ? systems.filter((s) => s === "edgeroom") : onlyW7 ? systems.filter((s) => s === "relay" || s === "edgeroom") : systems, !isolated, patch);
  const stopOnSignal = (signal: NodeJS.Signals) => {
    void hosts.stop().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);
  const watchdog = setTimeout(() => {
    console.error(`bench: over the ${DEADLINE_MS[mode] / 60_000} min budget, giving up`);
    void hosts.stop().finally(() => process.exit(2));
  }, DEADLINE_MS[mode]);
  watchdog.unref();
  log(`bench (${mode}, ${isolated ? `isolated: systems on core ${SUT_CORE}, generator on core ${GENERATOR_CORE}` : "via wrangler dev, not pinned"}): ${hosts.describe}; generator threads ${threads}`);

  const commit = git(["rev-parse", "--short", "HEAD"]);
  const dirty = git(["status", "--porcelain", "--", "party", "client", "bench"]) !== "";
  const allLabels = labels();
  const epochMs = wallMs();
  const results: BenchResults = {
    meta: {
      commit,
      dirty,
      isolated,
      hosting: isolated ? `workerd direct (no wrangler proxy) + Node/Bun peers pinned to core ${SUT_CORE}; generator pinned to core ${GENERATOR_CORE}` : "wrangler dev (dev proxy in the path), nothing pinned",
      repeats: profile.w1Repeats,
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", memGB: Math.round(totalmem() / 2 ** 30), os: `${osType()} ${release()}`, node: process.version },
      // Other work on this machine during the run (1, 5, 15 min averages).
      loadAvg: { start: loadavg().map((x) => Math.round(x * 100) / 100) },
    },
    date: new Date().toISOString(),
    commit: dirty ? `${commit}+dirty` : commit,
    mode,
    labels: Object.fromEntries(systems.map((s) => [s, s === "edgeroom" && experiment ? `${allLabels[s]} — EXPERIMENT ${experiment}` : allLabels[s]])),
    W1: {},
    W2: {},
    W3: {},
    W4: {},
  };
  const softDeadline = started + DEADLINE_MS[mode] - RESERVE_MS[mode];
  /** Whether `what` may still start; past the soft deadline the rest is skipped (and said so), not killed. */
  const inTime = (what: string) => {
    if (Date.now() < softDeadline) return true;
    log(`${what}: skipped, the run's time budget is spent`);
    skipped.push(what);
    return false;
  };
  const skipped: string[] = [];
  let built = false;
  /** The pages must be this commit's client, not whatever dist/ holds. */
  const buildClient = () => {
    if (!built) execFileSync(join(ROOT, "node_modules/.bin/node"), [join(ROOT, "node_modules/.bin/vite"), "build"], { cwd: ROOT, stdio: "ignore" });
    built = true;
  };
  try {
    if (only.has("W1")) {
      const w1 = await runW1(systems, {
        hosts,
        epochMs,
        steps: profile.w1Steps,
        repeats: profile.w1Repeats,
        lagRetries: profile.w1LagRetries,
        warmupMs: profile.w1WarmupMs,
        windowMs: profile.w1WindowMs,
        threads,
        quietWaitMs: profile.quietWaitMs,
        sweepRatesHz: profile.sweepRatesHz,
        sweepN: profile.sweepN,
        sweepRepeats: profile.sweepRepeats,
        deadline: started + profile.w1BudgetMs,
        finalSteps: profile.w1FinalSteps,
        finalDeadline: started + profile.w1BudgetMs + profile.w1FinalBudgetMs,
        runId,
        log,
      });
      for (const s of systems) if (w1[s]) results.W1[s] = { label: results.labels[s]!, ...w1[s] };
    }
    if (only.has("W2")) {
      // Repeats interleaved like W1's (each round in another order), and
      // edgeroom's room with retained history off as one more entry of every
      // round: history on vs off is measured side by side, not across runs.
      const entries: { system: SystemName; variant?: string }[] = systems.map((system) => ({ system }));
      if (systems.includes("edgeroom")) entries.push({ system: "edgeroom", variant: "history-off" });
      const got = new Map<string, W2Result[]>();
      const failed = new Map<string, string>();
      for (let r = 0; r < profile.w2Repeats; r++) {
        for (let i = 0; i < entries.length; i++) {
          const { system, variant } = entries[(i + r) % entries.length]!;
          const key = variant ? `${system}:${variant}` : system;
          if (failed.has(key) || !inTime(`W2 ${key} repeat ${r + 1}`)) continue;
          const w2 = { host: hosts.host[system], epochMs, workerdPids: hosts.pids[system], quietWaitMs: profile.quietWaitMs, runId: `${runId}-r${r}`, log, windowMs: profile.w2WindowMs, ...(variant ? { variant } : {}) };
          await runW2(system, w2).then(
            (res) => got.set(key, [...(got.get(key) ?? []), res]),
            (e: unknown) => failed.set(key, String(e)),
          );
        }
      }
      for (const s of systems) {
        const samples = got.get(s);
        if (!samples?.length) {
          if (failed.has(s)) results.W2[s] = { label: allLabels[s], error: failed.get(s)! };
          continue;
        }
        const merged = mergeW2(samples);
        results.W2[s] = { label: allLabels[s], ...merged };
        const off = got.get(`${s}:history-off`);
        if (off?.length) Object.assign(results.W2[s]!, { historyOff: mergeW2(off) });
        if (merged.ackP99Ms !== null && inTime(`W2 capacity ${s}`)) {
          const w2 = { host: hosts.host[s], epochMs, workerdPids: hosts.pids[s], quietWaitMs: profile.quietWaitMs, runId, log };
          const cap = await runW2Capacity(s, profile.capacityEditors, { ...w2, windowMs: profile.capacityWindowMs }).catch((e: unknown) => ({ error: String(e), maxCommitsPerSec: 0, steps: [] }));
          Object.assign(results.W2[s]!, { maxCommitsPerSec: cap.maxCommitsPerSec, capacity: cap.steps });
        }
      }
    }
    if (only.has("W3")) {
      for (const s of systems) {
        if (s === "relay" || s === "relay-coalescing") continue; // no document to join or resync
        if (!inTime(`W3 ${s}`)) continue;
        const r = await runW3(s, { host: hosts.host[s], shapes: profile.w3Shapes, missedOps: profile.w3MissedOps, repeats: profile.w3Repeats, workerdPids: hosts.pids[s], quietWaitMs: profile.quietWaitMs, runId, log }).catch((e: unknown) => ({ error: String(e) }));
        results.W3[s] = { label: allLabels[s], ...r };
      }
    }
    if (only.has("W4")) {
      for (const s of systems) {
        if (!inTime(`W4 ${s}`)) continue;
        const r = await runW4(s, { host: hosts.host[s], epochMs, rooms: profile.w4Rooms, clientsPerRoom: 5, warmupMs: profile.w4WarmupMs, windowMs: profile.w4WindowMs, threads, workerdPids: hosts.pids[s], quietWaitMs: profile.quietWaitMs, runId, log }).catch((e: unknown) => ({ error: String(e) }));
        results.W4[s] = { label: allLabels[s], ...r };
      }
    }
    if (only.has("W6")) {
      // edgeroom (and the same room as one object), the bare relay, tldraw and
      // Liveblocks side by side, each as far as it goes (w6-audience.ts).
      const targets: W6Target[] = [];
      const add = (system: W6System, host: SystemName, label: string) => {
        if (hosts.host[host]) targets.push({ system, label, host: hosts.host[host], pids: hosts.pids[host] });
      };
      add("edgeroom", "edgeroom", `${allLabels.edgeroom}; tokens on (viewers), relays past ${AUDIENCE_DIRECT_MAX} direct members`);
      add("edgeroom-one-object", "edgeroom", `the same room as one Durable Object (no relays: refuses past MAX_CONNECTIONS_PER_ROOM, ${MAX_CONNECTIONS_PER_ROOM}); tokens on`);
      add("relay", "relay", allLabels.relay);
      add("tldraw", "tldraw", `${allLabels.tldraw}; watchers are raw sessions (connect + ping every 5 s)`);
      add("liveblocks", "liveblocks", `${allLabels.liveblocks}; watchers are @liveblocks/client too`);
      if (targets.length === 0) {
        log("W6: needs edgeroom, relay, tldraw or liveblocks (--systems)");
        skipped.push("W6");
      } else if (inTime("W6")) {
        const w6Deadline = Math.min(softDeadline, Date.now() + profile.w6BudgetMs);
        results.W6 = await runW6({ targets, ladder: profile.w6Ladder, windowMs: profile.w6WindowMs, epochMs, quietWaitMs: profile.quietWaitMs, runId, deadline: w6Deadline, log }).catch((e: unknown) => ({ error: String(e) }));
      }
    }
    if (only.has("W9")) {
      if (!hosts.host.edgeroom) {
        log("W9: needs edgeroom (--systems)");
        skipped.push("W9");
      } else if (inTime("W9")) {
        results.W9 = await runW9({ host: hosts.host.edgeroom, edits: profile.w9Edits, runId, log }).catch((e: unknown) => ({ error: String(e) }));
      }
    }
    // The storm restarts the shared workerd: after every other workload that keeps rooms in it.
    if (only.has("W8")) {
      if (!hosts.host.edgeroom || !hosts.restartWorkerd) {
        log("W8: needs edgeroom on the isolated workerd (not --via-wrangler)");
        skipped.push("W8");
      } else if (inTime("W8")) {
        results.W8 = await runW8({ host: hosts.host.edgeroom, pids: hosts.pids.edgeroom, restart: hosts.restartWorkerd, members: profile.w8Members, runId, log }).catch((e: unknown) => ({ error: String(e) }));
      }
    }
    if (only.has("W7")) {
      // Not behind inTime: the reserve holds its time.
      if (!hosts.host.edgeroom || !hosts.host.relay) {
        log("W7: needs the relay and edgeroom (--systems)");
        skipped.push("W7");
      } else {
        buildClient();
        results.W7 = await runW7({ host: hosts.host.edgeroom, ns: profile.w7Ns, repeats: profile.w7Repeats, warmupMs: profile.w7WarmupMs, windowMs: profile.w7WindowMs, runId, log }).catch((e: unknown) => ({ error: String(e) }));
      }
    }
  } finally {
    await hosts.stop();
  }
  if (only.has("W5")) {
    buildClient();
    // 10,000 shapes, 2,000 (issue 22: the board in view at a size teams have), and the empty board.
    results.W5 = { board: await runRender(log, []), board2k: await runRender(log, ["--shapes=2000"]), baseline: await runRender(log, ["--shapes=0"]) };
    // Side by side: tldraw's and Excalidraw's editors on the same 10,000 shapes, the same camera script.
    (results.W5 as Record<string, unknown>).peers = await runRender(log, [], "bench/render-peers.ts", PEERS_TIMEOUT_MS);
  }
  results.durationSec = Math.round((Date.now() - started) / 1000);
  results.meta.loadAvg!.end = loadavg().map((x) => Math.round(x * 100) / 100);
  if (skipped.length) results.skipped = skipped;
  const report = markdownReport(results);
  console.log(`\n${report}`);
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const stamp = results.meta.date.slice(0, 19).replace(/[:T]/g, "-");
  // Only a full run is published: --quick is a smoke run (tiny sizes, one repeat).
  const complete = mode === "full" && !experiment && !arg("steps") && !arg("repeats") && skipped.length === 0 && systems.length === SYSTEMS.length && ALL_WORKLOADS.every((w) => only.has(w));
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
  writePlot(results, join(RESULTS, "w1-curves.svg"));
  console.log(`wrote bench/results/latest.json, ${stamp}-${mode}.json, latest.md and w1-curves.svg (${results.durationSec} s)`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
