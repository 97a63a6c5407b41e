/**
 * Pictures on the board, as people use them: a PNG dropped on A's board is on
 * B's screen (pixels, measured from the drop), and a picture dropped while A
 * is offline is drawn at once, survives a reload, and is uploaded exactly once
 * when A is back — then B sees it too. Real Chromium, real wrangler dev with
 * Miniflare's local R2.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { boardMenu, near, openBoard, RESULTS_DIR, roomOf, screenshot, usePeople, waitForPixel, waitForRecords, waitForStatus } from "./board-page.ts";
import { dropPicture, imageOf, TEAL } from "./picture-page.ts";

const people = usePeople();

/** TEAL at the pending shapes' half opacity over the board: clearly green, not the grey board. */
const tealTint = (p: readonly number[]) => p[1]! - p[0]! > 40;

describe("pictures on the board", () => {
  it("a PNG dropped on A is drawn on B's screen; the time from the drop to B's pixels is measured", async () => {
    const { a, b } = await people.twoPeople();
    const t0 = Date.now();
    await dropPicture(a, 640, 400);
    await waitForRecords(b, `(recs) => recs.some((r) => r.type === "image")`);
    const img = (await imageOf(b))!;
    const [cx, cy] = [img.x + img.w / 2, img.y + img.h / 2];
    await waitForPixel(b, cx, cy, (p) => near(p, TEAL, 30));
    const ms = Date.now() - t0;
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(join(RESULTS_DIR, "image-drop-to-peer.json"), JSON.stringify({ ms, target: 1000 }));
    console.log(`image drop on A → pixels on B (wrangler dev, built app): ${ms} ms (target < 1,000 ms on npm run dev: image-dev.test.ts)`);
    // A bound only a real regression breaks: the target is 1 s, but CI
    // machines run this beside other test files and stall for seconds.
    expect(ms).toBeLessThan(5_000);
    // The shape keeps the picture's proportions (240 × 160) and sits where it was dropped.
    expect(img.w / img.h).toBeCloseTo(1.5, 2);
    await waitForPixel(a, cx, cy, (p) => near(p, TEAL, 30));
    await screenshot(b, "image-on-B");
  });

  it("offline: a dropped picture is drawn at once, survives a reload, and is uploaded once when A is back; B then sees it", async () => {
    const ctxA = await people.person();
    const ctxB = await people.person();
    const a0 = await openBoard(ctxA, `http://${people.host}/?test`);
    const url = a0.url();
    await a0.waitForFunction(async () => (await navigator.serviceWorker.ready) && navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
    const b = await openBoard(ctxB, url);
    const uploads: string[] = [];
    ctxA.on("request", (r) => {
      if (r.method() === "POST" && /\/assets(\?|$)/.test(new URL(r.url()).pathname + "?")) uploads.push(r.url());
    });

    await ctxA.setOffline(true);
    await waitForStatus(a0, "offline");
    await dropPicture(a0, 640, 400);
    await waitForRecords(a0, `(recs) => recs.some((r) => r.type === "image")`);
    const img = (await imageOf(a0))!;
    const [cx, cy] = [img.x + img.w / 2, img.y + img.h / 2];
    await waitForPixel(a0, cx, cy, tealTint); // drawn from the local bytes (translucent: pending)
    // The edit is in IndexedDB before the reload (a reload in the same moment as the drop is not what this is about).
    await a0.evaluate(() => window.__edgeroom!.session.client.saved());

    // Reload while offline: the record and its picture are still here.
    await a0.reload();
    await waitForStatus(a0, "offline");
    await waitForRecords(a0, `(recs) => recs.some((r) => r.type === "image")`);
    await waitForPixel(a0, cx, cy, tealTint);
    expect(uploads).toEqual([]);
    expect(await imageOf(b)).toBeUndefined();

    await ctxA.setOffline(false);
    await waitForStatus(a0, "live");
    await waitForRecords(b, `(recs) => recs.some((r) => r.type === "image")`);
    await waitForPixel(b, cx, cy, (p) => near(p, TEAL, 30));
    await expect.poll(() => a0.evaluate(() => window.__edgeroom!.session.client.pendingCount), { timeout: 10_000 }).toBe(0);
    expect(uploads).toHaveLength(1);
    await screenshot(b, "image-after-offline-B");
  });

  it("export → import: the file carries the picture, and the imported board shows it to everyone", async () => {
    const ctxA = await people.person({ acceptDownloads: true });
    const a = await openBoard(ctxA, `http://${people.host}/?test`);
    const oldRoom = roomOf(a);
    await dropPicture(a, 640, 400);
    await waitForRecords(a, `(recs) => recs.some((r) => r.type === "image")`);
    await expect.poll(() => a.evaluate(() => window.__edgeroom!.session.client.pendingCount), { timeout: 10_000 }).toBe(0);
    const img = (await imageOf(a))!;

    const [download] = await Promise.all([a.waitForEvent("download"), boardMenu(a, "Export board (.json)")]);
    const file = JSON.parse(readFileSync(await download.path(), "utf8")) as { assets?: { hash: string; type: string }[] };
    expect(file.assets?.map((x) => [x.hash, x.type])).toEqual([[img.asset, "image/png"]]);

    await a.setInputFiles("[data-testid=import-file]", await download.path());
    await a.waitForURL((u) => u.pathname.startsWith("/r/") && !u.pathname.endsWith(`/${oldRoom}`), { timeout: 20_000 });
    await waitForStatus(a, "live");
    const newRoom = roomOf(a);
    // Someone else opening the new board sees the picture: it is stored in the new room.
    const c = await openBoard(await people.person(), `http://${people.host}/r/${newRoom}?test`);
    await waitForRecords(c, `(recs) => recs.some((r) => r.type === "image")`);
    await waitForPixel(c, img.x + img.w / 2, img.y + img.h / 2, (p) => near(p, TEAL, 30));
    const stored = await fetch(`http://${people.host}/parties/whiteboard/${newRoom}/assets/${img.asset}`);
    expect(stored.status).toBe(200);
  });
});
