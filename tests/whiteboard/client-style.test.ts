/**
 * The style panel's model (what a selection shows, what a choice patches), the
 * wider palette's contrast in both themes, the new optional record fields
 * (old records stay valid), and sticky notes that grow with their text.
 */
import { describe, expect, it } from "vitest";
import { Shape } from "../../party/whiteboard/records.ts";
import type { Op } from "../../party/whiteboard/schema.ts";
import { LINE_HEIGHT, STICKY_FONT_SIZE, STICKY_PADDING, stickyHeightFor } from "../../client/whiteboard/canvas/geometry.ts";
import { draggedRecord, penRecord } from "../../client/whiteboard/canvas/record-factory.ts";
import { fillColor, selectionStyle, styleOps } from "../../client/whiteboard/canvas/style.ts";
import { commitTextOps, editingFor } from "../../client/whiteboard/canvas/text-editing.ts";
import { PALETTE, STICKY_FILLS } from "../../client/whiteboard/canvas/tools.ts";
import { inverseOps } from "../../client/whiteboard/undo.ts";
import { BOARD_PALETTES, contrast, displayInk, MIN_INK_CONTRAST, withPaintTheme } from "../../client/whiteboard/theme/board-palette.ts";

const RED = "#e03131";
const rect = (id: string, over: Partial<Extract<Shape, { type: "rect" }>> = {}): Shape => ({ id, type: "rect", x: 0, y: 0, z: 1, color: RED, stroke: 4, w: 10, h: 10, fill: null, ...over });
const pen = (id: string, over: Partial<Extract<Shape, { type: "pen" }>> = {}): Shape => ({ id, type: "pen", x: 0, y: 0, z: 1, color: RED, stroke: 4, pts: [[0, 0]], ...over });
const note = (id: string, over: Partial<Extract<Shape, { type: "sticky" }>> = {}): Shape => ({ id, type: "sticky", x: 0, y: 0, z: 1, color: "#1e1e1e", stroke: 2, w: 200, h: 200, text: "", fill: "#ffec99", ...over });
const text = (id: string): Shape => ({ id, type: "text", x: 0, y: 0, z: 1, color: RED, stroke: 2, text: "hi", size: 28 });

describe("what the style panel shows for a selection", () => {
  it.each<{ name: string; shapes: Shape[]; want: object }>([
    { name: "one rectangle: all its values, defaults for absent fields", shapes: [rect("a")], want: { color: RED, stroke: 4, fill: "none", opacity: 1, dash: "solid" } },
    { name: "a tinted, translucent, dashed rectangle", shapes: [rect("a", { fill: "#ffc9c9", opacity: 0.3, dash: "dashed" })], want: { color: RED, stroke: 4, fill: "tint", opacity: 0.3, dash: "dashed" } },
    { name: "a solid fill is the ink itself", shapes: [rect("a", { fill: RED })], want: { fill: "solid" } },
    { name: "different colours: colour is mixed", shapes: [rect("a"), rect("b", { color: "#1971c2" })], want: { color: undefined, stroke: 4 } },
    { name: "a pen stroke has no fill or dash: the rectangle's show", shapes: [rect("a", { dash: "dotted" }), pen("p")], want: { color: RED, dash: "dotted", fill: "none" } },
    { name: "a sticky note's ink is not shown", shapes: [note("n")], want: { color: undefined, stroke: undefined, opacity: 1 } },
  ])("$name", ({ shapes, want }) => {
    const got = selectionStyle(shapes);
    for (const [k, v] of Object.entries(want)) expect(got[k as keyof typeof got]).toBe(v);
  });
});

describe("what a style choice patches", () => {
  it.each<{ name: string; shapes: Shape[]; change: object; want: Op[] }>([
    { name: "colour of a filled rectangle moves its tint too", shapes: [rect("a", { fill: "#ffc9c9" })], change: { color: "#1971c2" }, want: [{ op: "patch", id: "a", set: { color: "#1971c2", fill: "#a5d8ff" } }] },
    { name: "colour of a sticky is its paper", shapes: [note("n")], change: { color: RED }, want: [{ op: "patch", id: "n", set: { fill: "#ffc9c9" } }] },
    { name: "fill only for rectangles and ellipses", shapes: [rect("a"), pen("p")], change: { fill: "solid" }, want: [{ op: "patch", id: "a", set: { fill: RED } }] },
    { name: "dash skips pen strokes and texts", shapes: [pen("p"), text("t"), rect("a")], change: { dash: "dashed" }, want: [{ op: "patch", id: "a", set: { dash: "dashed" } }] },
    { name: "opacity for every shape", shapes: [pen("p"), note("n")], change: { opacity: 0.6 }, want: [{ op: "patch", id: "p", set: { opacity: 0.6 } }, { op: "patch", id: "n", set: { opacity: 0.6 } }] },
    { name: "stroke of a text is its size", shapes: [text("t")], change: { stroke: 8 }, want: [{ op: "patch", id: "t", set: { size: 44 } }] },
  ])("$name", ({ shapes, change, want }) => {
    expect(styleOps(shapes, change)).toEqual(want);
  });

  it("a tint of an ink outside the palette is a pale mix with white", () => {
    expect(fillColor("#000000", "tint")).toBe("#bfbfbf");
    expect(fillColor(RED, "none")).toBeNull();
  });

  it("new shapes carry only the style that differs from the default", () => {
    const d = { tool: "rect" as const, x0: 0, y0: 0, x1: 50, y1: 40, sx0: 0, sy0: 0, sx1: 50, sy1: 40 };
    expect(draggedRecord(d, { id: "a", z: 1, color: RED, stroke: 4, fill: "#ffc9c9", dash: "dotted" })).toMatchObject({ fill: "#ffc9c9", dash: "dotted" });
    const stroke = penRecord([[0, 0], [5, 5]], { id: "p", z: 1, color: RED, stroke: 4, fill: "#ffc9c9" });
    expect("fill" in stroke).toBe(false);
    expect(Shape.safeParse(stroke).success).toBe(true);
  });
});

describe("records", () => {
  it.each<{ name: string; rec: unknown; ok: boolean }>([
    { name: "a record from before opacity and dash", rec: rect("a"), ok: true },
    { name: "with opacity and dash", rec: rect("a", { opacity: 0.3, dash: "dotted" }), ok: true },
    { name: "opacity 0 (invisible, unfindable) is refused", rec: { ...rect("a"), opacity: 0 }, ok: false },
    { name: "an unknown dash is refused", rec: { ...rect("a"), dash: "wavy" }, ok: false },
  ])("$name", ({ rec, ok }) => {
    expect(Shape.safeParse(rec).success).toBe(ok);
  });
});

describe("undo of a new optional field", () => {
  it("patches the field back to what its absence meant, leaving other fields", () => {
    const before = new Map([["a", rect("a")]]);
    expect(inverseOps(before, [{ op: "patch", id: "a", set: { dash: "dotted", opacity: 0.3 } }])).toEqual([{ op: "patch", id: "a", set: { dash: "solid", opacity: 1 } }]);
  });
});

describe("the wider palette", () => {
  it.each(PALETTE.map((ink) => ({ ink })))("$ink is painted as stored on the light board and readable on the dark one", ({ ink }) => {
    expect(withPaintTheme("light", () => displayInk(ink))).toBe(ink);
    const dark = withPaintTheme("dark", () => displayInk(ink));
    expect(contrast(dark, BOARD_PALETTES.dark.background)).toBeGreaterThanOrEqual(MIN_INK_CONTRAST);
    expect(STICKY_FILLS[ink]).toMatch(/^#[0-9a-f]{6}$/);
  });
});

describe("sticky notes grow with their text", () => {
  const measure = (t: string, size: number) => t.length * size * 0.5; // 10 px a character at size 20
  const lineHeight = STICKY_FONT_SIZE * LINE_HEIGHT;
  it.each<{ name: string; text: string; h: number; want: number }>([
    { name: "short text: the note keeps its size", text: "hello", h: 200, want: 200 },
    { name: "twelve lines: taller", text: Array.from({ length: 12 }, () => "line").join("\n"), h: 200, want: Math.ceil(2 * STICKY_PADDING + 12 * lineHeight) },
    { name: "a note made taller by hand stays so", text: "a\nb", h: 500, want: 500 },
  ])("$name", ({ text: t, h, want }) => {
    expect(stickyHeightFor(200, h, t, measure)).toBe(want);
  });

  it("closing the text box patches the height with the text", () => {
    const n = note("n");
    const long = Array.from({ length: 20 }, (_, i) => `row ${i}`).join("\n");
    const commit = commitTextOps(editingFor(n)!, n, long, () => ({ id: "x", z: 1, color: RED, stroke: 4 }), measure);
    expect(commit.ops).toEqual([{ op: "patch", id: "n", set: { text: long, h: Math.ceil(2 * STICKY_PADDING + 20 * lineHeight) } }]);
  });
});
