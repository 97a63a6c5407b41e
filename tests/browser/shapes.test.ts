/**
 * Shapes that hold on to each other, as people see them in two browsers
 * (Debian's Chromium through playwright-core, against `wrangler dev`): an
 * arrow dropped on a rectangle follows it when A moves it, on B's screen; a
 * label typed into a rectangle shows on B's screen while A types it, and stays.
 */
import { describe, expect, it } from "vitest";
import type { Shape } from "../../party/whiteboard/records.ts";
import { drag, inkInWorldRect, isBackground, pixelAtWorld, records, screenshot, usePeople, waitForRecords } from "./board-page.ts";

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
    expect(isBackground(await pixelAtWorld(b, ...oldPoint))).toBe(false);

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
    await expect.poll(async () => isBackground(await pixelAtWorld(b, ...newPoint)), { timeout: 5_000 }).toBe(false);
    await expect.poll(async () => isBackground(await pixelAtWorld(b, ...oldPoint)), { timeout: 5_000 }).toBe(true);
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
    expect(await inkInWorldRect(b, middle)).toBe(0);
    await a.mouse.dblclick(550, 350);
    await a.getByTestId("text-editor").waitFor();
    expect(await a.getByTestId("text-editor").getAttribute("aria-label")).toBe("Label");
    await a.keyboard.type("Ship it", { delay: 30 });
    // Still typing: no edit yet, but B's board shows the words (the draft takes the rectangle's place).
    await expect.poll(() => inkInWorldRect(b, middle), { timeout: 5_000 }).toBeGreaterThan(20);
    expect((await records(b)).find((r) => r.id === rect.id)).toEqual(rect);
    await a.keyboard.press("Escape");
    await waitForRecords(b, `(recs) => recs.some((r) => r.type === "rect" && r.label === "Ship it")`);
    await expect.poll(() => inkInWorldRect(b, middle), { timeout: 5_000 }).toBeGreaterThan(20);
    expect(await inkInWorldRect(b, middle, "cursor-layer")).toBe(0); // drawn once, on the board, not doubled on the overlay
    await screenshot(b, "label-B");
  });
});
