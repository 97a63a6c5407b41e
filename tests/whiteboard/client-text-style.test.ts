/**
 * Text styles and sketchy shapes (schema 3): the record fields (old records
 * stay valid, bad values are refused with a message naming the field), what
 * the style panel shows and patches, what undo restores, what new shapes
 * take, the text box's face and alignment, sketches that are the same on
 * every screen and made once per geometry, and the SVG export.
 */
import { describe, expect, it } from "vitest";
import { Shape } from "../../party/whiteboard/records.ts";
import { whiteboard, WHITEBOARD_SCHEMA_VERSION } from "../../party/whiteboard/schema.ts";
import { exportSvg } from "../../client/whiteboard/canvas/export-svg.ts";
import { HAND_FONT_FACES, HAND_FONT_URL } from "../../client/whiteboard/canvas/fonts.ts";
import { draggedRecord, stickyRecord, textRecord } from "../../client/whiteboard/canvas/record-factory.ts";
import { MIN_SKETCH_PX, seedFor, sketchOf, sketchShows, sketchSvg } from "../../client/whiteboard/canvas/sketchy.ts";
import { selectionStyle, styleOps } from "../../client/whiteboard/canvas/style.ts";
import { editingFor, newTextEditing } from "../../client/whiteboard/canvas/text-editing.ts";
import { FONT_STACKS, HAND_FONT_NAME } from "../../client/whiteboard/canvas/text-style.ts";
import { inverseOps } from "../../client/whiteboard/undo.ts";

const INK = "#1e1e1e";
const rect = (id: string, over: Record<string, unknown> = {}) => ({ id, type: "rect", x: 0, y: 0, z: 1, color: INK, stroke: 2, w: 120, h: 80, fill: null, ...over }) as Shape;
const ellipse = (id: string, over: Record<string, unknown> = {}) => ({ id, type: "ellipse", x: 0, y: 0, z: 1, color: INK, stroke: 2, w: 120, h: 80, fill: null, ...over }) as Shape;
const note = (id: string, over: Record<string, unknown> = {}) => ({ id, type: "sticky", x: 0, y: 0, z: 1, color: INK, stroke: 2, w: 200, h: 200, text: "", fill: "#ffec99", ...over }) as Shape;
const text = (id: string, over: Record<string, unknown> = {}) => ({ id, type: "text", x: 0, y: 0, z: 1, color: INK, stroke: 2, text: "hi", size: 28, ...over }) as Shape;
const line = (id: string, over: Record<string, unknown> = {}) => ({ id, type: "line", x: 5, y: 5, z: 1, color: INK, stroke: 2, pts: [[0, 0], [200, 40]], arrow: true, ...over }) as Shape;
const pen = (id: string) => ({ id, type: "pen", x: 0, y: 0, z: 1, color: INK, stroke: 2, pts: [[0, 0]] }) as Shape;

/** The first issue's message and path, as the room's INVALID_MUTATION reports them. */
function refusal(rec: unknown): string {
  const r = Shape.safeParse(rec);
  if (r.success) return "accepted";
  const issue = r.error.issues[0]!;
  return `${issue.path.join(".")}: ${issue.message}`;
}

describe("the record fields of schema 3", () => {
  it("raise the schema to 3, a step without up: stored boards are read as they are", () => {
    expect(WHITEBOARD_SCHEMA_VERSION).toBe(3);
    expect(whiteboard.version).toBe(3);
    expect(whiteboard.migrations.map((m) => [m.version, m.up])).toEqual([[2, undefined], [3, undefined]]);
  });

  it("are optional: every record from before them stays valid", () => {
    for (const s of [rect("r"), ellipse("e"), note("n"), text("t"), line("l")]) expect(Shape.safeParse(s).success).toBe(true);
  });

  it("take every face, alignment and size the panel offers, and sketchy on rectangles, ellipses and lines", () => {
    for (const font of ["hand", "sans", "serif", "mono"]) expect(refusal(note("n", { font }))).toBe("accepted");
    for (const align of ["left", "center", "right"]) expect(refusal(rect("r", { align, fontSize: 44, label: "x" }))).toBe("accepted");
    expect(refusal(text("t", { font: "hand", align: "right", size: 16 }))).toBe("accepted");
    expect(refusal(ellipse("e", { sketchy: true }))).toBe("accepted");
    expect(refusal(line("l", { sketchy: false }))).toBe("accepted");
  });

  it("refuse bad values with a message naming the field", () => {
    expect(refusal(note("n", { font: "comic" }))).toMatch(/^font: .*"hand".*"sans".*"serif".*"mono"/);
    expect(refusal(text("t", { align: "justify" }))).toMatch(/^align: .*"left".*"center".*"right"/);
    expect(refusal(note("n", { fontSize: 2 }))).toMatch(/^fontSize: .*4/);
    expect(refusal(rect("r", { fontSize: 600 }))).toMatch(/^fontSize: .*512/);
    expect(refusal(rect("r", { fontSize: "big" }))).toMatch(/^fontSize: .*number/);
    expect(refusal(rect("r", { sketchy: "yes" }))).toMatch(/^sketchy: .*boolean/);
  });

  it("are kept only on the kinds that have them (the room strips the rest)", () => {
    const parsed = Shape.parse({ ...pen("p"), font: "hand", sketchy: true, fontSize: 30 });
    expect(parsed).not.toHaveProperty("font");
    expect(parsed).not.toHaveProperty("sketchy");
    expect(Shape.parse(text("t", { fontSize: 30 }))).not.toHaveProperty("fontSize"); // a text's size is `size`
  });
});

describe("the style panel's text style", () => {
  it("shows each kind's default for absent fields: sans, 20, a label centred, a note left", () => {
    expect(selectionStyle([note("n")])).toMatchObject({ font: "sans", fontSize: 20, align: "left" });
    expect(selectionStyle([rect("r")])).toMatchObject({ font: "sans", fontSize: 20, align: "center", sketchy: false });
    expect(selectionStyle([text("t")])).toMatchObject({ fontSize: 28, align: "left" });
    expect(selectionStyle([pen("p")]).font).toBeUndefined();
  });

  it("shows a value the selection shares, none where it differs", () => {
    const got = selectionStyle([note("n", { font: "hand", align: "right" }), text("t", { font: "hand" })]);
    expect(got.font).toBe("hand");
    expect(got.align).toBeUndefined();
  });

  it("patches only the fields each kind has: a text's size, a note's or label's fontSize, sketchy on outlines", () => {
    expect(styleOps([text("t"), rect("r"), pen("p")], { fontSize: 44 })).toEqual([
      { op: "patch", id: "t", set: { size: 44 } },
      { op: "patch", id: "r", set: { fontSize: 44 } },
    ]);
    expect(styleOps([note("n"), line("l")], { font: "mono" })).toEqual([{ op: "patch", id: "n", set: { font: "mono" } }]);
    expect(styleOps([note("n"), line("l"), rect("r")], { sketchy: true })).toEqual([
      { op: "patch", id: "l", set: { sketchy: true } },
      { op: "patch", id: "r", set: { sketchy: true } },
    ]);
  });

  it("grows a note whose words no longer fit in the larger size", () => {
    const words = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen";
    const [op] = styleOps([note("n", { text: words, h: 120 })], { fontSize: 44 });
    expect(op).toMatchObject({ op: "patch", set: { fontSize: 44 } });
    expect((op as unknown as { set: { h: number } }).set.h).toBeGreaterThan(120);
  });

  it("undo restores what an absent field meant: a label centred, a note left, sans, 20, clean", () => {
    const records = new Map<string, Shape>([["r", rect("r")], ["n", note("n")], ["l", line("l")]]);
    const ops = styleOps([...records.values()], { align: "right", font: "serif", fontSize: 28, sketchy: true });
    const undo = inverseOps(records, ops);
    expect(undo).toEqual(
      expect.arrayContaining([
        { op: "patch", id: "r", set: { font: "sans", align: "center", fontSize: 20, sketchy: false } },
        { op: "patch", id: "n", set: { font: "sans", align: "left", fontSize: 20 } },
        { op: "patch", id: "l", set: { sketchy: false } },
      ]),
    );
  });
});

describe("new shapes take the panel's text style", () => {
  const base = { id: "x", z: 1, color: INK, stroke: 2, textStyle: { font: "hand" as const, fontSize: 28, align: "center" as const, sketchy: true } };
  it("a note, a rectangle and a line take the fields they have, nothing more", () => {
    expect(stickyRecord(0, 0, base)).toMatchObject({ font: "hand", fontSize: 28, align: "center" });
    expect(stickyRecord(0, 0, base)).not.toHaveProperty("sketchy");
    const drag = { x0: 0, y0: 0, x1: 100, y1: 50, sx0: 0, sy0: 0, sx1: 100, sy1: 50 };
    expect(draggedRecord({ ...drag, tool: "rect" }, base)).toMatchObject({ font: "hand", fontSize: 28, sketchy: true });
    const arrow = draggedRecord({ ...drag, tool: "arrow" }, base);
    expect(arrow).toMatchObject({ sketchy: true });
    expect(arrow).not.toHaveProperty("font");
    for (const s of [stickyRecord(0, 0, base), draggedRecord({ ...drag, tool: "rect" }, base), arrow]) expect(Shape.safeParse(s).success).toBe(true);
  });

  it("the defaults (sans, each kind's size and alignment, clean) add no field: a record carries only what differs", () => {
    const plain = { ...base, textStyle: { font: "sans" as const, sketchy: false } };
    const t = textRecord({ x: 0, y: 0, size: 28, color: INK }, "hi", plain);
    expect(Object.keys(t).sort()).toEqual(["color", "id", "size", "stroke", "text", "type", "x", "y", "z"]);
  });
});

describe("the text box shows the words as they are drawn", () => {
  it("in the shape's face, size and alignment", () => {
    expect(editingFor(note("n", { font: "hand", fontSize: 28, align: "right" }))).toMatchObject({ font: FONT_STACKS.hand, size: 28, align: "right" });
    expect(editingFor(rect("r", { label: "x" }))).toMatchObject({ font: FONT_STACKS.sans, size: 20, align: "center" });
    expect(newTextEditing(0, 0, 44, INK, { font: "mono", align: "center" })).toMatchObject({ font: FONT_STACKS.mono, size: 44, align: "center" });
  });
});

describe("sketchy shapes", () => {
  it("are the same on every screen: the sketch depends on the id, not on chance", () => {
    const a = sketchOf(rect("same-id", { sketchy: true }) as Extract<Shape, { type: "rect" }>).parts.map((p) => p.d);
    const b = sketchOf(rect("same-id", { sketchy: true, x: 500 }) as Extract<Shape, { type: "rect" }>).parts.map((p) => p.d);
    expect(b).toEqual(a);
    const other = sketchOf(rect("other-id", { sketchy: true }) as Extract<Shape, { type: "rect" }>).parts.map((p) => p.d);
    expect(other).not.toEqual(a);
    expect(seedFor("same-id")).toBe(seedFor("same-id"));
    expect(seedFor("")).toBeGreaterThan(0);
  });

  it("are made once per geometry: moving or recolouring reuses the sketch, resizing makes a new one", () => {
    const r = rect("cached", { sketchy: true }) as Extract<Shape, { type: "rect" }>;
    const first = sketchOf(r);
    expect(sketchOf({ ...r, x: 300, y: -40, color: "#e03131" })).toBe(first);
    expect(sketchOf({ ...r, w: 121 })).not.toBe(first);
  });

  it("are painted clean where they are too small on screen to see the wobble", () => {
    const r = rect("lod", { sketchy: true, w: 160, h: 40 }) as Extract<Shape, { type: "rect" }>;
    expect(sketchShows(r, 1)).toBe(true);
    expect(sketchShows(r, MIN_SKETCH_PX / 160)).toBe(true);
    expect(sketchShows(r, (MIN_SKETCH_PX - 1) / 160)).toBe(false);
    const l = line("lod-l", { sketchy: true, pts: [[0, 0], [30, 40]] }) as Extract<Shape, { type: "line" }>;
    expect(sketchShows(l, MIN_SKETCH_PX / 50)).toBe(true);
    expect(sketchShows(l, (MIN_SKETCH_PX - 1) / 50)).toBe(false);
  });

  it("draw an arrow's head, and a filled shape's inside", () => {
    const arrow = sketchOf(line("arr", { sketchy: true }) as Extract<Shape, { type: "line" }>);
    expect(arrow.parts.some((p) => p.head)).toBe(true);
    const shape = ellipse("fe", { sketchy: true, fill: "#ffc9c9" }) as Extract<Shape, { type: "ellipse" }>;
    expect(sketchOf(shape).parts.map((p) => p.kind)).toContain("fill");
    expect(sketchSvg(shape, INK, "#ffc9c9", "")).toContain(`fill="#ffc9c9"`);
    expect(sketchSvg(shape, INK, null, "")).not.toContain(`fill="#ffc9c9"`);
  });
});

describe("SVG export of text styles and sketchy shapes", () => {
  it("writes each text in its face and alignment, and embeds the hand-drawn face when one is used", () => {
    const svg = exportSvg([text("t", { font: "hand", align: "right", text: "a\nlonger line" }), note("n", { text: "mono", font: "mono" })])!;
    // Both subsets, each for its characters: "Łódź" is written in the face too.
    expect(HAND_FONT_FACES).toHaveLength(2);
    for (const f of HAND_FONT_FACES) {
      expect(f.url).toMatch(/^data:font\/woff2;base64,/);
      expect(svg).toContain(`@font-face{font-family:"${HAND_FONT_NAME}";src:url(${f.url}) format("woff2");unicode-range:${f.range};}`);
    }
    expect(HAND_FONT_FACES[0]!.url).toBe(HAND_FONT_URL);
    expect(svg).toContain(`font-family="&quot;${HAND_FONT_NAME}&quot;`);
    expect(svg).toContain(`text-anchor="end"`);
    expect(svg).toContain("ui-monospace");
  });

  it("leaves the face out when nobody writes in it", () => {
    expect(exportSvg([text("t")])!).not.toContain("@font-face");
  });

  it("draws a sketchy shape as rough paths where it is, and a clean one as before", () => {
    const svg = exportSvg([rect("sk", { sketchy: true, x: 40, y: 60 }), rect("cl", { x: 300 })])!;
    expect(svg).toMatch(/<g transform="translate\(40 60\)"><path d="M[^"]+" fill="none" stroke="#1e1e1e"/);
    expect(svg).toContain(`<rect x="300" y="0" width="120" height="80"`);
  });
});
