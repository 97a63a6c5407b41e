/**
 * Issue 21's target, on `npm run dev` (the Vite dev server with the Worker in
 * it and Miniflare's local R2): a picture dropped on A's board is on B's
 * screen in under a second. Measured from the drop to B's pixels, printed,
 * and written to test-results/image-drop-to-peer-dev.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../support/dev-server.ts";
import { near, openBoard, RESULTS_DIR, VIEWPORT, waitForPixel, waitForRecords } from "./board-page.ts";
import { launchChromium } from "./chromium.ts";
import { dropPicture, imageOf, TEAL } from "./picture-page.ts";

let server: DevServer | undefined;
let browser: Browser | undefined;
beforeAll(async () => {
  browser = await launchChromium();
  server = await startDevServer("vite", { timeoutMs: 90_000 });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("npm run dev: a dropped picture", () => {
  it("is on the other person's screen within a second of the drop (measured, printed)", async () => {
    const [ctxA, ctxB] = [await browser!.newContext({ viewport: VIEWPORT }), await browser!.newContext({ viewport: VIEWPORT })];
    try {
      const a = await openBoard(ctxA, `http://${server!.host}/?test`);
      const b = await openBoard(ctxB, a.url());
      await a.waitForSelector("[data-testid=peer]");
      await b.waitForSelector("[data-testid=peer]");
      // A first picture warms the dev server (Vite transforms on first use); the second is measured.
      await dropPicture(a, 400, 300, 120, 80, "#1971c2");
      await waitForRecords(b, `(recs) => recs.some((r) => r.type === "image")`);
      await a.keyboard.press("Escape");

      const t0 = Date.now();
      await dropPicture(a, 800, 450);
      await waitForRecords(b, `(recs) => recs.filter((r) => r.type === "image").length === 2`);
      const img = (await imageOf(b, (r) => r.w === 240))!;
      await waitForPixel(b, img.x + img.w / 2, img.y + img.h / 2, (p) => near(p, TEAL, 30));
      const ms = Date.now() - t0;
      mkdirSync(RESULTS_DIR, { recursive: true });
      writeFileSync(join(RESULTS_DIR, "image-drop-to-peer-dev.json"), JSON.stringify({ ms, target: 1000, server: "npm run dev" }));
      console.log(`npm run dev: image drop on A → pixels on B: ${ms} ms (target < 1,000 ms)`);
      // The target is 1 s; this bound is 5 s because CI machines run this
      // beside other test files and stall for seconds: only a real regression
      // (an upload that waits on a timer, a record sent before its bytes are
      // stored and then re-fetched) breaks it.
      expect(ms).toBeLessThan(5_000);
    } finally {
      await ctxA.close();
      await ctxB.close();
    }
  });
});
