/**
 * The whiteboard's tools and drawing styles: names, keyboard shortcuts, the
 * palettes, and how a chosen style becomes a record's fields.
 */
import type { Op } from "../../../party/whiteboard/schema.ts";
import type { Shape } from "../../../party/whiteboard/records.ts";

export type Tool = "select" | "hand" | "pen" | "rect" | "ellipse" | "line" | "arrow" | "text" | "sticky";

export interface ToolInfo {
  tool: Tool;
  label: string;
  /** Single-key shortcut (lower case). */
  key: string;
}

export const TOOLS: readonly ToolInfo[] = [
  { tool: "select", label: "Select", key: "v" },
  { tool: "hand", label: "Hand (pan)", key: "h" },
  { tool: "pen", label: "Pen", key: "p" },
  { tool: "rect", label: "Rectangle", key: "r" },
  { tool: "ellipse", label: "Ellipse", key: "o" },
  { tool: "line", label: "Line", key: "l" },
  { tool: "arrow", label: "Arrow", key: "a" },
  { tool: "text", label: "Text", key: "t" },
  { tool: "sticky", label: "Sticky note", key: "s" },
];

export function toolForKey(key: string): Tool | null {
  const k = key.toLowerCase();
  if (k === "d") return "pen"; // "draw", as in other whiteboards
  if (k === "e") return "ellipse";
  return TOOLS.find((t) => t.key === k)?.tool ?? null;
}

/** Ink colours: strong enough on white for lines and text. */
export const INK_COLORS = ["#1e1e1e", "#e03131", "#2f9e44", "#1971c2", "#f08c00", "#9c36b5"] as const;
export const INK_NAMES: Record<string, string> = {
  "#1e1e1e": "Black",
  "#e03131": "Red",
  "#2f9e44": "Green",
  "#1971c2": "Blue",
  "#f08c00": "Orange",
  "#9c36b5": "Violet",
};
/** Sticky notes take the pale version of the chosen ink (black ink → classic yellow). */
export const STICKY_FILLS: Record<string, string> = {
  "#1e1e1e": "#ffec99",
  "#e03131": "#ffc9c9",
  "#2f9e44": "#b2f2bb",
  "#1971c2": "#a5d8ff",
  "#f08c00": "#ffd8a8",
  "#9c36b5": "#eebefa",
};
export const STICKY_TEXT_COLOR = "#1e1e1e";
export const STICKY_SIZE = 200;

/** Stroke widths offered (world units) and the text size each stands for. */
export const STROKE_WIDTHS = [
  { stroke: 2, label: "Thin", textSize: 20 },
  { stroke: 4, label: "Medium", textSize: 28 },
  { stroke: 8, label: "Thick", textSize: 44 },
] as const;

export function textSizeFor(stroke: number): number {
  return STROKE_WIDTHS.find((w) => w.stroke === stroke)?.textSize ?? 28;
}

export function stickyFillFor(color: string): string {
  return STICKY_FILLS[color] ?? "#ffec99";
}

/** A new ink for `shapes`: their colour, or — for sticky notes — their paper. */
export function colorOps(shapes: readonly Shape[], color: string): Op[] {
  return shapes.map((s) => (s.type === "sticky" ? { op: "patch", id: s.id, set: { fill: stickyFillFor(color) } } : { op: "patch", id: s.id, set: { color } }));
}

/** A new stroke width for `shapes`: a text takes the matching size; sticky notes have none. */
export function strokeOps(shapes: readonly Shape[], stroke: number): Op[] {
  const ops: Op[] = [];
  for (const s of shapes) {
    if (s.type === "text") ops.push({ op: "patch", id: s.id, set: { size: textSizeFor(stroke) } });
    else if (s.type !== "sticky") ops.push({ op: "patch", id: s.id, set: { stroke } });
  }
  return ops;
}
