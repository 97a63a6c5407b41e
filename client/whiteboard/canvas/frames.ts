/**
 * Frames: named areas drawn beneath the shapes (records.ts `frame`). A frame
 * holds the shapes whose boxes lie inside its own — worked out when it is
 * moved or exported, never stored — so moving a frame moves them, and a frame
 * exports alone with what it holds. Pure, except the painting.
 */
import type { Shape } from "../../../party/whiteboard/records.ts";
import { boardPalette, displayInk } from "../theme/board-palette.ts";
import type { Rect } from "./camera.ts";
import { FONT_FAMILY, FRAME_TITLE_HEIGHT, FRAME_TITLE_SIZE, shapeBox } from "./geometry.ts";

export type FrameShape = Extract<Shape, { type: "frame" }>;
type Ctx = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** What a new frame is called when nobody names it. */
export const DEFAULT_FRAME_NAME = "Frame";
/** A frame placed by a click (no drag), world units. */
export const DEFAULT_FRAME = { w: 480, h: 320 } as const;

const inside = (b: Rect, f: Rect) => b.minX >= f.minX && b.maxX <= f.maxX && b.minY >= f.minY && b.maxY <= f.maxY;

/** The shapes `frame` holds: every other shape (frames too) whose box lies inside its box. */
export function frameContents(frame: FrameShape, shapes: readonly Shape[]): Shape[] {
  const f = shapeBox(frame);
  return shapes.filter((s) => s.id !== frame.id && inside(shapeBox(s), f));
}

/** The selection with what its frames hold: a moved frame takes them along. */
export function withFrameContents(selected: readonly Shape[], shapes: readonly Shape[]): Shape[] {
  if (!selected.some((s) => s.type === "frame")) return [...selected];
  const out = new Map(selected.map((s) => [s.id, s]));
  for (const s of selected) if (s.type === "frame") for (const c of frameContents(s, shapes)) if (!c.locked) out.set(c.id, c);
  return [...out.values()];
}

/** Paint a frame: a faint area, a hairline border and its name above the top-left corner. */
export function drawFrame(ctx: Ctx, s: FrameShape, zoom: number, hideName = false): void {
  ctx.save();
  ctx.setLineDash([]);
  ctx.fillStyle = boardPalette().background;
  ctx.fillRect(s.x, s.y, s.w, s.h);
  ctx.strokeStyle = boardPalette().gridDot;
  ctx.lineWidth = Math.max(1 / zoom, 1);
  ctx.strokeRect(s.x, s.y, s.w, s.h);
  if (hideName) return ctx.restore(); // being renamed in the text box over it
  ctx.fillStyle = displayInk("#868e96");
  ctx.font = `${FRAME_TITLE_SIZE}px ${FONT_FAMILY}`;
  ctx.textBaseline = "bottom";
  ctx.fillText(s.name || DEFAULT_FRAME_NAME, s.x, s.y - (FRAME_TITLE_HEIGHT - FRAME_TITLE_SIZE) / 2, Math.max(s.w, FRAME_TITLE_SIZE));
  ctx.restore();
}

/** A frame as SVG (n: number formatting, esc: text escaping of the caller). */
export function frameSvg(s: FrameShape, n: (v: number) => string, esc: (t: string) => string): string {
  const ty = s.y - (FRAME_TITLE_HEIGHT - FRAME_TITLE_SIZE) / 2;
  return (
    `<rect x="${n(s.x)}" y="${n(s.y)}" width="${n(s.w)}" height="${n(s.h)}" fill="#ffffff" stroke="#dee2e6" stroke-width="1"/>` +
    `<text x="${n(s.x)}" y="${n(ty)}" font-size="${FRAME_TITLE_SIZE}" fill="#868e96">${esc(s.name || DEFAULT_FRAME_NAME)}</text>`
  );
}
