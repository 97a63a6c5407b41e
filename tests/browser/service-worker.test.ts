/**
 * The offline shell in a real browser: the service worker stores only the
 * board's own HTML as the page to show offline. Before, any navigation's
 * response became the shell — after one visit to /sw.js, the board opened
 * offline showed that script's source.
 */
import { describe, expect, it } from "vitest";
import { openBoard, usePeople, waitForStatus } from "./board-page.ts";

const people = usePeople();

describe("service worker", () => {
  it("after visiting /sw.js and a stats URL, a board opened offline is still the board", async () => {
    const context = await people.person();
    const page = await openBoard(context, `http://${people.host}/r/sw-shell?test`);
    await page.waitForFunction(async () => (await navigator.serviceWorker.ready) && navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
    // Navigations to things that are not the board go to the network untouched.
    const script = await page.goto(`http://${people.host}/sw.js`);
    expect(await script!.text()).toContain("addEventListener");
    await page.goto(`http://${people.host}/parties/whiteboard/sw-shell/stats`);

    await context.setOffline(true);
    await page.goto(`http://${people.host}/r/sw-shell?test`);
    await waitForStatus(page, "offline");
    expect(await page.locator("canvas").count()).toBeGreaterThan(0);
    expect(await page.textContent("body")).not.toContain("addEventListener");
  });
});
