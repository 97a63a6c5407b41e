/**
 * The whiteboard's app shell in a real browser (Debian's Chromium through
 * playwright-core, against `wrangler dev`): what a person sees around the
 * canvas — the page for a mangled link, the dark theme, the phone layout, the
 * people list and the shortcut sheet. Screenshots go to test-results/.
 */
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../support/dev-server.ts";
import { screenshot, VIEWPORT, waitForStatus } from "./board-page.ts";
import { launchChromium } from "./chromium.ts";

let server: DevServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  server = await startDevServer("wrangler");
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});

async function person(options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: VIEWPORT, ...options });
  contexts.push(context);
  return context;
}

describe("a mangled room link", () => {
  it("shows 'this link is not a valid board', opens no room, and offers a new board", async () => {
    const page = await (await person()).newPage();
    const sockets: string[] = [];
    page.on("websocket", (ws) => sockets.push(ws.url()));
    const mangled = ["/r/bad!id", `/r/${"a".repeat(65)}`, "/r/a/b", "/r/", "/r/two%20words", "/?room=bad!id"];
    for (const path of mangled) {
      await page.goto(`http://${server.host}${path}${path.includes("?") ? "&" : "?"}test`);
      await page.getByRole("heading", { name: "This link is not a valid board" }).waitFor({ timeout: 10_000 });
      // The address is left alone and no board is drawn: nothing looks wiped.
      expect(page.url()).toContain(path.split("?")[0]);
      expect(await page.locator("[data-testid=board]").count()).toBe(0);
      expect(await page.getByTestId("invalid-link").textContent()).toContain("does not name a board");
    }
    await screenshot(page, "invalid-link");
    expect(sockets).toEqual([]);

    await page.getByRole("button", { name: "Create a new board" }).click();
    await waitForStatus(page, "live");
    expect(page.url()).toMatch(/\/r\/[a-z0-9]{12}\?test$/);
  });

  it("a 64-character id is still a board (the limit is the room's own)", async () => {
    const page = await (await person()).newPage();
    const id = "b".repeat(64);
    await page.goto(`http://${server.host}/r/${id}?test`);
    await waitForStatus(page, "live");
    expect(await page.locator("[data-testid=invalid-link]").count()).toBe(0);
    expect(new URL(page.url()).pathname).toBe(`/r/${id}`);
  });
});
