/**
 * `npm run dev` offline, as a developer trying the board meets it: open the
 * board, go offline, reload. Before, the dev server's service worker kept only
 * the page, not the unbundled modules it loads, so the reload showed a blank
 * page — still blank a minute after the network came back. Now the board
 * opens offline (edits drawn offline stay pending) and goes live again when
 * the network returns, with the offline edit delivered.
 */
import { describe, expect, it } from "vitest";
import { drag, openBoard, records, usePeople, waitForStatus } from "./board-page.ts";

const people = usePeople("vite");

describe("npm run dev, offline", () => {
  it("a reload while offline opens the board with its pending edit, and it goes live again when the network returns", async () => {
    const context = await people.person();
    const page = await openBoard(context, `http://${people.host}/?test`);
    const url = page.url();
    await page.waitForFunction(async () => (await navigator.serviceWorker.ready) && navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
    // The worker has kept the dev page's modules (its entry and what it
    // imports): wait until the kept set stops growing.
    const kept = () => page.evaluate(async () => (await (await caches.open("edgeroom-shell-v2")).keys()).length);
    let last = -1;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
      const n = await kept();
      if (n === last && n > 100) break;
      last = n;
      await new Promise((r) => setTimeout(r, 1_500));
    }
    await context.setOffline(true);
    await waitForStatus(page, "offline");
    await page.keyboard.press("r");
    await drag(page, [
      [300, 250],
      [500, 400],
    ]);
    // The edit is in IndexedDB before the reload (a reload in the same moment as the edit is not what this is about).
    await page.waitForFunction(() => window.__edgeroom!.session.client.pendingCount === 1);
    await page.evaluate(() => window.__edgeroom!.session.client.saved());
    await page.reload();
    // The board, not a blank page: the app ran, offline, with the edit still there.
    await waitForStatus(page, "offline", 30_000);
    expect(page.url()).toBe(url);
    await page.waitForFunction(() => window.__edgeroom!.session.client.pendingCount === 1, null, { timeout: 15_000 });
    expect((await records(page)).map((r) => r.type)).toEqual(["rect"]);

    await context.setOffline(false);
    await waitForStatus(page, "live", 60_000);
    await page.waitForFunction(() => window.__edgeroom!.session.client.pendingCount === 0, null, { timeout: 30_000 });
    expect((await records(page)).map((r) => r.type)).toEqual(["rect"]);
  });
});
