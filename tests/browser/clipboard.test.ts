/**
 * Copy, paste, duplicate, the context menu and z-order as people see them:
 * two browser contexts in one room (Debian's Chromium through playwright-core,
 * against `wrangler dev`). A's Ctrl+C / Ctrl+V must give a second shape on
 * B's canvas; a copy must also paste into another board through the system
 * clipboard; the menu's commands must do what they say.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { Shape } from "../../party/whiteboard/records.ts";
import { drag, near, openBoard, records, screenshot, usePeople, waitForPixel, waitForRecords } from "./board-page.ts";

const RED = "#e03131";
const BLUE = "#1971c2";

const people = usePeople();
const { twoPeople, person } = people;

async function drawRect(page: Page, color: string, from: [number, number], to: [number, number]): Promise<void> {
  await page.getByRole("radio", { name: color, exact: true }).click();
  await page.keyboard.press("r");
  await drag(page, [from, to]);
}

const rects = (recs: Shape[]) => recs.filter((r): r is Extract<Shape, { type: "rect" }> => r.type === "rect");

describe("copy and paste", () => {
  it("A's Ctrl+C, Ctrl+V makes a second shape, a step away, that B sees", async () => {
    const { a, b } = await twoPeople();
    await drawRect(a, "Red", [300, 250], [460, 370]); // selected after drawing
    await waitForRecords(b, `(recs) => recs.filter((r) => r.type === "rect").length === 1`);
    await a.keyboard.press("Control+c");
    await a.keyboard.press("Control+v");
    await waitForRecords(b, `(recs) => recs.filter((r) => r.type === "rect").length === 2`);
    const [first, copy] = rects(await records(b)).sort((p, q) => p.z - q.z);
    expect(copy!.id).not.toBe(first!.id);
    expect(copy!.x).toBeGreaterThan(first!.x);
    expect(copy!.y).toBeGreaterThan(first!.y);
    expect([copy!.w, copy!.h, copy!.color]).toEqual([first!.w, first!.h, first!.color]);
    // B's canvas: the copy's right edge is red where the original has no ink.
    await waitForPixel(b, copy!.x + copy!.w, copy!.y + copy!.h / 2, (p) => near(p, RED));
    // The copy is what A has selected: Delete removes it, not the original, on B's board too.
    await a.keyboard.press("Delete");
    await waitForRecords(b, `(recs) => recs.filter((r) => r.type === "rect").length === 1 && recs[0].id === ${JSON.stringify(first!.id)}`);
    // One undo step brings the pasted copy back.
    await a.keyboard.press("Control+z");
    await waitForRecords(b, `(recs) => recs.filter((r) => r.type === "rect").length === 2`);
    await screenshot(b, "paste-B");
  });

  it("a copy pastes into another board, through the system clipboard, keeping its place", async () => {
    const { a, ctxA } = await twoPeople();
    await drawRect(a, "Blue", [320, 260], [420, 340]);
    await waitForRecords(a, `(recs) => recs.length === 1`);
    await a.keyboard.press("Control+c");
    const other = await openBoard(ctxA, `http://${people.host}/?test`); // another room, another tab
    expect(other.url()).not.toBe(a.url());
    await other.bringToFront();
    await other.locator("[data-testid=board]").click({ position: { x: 900, y: 600 } }); // focus the page
    await other.keyboard.press("Control+v");
    await waitForRecords(other, `(recs) => recs.length === 1 && recs[0].type === "rect"`);
    const [src] = rects(await records(a));
    const [pasted] = rects(await records(other));
    expect(pasted!.id).not.toBe(src!.id);
    expect([pasted!.x, pasted!.y, pasted!.w, pasted!.color]).toEqual([src!.x, src!.y, src!.w, src!.color]);
    await waitForPixel(other, pasted!.x, pasted!.y + pasted!.h / 2, (p) => near(p, BLUE));
  });
});

describe("duplicate, context menu and z-order", () => {
  it("Ctrl+D duplicates; the menu duplicates, brings to front and deletes; B sees each", async () => {
    const { a, b } = await twoPeople();
    await drawRect(a, "Red", [300, 250], [460, 370]);
    await a.keyboard.press("Control+d");
    await waitForRecords(b, `(recs) => recs.filter((r) => r.type === "rect").length === 2`);
    await a.keyboard.press("Escape");
    // A blue rectangle across the red one's right edge: where the edges cross, the upper one's ink shows.
    await drawRect(a, "Blue", [420, 280], [500, 340]);
    await a.keyboard.press("Escape");
    await waitForRecords(b, `(recs) => recs.length === 3`);
    const [red] = rects(await records(b)).sort((p, q) => p.z - q.z);
    // Right-click on the red one's edge (below the blue): the menu, red selected.
    const [sx, sy] = await a.evaluate(([x, y]) => window.__edgeroom!.controller.worldToScreen(x, y), [red!.x, red!.y + red!.h - 4] as [number, number]);
    await a.mouse.click(sx, sy, { button: "right" });
    const menu = a.getByRole("menu", { name: "Shape actions" });
    await menu.waitFor();
    await screenshot(a, "context-menu");
    await menu.getByRole("menuitem", { name: /Bring to front/ }).click();
    await waitForRecords(b, `(recs) => { const top = recs.reduce((m, r) => (r.z > m.z ? r : m)); return top.id === ${JSON.stringify(red!.id)}; }`);
    await menu.waitFor({ state: "detached", timeout: 10_000 }); // the menu closes after a command
    const blue = rects(await records(b)).find((r) => r.color === BLUE)!;
    const crossing = [red!.x + red!.w, blue.y] as const;
    await waitForPixel(b, ...crossing, (p) => near(p, RED)); // red on top on B's canvas
    await a.mouse.click(sx, sy, { button: "right" });
    await menu.getByRole("menuitem", { name: /Send to back/ }).click();
    await waitForRecords(b, `(recs) => { const low = recs.reduce((m, r) => (r.z < m.z ? r : m)); return low.id === ${JSON.stringify(red!.id)}; }`);
    await waitForPixel(b, ...crossing, (p) => near(p, BLUE)); // now under the blue one
    await a.mouse.click(sx, sy, { button: "right" });
    await menu.getByRole("menuitem", { name: /Duplicate/ }).click();
    await waitForRecords(b, `(recs) => recs.length === 4`);
    await a.mouse.click(sx, sy, { button: "right" });
    await menu.getByRole("menuitem", { name: /Delete/ }).click();
    await waitForRecords(b, `(recs) => recs.length === 3 && !recs.some((r) => r.id === ${JSON.stringify(red!.id)})`);
  });

  it("Ctrl+Shift+] and Ctrl+Shift+[ restack the selection", async () => {
    const { a, b } = await twoPeople();
    await drawRect(a, "Red", [300, 250], [460, 370]);
    await a.keyboard.press("Escape");
    await drawRect(a, "Blue", [420, 280], [500, 340]);
    await waitForRecords(b, `(recs) => recs.length === 2`);
    const blueId = rects(await records(a)).find((r) => r.color === BLUE)!.id;
    await a.keyboard.press("Control+Shift+BracketLeft"); // the blue one (selected) to the back
    await waitForRecords(b, `(recs) => recs.reduce((m, r) => (r.z < m.z ? r : m)).id === ${JSON.stringify(blueId)}`);
    await a.keyboard.press("Control+Shift+BracketRight");
    await waitForRecords(b, `(recs) => recs.reduce((m, r) => (r.z > m.z ? r : m)).id === ${JSON.stringify(blueId)}`);
  });
});
