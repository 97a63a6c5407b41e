/**
 * How words are set on the board (schema 3): the typeface (`font`), the size
 * (a text's `size`, a sticky note's or label's `fontSize`) and the alignment
 * (`align`) of texts, sticky notes and the labels of rectangles and
 * ellipses; and which shapes can be drawn sketchy. What an absent field means,
 * the CSS font stacks, the style panel's choices, and the patches that give a
 * selection a text style. Pure; imports nothing of the canvas.
 */
import type { FontFamily, Shape, TextAlign } from "../../../party/whiteboard/records.ts";

/** The bundled hand-drawn face (@fontsource/patrick-hand, canvas/fonts.ts loads it). */
export const HAND_FONT_NAME = "Patrick Hand";

/** CSS font stacks, one per family. "sans" is how every record before schema 3 was drawn. */
export const FONT_STACKS: Readonly<Record<FontFamily, string>> = {
  hand: `"${HAND_FONT_NAME}", "Segoe Print", "Comic Sans MS", cursive`,
  sans: `"Segoe UI", system-ui, -apple-system, "Helvetica Neue", Arial, sans-serif`,
  serif: `Georgia, Cambria, "Times New Roman", "DejaVu Serif", serif`,
  mono: `ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace`,
};

/** A sticky note's or label's font size when the record names none (world units). */
export const DEFAULT_FONT_SIZE = 20;
/** What new shapes are written in when nobody chose: the face of every board before schema 3. */
export const DEFAULT_FONT: FontFamily = "sans";

export const FONTS: readonly { value: FontFamily; label: string; short: string }[] = [
  { value: "hand", label: "Hand-drawn font", short: "Hand" },
  { value: "sans", label: "Sans-serif font", short: "Sans" },
  { value: "serif", label: "Serif font", short: "Serif" },
  { value: "mono", label: "Monospace font", short: "Mono" },
];
/** Font sizes offered; 20, 28 and 44 are the sizes a text takes from the thin, medium and thick strokes. */
export const FONT_SIZES: readonly { value: number; label: string; short: string }[] = [
  { value: 16, label: "Small text", short: "S" },
  { value: 20, label: "Medium text", short: "M" },
  { value: 28, label: "Large text", short: "L" },
  { value: 44, label: "Huge text", short: "XL" },
];
export const ALIGNS: readonly { value: TextAlign; label: string; short: string }[] = [
  { value: "left", label: "Align left", short: "Left" },
  { value: "center", label: "Align centre", short: "Centre" },
  { value: "right", label: "Align right", short: "Right" },
];
export const EDGES: readonly { value: boolean; label: string; short: string }[] = [
  { value: false, label: "Clean edges", short: "Clean" },
  { value: true, label: "Sketchy edges", short: "Sketchy" },
];

type Texted = Extract<Shape, { type: "text" | "sticky" | "rect" | "ellipse" }>;
type Sketchable = Extract<Shape, { type: "rect" | "ellipse" | "line" }>;

/** Shapes that hold words: a text, a sticky note, a rectangle's or ellipse's label. */
export const hasText = (s: Shape): s is Texted => s.type === "text" || s.type === "sticky" || s.type === "rect" || s.type === "ellipse";
/** Shapes that can be drawn sketchy. */
export const canSketch = (s: Shape): s is Sketchable => s.type === "rect" || s.type === "ellipse" || s.type === "line";

export function fontOf(s: Shape): FontFamily {
  return (hasText(s) && s.font) || "sans";
}
export function fontSizeOf(s: Shape): number {
  if (s.type === "text") return s.size;
  return (hasText(s) && s.fontSize) || DEFAULT_FONT_SIZE;
}
export function alignOf(s: Shape): TextAlign {
  if (hasText(s) && s.align) return s.align;
  return s.type === "rect" || s.type === "ellipse" ? "center" : "left";
}
/** The CSS font stack `s` is written in. */
export const fontStackOf = (s: Shape): string => FONT_STACKS[fontOf(s)];
/** A canvas `font` for `s` at `size`. */
export const cssFont = (size: number, family: string): string => `${size}px ${family}`;

/** Where a line `lineWidth` wide starts in a box from `left`, `width` wide. */
export function alignedX(align: TextAlign, left: number, width: number, lineWidth: number): number {
  if (align === "center") return left + (width - lineWidth) / 2;
  if (align === "right") return left + width - lineWidth;
  return left;
}

/** The text-style part of the style panel's values. */
export interface TextStyleValues {
  font: FontFamily;
  fontSize: number;
  align: TextAlign;
  sketchy: boolean;
}
export const TEXT_STYLE_KEYS = ["font", "fontSize", "align", "sketchy"] as const;

/** One shape's text-style values, for the properties it has. */
export function textStyleOf(s: Shape): Partial<TextStyleValues> {
  const out: Partial<TextStyleValues> = {};
  if (hasText(s)) {
    out.font = fontOf(s);
    out.fontSize = fontSizeOf(s);
    out.align = alignOf(s);
  }
  if (canSketch(s)) out.sketchy = s.sketchy ?? false;
  return out;
}

/** The fields a text-style change sets on `s` (only the ones it has). */
export function textStyleSet(s: Shape, change: Partial<TextStyleValues>): Record<string, unknown> {
  const set: Record<string, unknown> = {};
  if (hasText(s)) {
    if (change.font !== undefined) set.font = change.font;
    if (change.align !== undefined) set.align = change.align;
    if (change.fontSize !== undefined) set[s.type === "text" ? "size" : "fontSize"] = change.fontSize;
  }
  if (change.sketchy !== undefined && canSketch(s)) set.sketchy = change.sketchy;
  return set;
}

/** What a new shape of `type` takes from the panel's text style: only fields
 * it has, and only those that differ from what their absence means. */
export function newShapeTextStyle(type: Shape["type"], ui: Partial<TextStyleValues>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const words = type === "text" || type === "sticky" || type === "rect" || type === "ellipse";
  if (words) {
    if (ui.font && ui.font !== "sans") out.font = ui.font;
    if (ui.align) out.align = ui.align;
    if (ui.fontSize !== undefined && type !== "text") out.fontSize = ui.fontSize;
  }
  if (ui.sketchy && (type === "rect" || type === "ellipse" || type === "line")) out.sketchy = true;
  return out;
}
