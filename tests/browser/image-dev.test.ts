/**
 * Issue 21's target, on `npm run dev` (the Vite dev server with the Worker in
 * it and Miniflare's local R2): a picture dropped on A's board is on B's
 * screen in under a second. Measured from the drop to B's pixels, split into
 * where the time went, printed, and written to
 * test-results/image-drop-to-peer-dev.json.
 *
 * The times are taken in the pages (epoch milliseconds from
 * `performance.timeOrigin + performance.now()`, one clock for both pages of
 * this machine): the drop, A's upload request (resource timing), B's record
 * arriving, B's request for the picture, and the first frame in which B's
 * canvas shows the picture's colour (a probe that reads the pixel every
 * frame) — so the figure has no polling of the test's own in it. The test
 * then checks that pixel again from outside, as every pixel test does.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { near, RESULTS_DIR, usePeople, waitForPixel, waitForRecords } from "./board-page.ts";
import { dropPicture, imageOf, TEAL } from "./picture-page.ts";

const people = usePeople("vite");

interface Marks {
  /** Requests for assets this page made: URL, start, end. */
  requests?: { url: string; start: number; end: number }[];
  /** B: the picture's hash, and when its record arrived. */
  hash?: string;
  record?: number;
  /** B: the first frame whose canvas shows the picture. */
  pixel?: number;
}
declare global {
  interface Window {
    __marks?: Marks;
  }
}

/** Note on `page` when each of its requests for assets starts and ends (resource timing). */
async function watchAssetRequests(page: Page): Promise<void> {
  await page.evaluate(() => {
    const marks: Marks = (window.__marks ??= {});
    const requests = (marks.requests ??= []);
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as PerformanceResourceTiming[]) {
        if (e.name.includes("/assets")) requests.push({ url: e.name, start: performance.timeOrigin + e.startTime, end: performance.timeOrigin + e.responseEnd });
      }
    }).observe({ type: "resource" });
  });
}

/** The request of `marks` for the asset `hash` (an upload names it in its query, a read in its path). */
const requestFor = (marks: Marks, hash: string) => marks.requests?.find((r) => r.url.includes(hash));

/** On B: note when the `n`th image record arrives, and then, every frame,
 * whether the canvas shows `color` at its middle — the first frame that does. */
async function probePicture(page: Page, n: number, color: string): Promise<void> {
  await page.evaluate(
    ([n, color]) => {
      const marks: Marks = (window.__marks ??= {});
      const now = () => performance.timeOrigin + performance.now();
      const want = [1, 3, 5].map((i) => parseInt((color as string).slice(i, i + 2), 16));
      const hooks = window.__edgeroom!;
      const images = () => [...hooks.session.client.records().values()].filter((r) => (r as { type: string }).type === "image");
      const off = hooks.session.client.on("change", () => {
        const img = images()[(n as number) - 1] as { asset: string } | undefined;
        if (!img) return;
        marks.record ??= now();
        marks.hash = img.asset;
        off();
      });
      const canvas = document.querySelector<HTMLCanvasElement>("[data-testid=board]")!;
      const frame = () => {
        const img = images()[(n as number) - 1] as { x: number; y: number; w: number; h: number } | undefined;
        if (img) {
          const [sx, sy] = hooks.controller.worldToScreen(img.x + img.w / 2, img.y + img.h / 2);
          const dpr = canvas.width / canvas.clientWidth;
          const d = canvas.getContext("2d")!.getImageData(Math.round(sx * dpr), Math.round(sy * dpr), 1, 1).data;
          if (want.every((v, i) => Math.abs(v - d[i]!) <= 30)) {
            marks.pixel = now();
            return;
          }
        }
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    },
    [n, color] as const,
  );
}

describe("npm run dev: a dropped picture", () => {
  it("is on the other person's screen within a second of the drop (measured in the pages, split, printed)", async () => {
    const { a, b } = await people.twoPeople();
    // A first picture warms the dev server (Vite transforms on first use); the second is measured.
    await dropPicture(a, 400, 300, 120, 80, "#1971c2");
    await waitForRecords(b, `(recs) => recs.some((r) => r.type === "image")`);
    await a.keyboard.press("Escape");

    await watchAssetRequests(a);
    await watchAssetRequests(b);
    await probePicture(b, 2, TEAL);
    const t0 = Date.now();
    const dropped = await dropPicture(a, 800, 450);
    await b.waitForFunction(() => window.__marks?.pixel !== undefined, null, { timeout: 20_000 });
    const observed = Date.now() - t0;
    // The probe's pixel, read again from outside after the next paint.
    const img = (await imageOf(b, (r) => r.w === 240))!;
    await waitForPixel(b, img.x + img.w / 2, img.y + img.h / 2, (p) => near(p, TEAL, 30));
    const mb = (await b.evaluate(() => window.__marks!)) as Marks;
    expect(mb.hash).toBe(img.asset);
    // Resource timing reports a request a moment after it ended.
    await a.waitForFunction((h) => window.__marks?.requests?.some((r) => r.url.includes(h)), img.asset, { timeout: 10_000 });
    await b.waitForFunction((h) => window.__marks?.requests?.some((r) => r.url.includes(h)), img.asset, { timeout: 10_000 });
    const upload = requestFor((await a.evaluate(() => window.__marks!)) as Marks, img.asset)!;
    const read = requestFor((await b.evaluate(() => window.__marks!)) as Marks, img.asset)!;
    const ms = Math.round(mb.pixel! - dropped);
    const split = {
      "A local (drop → upload request)": upload.start - dropped,
      "upload (request → answer)": upload.end - upload.start,
      "commit (answer → B has the record)": mb.record! - upload.end,
      "B asks (record → picture request)": read.start - mb.record!,
      "B fetch (request → bytes)": read.end - read.start,
      "B draw (bytes → pixels)": mb.pixel! - read.end,
    };
    const rounded = Object.fromEntries(Object.entries(split).map(([k, v]) => [k, Math.round(v)]));
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(join(RESULTS_DIR, "image-drop-to-peer-dev.json"), JSON.stringify({ ms, split: rounded, observedByTest: observed, target: 1000, server: "npm run dev" }));
    console.log(
      `npm run dev: image drop on A → pixels on B: ${ms} ms (target < 1,000 ms; ${observed} ms as the test saw it)\n` +
        Object.entries(rounded).map(([k, v]) => `  ${k}: ${v} ms`).join("\n"),
    );
    // The split accounts for the whole: each step after the one before.
    expect(Object.values(split).every((v) => v >= -2)).toBe(true);
    // The target is 1 s; this bound is 5 s because CI machines run this
    // beside other test files and stall for seconds: only a real regression
    // (an upload that waits on a timer, a record sent before its bytes are
    // stored and then re-fetched) breaks it.
    expect(ms).toBeLessThan(5_000);
    expect(observed).toBeLessThan(5_000);
  });
});
