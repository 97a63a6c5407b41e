/**
 * The results file's shape, and the Markdown tables printed after a run (and
 * pasted into BENCHMARKS.md): the W1 curves (arrival latency and staleness per
 * N, medians of the repeats with min–max), ratios per N, the rate sweep, W2
 * with its capacity ladder, W3, W4, W5, W7 (with issue 19's targets), and issue 10's targets.
 */
import type { SystemName } from "./drivers/types.ts";
import { type CurvePoint, W1_MEASURING_RECEIVERS, type W1Result } from "./workloads/w1-cursor-storm.ts";
import type { W2CapacityStep, W2Repeat, W2Result } from "./workloads/w2-edit-storm.ts";
import type { W3Result } from "./workloads/w3-big-room.ts";
import type { W4Result } from "./workloads/w4-many-rooms.ts";
import type { W6Result } from "./workloads/w6-audience.ts";
import { type Failed, fmt, ok, table } from "./report-format.ts";
import { w6Report } from "./report-w6.ts";
import { w8Report, w9Report } from "./report-w8-w9.ts";
import type { W8Result } from "./workloads/w8-reconnect-storm.ts";
import type { W9Result } from "./workloads/w9-history-flood.ts";
import type { W7Point, W7Result } from "./workloads/w7-glass-to-glass.ts";

type PerSystem<T> = Partial<Record<SystemName, T & { label: string }>>;

export interface BenchResults {
  meta: { commit: string; dirty: boolean; isolated: boolean; hosting: string; repeats: number; date: string; machine: Record<string, string | number>; loadAvg?: { start: number[]; end?: number[] } };
  date: string;
  commit: string;
  mode: "full" | "quick";
  labels: Partial<Record<SystemName, string>>;
  durationSec?: number;
  /** Workload × system pairs the time budget left out. */
  skipped?: string[];
  W1: PerSystem<W1Result>;
  W2: PerSystem<(W2Result & { repeats?: W2Repeat[]; historyOff?: W2Result & { repeats?: W2Repeat[] }; maxCommitsPerSec?: number; capacity?: W2CapacityStep[] }) | Failed>;
  W3: PerSystem<W3Result | Failed>;
  W4: PerSystem<W4Result | Failed>;
  W5?: unknown;
  W6?: W6Result | Failed;
  W7?: W7Result | Failed;
  W8?: W8Result | Failed;
  W9?: W9Result | Failed;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && b > 0 && !Number.isNaN(a) && !Number.isNaN(b) ? `${(a / b).toFixed(2)}×` : "–");
/** " (min–max)" of the repeats' ack p99, when there was more than one. */
const spread = (repeats: W2Repeat[] | undefined) => {
  const xs = (repeats ?? []).map((r) => r.ackP99Ms).filter((x): x is number => x !== null);
  return xs.length > 1 ? ` (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})` : "";
};

function curveTable(w1: [SystemName, W1Result][], pick: (p: CurvePoint) => string, key: "curve" | "rateSweep", by: "n" | "rateHz"): string {
  const xs = [...new Set(w1.flatMap(([, r]) => r[key].map((p) => p[by])))].sort((a, b) => a - b);
  return table(
    [by === "n" ? "N" : "Hz", ...w1.map(([s]) => s)],
    xs.map((x) => [String(x), ...w1.map(([, r]) => {
      const p = r[key].find((q) => q[by] === x);
      return p ? `${pick(p)}${p.pass || key === "rateSweep" ? "" : " ✗"}${p.generatorBound ? " ‡" : ""}${p.measuring !== undefined && p.measuring < p.n ? " §" : ""}` : "";
    })]),
  );
}

export function markdownReport(res: BenchResults): string {
  const out: string[] = [];
  const m = res.meta;
  out.push(`Run ${m.date} (${res.mode}), commit ${m.commit}${m.dirty ? " (dirty tree)" : ""}, ${m.isolated ? "isolated" : "NOT isolated"}: ${m.hosting}; ${m.machine.cpus} × ${m.machine.cpuModel}; ${m.repeats} repeat(s) per point; ${res.durationSec ?? "?"} s${m.loadAvg ? `; load average ${m.loadAvg.start.join(" ")} at the start, ${m.loadAvg.end?.join(" ") ?? "?"} at the end` : ""}.`);
  if (res.skipped?.length) out.push(`\n**Skipped (time budget): ${res.skipped.join(", ")}.**`);
  out.push("\nSystems:");
  for (const [s, l] of Object.entries(res.labels)) out.push(`- \`${s}\`: ${l}`);

  const w1 = Object.entries(res.W1) as [SystemName, W1Result][];
  if (w1.length) {
    out.push("\n### W1 cursor storm (one room, N clients × 20 Hz)");
    out.push(table(["system", "max N (median p99 < 100 ms)"], w1.map(([s, r]) => [s, fmt(r.maxClientsP99Under100ms)])));
    out.push(`\nArrival latency p99 ms, median of the repeats (min–max); ✗ = median p99 ≥ 100 ms or clients failed to connect; ‡ = generator-bound (its event-loop p99 over 15 ms: the system is at least this good); § = about ${W1_MEASURING_RECEIVERS} of the N clients measure (every k-th), the others are light sockets that move their cursors and read every frame unparsed (edgeroom past 250):`);
    out.push(curveTable(w1, (p) => `${fmt(p.p99Ms)} (${fmt(p.p99MinMs)}–${fmt(p.p99MaxMs)})`, "curve", "n"));
    out.push("\nStaleness p50 / p99 ms (age of the newest position a receiver holds of each peer, sampled every 5 ms), median of the repeats:");
    out.push(curveTable(w1, (p) => `${fmt(p.stalenessP50Ms)} / ${fmt(p.stalenessP99Ms)}`, "curve", "n"));
    out.push("\nDelivered updates/s (share of sent moves delivered) · bytes per delivered update:");
    out.push(curveTable(w1, (p) => `${fmt(p.deliveredPerSec)} (${Math.round(p.deliveredRatio * 100)}%) · ${fmt(p.bytesPerUpdate)} B`, "curve", "n"));
    out.push("\nCPU µs: system under test per inbound message · per delivered update · load generator per delivered update:");
    out.push(curveTable(w1, (p) => `${fmt(p.runtimeUsPerMsg)} · ${fmt(p.runtimeUsPerDelivered, 2)} · ${fmt(p.generatorUsPerDelivered, 2)}`, "curve", "n"));
    const e = res.W1.edgeroom;
    if (e) {
      const peers = w1.filter(([s]) => s !== "edgeroom");
      out.push("\nRatios per N, edgeroom ÷ peer (staleness p99; < 1 = edgeroom fresher):");
      out.push(
        table(
          ["N", ...peers.map(([s]) => s)],
          e.curve.map((p) => [String(p.n), ...peers.map(([, r]) => ratio(p.stalenessP99Ms, r.curve.find((q) => q.n === p.n)?.stalenessP99Ms))]),
        ),
      );
    }
    if (w1.some(([, r]) => r.rateSweep.length)) {
      out.push(`\nInput-rate sweep at N = ${w1[0]![1].rateSweep[0]?.n ?? "?"}: arrival p99 / staleness p99 ms:`);
      out.push(curveTable(w1, (p) => `${fmt(p.p99Ms)} / ${fmt(p.stalenessP99Ms)}`, "rateSweep", "rateHz"));
    }
  }

  const w2 = Object.entries(res.W2) as [SystemName, BenchResults["W2"][SystemName]][];
  if (w2.length) {
    out.push("\n### W2 edit storm (one room, 10 editors × 10 patches/s) and capacity (editors × 20/s until ack p99 ≥ 100 ms)");
    out.push(
      table(
        ["system", "commits/s", "ack p50 / p99 ms (p99 min–max)", "seen by others p50 / p99 ms", "lost", "converged", "max sustained commits/s", "capacity ladder (offered/s: ack p99 ms)", "runtime CPU s"],
        w2.map(([s, r]) =>
          ok(r)
            ? [s, fmt(r.commitsPerSec), r.ackP99Ms === null ? "no acks" : `${fmt(r.ackP50Ms)} / ${fmt(r.ackP99Ms)}${spread(r.repeats)}`, `${fmt(r.seenP50Ms)} / ${fmt(r.seenP99Ms)}`, fmt(r.lost), r.converged ? "yes" : "**no**", fmt(r.maxCommitsPerSec), (r.capacity ?? []).map((c) => `${c.offeredPerSec}: ${fmt(c.ackP99Ms)}${c.lost ? ` (lost ${c.lost})` : ""}`).join(", ") || "–", `${fmt(r.workerdCpuSec, 2)} of ${fmt(r.windowSec)}`]
            : [s, `failed: ${r!.error.slice(0, 80)}`, "", "", "", "", "", "", ""],
        ),
      ),
    );
    const on = res.W2.edgeroom;
    if (ok(on) && on.historyOff) {
      const off = on.historyOff;
      out.push(`\nedgeroom with retained history on (the product) vs off (\`history: false\`), the same W2, interleaved in every round (${on.repeats?.length ?? 1} / ${off.repeats?.length ?? 1} repeats):`);
      out.push(
        table(
          ["history", "commits/s", "ack p50 ms", "ack p99 ms (min–max)", "lost", "converged"],
          [
            ["on", fmt(on.commitsPerSec), fmt(on.ackP50Ms), `${fmt(on.ackP99Ms)}${spread(on.repeats)}`, fmt(on.lost), on.converged ? "yes" : "**no**"],
            ["off", fmt(off.commitsPerSec), fmt(off.ackP50Ms), `${fmt(off.ackP99Ms)}${spread(off.repeats)}`, fmt(off.lost), off.converged ? "yes" : "**no**"],
          ],
        ),
      );
    }
  }

  const w3 = Object.entries(res.W3) as [SystemName, BenchResults["W3"][SystemName]][];
  const w3ok = w3.map(([, r]) => r).find(ok);
  if (w3.length) {
    out.push(`\n### W3 big room (${w3ok ? w3ok.shapes.toLocaleString("en-US") : "?"} shapes; reconnect after missing ${w3ok ? w3ok.missedOps : "?"} edits)`);
    out.push(
      table(
        ["system", "cold join ms", "join bytes", "join bytes per record", "resync ms", "resync bytes", "correct", "runtime CPU s"],
        w3.map(([s, r]) => (ok(r) ? [s, fmt(r.joinMs), kb(r.joinBytes), fmt(r.joinBytes / r.shapes), fmt(r.resyncMs), kb(r.resyncBytes), r.correct ? "yes" : "**no**", fmt(r.workerdCpuSec, 2)] : [s, `failed: ${r!.error.slice(0, 80)}`, "", "", "", "", "", ""])),
      ),
    );
  }

  const w4 = Object.entries(res.W4) as [SystemName, BenchResults["W4"][SystemName]][];
  if (w4.length) {
    out.push(`\n### W4 many rooms (× 5 clients, cursors at 5 Hz each)`);
    out.push(
      table(
        ["system", "rooms", "delivered/s", "delivered share", "p50 ms", "p99 best / median / worst room ms", "connect failures", "runtime CPU s"],
        w4.map(([s, r]) => (ok(r) ? [s, fmt(r.rooms), fmt(r.deliveredPerSec), `${Math.round(r.deliveredRatio * 100)}%`, fmt(r.p50Ms), `${fmt(r.p99MsBestRoom)} / ${fmt(r.p99MsMedianRoom)} / ${fmt(r.p99MsWorstRoom)}`, fmt(r.connectFailed), `${fmt(r.workerdCpuSec, 2)} of ${fmt(r.windowSec)}`] : [s, `failed: ${r!.error.slice(0, 80)}`, "", "", "", "", "", ""])),
      ),
    );
  }

  if (res.W5) {
    type Render = { drafters?: number; remoteDraftsSeen?: number; boundArrows?: number; shapes?: number; results?: { label: string; drawn: number; interval: { median: number; p95: number } }[]; error?: string };
    type Peers = { systems?: Record<string, Render>; error?: string };
    const { board, board2k, baseline, peers } = res.W5 as { board: Render; board2k?: Render; baseline: Render; peers?: Peers };
    out.push("\n### W5 render (10,000 and 2,000 shapes + 50 cursors + live drafts vs the baseline of an empty board, and tldraw's and Excalidraw's editors on the same 10,000 shapes, headless Chromium)");
    if (board.results) out.push(`\nBound arrows on the board: ${fmt(board.boundArrows)}; peers streaming live drafts: ${fmt(board.drafters)} (drafts the page held at the end: ${fmt(board.remoteDraftsSeen)}). Frame interval median / p95 ms (fps at the median), shapes painted per frame; issue 22's target with the board in view: ≥ 55 fps, p95 ≤ 20 ms.\n`);
    const cell = (r: Render | undefined, label: string) => {
      const x = r?.results?.find((q) => q.label === label);
      return x ? `${fmt(x.interval.median)} / ${fmt(x.interval.p95)} (${fmt(1000 / x.interval.median, 0)} fps) · ${fmt(x.drawn)}` : r?.error ? `failed: ${r.error.slice(0, 60)}` : "–";
    };
    // The peers' views come in the same order under their own labels (no cursors: "still").
    const peerNames = ["tldraw", "excalidraw"];
    const peerCell = (name: string, i: number) => {
      const p = peers?.systems?.[name];
      const x = p?.results?.[i];
      return x?.interval ? `${fmt(x.interval.median)} / ${fmt(x.interval.p95)} (${fmt(1000 / x.interval.median, 0)} fps)` : p?.error ? `failed: ${p.error.slice(0, 60)}` : peers?.error ? `failed: ${peers.error.slice(0, 60)}` : "–";
    };
    if (board.results) {
      out.push(table(["view", "10,000 shapes", "2,000 shapes", "empty board", ...peerNames.map((n) => `${n}, 10,000 shapes`)], board.results.map((r, i) => [r.label, cell(board, r.label), cell(board2k, r.label), cell(baseline, r.label), ...peerNames.map((n) => peerCell(n, i))])));
    } else out.push(`failed: ${board.error ?? "?"}`);
  }

  if (res.W6) out.push(w6Report(res.W6));
  if (res.W7) out.push(w7Report(res.W7));
  if (res.W8) out.push(w8Report(res.W8));
  if (res.W9) out.push(w9Report(res.W9));

  out.push("\n### Targets (issue 10)");
  out.push(targets(res));
  return out.join("\n");
}

function targets(res: BenchResults): string {
  const rows: string[][] = [];
  const e = res.W1.edgeroom;
  const at = (s: SystemName, n: number) => res.W1[s]?.curve.find((p) => p.n === n);
  if (e) {
    for (const n of [2, 5, 10]) {
      const mine = at("edgeroom", n)?.stalenessP99Ms;
      const relay = at("relay", n)?.stalenessP99Ms;
      if (mine === undefined) continue;
      const others = (["tldraw", "liveblocks", "liveblocks-16ms", "yjs", "yjs-readme", "yjs-ws", "hocuspocus"] as const).map((s) => [s, at(s, n)?.stalenessP99Ms] as const).filter(([, v]) => v !== undefined);
      const beaten = others.filter(([, v]) => mine < v!).length;
      rows.push([
        `staleness p99 N=${n}: ≤ 1.5× relay, below tldraw/Liveblocks/Yjs`,
        `${fmt(mine)} vs relay ${fmt(relay)} (${ratio(mine, relay)}); ${others.map(([s, v]) => `${s} ${fmt(v)}`).join(", ")}`,
        relay !== undefined && mine <= 1.5 * relay && beaten === others.length ? "met" : `missed${relay !== undefined && mine > 1.5 * relay ? ` (need ≤ ${fmt(1.5 * relay)})` : ""}${beaten < others.length ? ` (beats ${beaten}/${others.length})` : ""}`,
      ]);
    }
    const maxN = (s: SystemName) => res.W1[s]?.maxClientsP99Under100ms;
    for (const [peer, k] of [["tldraw", 4], ["liveblocks", 4], ["relay-coalescing", 0.9]] as const) {
      const p = maxN(peer);
      if (p === undefined) continue;
      rows.push([`max N ≥ ${k}× ${peer}`, `${e.maxClientsP99Under100ms} vs ${p}`, e.maxClientsP99Under100ms >= k * p ? "met" : `missed (need ${Math.ceil(k * p)})`]);
    }
    const yjsBest = Math.max(...(["yjs", "yjs-readme", "yjs-ws", "hocuspocus"] as const).map((s) => maxN(s) ?? 0));
    // Issue 18: the cap no longer stops W1 (peers: every system but the two bare relays, which are limits).
    const peerBest = Math.max(0, ...(Object.keys(res.W1) as SystemName[]).filter((s) => s !== "edgeroom" && !s.startsWith("relay")).map((s) => maxN(s) ?? 0));
    const need18 = Math.max(320, 4 * peerBest);
    rows.push([`max N ≥ 320 and ≥ 4× every peer's (issue 18)`, `${e.maxClientsP99Under100ms} vs best peer ${peerBest}`, e.maxClientsP99Under100ms >= need18 ? "met" : `missed (need ${need18})`]);
    rows.push([`max N ≥ 4× best Yjs configuration`, `${e.maxClientsP99Under100ms} vs ${yjsBest}`, e.maxClientsP99Under100ms >= 4 * yjsBest ? "met" : `missed (need ${4 * yjsBest})`]);
  }
  const e2 = res.W2.edgeroom;
  const t2 = res.W2.tldraw;
  if (ok(e2) && ok(t2) && e2.ackP99Ms !== null && t2.ackP99Ms !== null) {
    // "In every repeat": repeat r of edgeroom against repeat r of tldraw (the same round).
    const er = e2.repeats ?? [e2];
    const tr = t2.repeats ?? [t2];
    const pairs = er.map((x, i) => [x.ackP99Ms, tr[i]?.ackP99Ms] as const).filter((p): p is readonly [number, number] => p[0] !== null && p[1] !== null && p[1] !== undefined);
    const everyRepeat = pairs.length > 0 && pairs.every(([a, b]) => a <= 0.5 * b);
    rows.push([
      "W2 ack p99 ≤ 0.5× tldraw's, every repeat",
      `median ${fmt(e2.ackP99Ms)} vs ${fmt(t2.ackP99Ms)} ms (${ratio(e2.ackP99Ms, t2.ackP99Ms)}); per repeat ${pairs.map(([a, b]) => ratio(a, b)).join(", ")}`,
      everyRepeat ? "met" : "missed",
    ]);
    rows.push(["W2 sustained commits/s ≥ 2× tldraw's", `${fmt(e2.maxCommitsPerSec)} vs ${fmt(t2.maxCommitsPerSec)}`, (e2.maxCommitsPerSec ?? 0) > 0 && (e2.maxCommitsPerSec ?? 0) >= 2 * (t2.maxCommitsPerSec ?? 0) ? "met" : "missed (or ladder top reached)"]);
  }
  const e4 = res.W4.edgeroom;
  const r4 = res.W4.relay;
  if (ok(e4) && ok(r4)) rows.push(["W4 worst-room p99 ≤ 1.2× relay", `${fmt(e4.p99MsWorstRoom)} vs ${fmt(r4.p99MsWorstRoom)} (${ratio(e4.p99MsWorstRoom, r4.p99MsWorstRoom)})`, e4.p99MsWorstRoom <= 1.2 * r4.p99MsWorstRoom ? "met" : "missed"]);
  const e3 = res.W3.edgeroom;
  if (ok(e3)) {
    const peers = (Object.entries(res.W3) as [SystemName, BenchResults["W3"][SystemName]][]).filter(([s, r]) => s !== "edgeroom" && ok(r)).map(([s, r]): [string, number] => [s, (r as W3Result).joinMs]);
    const fastest = peers.reduce((a, b) => (b[1] < a[1] ? b : a), ["–", Number.POSITIVE_INFINITY]);
    rows.push(["W3 cold join ≤ 0.5× fastest peer", `${fmt(e3.joinMs)} ms vs ${fastest[0]} ${fmt(fastest[1])} ms (${ratio(e3.joinMs, fastest[1])})`, e3.joinMs <= 0.5 * fastest[1] ? "met" : "missed"]);
  }
  const lost = (Object.entries(res.W2) as [SystemName, BenchResults["W2"][SystemName]][]).filter(([, r]) => ok(r)).map(([s, r]) => `${s} ${(r as W2Result).lost}`);
  if (ok(e2)) rows.push(["No lost or doubled edit (W2)", lost.join(", "), e2.lost === 0 && e2.converged ? "met (edgeroom)" : "missed"]);
  return table(["target", "figures", "verdict"], rows);
}

/** One animation frame at 60 Hz: issue 19's unit for W7's targets. */
const FRAME_MS = 1000 / 60;

function w7Report(w7: W7Result | Failed): string {
  const out = ["\n### W7 glass to glass (A's pointer → A's cursor on B's pixels, headless Chromium)"];
  if (!ok(w7)) return `${out[0]}\nfailed: ${w7.error}`;
  const floor = w7.systems.floor;
  const mine = w7.systems.edgeroom;
  out.push(`\n${w7.motion}; ${w7.repeats} interleaved repeat(s) of ${w7.windowMs / 1000} s per point; viewport ${w7.viewport.width}×${w7.viewport.height}.`);
  const rows: string[][] = [];
  for (const [name, sys] of [["floor", floor], ["edgeroom", mine]] as const) {
    if (!ok(sys)) {
      rows.push([name, `failed: ${sys.error.slice(0, 100)}`, "", "", "", "", "", ""]);
      continue;
    }
    for (const p of sys.points) {
      rows.push([
        `${name} N=${p.n}`,
        `${fmt(p.glassMs.p50)} / ${fmt(p.glassMs.p95)} (${p.glassMs.n}${p.missed ? `, ${p.missed} never shown` : ""}${p.failedWindows ? `; ${p.failedWindows.length} window(s) failed` : ""})`,
        `${fmt(p.networkMs.p50)} / ${fmt(p.networkMs.p95)}${p.pageMs ? ` (A's page ${fmt(p.pageMs.p50)} / ${fmt(p.pageMs.p95)}; wire + room ${fmt(p.wireMs.p50)} / ${fmt(p.wireMs.p95)})` : ""}`,
        `${fmt(p.renderMs.p50)} / ${fmt(p.renderMs.p95)}`,
        `${fmt(p.trailMs.p50)} / ${fmt(p.trailMs.p95)} ms · ${fmt(p.trailPx.p50)} / ${fmt(p.trailPx.p95)} px`,
        `${p.stalls} of ${p.motionFrames} (${fmt((100 * p.stalls) / Math.max(1, p.motionFrames))}%)`,
        `${fmt(p.maxJumpPx)} / ${fmt(p.maxSenderStepPx)} px`,
        `${fmt(p.frameIntervalMs.p50)} · ${p.repeatP50Ms.map((x) => fmt(x)).join(", ")} · ±${fmt(p.clockRttMs / 2, 2)}`,
      ]);
    }
  }
  out.push(
    "\n" +
      table(
        ["page", "glass to glass p50 / p95 ms (moves)", "network p50 / p95", "render p50 / p95", "trails the sender by p50 / p95", "stalled frames while moving", "largest jump / sender's largest step", "B's frame ms · repeats' p50 · clock ±ms"],
        rows,
      ),
  );
  if (ok(floor) && ok(mine)) {
    const t: string[][] = [];
    const at = (pts: W7Point[], n: number) => pts.find((p) => p.n === n);
    for (const p of mine.points) {
      const f = at(floor.points, p.n);
      if (!f) continue;
      const d50 = p.glassMs.p50 - f.glassMs.p50;
      const d95 = p.glassMs.p95 - f.glassMs.p95;
      const trail = p.trailMs.p50 - f.trailMs.p50;
      t.push([`N=${p.n}: p50 ≤ floor + 16.7, p95 ≤ floor + 33.3 ms`, `${fmt(p.glassMs.p50)} vs ${fmt(f.glassMs.p50)} (+${fmt(d50)}); ${fmt(p.glassMs.p95)} vs ${fmt(f.glassMs.p95)} (+${fmt(d95)})`, d50 <= FRAME_MS && d95 <= 2 * FRAME_MS ? "met" : `missed by ${fmt(Math.max(d50 - FRAME_MS, d95 - 2 * FRAME_MS))} ms`]);
      t.push([`N=${p.n}: trail p50 ≤ floor's + 16.7 ms`, `${fmt(p.trailMs.p50)} vs ${fmt(f.trailMs.p50)} (+${fmt(trail)})`, Number.isNaN(trail) ? "no figures (no complete sweep seen)" : trail <= FRAME_MS ? "met" : `missed by ${fmt(trail - FRAME_MS)} ms`]);
      const rate = (x: W7Point) => x.stalls / Math.max(1, x.motionFrames);
      t.push([`N=${p.n}: stalls ≤ floor's; no jump > sender's step`, `${fmt(100 * rate(p))}% vs ${fmt(100 * rate(f))}%; jump ${fmt(p.maxJumpPx)} vs step ${fmt(p.maxSenderStepPx)} px`, rate(p) <= rate(f) && p.maxJumpPx <= p.maxSenderStepPx + 1 ? "met" : "missed"]);
    }
    out.push("\nTargets (issue 19):\n" + table(["target", "figures", "verdict"], t));
  }
  return out.join("\n");
}
