/**
 * The style panel's model: the style values a shape has (colour, stroke
 * width, fill, opacity, dash), what a selection shows (a value all its shapes
 * share, or "mixed"), and the patches that give a selection a new value — only
 * to the shapes that have that property, only the fields it changes, so a
 * concurrent edit of another field by someone else is kept. Pure, table-tested.
 */
import type { Op } from "../../../party/whiteboard/schema.ts";
import type { Dash, Shape } from "../../../party/whiteboard/records.ts";
import { round2, stickyHeightFor, measureTextWidth } from "./geometry.ts";
import { FONT_STACKS, fontOf, fontSizeOf, TEXT_STYLE_KEYS, textStyleOf, textStyleSet, type TextStyleValues } from "./text-style.ts";
import { STICKY_FILLS, stickyFillFor, textSizeFor } from "./tools.ts";

/** A rectangle's or ellipse's inside: empty, a pale tint of the ink, or the ink itself. */
export type FillMode = "none" | "tint" | "solid";

export interface StyleValues {
  color: string;
  stroke: number;
  fill: FillMode;
  opacity: number;
  dash: Dash;
}

/** What the panel shows for the selection: a field absent is mixed (the shapes differ) or not applicable. */
export type SelectionStyle = Partial<StyleValues & TextStyleValues>;

export const OPACITIES = [
  { value: 1, label: "Opaque", short: "Opaque" },
  { value: 0.6, label: "60%", short: "60%" },
  { value: 0.3, label: "30%", short: "30%" },
] as const;
export const DASHES: readonly { value: Dash; label: string; short: string }[] = [
  { value: "solid", label: "Solid line", short: "Solid" },
  { value: "dashed", label: "Dashed line", short: "Dashed" },
  { value: "dotted", label: "Dotted line", short: "Dotted" },
];
export const FILLS: readonly { value: FillMode; label: string; short: string }[] = [
  { value: "none", label: "No fill", short: "No" },
  { value: "tint", label: "Tinted fill", short: "Tinted" },
  { value: "solid", label: "Solid fill", short: "Solid" },
];

export const DEFAULT_STYLE: StyleValues = { color: "#1e1e1e", stroke: 4, fill: "none", opacity: 1, dash: "solid" };

/** How much of the ink a tint keeps when the ink is not in the palette (the rest is white). */
const TINT_INK_SHARE = 0.25;

/** The stored fill colour for `mode` in ink `color`. */
export function fillColor(color: string, mode: FillMode): string | null {
  if (mode === "none") return null;
  if (mode === "solid") return color;
  const known = STICKY_FILLS[color];
  if (known) return known;
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) return null;
  const n = parseInt(m[1]!, 16);
  const mix = (v: number) => Math.round(255 - (255 - v) * TINT_INK_SHARE);
  return `#${[(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => mix(v).toString(16).padStart(2, "0")).join("")}`;
}

/** A stored fill read back as a mode. */
export function fillMode(s: Extract<Shape, { type: "rect" | "ellipse" }>): FillMode {
  return s.fill === null ? "none" : s.fill.toLowerCase() === s.color.toLowerCase() ? "solid" : "tint";
}

const hasOutline = (s: Shape) => s.type === "rect" || s.type === "ellipse" || s.type === "line";

/** One shape's values for the properties it has. */
function styleOf(s: Shape): SelectionStyle {
  const out: SelectionStyle = { opacity: s.opacity ?? 1, ...textStyleOf(s) };
  if (s.type !== "sticky") out.color = s.color;
  if (s.type !== "sticky" && s.type !== "text") out.stroke = s.stroke;
  if (s.type === "rect" || s.type === "ellipse") out.fill = fillMode(s);
  if (hasOutline(s)) out.dash = s.dash ?? "solid";
  return out;
}

/** The values every selected shape shares (fields they differ in, or none has, are left out). */
export function selectionStyle(shapes: readonly Shape[]): SelectionStyle {
  let acc: SelectionStyle | null = null;
  const mixed = new Set<keyof SelectionStyle>();
  for (const s of shapes) {
    const one = styleOf(s);
    if (!acc) {
      acc = one;
      continue;
    }
    for (const key of ["color", "stroke", "fill", "opacity", "dash", ...TEXT_STYLE_KEYS] as const) {
      if (mixed.has(key) || one[key] === undefined) continue;
      if (acc[key] === undefined) (acc as Record<string, unknown>)[key] = one[key];
      else if (acc[key] !== one[key]) mixed.add(key);
    }
  }
  const out = { ...(acc ?? {}) };
  for (const key of mixed) delete out[key];
  return out;
}

/** The patches that give `shapes` the style values in `change`. */
export function styleOps(shapes: readonly Shape[], change: SelectionStyle): Op[] {
  const ops: Op[] = [];
  for (const s of shapes) {
    const set: Record<string, unknown> = {};
    if (change.color !== undefined) {
      if (s.type === "sticky") set.fill = stickyFillFor(change.color);
      else {
        set.color = change.color;
        // A filled shape's fill follows its ink.
        if ((s.type === "rect" || s.type === "ellipse") && s.fill !== null) set.fill = fillColor(change.color, fillMode(s));
      }
    }
    if (change.stroke !== undefined) {
      if (s.type === "text") set.size = textSizeFor(change.stroke);
      else if (s.type !== "sticky") set.stroke = change.stroke;
    }
    if (change.fill !== undefined && (s.type === "rect" || s.type === "ellipse")) set.fill = fillColor((set.color as string) ?? s.color, change.fill);
    if (change.opacity !== undefined) set.opacity = round2(change.opacity);
    if (change.dash !== undefined && hasOutline(s)) set.dash = change.dash;
    Object.assign(set, textStyleSet(s, change));
    if (s.type === "sticky" && (set.font !== undefined || set.fontSize !== undefined)) {
      // A note grows to show all its words in the new face or size.
      const styled = { ...s, ...set } as typeof s;
      const h = stickyHeightFor(s.w, s.h, s.text, measureTextWidth, fontSizeOf(styled), FONT_STACKS[fontOf(styled)]);
      if (h !== s.h) set.h = h;
    }
    if (Object.keys(set).length) ops.push({ op: "patch", id: s.id, set });
  }
  return ops;
}
