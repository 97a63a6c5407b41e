/**
 * Shapes that hold on to each other, as people see them in two browsers
 * (Debian's Chromium through playwright-core, against `wrangler dev`): an
 * arrow dropped on a rectangle follows it when A moves it, on B's screen.
 */
import { describe, expect, it } from "vitest";
import type { Shape } from "../../party/whiteboard/records.ts";
import { drag, isBackground, pixelAtWorld, records, screenshot, usePeople, waitForRecords } from "./board-page.ts";

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
    await waitForRecords(b, `(recs) => recs.some((r) => r.type === "rect" && r.y > ${rect.y + 200})`);
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
