/**
 * Shapes that hold on to each other, as people see them in two browsers
 * (Debian's Chromium through playwright-core, against `wrangler dev`): an
 * arrow dropped on a rectangle follows it when A moves it, on B's screen; a
 * label typed into a rectangle shows on B's screen while A types it, and stays;
 * a multi-selection resized by a corner of its box scales every shape on B's;
 * one eraser stroke takes what it crosses on B's screen, one undo brings it back;
 * a shape turned by its rotate handle is drawn turned on B's screen.
 */
import { describe, expect, it } from "vitest";
import type { Shape } from "../../party/whiteboard/records.ts";
import { drag, inkInWorldRect, isBackground, near, PIXEL_TIMEOUT_MS, pixelAtWorld, records, screenshot, usePeople, waitForInk, waitForPixel, waitForRecords } from "./board-page.ts";

const { twoPeople } = usePeople();

type Line = Extract<Shape, { type: "line" }>;
type Rect = Extract<Shape, { type: "rect" }>;

describe("arrows bound to shapes", () => {
  it("A moves a rectangle; the arrow bound to it follows on B's screen, with no edit of the arrow", async () => {
    const { a, b } = await twoPeople();
    await a.keyboard.press("r");
    await drag(a, [[600, 300], [800, 450]]);
    await a.keyboard.press("a");
    // From empty board to the rectangle's middle: the end binds.
    await drag(a, [[250, 375], [450, 375], [700, 375]]);
    await waitForRecords(b, `(recs) => recs.some((r) => r.type === "line" && r.end && recs.some((t) => t.id === r.end.id && t.type === "rect"))`);
    const before = await records(b);
    const arrow = before.find((r): r is Line => r.type === "line")!;
    const rect = before.find((r): r is Rect => r.type === "rect")!;
    expect(arrow.start ?? null).toBeNull();
    const [sx, sy] = [arrow.x + arrow.pts[0][0], arrow.y + arrow.pts[0][1]];
    // A point 85% of the way to the rectangle's left edge: ink on B's board.
    const along = (cx: number, cy: number, edgeX: number): [number, number] => {
      const t = ((edgeX - sx) * 0.85) / (cx - sx);
      return [sx + (cx - sx) * t, sy + (cy - sy) * t];
    };
    const oldPoint = along(rect.x + rect.w / 2, rect.y + rect.h / 2, rect.x);
    await waitForPixel(b, ...oldPoint, (p) => !isBackground(p));

    // A drags the rectangle 250 px down (pressing inside it, right of the arrow's end).
    await a.keyboard.press("Escape");
    await a.keyboard.press("v");
    await drag(a, [[760, 375], [760, 500], [760, 625]]);
    // Wait for the drag's last commit (a drag commits on the way, every 80 ms).
    await a.waitForFunction(() => document.querySelector("[data-testid=pending-count]")?.getAttribute("data-count") === "0");
    const final = (await records(a)).find((r): r is Rect => r.type === "rect")!;
    expect(final.y).toBeGreaterThan(rect.y + 200);
    await waitForRecords(b, `(recs) => recs.some((r) => r.type === "rect" && r.y === ${final.y} && r.x === ${final.x})`);
    const after = await records(b);
    const moved = after.find((r): r is Rect => r.type === "rect")!;
    // The arrow's record is just as it was: the end follows at draw time.
    expect(after.find((r) => r.id === arrow.id)).toEqual(arrow);
    const newPoint = along(moved.x + moved.w / 2, moved.y + moved.h / 2, moved.x);
    await expect.poll(async () => isBackground(await pixelAtWorld(b, ...newPoint)), { timeout: PIXEL_TIMEOUT_MS }).toBe(false);
    await expect.poll(async () => isBackground(await pixelAtWorld(b, ...oldPoint)), { timeout: PIXEL_TIMEOUT_MS }).toBe(true);
    await screenshot(b, "bound-arrow-B");
  });
});

describe("labels inside shapes", () => {
  it("A double-clicks a rectangle and types; B sees the words inside it as they are typed, and after", async () => {
    const { a, b } = await twoPeople();
    await a.keyboard.press("r");
    await drag(a, [[400, 250], [700, 450]]);
    await waitForRecords(b, `(recs) => recs.some((r) => r.type === "rect")`);
    const rect = (await records(b)).find((r): r is Rect => r.type === "rect")!;
    // The middle band of the rectangle, where a centred label goes (its outline left out).
    const middle = { x: rect.x + 20, y: rect.y + rect.h / 2 - 20, w: rect.w - 40, h: 40 };
    await waitForInk(b, middle, (n) => n === 0);
    await a.mouse.dblclick(550, 350);
    await a.getByTestId("text-editor").waitFor();
    expect(await a.getByTestId("text-editor").getAttribute("aria-label")).toBe("Label");
    await a.keyboard.type("Ship it", { delay: 30 });
    // Still typing: no edit yet, but B's board shows the words (the draft takes the rectangle's place).
    await expect.poll(() => inkInWorldRect(b, middle), { timeout: PIXEL_TIMEOUT_MS }).toBeGreaterThan(20);
    expect((await records(b)).find((r) => r.id === rect.id)).toEqual(rect);
    await a.keyboard.press("Escape");
    await waitForRecords(b, `(recs) => recs.some((r) => r.type === "rect" && r.label === "Ship it")`);
    await expect.poll(() => inkInWorldRect(b, middle), { timeout: PIXEL_TIMEOUT_MS }).toBeGreaterThan(20);
    // Drawn once, on the board, not doubled on the overlay: read once, right
    // after the paint that shows it on the board (waiting could let a double pass).
    expect(await inkInWorldRect(b, middle, "cursor-layer")).toBe(0);
    await screenshot(b, "label-B");
  });
});

describe("typing right after a double-click", () => {
  it("keeps the first letter: three rectangles double-clicked and typed into at once are labelled in full", async () => {
    const { a, b } = await twoPeople();
    const spots: [number, number][] = [
      [300, 250],
      [600, 250],
      [900, 250],
    ];
    for (const [x, y] of spots) {
      await a.keyboard.press("r");
      await drag(a, [
        [x - 100, y - 60],
        [x + 100, y + 60],
      ]);
    }
    await waitForRecords(b, `(recs) => recs.filter((r) => r.type === "rect").length === 3`);
    await a.keyboard.press("v");
    for (const [x, y] of spots) {
      // No wait for the editor: people type as soon as they have double-clicked.
      await a.mouse.dblclick(x, y);
      await a.keyboard.type("Box");
      await a.keyboard.press("Escape");
      await a.keyboard.press("Escape"); // and leave the selection
    }
    await waitForRecords(b, `(recs) => recs.filter((r) => r.type === "rect" && r.label !== undefined).length === 3`);
    const labels = (await records(b)).filter((r): r is Rect => r.type === "rect").map((r) => r.label);
    expect(labels).toEqual(["Box", "Box", "Box"]);
    // And no letter became a tool shortcut ("o" is the ellipse's): still the select tool.
    expect(await a.locator("[data-tool=select]").getAttribute("aria-pressed")).toBe("true");
  });
});

describe("resizing a multi-selection", () => {
  it("A selects two rectangles and drags the corner of their box; both grow, on B's screen too", async () => {
    const { a, b } = await twoPeople();
    await a.keyboard.press("r");
    await drag(a, [[300, 200], [400, 300]]);
    await a.keyboard.press("r");
    await drag(a, [[500, 300], [600, 400]]);
    await waitForRecords(b, `(recs) => recs.filter((r) => r.type === "rect").length === 2`);
    await a.keyboard.press("Control+a");
    // The two boxes together span 300..600 × 200..400 on screen (home camera): pull the bottom-right corner out 150 px.
    const [x1, y1] = await a.evaluate(() => {
      const recs = [...window.__edgeroom!.session.board.records().values()] as { x: number; y: number; w: number; h: number }[];
      return window.__edgeroom!.controller.worldToScreen(Math.max(...recs.map((r) => r.x + r.w)), Math.max(...recs.map((r) => r.y + r.h)));
    });
    const box = (await a.getByTestId("board").boundingBox())!;
    await drag(a, [[box.x + x1, box.y + y1], [box.x + x1 + 75, box.y + y1 + 50], [box.x + x1 + 150, box.y + y1 + 100]]);
    await waitForRecords(b, `(recs) => recs.filter((r) => r.type === "rect").every((r) => r.w > 149.5)`);
    const rects = (await records(b)).filter((r): r is Rect => r.type === "rect").sort((p, q) => p.x - q.x);
    // 300 → 450 wide and 200 → 300 tall: each 1.5 times as large, the far one moved out in proportion.
    for (const r of rects) {
      expect(r.w).toBeCloseTo(150, 0);
      expect(r.h).toBeCloseTo(150, 0);
    }
    expect(rects[1]!.x - rects[0]!.x).toBeCloseTo(300, 0);
  });
});

describe("the eraser", () => {
  it("one swipe erases both strokes it crosses (not the rectangle beside them) on B's screen; one undo brings both back", async () => {
    const { a, b } = await twoPeople();
    await a.keyboard.press("p");
    await drag(a, [[300, 200], [300, 300], [300, 400]]);
    await a.keyboard.press("p");
    await drag(a, [[400, 200], [400, 300], [400, 400]]);
    await a.keyboard.press("r");
    await drag(a, [[600, 200], [750, 400]]);
    await waitForRecords(b, `(recs) => recs.filter((r) => r.type === "pen").length === 2 && recs.some((r) => r.type === "rect")`);
    await a.keyboard.press("e");
    await drag(a, [[250, 300], [350, 300], [450, 300], [520, 300]]);
    await waitForRecords(b, `(recs) => recs.length === 1 && recs[0].type === "rect"`);
    await waitForPixel(b, 300, 250, (p) => isBackground(p));
    await a.keyboard.press("Control+z");
    await waitForRecords(b, `(recs) => recs.filter((r) => r.type === "pen").length === 2 && recs.length === 3`);
    await expect.poll(async () => isBackground(await pixelAtWorld(b, 300, 250)), { timeout: PIXEL_TIMEOUT_MS }).toBe(false);
  });
});

describe("rotation", () => {
  it("A turns a bar a quarter with the rotate handle; B's screen shows it upright", async () => {
    const { a, b } = await twoPeople();
    await a.getByRole("radio", { name: "Red", exact: true }).click();
    await a.keyboard.press("r");
    await drag(a, [[400, 380], [700, 420]]); // a 300 × 40 bar, centre (550, 400), selected
    await waitForRecords(b, `(recs) => recs.some((r) => r.type === "rect")`);
    // Where the upright bar's top edge will be: board now.
    await waitForPixel(b, 550, 250, (p) => isBackground(p));
    // The round handle 24 px above the top edge's middle; pull it round to the right of the centre.
    await drag(a, [[550, 356], [650, 330], [750, 400]]);
    await waitForRecords(b, `(recs) => recs.some((r) => r.type === "rect" && Math.abs(r.rotation - Math.PI / 2) < 0.01)`);
    await expect.poll(async () => near(await pixelAtWorld(b, 550, 250), "#e03131"), { timeout: PIXEL_TIMEOUT_MS }).toBe(true);
    await waitForPixel(b, 410, 400, (p) => isBackground(p)); // the old left end is empty
    await screenshot(b, "rotated-B");
  });
});
