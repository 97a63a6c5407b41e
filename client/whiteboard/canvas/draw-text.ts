/**
 * Painting the words of a text, a sticky note, and a rectangle's or
 * ellipse's label, each in its own typeface, size and alignment
 * (canvas/text-style.ts). The context is in world coordinates; the caller has
 * set the alpha. Lines come from geometry.ts (wrapped and cached per record).
 */
import type { Shape } from "../../../party/whiteboard/records.ts";
import type { TextAlign } from "../../../party/whiteboard/records.ts";
import { boardPalette } from "../theme/board-palette.ts";
import { labelLines, labelWidth, LINE_HEIGHT, shapeBox, STICKY_PADDING, stickyLines } from "./geometry.ts";
import { alignOf, cssFont, fontSizeOf, fontStackOf } from "./text-style.ts";

type Ctx = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** Below this on-screen font size (px) text is drawn as a bar or left out:
 * nobody can read it, and glyph rasterisation dominates the cost of a zoomed-out board. */
export const MIN_GLYPH_PX = 4;

/** Lines starting at `top`, each placed in the box from `left`, `width` wide, as `align` says. */
function paintLines(ctx: Ctx, lines: readonly string[], left: number, width: number, top: number, size: number, align: TextAlign): void {
  ctx.textBaseline = "top";
  ctx.textAlign = align;
  const x = align === "center" ? left + width / 2 : align === "right" ? left + width : left;
  const lineHeight = size * LINE_HEIGHT;
  const inset = (lineHeight - size) / 2;
  lines.forEach((line, i) => ctx.fillText(line, x, top + inset + i * lineHeight));
  ctx.textAlign = "left";
}

/** A text shape: its lines in the ink (a grey bar when too small to read). */
export function paintText(ctx: Ctx, s: Extract<Shape, { type: "text" }>, zoom: number): void {
  const box = shapeBox(s);
  if (s.size * zoom < MIN_GLYPH_PX) {
    ctx.globalAlpha *= 0.35;
    ctx.fillRect(box.minX, box.minY, box.maxX - box.minX, box.maxY - box.minY);
    return;
  }
  ctx.font = cssFont(s.size, fontStackOf(s));
  paintLines(ctx, s.text.split("\n"), s.x, box.maxX - box.minX, s.y, s.size, alignOf(s));
}

/** A sticky note's words, inside its padding, clipped to the note. */
export function paintStickyText(ctx: Ctx, s: Extract<Shape, { type: "sticky" }>, zoom: number): void {
  const size = fontSizeOf(s);
  if (size * zoom < MIN_GLYPH_PX) return;
  ctx.save();
  ctx.beginPath();
  ctx.rect(s.x, s.y, s.w, s.h);
  ctx.clip();
  ctx.fillStyle = s.color;
  ctx.font = cssFont(size, fontStackOf(s));
  // The first line's top at the padding, as before text styles (no inset).
  const top = s.y + STICKY_PADDING - (size * LINE_HEIGHT - size) / 2;
  paintLines(ctx, stickyLines(s), s.x + STICKY_PADDING, Math.max(10, s.w - 2 * STICKY_PADDING), top, size, alignOf(s));
  ctx.restore();
}

/** A rectangle's or ellipse's label: lines centred in height and set across
 * the label's width, in the ink (on a solid fill of the same ink, the board's
 * background colour so it stays readable). */
export function paintLabel(ctx: Ctx, s: Extract<Shape, { type: "rect" | "ellipse" }>, ink: string, zoom: number): void {
  const size = fontSizeOf(s);
  if (size * zoom < MIN_GLYPH_PX) return;
  const lines = labelLines(s);
  const width = labelWidth(s);
  const top = s.y + s.h / 2 - (lines.length * size * LINE_HEIGHT) / 2;
  ctx.save();
  ctx.setLineDash([]);
  ctx.fillStyle = s.fill === s.color ? boardPalette().background : ink;
  ctx.font = cssFont(size, fontStackOf(s));
  paintLines(ctx, lines, s.x + (s.w - width) / 2, width, top, size, alignOf(s));
  ctx.restore();
}
