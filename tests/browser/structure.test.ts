/**
 * Structure on the board, as people use it in two browsers (Debian's
 * Chromium through playwright-core, against `wrangler dev` serving the built
 * app): group and ungroup (Ctrl+G / Ctrl+Shift+G, the context menu), a group
 * moved as one and put back by one undo; lock and unlock; align and
 * distribute from the context menu, each one undo step; frames that carry
 * what they hold, are renamed and exported alone.
 */
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { Shape } from "../../party/whiteboard/records.ts";
import { byId, drag, records, screenshot, usePeople, waitForInk, waitForRecords } from "./board-page.ts";

const { twoPeople } = usePeople();
type Frame = Extract<Shape, { type: "frame" }>;

const selection = (page: Page) => page.evaluate(() => [...window.__edgeroom!.controller.getUi().selection].sort());
const settled = (page: Page) => page.waitForFunction(() => window.__edgeroom!.session.client.pendingCount === 0);
const rects = async (page: Page) => (await records(page)).filter((r): r is Extract<Shape, { type: "rect" }> => r.type === "rect").sort((p, q) => p.x - q.x);

/** Draw rectangles with the toolbar's tool, by screen corners. */
async function drawRects(page: Page, boxes: [number, number, number, number][]): Promise<void> {
  for (const [x0, y0, x1, y1] of boxes) {
    await page.keyboard.press("r");
    await drag(page, [[x0, y0], [x1, y1]]);
  }
  await page.keyboard.press("Escape");
  await settled(page);
}

describe("groups", () => {
  it("Ctrl+G groups the selection for everyone; a click selects the group, a drag moves it, one Ctrl+Z puts it back; Ctrl+Shift+G ungroups", async () => {
    const { a, b } = await twoPeople();
    await drawRects(a, [[300, 300, 400, 380], [500, 300, 600, 380], [700, 300, 800, 380]]);
    await a.keyboard.press("Escape");
    // Select the first two by clicks (shift adds), then group.
    await a.mouse.click(350, 340);
    await a.keyboard.down("Shift");
    await a.mouse.click(550, 340);
    await a.keyboard.up("Shift");
    await a.keyboard.press("Control+g");
    await waitForRecords(b, `(rs) => rs.filter((r) => r.groups?.length === 1).length === 2`);
    const [r1, r2, r3] = await rects(b);
    expect(r1!.groups).toEqual(r2!.groups);
    expect(r3!.groups ?? []).toEqual([]);

    // A click on one member selects both; the third stays out.
    await a.keyboard.press("Escape");
    await a.mouse.click(550, 340);
    expect(await selection(a)).toEqual([r1!.id, r2!.id].sort());

    // Dragging one moves both, on B's screen.
    await drag(a, [[550, 340], [560, 400], [570, 460]]);
    await settled(a);
    await waitForRecords(b, `(rs) => rs.filter((r) => r.type === "rect" && r.y > ${r1!.y + 100}).length === 2`);
    const moved = await rects(b);
    expect(moved[2]!.y).toBe(r3!.y);
    expect(moved[1]!.x - moved[0]!.x).toBe(r2!.x - r1!.x);

    // One undo: the whole group is back.
    await a.keyboard.press("Control+z");
    await waitForRecords(b, `(rs) => rs.filter((r) => r.type === "rect" && r.y === ${r1!.y}).length === 3`);

    // A double-click steps into the group: the shape alone.
    await a.mouse.click(550, 340);
    await a.mouse.dblclick(550, 340);
    expect(await selection(a)).toEqual([r2!.id]);

    // Ctrl+Shift+G on the group (selected whole again) takes it apart.
    await a.keyboard.press("Escape");
    await a.mouse.click(350, 340);
    await a.keyboard.press("Control+Shift+g");
    await waitForRecords(b, `(rs) => rs.filter((r) => r.type === "rect" && (r.groups ?? []).length === 0).length === 3`);
    await a.mouse.click(350, 340);
    expect(await selection(a)).toEqual([r1!.id]);

    // And the context menu groups too.
    await a.keyboard.press("Control+a");
    await a.mouse.click(750, 340, { button: "right" });
    await a.getByRole("menuitem", { name: /^Group/ }).click();
    await waitForRecords(b, `(rs) => { const g = rs.filter((r) => r.type === "rect").map((r) => (r.groups ?? [])[0]); return g.length === 3 && g.every((x) => x && x === g[0]); }`);
    await screenshot(a, "group-A");
  });
});

describe("locks", () => {
  it("a locked shape cannot be selected, moved or deleted; the context menu on it unlocks it", async () => {
    const { a, b } = await twoPeople();
    await drawRects(a, [[300, 300, 420, 400], [600, 300, 700, 400]]);
    const [locked] = await rects(a);
    await a.mouse.click(360, 350);
    await a.keyboard.press("Control+Shift+l");
    await waitForRecords(b, `(rs) => rs.some((r) => r.id === "${locked!.id}" && r.locked === true)`);
    expect(await selection(a)).toEqual([]);

    // A click selects nothing; a drag from inside it draws a marquee instead of moving it; Ctrl+A leaves it out; Delete cannot reach it.
    await a.mouse.click(360, 350);
    expect(await selection(a)).toEqual([]);
    await drag(a, [[360, 350], [380, 420], [400, 480]]);
    await a.keyboard.press("Control+a");
    expect(await selection(a)).not.toContain(locked!.id);
    await a.keyboard.press("Delete");
    await settled(a);
    await waitForRecords(b, `(rs) => rs.length === 1`);
    expect(await records(b)).toEqual([{ ...locked!, locked: true }]);

    // Right-click on it: Unlock. Then it is selected and moves.
    await a.mouse.click(360, 350, { button: "right" });
    await a.getByRole("menuitem", { name: "Unlock", exact: true }).click();
    await waitForRecords(b, `(rs) => rs.some((r) => r.id === "${locked!.id}" && r.locked === false)`);
    expect(await selection(a)).toEqual([locked!.id]);
    await drag(a, [[360, 350], [380, 400], [400, 450]]);
    await settled(a);
    await waitForRecords(b, `(rs) => rs.some((r) => r.id === "${locked!.id}" && r.y > ${locked!.y + 50})`);
  });
});

describe("align and distribute", () => {
  it("from the context menu: Align top lines the selection up for everyone, Distribute horizontally evens the gaps, each one undo step", async () => {
    const { a, b } = await twoPeople();
    await drawRects(a, [[200, 250, 300, 320], [380, 330, 440, 420], [700, 280, 800, 360]]);
    const before = await rects(a);
    await a.keyboard.press("Control+a");
    await a.mouse.click(250, 280, { button: "right" });
    await a.getByRole("menuitem", { name: "Align top" }).click();
    const top = Math.min(...before.map((r) => r.y));
    await waitForRecords(b, `(rs) => rs.filter((r) => r.type === "rect" && r.y === ${top}).length === 3`);

    await a.mouse.click(250, 280, { button: "right" });
    await a.getByRole("menuitem", { name: "Distribute horizontally" }).click();
    await settled(a);
    const [p, q, r] = await rects(a);
    const gap1 = q!.x - (p!.x + p!.w);
    const gap2 = r!.x - (q!.x + q!.w);
    expect(Math.abs(gap1 - gap2)).toBeLessThan(0.02);
    await waitForRecords(b, `(rs) => rs.some((r) => r.id === "${q!.id}" && r.x === ${q!.x})`);

    // One Ctrl+Z undoes the distribute, the next the align.
    await a.keyboard.press("Control+z");
    await waitForRecords(b, `(rs) => rs.some((r) => r.id === "${q!.id}" && r.x === ${before[1]!.x})`);
    await a.keyboard.press("Control+z");
    await waitForRecords(b, `(rs) => rs.some((r) => r.id === "${q!.id}" && r.y === ${before[1]!.y})`);
  });
});

describe("frames", () => {
  it("F drags out a frame; dragged by its name it takes what it holds along on B's screen; renamed by a double-click; exported alone as SVG", async () => {
    const { a, b } = await twoPeople();
    await a.keyboard.press("f");
    await drag(a, [[250, 250], [650, 550]]);
    await drawRects(a, [[350, 350, 450, 430], [800, 350, 900, 430]]);
    await waitForRecords(b, `(rs) => rs.some((r) => r.type === "frame" && r.name === "Frame") && rs.filter((r) => r.type === "rect").length === 2`);
    const frame = (await records(a)).find((r) => r.type === "frame")!;
    const [inside, outside] = await rects(a);
    // The frame's name sits just above its top-left corner.
    const [nx, ny] = await a.evaluate(([x, y]) => window.__edgeroom!.controller.worldToScreen(x as number, y as number), [frame.x + 10, frame.y - 10] as const);
    const canvasTop = await a.evaluate(() => document.querySelector("[data-testid=board]")!.getBoundingClientRect().top);
    const canvasLeft = await a.evaluate(() => document.querySelector("[data-testid=board]")!.getBoundingClientRect().left);
    const name: [number, number] = [nx + canvasLeft, ny + canvasTop];

    await a.keyboard.press("Escape");
    await drag(a, [name, [name[0] + 40, name[1] + 30], [name[0] + 100, name[1] + 60]]);
    await settled(a);
    await waitForRecords(b, `(rs) => rs.some((r) => r.id === "${inside!.id}" && r.x > ${inside!.x + 50}) && rs.some((r) => r.type === "frame" && r.x > ${frame.x + 50})`);
    const after = await records(b);
    const moved = after.find((r) => r.type === "frame")!;
    const movedIn = after.find((r) => r.id === inside!.id)!;
    expect(movedIn.x - moved.x).toBeCloseTo(inside!.x - frame.x, 1);
    expect(after.find((r) => r.id === outside!.id)).toEqual(outside);

    // Rename: double-click its name, type, Enter.
    const renamed: [number, number] = [name[0] + 100, name[1] + 60];
    await a.mouse.dblclick(...renamed);
    const box = a.getByRole("textbox", { name: "Frame name" });
    await box.waitFor();
    await box.fill("Sprint 12");
    await box.press("Enter");
    await waitForRecords(b, `(rs) => rs.some((r) => r.type === "frame" && r.name === "Sprint 12")`);

    // Exported alone: the frame selected, Export SVG (selection) holds it, its name and the rectangle inside, not the one outside.
    await a.keyboard.press("Escape");
    await a.mouse.click(...renamed);
    await a.mouse.click(renamed[0], renamed[1], { button: "right" });
    const [download] = await Promise.all([a.waitForEvent("download"), a.getByRole("menuitem", { name: /^Export SVG \(selection\)/ }).click()]);
    const svg = readFileSync((await download.path())!).toString();
    expect(svg).toContain("Sprint 12");
    expect(svg.match(/<rect [^>]*stroke="#1e1e1e"/g)).toHaveLength(1); // the rectangle inside, in black ink (the frame's border is grey)
    await screenshot(b, "frame-B");
  });
});

describe("snapping", () => {
  it("a rectangle dragged to within a few pixels of another's top lands on it, with a guide drawn while dragging; with Alt held it goes where the pointer does", async () => {
    const { a, b } = await twoPeople();
    await drawRects(a, [[300, 300, 400, 380], [600, 420, 700, 500]]);
    const [left, right] = await rects(a);
    // Drag the right one up until its top is 3 px below the left one's top, and hold it there.
    await a.mouse.move(650, 460);
    await a.mouse.down();
    await a.mouse.move(650, 400, { steps: 4 });
    await a.mouse.move(650, 343, { steps: 4 });
    // The guide: a line along the shared top, across the gap between the two (nothing else is drawn there).
    const gap = { x: left!.x + left!.w + 20, y: left!.y - 2, w: right!.x - (left!.x + left!.w) - 40, h: 4 };
    await waitForInk(a, gap, (n) => n > 20, "cursor-layer");
    await a.mouse.up();
    await settled(a);
    await waitForRecords(b, `(rs) => rs.some((r) => r.id === "${right!.id}" && r.y === ${left!.y})`);
    expect((await rects(b))[1]).toMatchObject({ x: right!.x, y: left!.y });
    // Released: the guide is gone.
    await waitForInk(a, gap, (n) => n === 0, "cursor-layer");

    // Alt held: 4 px down stays 4 px down (without it, 4 px snaps back onto the line).
    await a.keyboard.down("Alt");
    await drag(a, [[650, 340], [650, 370], [650, 344]]);
    await a.keyboard.up("Alt");
    await settled(a);
    await waitForRecords(b, `(rs) => rs.some((r) => r.id === "${right!.id}" && r.y === ${left!.y + 4})`);
  });
});

describe("snapping to equal spacing and while resizing", () => {
  it("a rectangle dragged to within a few pixels of the middle between two others lands there, the equal gaps drawn while dragging", async () => {
    const { a, b } = await twoPeople();
    await drawRects(a, [[200, 300, 300, 380], [700, 300, 800, 380], [400, 500, 500, 580]]);
    const [left, middle, right] = await rects(a);
    // The middle: equal gaps to both. Drag it to 3 px short of there, 20 px below the row's top (no edge lines up).
    const x = (left!.x + left!.w + right!.x - middle!.w) / 2;
    const [dx, dy] = [x - 3 - middle!.x, left!.y + 20 - middle!.y];
    await a.mouse.move(450, 540);
    await a.mouse.down();
    await a.mouse.move(450 + dx / 2, 540 + dy / 2, { steps: 4 });
    await a.mouse.move(450 + dx, 540 + dy, { steps: 4 });
    // The gap guide between the left one and the dragged one, midway down their overlap (and nothing else is drawn there).
    const gap = { x: left!.x + left!.w + 10, y: left!.y + 50 - 2, w: x - (left!.x + left!.w) - 20, h: 4 };
    await waitForInk(a, gap, (n) => n > 20, "cursor-layer");
    await a.mouse.up();
    await settled(a);
    await waitForRecords(b, `(rs) => rs.some((r) => r.id === "${middle!.id}" && r.x === ${x} && r.y === ${left!.y + 20})`);
    await waitForInk(a, gap, (n) => n === 0, "cursor-layer");
  });

  it("a corner dragged to within a few pixels of another rectangle's edge lands on it", async () => {
    const { a, b } = await twoPeople();
    await drawRects(a, [[200, 300, 300, 380], [500, 300, 600, 380]]);
    const [left, right] = await rects(a);
    await a.mouse.click(250, 340);
    await a.waitForFunction((id) => window.__edgeroom!.controller.getUi().selection.includes(id), left!.id);
    // The bottom-right corner to 3 px short of the right one's left edge, 50 px lower (no line there).
    await drag(a, [[300, 380], [400, 410], [497, 430]]);
    await settled(a);
    await waitForRecords(b, `(rs) => rs.some((r) => r.id === "${left!.id}" && r.x + r.w === ${right!.x})`);
    const resized = (await rects(b)).find((r) => r.id === left!.id)!;
    expect(resized).toMatchObject({ x: left!.x, y: left!.y, w: right!.x - left!.x, h: left!.h + 50 });
  });
});

describe("the arrange bar", () => {
  it("its buttons group, ungroup, align, distribute and lock the selection, as the shortcuts do", async () => {
    const { a, b } = await twoPeople();
    expect(await a.getByTestId("arrange-bar").count()).toBe(0); // nothing selected, nothing locked
    await drawRects(a, [[200, 250, 300, 320], [380, 330, 440, 420], [700, 280, 800, 360]]);
    const before = await rects(a);
    await a.keyboard.press("Control+a");
    const bar = a.getByTestId("arrange-bar");
    await bar.getByRole("button", { name: "Align top" }).click();
    const top = Math.min(...before.map((r) => r.y));
    await waitForRecords(b, `(rs) => rs.filter((r) => r.type === "rect" && r.y === ${top}).length === 3`);
    await bar.getByRole("button", { name: "Distribute horizontally" }).click();
    await settled(a);
    const [p, q, r] = await rects(a);
    expect(Math.abs(q!.x - (p!.x + p!.w) - (r!.x - (q!.x + q!.w)))).toBeLessThan(0.02);

    // Group: one group for everyone; then Ungroup is offered and takes it apart.
    await bar.getByRole("button", { name: /^Group/ }).click();
    await waitForRecords(b, `(rs) => { const g = rs.filter((r) => r.type === "rect").map((r) => (r.groups ?? [])[0]); return g.length === 3 && g.every((x) => x && x === g[0]); }`);
    await expect.poll(() => bar.getByRole("button", { name: /^Group/ }).isDisabled(), { timeout: 10_000 }).toBe(true);
    await bar.getByRole("button", { name: /^Ungroup/ }).click();
    await waitForRecords(b, `(rs) => rs.filter((r) => r.type === "rect" && (r.groups ?? []).length === 0).length === 3`);

    // Lock: deselected and locked; the bar stays for "Unlock all", which frees them.
    await bar.getByRole("button", { name: /^Lock/ }).click();
    await waitForRecords(b, `(rs) => rs.filter((r) => r.type === "rect" && r.locked === true).length === 3`);
    expect(await selection(a)).toEqual([]);
    await bar.getByRole("button", { name: "Unlock all" }).click();
    await waitForRecords(b, `(rs) => rs.filter((r) => r.type === "rect" && r.locked === false).length === 3`);
    expect(await selection(a)).toHaveLength(3);
  });
});

describe("a frame deleted or duplicated", () => {
  it("Delete on a frame deletes what it holds for everyone, one Ctrl+Z brings all back; Ctrl+D copies it with its contents inside the copy", async () => {
    const { a, b } = await twoPeople();
    await a.keyboard.press("f");
    await drag(a, [[250, 250], [650, 550]]);
    await drawRects(a, [[350, 350, 450, 430], [800, 350, 900, 430]]);
    await waitForRecords(b, `(rs) => rs.length === 3`);
    const before = await records(b);
    const frame = before.find((r): r is Frame => r.type === "frame")!;
    // Select the frame by its border (a press inside it would start a marquee).
    const box = (await a.getByTestId("board").boundingBox())!;
    const [lx, ly] = await a.evaluate(([x, y]) => window.__edgeroom!.controller.worldToScreen(x as number, y as number), [frame.x, frame.y + frame.h / 2] as const);
    await a.mouse.click(box.x + lx, box.y + ly);
    expect(await selection(a)).toEqual([frame.id]);

    await a.keyboard.press("Delete");
    await waitForRecords(b, `(rs) => rs.length === 1 && rs[0].type === "rect" && rs[0].x > ${frame.x + frame.w}`);
    await a.keyboard.press("Control+z");
    await waitForRecords(b, `(rs) => rs.length === 3`);
    expect(byId(await records(b))).toEqual(byId(before));

    await a.mouse.click(box.x + lx, box.y + ly);
    await a.keyboard.press("Control+d");
    await waitForRecords(b, `(rs) => rs.length === 5`);
    const after = await records(b);
    const copy = after.find((r): r is Frame => r.type === "frame" && r.id !== frame.id)!;
    const held = after.filter((r) => r.type === "rect" && r.x >= copy.x && r.x < copy.x + copy.w && r.y >= copy.y && r.y < copy.y + copy.h && !before.some((o) => o.id === r.id));
    expect(held).toHaveLength(1);
  });
});
