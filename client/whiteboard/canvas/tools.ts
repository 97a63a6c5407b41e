/**
 * The whiteboard's tools and drawing styles: names, keyboard shortcuts, the
 * palettes, and how a chosen style becomes a record's fields.
 */
import type { Op } from "../../../party/whiteboard/schema.ts";
import type { Shape } from "../../../party/whiteboard/records.ts";

export type Tool = "select" | "hand" | "pen" | "eraser" | "laser" | "rect" | "ellipse" | "line" | "arrow" | "text" | "sticky" | "frame";

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
  { tool: "eraser", label: "Eraser", key: "e" },
  { tool: "laser", label: "Laser pointer", key: "k" },
  { tool: "rect", label: "Rectangle", key: "r" },
  { tool: "ellipse", label: "Ellipse", key: "o" },
  { tool: "line", label: "Line", key: "l" },
  { tool: "arrow", label: "Arrow", key: "a" },
  { tool: "text", label: "Text", key: "t" },
  { tool: "sticky", label: "Sticky note", key: "s" },
  { tool: "frame", label: "Frame", key: "f" },
];

export function toolForKey(key: string): Tool | null {
  const k = key.toLowerCase();
  if (k === "d") return "pen"; // "draw", as in other whiteboards
  return TOOLS.find((t) => t.key === k)?.tool ?? null;
}

/** Ink colours: strong enough on white for lines and text. The first six
 * are always on the style bar; the rest are under "More styles". */
export const INK_COLORS = ["#1e1e1e", "#e03131", "#2f9e44", "#1971c2", "#f08c00", "#9c36b5"] as const;
export const MORE_INK_COLORS = ["#868e96", "#d6336c", "#4263eb", "#0c8599", "#66a80f", "#e67700"] as const;
/** Every palette ink (the theme maps each for the dark board). */
export const PALETTE = [...INK_COLORS, ...MORE_INK_COLORS] as const;
export type PaletteInk = (typeof PALETTE)[number];
export const INK_NAMES: Record<string, string> = {
  "#1e1e1e": "Black",
  "#e03131": "Red",
  "#2f9e44": "Green",
  "#1971c2": "Blue",
  "#f08c00": "Orange",
  "#9c36b5": "Violet",
  "#868e96": "Grey",
  "#d6336c": "Pink",
  "#4263eb": "Indigo",
  "#0c8599": "Teal",
  "#66a80f": "Lime",
  "#e67700": "Amber",
};
/** Sticky notes take the pale version of the chosen ink (black ink → classic yellow). */
export const STICKY_FILLS: Record<string, string> = {
  "#1e1e1e": "#ffec99",
  "#e03131": "#ffc9c9",
  "#2f9e44": "#b2f2bb",
  "#1971c2": "#a5d8ff",
  "#f08c00": "#ffd8a8",
  "#9c36b5": "#eebefa",
  "#868e96": "#e9ecef",
  "#d6336c": "#fcc2d7",
  "#4263eb": "#bac8ff",
  "#0c8599": "#99e9f2",
  "#66a80f": "#d8f5a2",
  "#e67700": "#ffe066",
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
