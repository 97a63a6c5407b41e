/**
 * Driving the whiteboard page in a browser test: open a board, wait until it is
 * live, read what the canvas shows (pixels) and what the page says (DOM text).
 * State is read through `window.__edgeroom`, which the app sets only when the
 * address has `?test`.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import type { Shape } from "../../party/whiteboard/records.ts";
import { type DevServer, type DevServerKind, startDevServer } from "../support/dev-server.ts";
import { launchChromium } from "./chromium.ts";

export const RESULTS_DIR = resolve(import.meta.dirname, "../../test-results");
export const VIEWPORT = { width: 1280, height: 800 };

/** One browser and one dev server for a test file — `wrangler dev` (the
 * build), or `vite`: `npm run dev` (vite.dev.config.ts, its first requests
 * slow while Vite transforms modules) — and the people (browser contexts)
 * each test opens, closed after it. Call at the top of the file. */
export interface People {
  /** The dev server's host:port (after beforeAll). */
  readonly host: string;
  readonly browser: Browser;
  /** A new person: their own context (cookies, storage), closed after the test. */
  person(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** A opens a fresh board; B opens A's link; each sees the other in the people list. */
  twoPeople(options?: BrowserContextOptions): Promise<{ a: Page; b: Page; ctxA: BrowserContext; ctxB: BrowserContext }>;
}

export function usePeople(kind: Extract<DevServerKind, "wrangler" | "vite"> = "wrangler"): People {
  let server: DevServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
    server = await startDevServer(kind, kind === "vite" ? { timeoutMs: 90_000 } : {});
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
  });
  const people: People = {
    get host() {
      return server!.host;
    },
    get browser() {
      return browser!;
    },
    async person(options = {}) {
      const context = await browser!.newContext({ viewport: VIEWPORT, ...options });
      contexts.push(context);
      return context;
    },
    async twoPeople(options = {}) {
      const ctxA = await people.person(options);
      const ctxB = await people.person(options);
      const a = await openBoard(ctxA, `http://${server!.host}/?test`);
      const b = await openBoard(ctxB, a.url());
      await a.waitForSelector("[data-testid=peer]");
      await b.waitForSelector("[data-testid=peer]");
      return { a, b, ctxA, ctxB };
    },
  };
  return people;
}

export async function openBoard(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url);
  await waitForStatus(page, "live");
  if (errors.length) throw new Error(`page errors: ${errors.join("; ")}`);
  return page;
}

export async function waitForStatus(page: Page, status: string, timeout = 20_000): Promise<void> {
  await page.waitForFunction(
    (s) => document.querySelector("[data-testid=connection]")?.getAttribute("data-status") === s && window.__edgeroom !== undefined,
    status,
    { timeout },
  );
}

/** The records the board draws (the room state with pending edits; offline after a reload, the cached copy;
 * while a past version is previewed, that version). */
export async function records(page: Page): Promise<Shape[]> {
  return page.evaluate(() => [...window.__edgeroom!.board.records().values()]);
}

export async function waitForRecords(page: Page, check: string, timeout = 15_000): Promise<void> {
  // `check` is a predicate over the array of records, as source text. It is
  // spliced into an expression evaluated through the devtools protocol and
  // polled from here — never compiled by the page itself: the page's CSP
  // forbids eval (rightly), and playwright's in-page polling would need it.
  const expression = `(() => { const recs = [...(window.__edgeroom?.board.records().values() ?? [])]; return (${check})(recs); })()`;
  const deadline = Date.now() + timeout;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`records never matched ${check} within ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The colour a canvas layer shows at a world point: [r, g, b, a]. Shapes are
 * on the "board" layer, remote cursors on the transparent "cursor-layer" above it. */
export async function pixelAtWorld(page: Page, x: number, y: number, layer: "board" | "cursor-layer" = "board"): Promise<[number, number, number, number]> {
  return page.evaluate(
    ([wx, wy, testId]) =>
      new Promise<[number, number, number, number]>((resolve) => {
        // Read after the next paint, so what is pending is on the canvas.
        requestAnimationFrame(() =>
          requestAnimationFrame(() => {
            const hooks = window.__edgeroom!;
            const canvas = document.querySelector<HTMLCanvasElement>(`[data-testid=${testId}]`)!;
            const [sx, sy] = hooks.controller.worldToScreen(wx as number, wy as number);
            const dpr = canvas.width / canvas.clientWidth;
            const d = canvas.getContext("2d")!.getImageData(Math.round(sx * dpr), Math.round(sy * dpr), 1, 1).data;
            resolve([d[0]!, d[1]!, d[2]!, d[3]!]);
          }),
        );
      }),
    [x, y, layer] as const,
  );
}

/** How many pixels of a world rectangle (its part on screen) on a canvas layer are not the empty
 * board (the board layer) or not transparent (the overlay), read after the next paint. */
export async function inkInWorldRect(page: Page, r: { x: number; y: number; w: number; h: number }, layer: "board" | "cursor-layer" = "board"): Promise<number> {
  return page.evaluate(
    ([x, y, w, h, testId]) =>
      new Promise<number>((resolve) =>
        requestAnimationFrame(() =>
          requestAnimationFrame(() => {
            const hooks = window.__edgeroom!;
            const canvas = document.querySelector<HTMLCanvasElement>(`[data-testid=${testId}]`)!;
            const dpr = canvas.width / canvas.clientWidth;
            const [sx, sy] = hooks.controller.worldToScreen(x as number, y as number);
            const [ex, ey] = hooks.controller.worldToScreen((x as number) + (w as number), (y as number) + (h as number));
            // Only the part on the canvas (outside it reads as transparent black).
            const left = Math.max(0, Math.round(sx * dpr));
            const top = Math.max(0, Math.round(sy * dpr));
            const right = Math.min(canvas.width, Math.round(ex * dpr));
            const bottom = Math.min(canvas.height, Math.round(ey * dpr));
            if (right <= left || bottom <= top) return resolve(0);
            const d = canvas.getContext("2d")!.getImageData(left, top, right - left, bottom - top).data;
            let n = 0;
            for (let i = 0; i < d.length; i += 4) {
              const ink = testId === "board" ? d[i]! < 150 || d[i + 1]! < 150 || d[i + 2]! < 150 : d[i + 3]! > 0;
              if (ink) n++;
            }
            resolve(n);
          }),
        ),
      ),
    [r.x, r.y, r.w, r.h, layer] as const,
  );
}

/** How long a pixel check waits for the canvas to show what it should (ms):
 * a canvas repaints on an animation frame after the change, several frames
 * later on a loaded machine. */
export const PIXEL_TIMEOUT_MS = 10_000;

/** Wait until the pixel a canvas layer shows at a world point satisfies `ok`
 * (read after each paint). Every pixel check goes through here or through
 * `waitForInk`: a pixel read once can be read a frame too early. */
export async function waitForPixel(page: Page, x: number, y: number, ok: (pixel: [number, number, number, number]) => boolean, layer: "board" | "cursor-layer" = "board"): Promise<void> {
  await expect.poll(async () => ok(await pixelAtWorld(page, x, y, layer)), { timeout: PIXEL_TIMEOUT_MS, interval: 50 }).toBe(true);
}

/** Wait until the count of inked pixels in a world rectangle (`inkInWorldRect`) satisfies `ok`. */
export async function waitForInk(page: Page, r: { x: number; y: number; w: number; h: number }, ok: (inked: number) => boolean, layer: "board" | "cursor-layer" = "board"): Promise<void> {
  await expect.poll(async () => ok(await inkInWorldRect(page, r, layer)), { timeout: PIXEL_TIMEOUT_MS, interval: 50 }).toBe(true);
}

/** Close enough to a #rrggbb colour (anti-aliasing and translucency aside). */
export function near(pixel: readonly number[], hex: string, tolerance = 40): boolean {
  const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return want.every((v, i) => Math.abs(v - pixel[i]!) <= tolerance);
}

/** The board's empty background (#f8f9fa), allowing for the dot grid. */
export function isBackground(pixel: readonly number[]): boolean {
  return pixel.slice(0, 3).every((v) => v >= 215);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Drag with the primary button through `points` (page coordinates). */
export async function drag(page: Page, points: [number, number][], stepsBetween = 4): Promise<void> {
  const [first, ...rest] = points;
  await page.mouse.move(first![0], first![1]);
  await page.mouse.down();
  for (const [x, y] of rest) await page.mouse.move(x, y, { steps: stepsBetween });
  await page.mouse.up();
}

export async function pendingCount(page: Page): Promise<number> {
  return Number(await page.getAttribute("[data-testid=pending-count]", "data-count"));
}

/** The room id in a board page's address (`/r/<room>`). */
export function roomOf(page: Page): string {
  return decodeURIComponent(new URL(page.url()).pathname.split("/")[2] ?? "");
}

/** Open the top bar's Board menu and pick `item` ("Export board (.json)", "Duplicate board", …). */
export async function boardMenu(page: Page, item: string): Promise<void> {
  await page.getByTestId("board-menu-button").click();
  await page.getByRole("menuitem", { name: item, exact: true }).click();
}

/** Records in a stable order, for comparing two boards. */
export function byId(recs: readonly Shape[]): Shape[] {
  return [...recs].sort((a, b) => a.id.localeCompare(b.id));
}
