/**
 * W7 glass to glass: in Chromium, person A moves the pointer (real input
 * events through the DevTools protocol); how long until A's cursor is at the
 * new place on person B's pixels — split into network (A's input → the frame
 * carrying it reaches B's page) and render (that frame → B's canvas shows
 * it) — with N people in the room, against the floor of this machine in the
 * same run, repeats interleaved.
 *
 * - edgeroom: the built whiteboard (`dist/client`, as `vite build` makes it)
 *   in two browser contexts (A and B, each a browser of its own: tab sharing
 *   on, each page the leader of its browser), the room in the isolated
 *   workerd. The other N − 2 people are raw protocol sockets (a hello, then
 *   a cursor frame at 60 Hz; what they receive is never parsed): what they
 *   cost the room and B's page is what N − 2 people moving cost, and the
 *   driver's core is left to the browser under test.
 * - floor: a plain page that sends every pointermove at once over the bare
 *   relay (the same workerd) and draws each received position at the next
 *   animation frame (w7-pages.ts); the others send at 60 Hz, unthrottled.
 *
 * A's motion: sweeps of 30 pointer moves, one per 16.7 ms (a display's
 * rate), over 500 px along one row — nearly constant speed, 14–19 px a step —
 * there and back, with a rest of 250–500 ms between sweeps. How the pixels
 * are found and why the clocks agree: w7-pages.ts, BENCHMARKS.md (W7).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import WebSocket from "ws";
import { launchChromium } from "../../tests/browser/chromium.ts";
import { PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import { WHITEBOARD_SCHEMA_VERSION } from "../../party/whiteboard/schema.ts";
import { sleep, wallMs } from "../lib/clock.ts";
import { analyse, mergeSamples, quantiles, type Recorded, type W7Samples } from "./w7-analysis.ts";
import { FLOOR_PAGE, RECEIVER_PROBE, SENDER_PROBE } from "./w7-pages.ts";

const DIST = resolve(import.meta.dirname, "../../dist/client");
export const W7_SYSTEMS = ["floor", "edgeroom"] as const;
export type W7System = (typeof W7_SYSTEMS)[number];

const VIEWPORT = { width: 900, height: 600 };
/** A's row (client px) and sweep ends: open board, clear of the app's bars and panels. */
const ROW_Y = 250;
const X_LEFT = 150;
const X_RIGHT = 650;
const SWEEP_MOVES = 30;
const MOVE_MS = 1000 / 60;
const REST_MS = [250, 500] as const;
/** A's and B's colours: distinct from each other and from the others' (#3366ff). */
const A_COLOR = "#e03131";
const B_COLOR = "#2f9e44";
/** Where the others circle: well below A's row and its label. */
const OTHERS_Y = 470;
/** The pixel row scanned: 8 px below the arrow's tip, through the arrow only. */
const SCAN_BELOW_TIP = 8;
const SETUP_TIMEOUT_MS = 30_000;

export const W7_LABELS: Record<W7System, string> = {
  floor: "this machine's floor: a plain page sends each pointermove at once over the bare relay (bench/peers/relay.ts, same workerd); B's plain page draws the newest position at the next animation frame",
  edgeroom: "the built whiteboard (dist/client) in Chromium, tab sharing on (each page leads its own browser context), room in the isolated workerd; others are raw protocol sockets sending cursor frames at 60 Hz",
};

export interface W7Options {
  host: string;
  ns: number[];
  repeats: number;
  warmupMs: number;
  windowMs: number;
  runId: string;
  log: (line: string) => void;
}

type Q = ReturnType<typeof quantiles>;
export interface W7Point {
  n: number;
  glassMs: Q;
  networkMs: Q;
  renderMs: Q;
  /** The network part split: A's page (input → its socket send) and wire + room (send → B's page). */
  pageMs: Q;
  wireMs: Q;
  trailMs: Q;
  trailPx: Q;
  frameIntervalMs: Q;
  motionFrames: number;
  stalls: number;
  unseen: number;
  missed: number;
  maxJumpPx: number;
  maxSenderStepPx: number;
  /** Worst clock calibration round trip of the windows (the timestamps' uncertainty is half of it). */
  clockRttMs: number;
  /** Each window's glass-to-glass p50 (ms), to show the spread of the repeats. */
  repeatP50Ms: number[];
  /** edgeroom: the pages' tab roles (leader expected: tab sharing on, one tab per browser). */
  tabRoles?: string[];
  /** Windows of this point that failed (and why): their figures are missing from the pooled ones. */
  failedWindows?: string[];
}
export interface W7Result {
  viewport: typeof VIEWPORT;
  motion: string;
  repeats: number;
  windowMs: number;
  systems: Record<W7System, { label: string; points: W7Point[] } | { label: string; error: string }>;
}

function hexRgb(hex: string): { r: number; g: number; b: number } {
  const n = Number.parseInt(hex.slice(1), 16);
  return { r: n >> 16, g: (n >> 8) & 255, b: n & 255 };
}

/** Offset mapping this page's clock onto the driver's (the best of 15 round trips). */
async function clockOffset(page: Page): Promise<{ offset: number; rtt: number }> {
  let best = { offset: 0, rtt: Number.POSITIVE_INFINITY };
  for (let i = 0; i < 15; i++) {
    const n0 = wallMs();
    const p = await page.evaluate(() => performance.timeOrigin + performance.now());
    const n1 = wallMs();
    if (n1 - n0 < best.rtt) best = { offset: (n0 + n1) / 2 - p, rtt: n1 - n0 };
  }
  return best;
}

/** Serve the built app, and the floor page, on the room host's own origin (WebSockets go through untouched). */
async function serve(ctx: BrowserContext, host: string): Promise<void> {
  await ctx.route(`http://${host}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path.startsWith("/parties/")) return route.continue();
    if (path === "/w7-floor") return route.fulfill({ status: 200, contentType: "text/html", body: FLOOR_PAGE });
    const file = join(DIST, path);
    if (path !== "/" && file.startsWith(DIST) && existsSync(file)) return route.fulfill({ path: file });
    return route.fulfill({ path: join(DIST, "index.html") });
  });
}

async function person(browser: Browser, host: string, name: string, color: string, probe: string): Promise<{ ctx: BrowserContext; page: Page }> {
  // A context per person: its own storage, BroadcastChannel and locks — a
  // browser of its own, as two people's are.
  const ctx = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, serviceWorkers: "block" });
  await serve(ctx, host);
  // Chromium's Local Network Access checks treat a routed page as public and
  // would refuse its socket to 127.0.0.1; a person's page is served from the
  // room's own host, where no such check applies.
  await ctx.grantPermissions(["local-network-access"], { origin: `http://${host}` });
  await ctx.addInitScript(
    ({ name, color }) => {
      localStorage.setItem("edgeroom:name", name);
      localStorage.setItem("edgeroom:color", color);
    },
    { name, color },
  );
  await ctx.addInitScript(probe);
  return { ctx, page: await ctx.newPage() };
}

/** The other N − 2 people: cursors circling below A's row at 60 Hz. */
async function others(system: W7System, host: string, room: string, count: number): Promise<{ stop(): void }> {
  const pos = (k: number, t: number) => [Math.round(120 + k * 80 + 30 * Math.cos(t / 300 + k)), Math.round(OTHERS_Y + 30 * Math.sin(t / 300 + k))] as const;
  const open = (url: string, first?: string) =>
    new Promise<WebSocket>((res, rej) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.once("open", () => {
        if (first) ws.send(first);
        res(ws);
      });
      ws.once("error", rej);
    });
  const party = system === "edgeroom" ? "whiteboard" : "relay";
  const sockets = await Promise.all(
    Array.from({ length: count }, (_, k) =>
      open(
        `ws://${host}/parties/${party}/${room}`,
        system === "edgeroom"
          ? JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, schema: WHITEBOARD_SCHEMA_VERSION, clientId: `w7-other-${k + 1}`, epoch: null, lastSeq: 0, name: `P${k + 1}`, color: "#3366ff" })
          : undefined,
      ),
    ),
  );
  const send =
    system === "edgeroom"
      ? (k: number, x: number, y: number) => sockets[k]!.send(JSON.stringify({ type: "cursor", p: [x, y] }))
      : (k: number, x: number, y: number) => sockets[k]!.send(JSON.stringify({ s: k + 1, p: [x, y], c: "#3366ff" }));
  const closers = [() => sockets.forEach((s) => s.close())];
  const t0 = Date.now();
  const timer = setInterval(() => {
    const t = Date.now() - t0;
    for (let k = 0; k < count; k++) send(k, ...pos(k, t));
  }, MOVE_MS);
  return {
    stop() {
      clearInterval(timer);
      for (const c of closers) c();
    },
  };
}

/** Deterministic rests (mulberry32), so every window moves alike. */
function restMs(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return REST_MS[0] + (((t ^ (t >>> 14)) >>> 0) / 4294967296) * (REST_MS[1] - REST_MS[0]);
  };
}

/** A's sweeps until `until` (driver clock); returns when the last one ended. */
async function sweep(page: Page, until: number, from: { x: number }, rest: () => number): Promise<void> {
  while (wallMs() < until) {
    const start = from.x;
    const to = start === X_LEFT ? X_RIGHT : X_LEFT;
    const t0 = wallMs();
    for (let k = 1; k <= SWEEP_MOVES; k++) {
      const u = k / SWEEP_MOVES;
      const x = Math.round(start + (to - start) * (0.8 * u + 0.1 * (1 - Math.cos(Math.PI * u))));
      const due = t0 + k * MOVE_MS;
      const wait = due - wallMs();
      if (wait > 1) await sleep(wait);
      await page.mouse.move(x, ROW_Y);
    }
    from.x = to;
    await sleep(rest());
  }
}

async function runWindow(browser: Browser, system: W7System, n: number, opts: W7Options, seed: number): Promise<{ samples: W7Samples; rtt: number; roles?: string[] }> {
  const room = `w7-${opts.runId}-${system}-${n}-${seed}`;
  const crowd = await others(system, opts.host, room, n - 2);
  const b = await person(browser, opts.host, "B", B_COLOR, RECEIVER_PROBE);
  const a = await person(browser, opts.host, "A", A_COLOR, SENDER_PROBE);
  try {
    const url = (role: string, color: string) => (system === "floor" ? `http://${opts.host}/w7-floor?room=${room}&role=${role}&color=${encodeURIComponent(color)}` : `http://${opts.host}/r/${room}?test`);
    await b.page.goto(url("B", B_COLOR));
    await a.page.goto(url("A", A_COLOR));
    if (system === "edgeroom") {
      for (const p of [a.page, b.page]) await p.waitForFunction(() => window.__edgeroom?.session.client.connection.status === "live", null, { timeout: SETUP_TIMEOUT_MS });
    } else {
      for (const p of [a.page, b.page]) await p.waitForFunction(() => (window as unknown as { __w7open?: boolean }).__w7open === true, null, { timeout: SETUP_TIMEOUT_MS });
    }
    // Where A's row is on each page: the pages' canvases may not start at the window's corner.
    const rectOf = (p: Page) => p.evaluate(() => {
      const r = document.querySelector('[data-testid="cursor-layer"]')!.getBoundingClientRect();
      return { left: r.left, top: r.top };
    });
    const [ra, rb] = [await rectOf(a.page), await rectOf(b.page)];
    await b.page.evaluate(
      (scan) => {
        (window as unknown as { __w7: { scan: unknown } }).__w7.scan = scan;
      },
      { kind: system, selector: '[data-testid="cursor-layer"]', rowY: ROW_Y - ra.top, y: ROW_Y - ra.top + SCAN_BELOW_TIP, ...hexRgb(A_COLOR) },
    );
    // Calibrate at rest: A's pointer at the left end; B must show it there.
    const read = () => b.page.evaluate(() => {
      const w = (window as unknown as { __w7: { frames: number[]; arrivals: number[] } }).__w7;
      return { frame: w.frames.at(-1) ?? -1, arrival: w.arrivals.at(-1) ?? Number.NaN };
    });
    const deadline = Date.now() + SETUP_TIMEOUT_MS;
    let seen = { frame: -1, arrival: Number.NaN };
    for (let nudge = 0; seen.frame < 0 || Number.isNaN(seen.arrival); nudge++) {
      if (Date.now() > deadline) throw new Error(`W7 ${system} N=${n}: B never saw A's cursor (frame ${seen.frame}, arrival ${seen.arrival})`);
      // Until B shows it: a move sent before the pages were quite ready is not resent.
      if (nudge % 5 === 0) {
        await a.page.mouse.move(X_LEFT - 20, ROW_Y);
        await a.page.mouse.move(X_LEFT, ROW_Y);
      }
      await sleep(100);
      seen = await read();
    }
    await sleep(600); // settled: any interpolation has arrived
    seen = await read();
    const pixelDx = seen.frame - X_LEFT;
    const worldDx = seen.arrival - X_LEFT;
    const ca = await clockOffset(a.page);
    const cb = await clockOffset(b.page);

    const from = { x: X_LEFT };
    const rest = restMs(seed);
    await sweep(a.page, wallMs() + opts.warmupMs, from, rest);
    const windowStart = wallMs();
    await sweep(a.page, windowStart + opts.windowMs, from, rest);
    const windowEnd = wallMs();
    await sleep(300);

    const ca2 = await clockOffset(a.page);
    const cb2 = await clockOffset(b.page);
    const offA = (ca.offset + ca2.offset) / 2;
    const offB = (cb.offset + cb2.offset) / 2;
    const aRaw = await a.page.evaluate(() => (window as unknown as { __w7a: number[] }).__w7a);
    const aSends = await a.page.evaluate(() => (window as unknown as { __w7s: number[] }).__w7s);
    const bRaw = await b.page.evaluate(() => {
      const w = (window as unknown as { __w7: { frames: number[]; arrivals: number[] } }).__w7;
      return { frames: w.frames, arrivals: w.arrivals };
    });
    const pairs = (xs: number[], off: number) => Array.from({ length: xs.length / 2 }, (_, i) => ({ t: xs[2 * i]! + off, x: xs[2 * i + 1]! }));
    const input: Recorded["input"] = [];
    for (let i = 0; i < aRaw.length; i += 3) if (aRaw[i + 2] === ROW_Y) input.push({ t: aRaw[i]! + offA, x: aRaw[i + 1]! });
    // A's sends on A's row: world y is the row less the canvas's top (edgeroom's camera at home), client y on the floor.
    const sendRow = system === "edgeroom" ? ROW_Y - ra.top : ROW_Y;
    const sends: Recorded["sends"] = [];
    for (let i = 0; i < aSends.length; i += 3) if (Math.abs(aSends[i + 2]! - sendRow) < 0.5) sends.push({ t: aSends[i]! + offA, x: aSends[i + 1]! });
    const recorded: Recorded = { input, sends, arrivals: pairs(bRaw.arrivals, offB), frames: pairs(bRaw.frames, offB), pixelDx, worldDx };
    const samples = analyse(recorded, windowStart, windowEnd);
    // W7_DUMP=dir: what the pages recorded, per window, to study a figure offline.
    if (process.env.W7_DUMP) writeFileSync(join(process.env.W7_DUMP, `${room}.json`), JSON.stringify({ recorded, windowStart, windowEnd }));
    // The clocks' drift over the window counts against their agreement too.
    const rtt = Math.max(ca.rtt, cb.rtt, ca2.rtt, cb2.rtt) + Math.abs(ca.offset - ca2.offset) + Math.abs(cb.offset - cb2.offset);
    const roles =
      system === "edgeroom" ? await Promise.all([a.page, b.page].map((p) => p.evaluate(() => String(window.__edgeroom?.session.client.tabRole)))) : undefined;
    return { samples, rtt, ...(roles ? { roles } : {}) };
  } finally {
    crowd.stop();
    await a.ctx.close();
    await b.ctx.close();
  }
}

/** Processes started by `pid`, and theirs. */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" }).split("\n").map(Number).filter((n) => n > 0);
  } catch {
    // none
  }
  return children.flatMap((c) => [c, ...descendants(c)]);
}

/**
 * The browser is the client under test here, not load generation: it gets
 * every core (the driver that launched it is pinned to the generator's), as
 * a person's browser would. Renderers forked later inherit it from the zygote.
 */
function unpinBrowser(): void {
  const all = `0-${cpus().length - 1}`;
  // Only Chromium's tree: workerd is a child of this process too, and stays on its core.
  const comm = (pid: number) => spawnSync("ps", ["-o", "comm=", "-p", String(pid)], { encoding: "utf8" }).stdout.trim();
  for (const pid of descendants(process.pid)) if (comm(pid).includes("chrom")) spawnSync("taskset", ["-a", "-p", "-c", all, String(pid)], { stdio: "ignore" });
}

export async function runW7(opts: W7Options): Promise<W7Result> {
  if (!existsSync(join(DIST, "index.html"))) throw new Error("W7 needs the built client (vite build)");
  const browser = await launchChromium();
  unpinBrowser();
  const got = new Map<string, { samples: W7Samples; rtt: number; roles?: string[] }[]>();
  const failed = new Map<string, string[]>();
  try {
    opts.log(`W7 glass to glass: Chromium ${browser.version()}, N = ${opts.ns.join(", ")}, ${opts.repeats} interleaved repeat(s) of ${opts.windowMs / 1000} s`);
    for (let r = 0; r < opts.repeats; r++) {
      for (const n of opts.ns) {
        const order = r % 2 === 0 ? W7_SYSTEMS : [...W7_SYSTEMS].reverse();
        for (const system of order) {
          try {
            const w = await runWindow(browser, system, n, opts, 1000 * r + n);
            const key = `${system}:${n}`;
            got.set(key, [...(got.get(key) ?? []), w]);
            const g = quantiles(w.samples.glass);
            opts.log(`W7 ${system} N=${n} repeat ${r + 1}: glass to glass p50 ${g.p50} p95 ${g.p95} ms (${g.n} moves), stalls ${w.samples.stalls}/${w.samples.motionFrames}`);
          } catch (e) {
            // One window lost (the machine's load, mostly): said so, the rest kept.
            const key = `${system}:${n}`;
            failed.set(key, [...(failed.get(key) ?? []), String(e).slice(0, 200)]);
            opts.log(`W7 ${system} N=${n} repeat ${r + 1}: window failed: ${String(e)}`);
          }
        }
      }
    }
  } finally {
    await browser.close();
  }
  const systems = {} as W7Result["systems"];
  for (const system of W7_SYSTEMS) {
    const points: W7Point[] = [];
    for (const n of opts.ns) {
      const windows = got.get(`${system}:${n}`) ?? [];
      const lost = failed.get(`${system}:${n}`) ?? [];
      if (!windows.length) continue;
      const s = mergeSamples(windows.map((w) => w.samples));
      const roles = windows.flatMap((w) => w.roles ?? []);
      points.push({
        n,
        glassMs: quantiles(s.glass),
        networkMs: quantiles(s.network),
        renderMs: quantiles(s.render),
        pageMs: quantiles(s.page),
        wireMs: quantiles(s.wire),
        trailMs: quantiles(s.trailMs),
        trailPx: quantiles(s.trailPx),
        frameIntervalMs: quantiles(s.frameIntervals),
        motionFrames: s.motionFrames,
        stalls: s.stalls,
        unseen: s.unseen,
        missed: s.missed,
        maxJumpPx: s.maxJumpPx,
        maxSenderStepPx: s.maxSenderStepPx,
        clockRttMs: Math.round(Math.max(...windows.map((w) => w.rtt)) * 100) / 100,
        repeatP50Ms: windows.map((w) => quantiles(w.samples.glass).p50),
        ...(roles.length ? { tabRoles: [...new Set(roles)] } : {}),
        ...(lost.length ? { failedWindows: lost } : {}),
      });
    }
    systems[system] = { label: W7_LABELS[system], points };
  }
  return {
    viewport: VIEWPORT,
    motion: `sweeps of ${SWEEP_MOVES} pointer moves every ${MOVE_MS.toFixed(1)} ms over ${X_RIGHT - X_LEFT} px, rests ${REST_MS[0]}–${REST_MS[1]} ms; others circle at 60 Hz`,
    repeats: opts.repeats,
    windowMs: opts.windowMs,
    systems,
  };
}
