/**
 * The whiteboard's app shell in a real browser (Debian's Chromium through
 * playwright-core, against `wrangler dev`): what a person sees around the
 * canvas — the page for a mangled link, the dark theme, the phone layout, the
 * people list and the shortcut sheet. Screenshots go to test-results/.
 */
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../support/dev-server.ts";
import { drag, near, openBoard, pixelAtWorld, records, screenshot, VIEWPORT, waitForRecords, waitForStatus } from "./board-page.ts";
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

/** Dark enough to read as a dark board: every channel low. */
const isDark = (p: readonly number[]) => p.slice(0, 3).every((v) => v <= 60);
/** Light enough to read on it. */
const isLight = (p: readonly number[]) => p.slice(0, 3).every((v) => v >= 190);

describe("the dark theme", () => {
  it("follows prefers-color-scheme: dark, keeps black ink readable, and the switch flips and is remembered", async () => {
    const ctx = await person({ colorScheme: "dark" });
    const page = await openBoard(ctx, `http://${server.host}/?test`);
    // A rectangle in the default ink (black) on an empty part of the board.
    await page.keyboard.press("r");
    await drag(page, [
      [400, 300],
      [600, 450],
    ]);
    await page.keyboard.press("Escape");
    await waitForRecords(page, `(recs) => recs.some((r) => r.type === "rect")`);
    const rect = (await records(page)).find((r) => r.type === "rect")!;
    if (rect.type !== "rect") throw new Error("no rect");
    expect(rect.color).toBe("#1e1e1e"); // the stored colour is the theme-free one

    const inside = () => pixelAtWorld(page, rect.x + rect.w / 2, rect.y + rect.h / 2);
    const edge = () => pixelAtWorld(page, rect.x, rect.y + rect.h / 2);
    expect(isDark(await inside())).toBe(true);
    expect(isLight(await edge())).toBe(true);
    // The chrome is dark too: the top bar's panel.
    const panelBg = await page.getByTestId("topbar").evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(panelBg).toMatch(/^rgba?\((\d|[1-5]\d), (\d|[1-5]\d), (\d|[1-5]\d)/);
    const toggle = page.getByRole("button", { name: "Dark theme" });
    expect(await toggle.getAttribute("aria-pressed")).toBe("true");
    await screenshot(page, "dark-theme");

    // The switch: light board, the same rectangle drawn in its stored black.
    await toggle.click();
    expect(await toggle.getAttribute("aria-pressed")).toBe("false");
    expect(near(await inside(), "#f8f9fa", 12)).toBe(true);
    expect(near(await edge(), "#1e1e1e", 60)).toBe(true);
    // Remembered on this device: a reload stays light although the browser prefers dark.
    await page.reload();
    await waitForStatus(page, "live");
    await waitForRecords(page, `(recs) => recs.some((r) => r.type === "rect")`);
    expect(near(await inside(), "#f8f9fa", 12)).toBe(true);
    await page.getByRole("button", { name: "Dark theme" }).click();
    expect(isDark(await inside())).toBe(true);
  });

  it("a light-preferring browser gets the light board", async () => {
    const page = await openBoard(await person({ colorScheme: "light" }), `http://${server.host}/?test`);
    expect(near(await pixelAtWorld(page, 500, 380), "#f8f9fa", 12)).toBe(true);
    expect(await page.getByRole("button", { name: "Dark theme" }).getAttribute("aria-pressed")).toBe("false");
  });
});

const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true } as const;
/** The smallest tap target on a touch screen (px). */
const MIN_TAP_PX = 40;

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Every visible control on the page, with its accessible-ish name and box. */
async function controls(page: Page): Promise<{ name: string; box: Box }[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>("button, input, [role=radio]")]
      .filter((el) => el.getClientRects().length > 0 && !el.closest(".visually-hidden") && getComputedStyle(el).visibility !== "hidden")
      .map((el) => {
        const r = el.getBoundingClientRect();
        return { name: el.getAttribute("aria-label") ?? el.id ?? el.textContent ?? "", box: { x: r.x, y: r.y, width: r.width, height: r.height } };
      }),
  );
}

async function boxOf(page: Page, selector: string): Promise<Box> {
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not shown`);
  return box;
}

describe("a 390 × 844 touch phone", () => {
  it("the top bar fits, nothing covers the status bar, every tap target is ≥ 40 px, and the people list opens as a sheet", async () => {
    const page = await openBoard(await person(PHONE), `http://${server.host}/?test`);
    expect(await page.evaluate(() => matchMedia("(pointer: coarse)").matches)).toBe(true);

    const all = await controls(page);
    const names = all.map((c) => c.name);
    for (const wanted of ["Share", "PNG", "Dark theme", "People (1)", "Zoom in (+)", "Zoom out (-)", "Undo (Ctrl+Z)", "Red", "Thick stroke"]) {
      expect(names).toContain(wanted);
    }
    for (const { name, box } of all) {
      // Fully on screen: nothing cut off at an edge.
      expect({ name, fits: box.x >= 0 && box.y >= 0 && box.x + box.width <= 390 && box.y + box.height <= 844 }).toEqual({ name, fits: true });
      expect({ name, w: box.width >= MIN_TAP_PX, h: box.height >= MIN_TAP_PX }).toEqual({ name, w: true, h: true });
    }
    // The floating panels do not cover one another (in particular the zoom control and the status bar).
    const panels = {
      topbar: await boxOf(page, ".topbar"),
      tools: await boxOf(page, ".toolbar"),
      style: await boxOf(page, ".stylebar"),
      zoom: await boxOf(page, ".zoom"),
      status: await boxOf(page, ".status"),
    };
    const entries = Object.entries(panels);
    for (let i = 0; i < entries.length; i++) {
      for (let j = i + 1; j < entries.length; j++) {
        const [na, a] = entries[i]!;
        const [nb, b] = entries[j]!;
        expect({ pair: `${na}/${nb}`, overlap: overlaps(a, b) }).toEqual({ pair: `${na}/${nb}`, overlap: false });
      }
    }
    await screenshot(page, "phone");

    // The people list: hidden at first, a tap on People opens it on screen with your name in it.
    const sheet = page.getByTestId("people-panel");
    expect(await sheet.isVisible()).toBe(false);
    await page.getByRole("button", { name: "People (1)" }).tap();
    await sheet.waitFor({ state: "visible" });
    const sheetBox = (await sheet.boundingBox())!;
    expect(sheetBox.x >= 0 && sheetBox.x + sheetBox.width <= 390 && sheetBox.y + sheetBox.height <= 844).toBe(true);
    expect(await page.getByTestId("your-name").isVisible()).toBe(true);
    for (const { name, box } of await controls(page)) expect({ name, tap: box.height >= MIN_TAP_PX }).toEqual({ name, tap: true });
    await screenshot(page, "phone-people");
    await page.getByRole("button", { name: "Close the people list" }).tap();
    await sheet.waitFor({ state: "hidden" });

    // The tools still work by touch: tap Rectangle, it is the current tool.
    await page.getByRole("button", { name: "Rectangle (R)" }).tap();
    expect(await page.getByRole("button", { name: "Rectangle (R)" }).getAttribute("aria-pressed")).toBe("true");
  });
});
