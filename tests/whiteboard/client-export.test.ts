/**
 * SVG export (export-svg.ts) and keyboard selection (keyboard.ts): what the
 * file holds for each kind of shape, and which shape Tab selects next.
 */
import { describe, expect, it } from "vitest";
import type { Shape } from "../../party/whiteboard/records.ts";
import { exportSvg } from "../../client/whiteboard/canvas/export-svg.ts";
import { keyCommand, nextInCycle } from "../../client/whiteboard/canvas/keyboard.ts";

const common = { z: 1, color: "#e03131", stroke: 2 };
const shapes: Shape[] = [
  { ...common, id: "r", type: "rect", x: 0, y: 0, w: 300, h: 50, fill: null, label: "Q&A <now>", dash: "dashed" },
  { ...common, id: "e", type: "ellipse", x: 200, y: 0, w: 80, h: 40, fill: "#e03131", opacity: 0.5 },
  { ...common, id: "l", type: "line", x: 0, y: 100, pts: [[0, 0], [100, 0]], arrow: true },
  { ...common, id: "p", type: "pen", x: 0, y: 200, pts: [[0, 0], [10, 10], [20, 0]] },
  { ...common, id: "t", type: "text", x: 0, y: 300, text: "hello\nworld", size: 20 },
  { ...common, id: "s", type: "sticky", x: 300, y: 300, w: 200, h: 200, text: "note", fill: "#ffec99", color: "#1e1e1e" },
];

describe("SVG export", () => {
  it("draws every kind of shape, escapes text, and keeps dash, fill and opacity", () => {
    const svg = exportSvg(shapes)!;
    expect(svg.startsWith(`<svg xmlns="http://www.w3.org/2000/svg"`)).toBe(true);
    expect(svg).toContain(`<rect x="0" y="0" width="300" height="50" fill="none" stroke="#e03131"`);
    expect(svg).toContain("stroke-dasharray=");
    expect(svg).toContain("Q&amp;A &lt;now&gt;");
    expect(svg).toContain(`<g opacity="0.5"><ellipse`);
    expect(svg).toMatch(/<line [^>]*\/><polygon /); // the arrow head
    expect(svg).toMatch(/<path d="M[^"]+Z" fill="#e03131"\/>/);
    expect(svg.match(/>hello<|>world</g)).toHaveLength(2);
    expect(svg).toContain(`fill="#ffec99"`);
  });

  it("has nothing to export for no shapes", () => {
    expect(exportSvg([])).toBeNull();
  });
});

describe("keyboard selection", () => {
  const ids = [{ id: "a" }, { id: "b" }, { id: "c" }];
  it.each([
    { selection: [], dir: 1 as const, want: "a" },
    { selection: [], dir: -1 as const, want: "c" },
    { selection: ["a"], dir: 1 as const, want: "b" },
    { selection: ["c"], dir: 1 as const, want: "a" },
    { selection: ["a"], dir: -1 as const, want: "c" },
    { selection: ["b", "a"], dir: 1 as const, want: "b" },
  ])("Tab from $selection (dir $dir) selects $want", ({ selection, dir, want }) => {
    expect(nextInCycle(ids, selection, dir)?.id).toBe(want);
  });

  it("Tab is the board's only while the canvas has focus", () => {
    const tab = { key: "Tab", ctrlKey: false, metaKey: false, shiftKey: true, altKey: false };
    expect(keyCommand(tab, { selectionSize: 0, canvasFocused: true })?.command).toEqual({ kind: "cycle", dir: -1 });
    expect(keyCommand(tab, { selectionSize: 0 })).toBeNull();
  });
});
