/**
 * W5 side by side: tldraw's editor (`tldraw`) and Excalidraw's
 * (`@excalidraw/excalidraw`), from bench/package.json, each in a page of its
 * own (bench/w5-pages/, bundled here with esbuild), given the same shapes as
 * the whiteboard's W5 board (bench/w5-shapes.ts) and driven by the same
 * camera script as bench/render.ts in the same Chromium: 100 % zoom still
 * and panning 4 px a frame; the whole board in view (one fit camera for
 * all: the whiteboard's zoom to fit of the shapes' area) still, panning,
 * and zooming in and out around the centre (×1.03 a frame, 60 frames in,
 * 60 out).
 *
 *   node bench/render-peers.ts [--shapes=10000] [--systems=tldraw,excalidraw]
 *
 * The figure is the interval between animation frames in the page (what a
 * person feels), median and p95 — the whiteboard's W5 figure is the interval
 * between its painter's frames, the same animation frames. The peers' pages
 * have no remote cursors and no live drafts (neither editor has a way to feed
 * simulated ones); their shapes are not bound to each other (each binds
 * through records of its own). The last line printed is JSON.
 */
import { build } from "esbuild";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import type { Page } from "playwright-core";
import { fitCamera } from "../client/whiteboard/canvas/camera.ts";
import { launchChromium } from "../tests/browser/chromium.ts";
import { AREA, makeShapes } from "./w5-shapes.ts";

const BENCH = import.meta.dirname;
const OUT = join(BENCH, ".w5-build");
/** localhost: tldraw shows its editor unlicensed only there (a production build elsewhere needs a key). */
const ORIGIN = "http://localhost:4599";
const SHAPES = Number(process.argv.find((a) => a.startsWith("--shapes="))?.slice(9) ?? 10_000);
const SYSTEMS = (process.argv.find((a) => a.startsWith("--systems="))?.slice(10) ?? "tldraw,excalidraw").split(",");
const MEASURE_MS = 6_000;
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".woff2": "font/woff2", ".ttf": "font/ttf", ".svg": "image/svg+xml", ".png": "image/png", ".json": "application/json" };

async function buildPage(name: string): Promise<void> {
  const dir = join(OUT, name);
  mkdirSync(dir, { recursive: true });
  await build({
    entryPoints: { main: join(BENCH, `w5-pages/${name}.tsx`) },
    bundle: true,
    format: "esm",
    outdir: dir,
    jsx: "automatic",
    minify: true,
    // Excalidraw exports its build (and its CSS) under "production" only.
    conditions: ["production"],
    define: { "process.env.NODE_ENV": '"production"', "process.env.IS_PREACT": '"false"' },
    loader: { ".woff2": "file", ".woff": "file", ".ttf": "file", ".svg": "file", ".png": "file" },
    logLevel: "error",
  });
  writeFileSync(
    join(dir, "index.html"),
    `<!doctype html><html><head><meta charset="utf-8"><title>W5 ${name}</title><link rel="stylesheet" href="main.css"><style>html,body{margin:0;height:100%;overflow:hidden}</style></head><body><div id="root"></div><script type="module" src="main.js"></script></body></html>`,
  );
}

function stats(xs: number[]): { median: number; p95: number; n: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { median: at(0.5), p95: at(0.95), n: s.length };
}

/** One animation-frame loop per page, recording the interval between frames. */
const FRAME_RECORDER = `(() => {
  const w = window; w.__w5frames = []; let last = 0;
  const tick = (t) => { if (last) w.__w5frames.push(t - last); last = t; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
})();`;

async function measure(page: Page, label: string, shapes: number) {
  if (page.isClosed()) return { label, drawn: shapes, error: "the page was closed" };
  await page.waitForTimeout(500); // settle
  await page.evaluate(() => void ((window as unknown as { __w5frames: number[] }).__w5frames.length = 0));
  await page.waitForTimeout(MEASURE_MS);
  const frames = await page.evaluate(() => [...(window as unknown as { __w5frames: number[] }).__w5frames]);
  const interval = stats(frames);
  console.log(`${label}: frame interval median ${interval.median.toFixed(1)} ms, p95 ${interval.p95.toFixed(1)} ms (${interval.n} frames, ${(1000 / interval.median).toFixed(0)} fps)`);
  return { label, drawn: shapes, interval };
}

/** The camera motions of bench/render.ts, through the page's W5 hooks. */
/** The whole board in view: the shared fit camera (FIT), the same view in every page. */
const showAll = (page: Page) => page.evaluate((c) => window.__w5!.setCamera(c), FIT);

const setPanning = (page: Page, on: boolean) =>
  page.evaluate((pan) => {
    const w = window as unknown as { __pan?: number };
    if (!pan) return cancelAnimationFrame(w.__pan ?? 0);
    const c = window.__w5!;
    let dir = 1;
    let steps = 0;
    const step = () => {
      const cam = c.camera();
      if (++steps % 120 === 0) dir = -dir;
      c.setCamera({ ...cam, x: cam.x + (dir * 4) / cam.zoom });
      w.__pan = requestAnimationFrame(step);
    };
    w.__pan = requestAnimationFrame(step);
  }, on);

const setZooming = (page: Page, on: boolean) =>
  page.evaluate((zoom) => {
    const w = window as unknown as { __zoom?: number };
    if (!zoom) return cancelAnimationFrame(w.__zoom ?? 0);
    const c = window.__w5!;
    const [sx, sy] = [640, 400];
    let steps = 0;
    const step = () => {
      const cam = c.camera();
      const factor = Math.floor(steps++ / 60) % 2 === 0 ? 1.03 : 1 / 1.03;
      const z = cam.zoom * factor;
      const wx = cam.x + sx / cam.zoom;
      const wy = cam.y + sy / cam.zoom;
      c.setCamera({ x: wx - sx / z, y: wy - sy / z, zoom: z });
      w.__zoom = requestAnimationFrame(step);
    };
    w.__zoom = requestAnimationFrame(step);
  }, on);

const shapes = makeShapes(SHAPES);
/** The whole board in view: the whiteboard's own zoom to fit (camera.ts) of the area the shapes
 * cover, given to every editor, so all three show the same rectangle (the editors' own fits differ in margins). */
const FIT = fitCamera({ minX: -100, minY: -100, maxX: AREA.w + 200, maxY: AREA.h + 200 }, 1280, 800);
const browser = await launchChromium();
const out: Record<string, unknown> = {};
try {
  console.log(`render peers: ${SHAPES} shapes over ${AREA.w}×${AREA.h}, 1280×800, headless Chromium (${browser.version()})`);
  for (const name of SYSTEMS) {
    try {
      await buildPage(name);
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.on("crash", () => console.log(`${name}: the page crashed`));
      page.on("pageerror", (e) => console.log(`${name}: page error ${String(e).slice(0, 200)}`));
      await page.route(`${ORIGIN}/**`, (route) => {
        const path = normalize(new URL(route.request().url()).pathname).replace(/^\/+/, "");
        try {
          const body = readFileSync(join(OUT, path.endsWith("/") || path === name ? `${name}/index.html` : path));
          return route.fulfill({ body, contentType: TYPES[extname(path)] ?? "text/html" });
        } catch {
          return route.fulfill({ status: 404, body: "" });
        }
      });
      // Anything else (fonts from a CDN): refused at once, never waited for.
      await page.route((url) => !url.href.startsWith(ORIGIN), (route) => route.abort());
      await page.goto(`${ORIGIN}/${name}/`);
      await page.waitForFunction(() => window.__w5 !== undefined, undefined, { timeout: 60_000 });
      await page.evaluate((s) => window.__w5!.load(s), shapes);
      await page.waitForFunction((n) => window.__w5!.count() >= n, shapes.length, { timeout: 60_000 });
      const count = await page.evaluate(() => window.__w5!.count());
      await page.evaluate(FRAME_RECORDER);
      await page.evaluate(() => window.__w5!.setCamera({ x: 0, y: 0, zoom: 1 }));
      const results = [await measure(page, "100% zoom, still", count)];
      await setPanning(page, true);
      results.push(await measure(page, "100% zoom, panning", count));
      await setPanning(page, false);
      await showAll(page);
      results.push(await measure(page, "whole board, still", count));
      await setPanning(page, true);
      results.push(await measure(page, "whole board, panning", count));
      await setPanning(page, false);
      await showAll(page);
      await setZooming(page, true);
      results.push(await measure(page, "whole board, zooming in and out", count));
      await setZooming(page, false);
      out[name] = { shapes: count, results };
      await page.close();
    } catch (e) {
      out[name] = { error: String(e).slice(0, 300) };
      console.log(`${name}: failed: ${String(e).slice(0, 300)}`);
    }
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify({ shapes: SHAPES, systems: out }));
