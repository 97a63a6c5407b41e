/**
 * Painting shapes, selection and remote cursors on a 2D canvas context. The
 * context arrives already transformed to world coordinates (shapes) or screen
 * coordinates (cursors, labels). Expensive derived geometry — a freehand
 * stroke's outline, a sticky note's wrapped lines — is cached per record object:
 * records are immutable, so a changed shape is a new object and a new cache entry.
 * Colours come from the theme (theme/board-palette.ts): the stored ink is
 * painted through displayInk, so it keeps its contrast on the dark board.
 */
import getStroke from "perfect-freehand";
import type { Shape } from "../../../party/whiteboard/records.ts";
import { boardPalette, displayInk } from "../theme/board-palette.ts";
import type { Rect } from "./camera.ts";
import { drawFrame } from "./frames.ts";
import { pictureFailed, pictureFor } from "./images.ts";
import { centreOf, rotatedCorners, rotationOf } from "./rotate.ts";
import { arrowHeadLength, FONT_FAMILY, shapeBox } from "./geometry.ts";
import { MIN_GLYPH_PX, paintLabel, paintStickyText, paintText } from "./draw-text.ts";
import { paintSketch, sketchShows } from "./sketchy.ts";

type Ctx = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** Pending (unacknowledged) shapes are drawn translucent with a dashed outline. */
export const PENDING_ALPHA = 0.5;
export const SELECTION_COLOR = "#4263eb";
export { MIN_GLYPH_PX };
/** Resize handle half-size, in screen pixels. */
export const HANDLE_RADIUS = 5;

const penPathCache = new WeakMap<Shape, Path2D>();

/** The filled outline of a freehand stroke, from perfect-freehand. */
function penPath(s: Extract<Shape, { type: "pen" }>): Path2D {
  const cached = penPathCache.get(s);
  if (cached) return cached;
  const hasPressure = s.pts.some((p) => p.length === 3);
  const outline = getStroke(
    s.pts.map((p) => [s.x + p[0], s.y + p[1], p[2] ?? 0.5]),
    { size: s.stroke * 2, thinning: hasPressure ? 0.6 : 0.5, smoothing: 0.5, streamline: 0.4, simulatePressure: !hasPressure, last: true },
  );
  const path = new Path2D();
  if (outline.length > 1) {
    // Quadratic curves through the midpoints: a smooth outline without thousands of corners.
    path.moveTo(outline[0]![0]!, outline[0]![1]!);
    for (let i = 1; i < outline.length; i++) {
      const a = outline[i]!;
      const b = outline[(i + 1) % outline.length]!;
      path.quadraticCurveTo(a[0]!, a[1]!, (a[0]! + b[0]!) / 2, (a[1]! + b[1]!) / 2);
    }
    path.closePath();
  } else {
    path.arc(s.x + s.pts[0]![0], s.y + s.pts[0]![1], s.stroke, 0, Math.PI * 2);
  }
  penPathCache.set(s, path);
  return path;
}

function drawArrowHead(ctx: Ctx, ax: number, ay: number, bx: number, by: number, stroke: number): void {
  const angle = Math.atan2(by - ay, bx - ax);
  const len = Math.min(arrowHeadLength(stroke), Math.hypot(bx - ax, by - ay) * 0.6 + stroke);
  const spread = Math.PI / 7;
  ctx.beginPath();
  ctx.moveTo(bx, by);
  ctx.lineTo(bx - len * Math.cos(angle - spread), by - len * Math.sin(angle - spread));
  ctx.lineTo(bx - len * Math.cos(angle + spread), by - len * Math.sin(angle + spread));
  ctx.closePath();
  ctx.fill();
  ctx.stroke();
}

export interface ShapeStyle {
  pending: boolean;
  /** Screen pixels per world unit (outline widths stay one pixel). */
  zoom: number;
  /** Leave the text out (it is being edited in a text box on top). */
  hideText?: boolean;
}

/** The dash pattern of an outline, in world units (scaled with the stroke, so a thick dashed line still reads as dashed). */
function dashPattern(dash: Shape["dash"], stroke: number): number[] {
  if (dash === "dashed") return [stroke * 3 + 4, stroke * 2 + 4];
  // The painter's round caps make each near-zero dash a dot.
  if (dash === "dotted") return [0.001, stroke * 2 + 2];
  return [];
}

/** Paint one shape in world coordinates; a rotated one turned about its box's centre. */
export function drawShape(ctx: Ctx, s: Shape, style: ShapeStyle): void {
  const angle = rotationOf(s);
  if (!angle) return paintShape(ctx, s, style);
  const [cx, cy] = centreOf(shapeBox(s));
  ctx.save();
  ctx.translate(cx, cy);
  ctx.rotate(angle);
  ctx.translate(-cx, -cy);
  paintShape(ctx, s, style);
  ctx.restore();
}

function paintShape(ctx: Ctx, s: Shape, style: ShapeStyle): void {
  ctx.globalAlpha = (style.pending ? PENDING_ALPHA : 1) * (s.opacity ?? 1);
  // A sticky's text sits on its own pale paper, not on the board: never remapped.
  const ink = s.type === "sticky" ? s.color : displayInk(s.color);
  ctx.strokeStyle = ink;
  ctx.fillStyle = ink;
  ctx.lineWidth = s.stroke;
  const dashed = s.dash !== undefined && s.dash !== "solid" && s.type !== "pen" && s.type !== "text" && s.type !== "sticky";
  if (dashed) ctx.setLineDash(dashPattern(s.dash, s.stroke));
  // A solid fill is the ink itself, painted as the ink is in this theme; a tint is paper, as stored.
  const fill = (s.type === "rect" || s.type === "ellipse") && s.fill ? (s.fill === s.color ? ink : s.fill) : null;
  // Sketchy (hand-drawn) outlines, when large enough on screen to tell: canvas/sketchy.ts.
  if ((s.type === "rect" || s.type === "ellipse" || s.type === "line") && s.sketchy && sketchShows(s, style.zoom)) paintSketch(ctx, s, ink, fill, style.zoom, style.hideText === true);
  else switch (s.type) {
    case "rect":
      if (fill) {
        ctx.fillStyle = fill;
        ctx.fillRect(s.x, s.y, s.w, s.h);
      }
      ctx.strokeRect(s.x, s.y, s.w, s.h);
      if (s.label && !style.hideText) paintLabel(ctx, s, ink, style.zoom);
      break;
    case "ellipse":
      ctx.beginPath();
      ctx.ellipse(s.x + s.w / 2, s.y + s.h / 2, s.w / 2, s.h / 2, 0, 0, Math.PI * 2);
      if (fill) {
        ctx.fillStyle = fill;
        ctx.fill();
      }
      ctx.stroke();
      if (s.label && !style.hideText) paintLabel(ctx, s, ink, style.zoom);
      break;
    case "line": {
      const ax = s.x + s.pts[0][0];
      const ay = s.y + s.pts[0][1];
      const bx = s.x + s.pts[1][0];
      const by = s.y + s.pts[1][1];
      ctx.beginPath();
      ctx.moveTo(ax, ay);
      ctx.lineTo(bx, by);
      ctx.stroke();
      if (dashed) ctx.setLineDash([]); // the head is solid
      if (s.arrow) drawArrowHead(ctx, ax, ay, bx, by, s.stroke);
      break;
    }
    case "pen":
      ctx.fill(penPath(s));
      break;
    case "text":
      if (!style.hideText) paintText(ctx, s, style.zoom);
      break;
    case "sticky": {
      ctx.fillStyle = "rgba(0, 0, 0, 0.12)";
      ctx.fillRect(s.x + 2, s.y + 4, s.w, s.h);
      ctx.fillStyle = s.fill;
      ctx.fillRect(s.x, s.y, s.w, s.h);
      if (!style.hideText) paintStickyText(ctx, s, style.zoom);
      break;
    }
    case "image":
      drawPicture(ctx, s, style.zoom);
      break;
    case "frame":
      drawFrame(ctx, s, style.zoom, style.hideText);
      break;
  }
  if (dashed) ctx.setLineDash([]);
  if (style.pending) {
    const b = shapeBox(s);
    const pad = 4 / style.zoom;
    ctx.globalAlpha = 1;
    ctx.setLineDash([4 / style.zoom, 3 / style.zoom]);
    ctx.lineWidth = 1 / style.zoom;
    ctx.strokeStyle = "#868e96";
    ctx.strokeRect(b.minX - pad, b.minY - pad, b.maxX - b.minX + 2 * pad, b.maxY - b.minY + 2 * pad);
    ctx.setLineDash([]);
  }
  ctx.globalAlpha = 1;
}

/** An image shape: its picture stretched to the box, or — while the picture
 * loads, or if it cannot be read — a placeholder: a pale box with a frame
 * (and a cross for a broken one), so the shape can be seen, moved and resized. */
function drawPicture(ctx: Ctx, s: Extract<Shape, { type: "image" }>, zoom: number): void {
  const img = pictureFor(s.asset);
  if (img) {
    ctx.drawImage(img, s.x, s.y, s.w, s.h);
    return;
  }
  ctx.save();
  ctx.setLineDash([]);
  ctx.fillStyle = boardPalette().gridDot;
  ctx.globalAlpha *= 0.35;
  ctx.fillRect(s.x, s.y, s.w, s.h);
  ctx.globalAlpha /= 0.35;
  ctx.strokeStyle = boardPalette().gridDot;
  ctx.lineWidth = 1 / zoom;
  ctx.strokeRect(s.x, s.y, s.w, s.h);
  if (pictureFailed(s.asset)) {
    ctx.beginPath();
    ctx.moveTo(s.x, s.y);
    ctx.lineTo(s.x + s.w, s.y + s.h);
    ctx.moveTo(s.x + s.w, s.y);
    ctx.lineTo(s.x, s.y + s.h);
    ctx.stroke();
  }
  ctx.restore();
}

/** A selection outline: a shape's box, turned as the shape is. */
export interface SelectionOutline {
  box: Rect;
  angle: number;
}

/** Selection outlines and the handles (screen-sized): square resize handles,
 * a round rotate handle. */
export function drawSelection(ctx: Ctx, outlines: SelectionOutline[], handles: [number, number][], zoom: number, rotate: [number, number] | null = null): void {
  ctx.strokeStyle = SELECTION_COLOR;
  ctx.lineWidth = 1.5 / zoom;
  const pad = 4 / zoom;
  for (const { box: b, angle } of outlines) {
    const padded = { minX: b.minX - pad, minY: b.minY - pad, maxX: b.maxX + pad, maxY: b.maxY + pad };
    const pts = rotatedCorners(padded, angle);
    ctx.beginPath();
    pts.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    ctx.closePath();
    ctx.stroke();
  }
  const r = HANDLE_RADIUS / zoom;
  ctx.fillStyle = "#ffffff";
  for (const [x, y] of handles) {
    ctx.fillRect(x - r, y - r, 2 * r, 2 * r);
    ctx.strokeRect(x - r, y - r, 2 * r, 2 * r);
  }
  if (rotate) {
    ctx.beginPath();
    ctx.arc(rotate[0], rotate[1], r, 0, Math.PI * 2);
    ctx.fill();
    ctx.stroke();
  }
}

export function drawMarquee(ctx: Ctx, r: Rect, zoom: number): void {
  ctx.fillStyle = "rgba(66, 99, 235, 0.08)";
  ctx.fillRect(r.minX, r.minY, r.maxX - r.minX, r.maxY - r.minY);
  ctx.strokeStyle = SELECTION_COLOR;
  ctx.lineWidth = 1 / zoom;
  ctx.strokeRect(r.minX, r.minY, r.maxX - r.minX, r.maxY - r.minY);
}

/** A remote cursor: an arrow in the person's colour with their name beside it (screen coordinates). */
export function drawCursor(ctx: Ctx, x: number, y: number, color: string, name: string, opacity: number): void {
  ctx.globalAlpha = opacity;
  ctx.save();
  ctx.translate(x, y);
  ctx.beginPath();
  ctx.moveTo(0, 0);
  ctx.lineTo(0, 17);
  ctx.lineTo(4.5, 12.5);
  ctx.lineTo(8, 20);
  ctx.lineTo(11, 18.5);
  ctx.lineTo(7.5, 11.5);
  ctx.lineTo(13, 11.5);
  ctx.closePath();
  ctx.fillStyle = color;
  ctx.fill();
  ctx.strokeStyle = "#ffffff";
  ctx.lineWidth = 1.5;
  ctx.stroke();
  ctx.font = `600 12px ${FONT_FAMILY}`;
  ctx.textBaseline = "middle";
  const w = ctx.measureText(name).width;
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.roundRect(12, 20, w + 12, 20, 6);
  ctx.fill();
  ctx.fillStyle = "#ffffff";
  ctx.fillText(name, 18, 30.5);
  ctx.restore();
  ctx.globalAlpha = 1;
}

/** The board's backdrop in screen coordinates: the theme's background, and a
 * faint dot grid so panning and zooming read as movement. It paints the whole
 * (clipped) region, so it also covers whatever background the caller filled. */
export function drawGrid(ctx: Ctx, camX: number, camY: number, zoom: number, width: number, height: number): void {
  const palette = boardPalette();
  ctx.fillStyle = palette.background;
  ctx.fillRect(0, 0, width, height);
  let step = 32;
  while (step * zoom < 24) step *= 4; // keep dots at least 24 px apart when zoomed out: fewer to paint
  const px = step * zoom;
  const ox = -((camX * zoom) % px);
  const oy = -((camY * zoom) % px);
  ctx.fillStyle = palette.gridDot;
  for (let x = ox; x < width; x += px) for (let y = oy; y < height; y += px) ctx.fillRect(x - 1, y - 1, 2, 2);
}
