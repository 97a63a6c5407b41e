/**
 * Labels inside rectangles and ellipses, and what others see while a text box
 * is open (text-editing.ts, geometry.ts): the label's box, what closing it
 * does, the live draft of each kind of text, and the wrapping the painter and
 * the text box share.
 */
import { describe, expect, it } from "vitest";
import { Shape } from "../../party/whiteboard/records.ts";
import { LABEL_PADDING, labelLines, labelWidth, type MeasureText } from "../../client/whiteboard/canvas/geometry.ts";
import { commitTextOps, editingFor, newTextEditing, typingDraft } from "../../client/whiteboard/canvas/text-editing.ts";

type Box = Extract<Shape, { type: "rect" | "ellipse" }>;
const box = (type: "rect" | "ellipse", label?: string): Box => ({ id: "b", type, x: 10, y: 20, z: 1, color: "#1e1e1e", stroke: 2, w: 200, h: 100, fill: null, ...(label === undefined ? {} : { label }) });
const base = () => ({ id: "new", z: 9, color: "#e03131", stroke: 2 });
/** Every character 10 units wide: wrapping without a canvas. */
const tenEach: MeasureText = (t) => t.length * 10;

describe("labels", () => {
  it("double-clicking a rectangle or ellipse opens a label box over the whole shape, holding its label", () => {
    expect(editingFor(box("rect", "Hi"))).toMatchObject({ id: "b", kind: "label", x: 10, y: 20, w: 200, h: 100, text: "Hi", wrap: 200 - 2 * LABEL_PADDING });
    expect(editingFor(box("ellipse"))).toMatchObject({ kind: "label", text: "" });
    // An ellipse's words keep inside it: the inscribed rectangle's width.
    expect(labelWidth(box("ellipse"))).toBeCloseTo(200 * Math.SQRT1_2 - 2 * LABEL_PADDING);
  });

  it.each<{ name: string; before: string | undefined; typed: string; want: unknown[] }>([
    { name: "typing a label patches just the label", before: undefined, typed: "Plan", want: [{ op: "patch", id: "b", set: { label: "Plan" } }] },
    { name: "an unchanged label changes nothing", before: "Plan", typed: "Plan", want: [] },
    { name: "emptying a label keeps the shape", before: "Plan", typed: "", want: [{ op: "patch", id: "b", set: { label: "" } }] },
  ])("$name", ({ before, typed, want }) => {
    const s = box("rect", before);
    expect(commitTextOps(editingFor(s)!, s, typed, base).ops).toEqual(want);
  });

  it("a rectangle or ellipse without a label (written before labels) is valid; so is one with", () => {
    expect(Shape.safeParse(box("rect")).success).toBe(true);
    expect(Shape.safeParse(box("ellipse", "Idea")).success).toBe(true);
    expect(Shape.safeParse({ ...box("rect"), label: "x".repeat(10_001) }).success).toBe(false);
  });

  it("wraps at spaces to the label's width, a long word on its own line", () => {
    const s = box("rect", "one two three fourfivesixseveneight nine"); // 184 units wide at 10 a character
    expect(labelLines(s, tenEach)).toEqual(["one two three", "fourfivesixseveneight", "nine"]);
  });
});

describe("what others see while a text box is open", () => {
  it("a label being typed: the shape with the label so far", () => {
    const s = box("ellipse");
    expect(typingDraft(editingFor(s)!, s, "Hel", base)).toEqual({ ...s, label: "Hel" });
  });

  it("a new text being typed: a text record; nothing while it is blank", () => {
    const editing = newTextEditing(100, 100, 24, "#1e1e1e");
    expect(typingDraft(editing, undefined, "Hi", base)).toMatchObject({ type: "text", text: "Hi", x: 100 });
    expect(typingDraft(editing, undefined, "  ", base)).toBeNull();
  });

  it("a sticky note being typed grows as it will when closed", () => {
    const note: Shape = { id: "n", type: "sticky", x: 0, y: 0, z: 1, color: "#1e1e1e", stroke: 2, w: 100, h: 60, text: "", fill: "#ffec99" };
    const draft = typingDraft(editingFor(note)!, note, "a\nb\nc\nd", base, tenEach);
    expect(draft).toMatchObject({ id: "n", text: "a\nb\nc\nd" });
    expect((draft as Extract<Shape, { type: "sticky" }>).h).toBeGreaterThan(60);
  });
});
