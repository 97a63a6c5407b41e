/**
 * Touch, as a person with a phone or tablet does it (a `hasTouch` context;
 * multi-touch through the devtools protocol's Input.dispatchTouchEvent, which
 * Chromium turns into touch pointer events): a two-finger pinch with the pen
 * tool zooms and leaves no ink; two fingers pan in any tool; one finger pans
 * with the hand tool.
 */
import type { CDPSession, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { Shape } from "../../party/whiteboard/records.ts";
import { inkInWorldRect, openBoard, records, usePeople } from "./board-page.ts";

const people = usePeople();

async function touchBoard(): Promise<{ page: Page; touch: (type: "touchStart" | "touchMove" | "touchEnd", points: [number, number][]) => Promise<void> }> {
  const ctx = await people.person({ hasTouch: true });
  const page = await openBoard(ctx, `http://${people.host}/?test`);
  const cdp: CDPSession = await ctx.newCDPSession(page);
  const touch = async (type: "touchStart" | "touchMove" | "touchEnd", points: [number, number][]) => {
    await cdp.send("Input.dispatchTouchEvent", { type, touchPoints: points.map(([x, y], id) => ({ x, y, id })) });
  };
  return { page, touch };
}

const view = (page: Page) => page.evaluate(() => window.__edgeroom!.controller.view());

describe("touch", () => {
  it("a two-finger pinch with the pen tool zooms about the fingers and leaves no ink", async () => {
    const { page, touch } = await touchBoard();
    await page.keyboard.press("p");
    const before = await view(page);
    // One finger starts a stroke (the pen draws it as a draft)...
    await touch("touchStart", [[600, 400]]);
    for (let i = 1; i <= 4; i++) await touch("touchMove", [[600 + i * 10, 400 + i * 5]]);
    // ...then a second finger lands, and the two spread apart.
    await touch("touchStart", [[640, 420], [760, 420]]);
    for (let i = 1; i <= 10; i++) await touch("touchMove", [[640 - i * 15, 420], [760 + i * 15, 420]]);
    await touch("touchEnd", []);
    const after = await view(page);
    // 120 px apart, then 420: the board is 3.5 times as large.
    expect(after.zoom / before.zoom).toBeGreaterThan(3);
    expect(after.zoom / before.zoom).toBeLessThan(4);
    // No stroke is drawn (board or draft overlay)…
    const around = { x: after.x - 200, y: after.y - 150, w: 400, h: 300 };
    // Absence, read once (waiting for "nothing" would let a stroke that came and went pass).
    expect(await inkInWorldRect(page, around, "cursor-layer")).toBe(0);
    expect(await inkInWorldRect(page, around, "board")).toBe(0);
    // The pen still draws with one finger afterwards: a level stroke, unlike the
    // first finger's slanted one.
    await touch("touchStart", [[300, 300]]);
    for (let i = 1; i <= 5; i++) await touch("touchMove", [[300 + i * 20, 300]]);
    await touch("touchEnd", []);
    const level = (r: Shape) => r.type === "pen" && r.pts.every((p) => p[1] === r.pts[0]![1]);
    await expect.poll(async () => (await records(page)).some(level), { timeout: 10_000 }).toBe(true);
    // …and no stroke was made by the pinch: the later stroke is in, so one the
    // pinch made (earlier) would be too. It is the only record.
    expect(await records(page)).toHaveLength(1);
  });

  it("two fingers pan with the select tool without moving or selecting; one finger pans with the hand tool", async () => {
    const { page, touch } = await touchBoard();
    const start = await view(page);
    await touch("touchStart", [[500, 400]]);
    await touch("touchStart", [[500, 400], [700, 400]]);
    for (let i = 1; i <= 5; i++) await touch("touchMove", [[500 - i * 20, 400 - i * 10], [700 - i * 20, 400 - i * 10]]);
    await touch("touchEnd", []);
    const panned = await view(page);
    expect(panned.zoom).toBeCloseTo(start.zoom, 5);
    expect(panned.x - start.x).toBeCloseTo(100, 0);
    expect(panned.y - start.y).toBeCloseTo(50, 0);

    await page.keyboard.press("h");
    await touch("touchStart", [[400, 400]]);
    for (let i = 1; i <= 5; i++) await touch("touchMove", [[400 + i * 30, 400]]);
    await touch("touchEnd", []);
    const handPanned = await view(page);
    expect(handPanned.x - panned.x).toBeCloseTo(-150, 0);
    expect(await records(page)).toHaveLength(0);
  });
});
