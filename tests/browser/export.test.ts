/**
 * Export and the keyboard, as a person uses them (Debian's Chromium through
 * playwright-core, against `wrangler dev`): the context menu exports the
 * selection or, with nothing selected, the whole board as SVG or PNG, and
 * copies it as an image; the canvas takes keyboard focus (with a visible
 * ring), Tab walks its shapes, arrow keys nudge and Delete deletes.
 */
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { Shape } from "../../party/whiteboard/records.ts";
import { drag, openBoard, records, usePeople, waitForRecords } from "./board-page.ts";

const people = usePeople();
const RED = "#e03131";
const BLUE = "#1971c2";

async function boardWithTwoRects(permissions: string[] = []): Promise<Page> {
  const page = await openBoard(await people.person({ permissions }), `http://${people.host}/?test`);
  for (const [color, from, to] of [["Red", [300, 250], [450, 350]], ["Blue", [700, 300], [900, 500]]] as const) {
    await page.keyboard.press("Escape");
    await page.getByRole("radio", { name: color, exact: true }).click();
    await page.keyboard.press("r");
    await drag(page, [[...from], [...to]]);
  }
  await waitForRecords(page, `(recs) => recs.filter((r) => r.type === "rect").length === 2`);
  return page;
}

/** Open the menu at a page point and choose `item`; the download it starts, as text or bytes. */
async function exportFromMenu(page: Page, at: [number, number], item: RegExp): Promise<Buffer> {
  await page.mouse.click(at[0], at[1], { button: "right" });
  const menu = page.getByTestId("context-menu");
  await menu.waitFor();
  const [download] = await Promise.all([page.waitForEvent("download"), menu.getByRole("menuitem", { name: item }).click()]);
  return readFileSync((await download.path())!);
}

/** Width and height from a PNG's IHDR chunk. */
const pngSize = (b: Buffer) => ({ png: b.subarray(1, 4).toString() === "PNG", w: b.readUInt32BE(16), h: b.readUInt32BE(20) });

describe("export", () => {
  it("SVG and PNG of the selection hold just it; with nothing selected, of the whole board", async () => {
    const page = await boardWithTwoRects();
    // The blue rectangle is selected (just drawn): right-click it.
    const selectionSvg = (await exportFromMenu(page, [800, 400], /^Export SVG \(selection\)/)).toString();
    expect(selectionSvg.startsWith("<svg")).toBe(true);
    expect(selectionSvg.match(/<rect [^>]*stroke="/g)).toHaveLength(1);
    expect(selectionSvg).toContain(`stroke="${BLUE}"`);
    expect(selectionSvg).not.toContain(RED);
    const selectionPng = pngSize(await exportFromMenu(page, [800, 400], /^Export PNG \(selection\)/));

    await page.keyboard.press("Escape");
    await page.keyboard.press("Escape");
    const boardSvg = (await exportFromMenu(page, [600, 650], /^Export SVG$/)).toString();
    expect(boardSvg.match(/<rect [^>]*stroke="/g)).toHaveLength(2);
    expect(boardSvg).toContain(RED);
    const boardPng = pngSize(await exportFromMenu(page, [600, 650], /^Export PNG$/));
    expect(selectionPng.png && boardPng.png).toBe(true);
    // 2× scale: the selection is 200 × 200 plus margins; the board is 600 wide.
    expect(selectionPng.w).toBeLessThan(boardPng.w);
    expect(boardPng.w).toBeGreaterThan(2 * 600);
  });

  it("Copy as image puts a PNG of the selection on the system clipboard", async () => {
    const page = await boardWithTwoRects(["clipboard-read", "clipboard-write"]);
    await page.mouse.click(800, 400, { button: "right" });
    await page.getByTestId("context-menu").getByRole("menuitem", { name: /^Copy as image/ }).click();
    await page.getByText("Copied as an image.").waitFor();
    const types = await page.evaluate(async () => (await navigator.clipboard.read()).flatMap((item) => [...item.types]));
    expect(types).toContain("image/png");
  });
});

describe("the keyboard", () => {
  it("Tab focuses the canvas with a visible ring (a click, none); Tab walks the shapes, arrows nudge, Delete deletes", async () => {
    const page = await boardWithTwoRects();
    await page.keyboard.press("Escape"); // nothing selected
    // A click focuses the canvas without a ring, even when a shortcut follows.
    await page.mouse.click(640, 650);
    await page.keyboard.press("v");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("board");
    expect(await page.getByTestId("board").evaluate((el) => getComputedStyle(el).outlineStyle)).toBe("none");
    // Tab from the top bar's first button backwards reaches the canvas (first in the page).
    await page.getByRole("button", { name: "Share" }).focus();
    await page.keyboard.press("Shift+Tab");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("board");
    expect(await page.getByTestId("board").evaluate((el) => getComputedStyle(el).outlineStyle)).toBe("solid");
    const [first, second] = (await records(page)).sort((a, b) => a.z - b.z) as [Shape, Shape];
    const selection = () => page.evaluate(() => window.__edgeroom!.controller.getUi().selection);
    await page.keyboard.press("Tab");
    await expect.poll(selection, { timeout: 10_000 }).toEqual([first.id]);
    await page.keyboard.press("Tab");
    await expect.poll(selection, { timeout: 10_000 }).toEqual([second.id]);
    await page.keyboard.press("Shift+Tab");
    await expect.poll(selection, { timeout: 10_000 }).toEqual([first.id]);
    // Still on the canvas: Tab did not leave it.
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("board");
    await page.keyboard.press("Shift+ArrowRight");
    await waitForRecords(page, `(recs) => recs.some((r) => r.id === "${first.id}" && r.x === ${first.x + 10})`);
    await page.keyboard.press("Delete");
    await waitForRecords(page, `(recs) => recs.length === 1 && recs[0].id === "${second.id}"`);
  });
});
