/**
 * Shape geometry: boxes (what handles resize), bounds (what culling tests),
 * hit tests, and the patches that move and resize a shape. Pure, except that
 * text is measured through an injectable function (a canvas in the browser).
 */
import type { Op } from "../../../party/whiteboard/schema.ts";
import type { Shape } from "../../../party/whiteboard/records.ts";
import type { Rect } from "./camera.ts";
import { centreOf, rotatedBounds, rotatePoint, rotationOf } from "./rotate.ts";
import { DEFAULT_FONT_SIZE, FONT_STACKS, fontSizeOf, fontStackOf } from "./text-style.ts";

export const FONT_FAMILY = FONT_STACKS.sans;
/** Line height of text and sticky notes, in multiples of the font size. */
export const LINE_HEIGHT = 1.25;
/** Sticky notes: fixed font size and inner padding (world units). */
export const STICKY_FONT_SIZE = DEFAULT_FONT_SIZE;
export const STICKY_PADDING = 14;
/** Arrow heads: length as a multiple of the stroke width, with a floor so thin arrows still read. */
export function arrowHeadLength(stroke: number): number {
  return Math.max(12, stroke * 4);
}

/** A frame's name: its font size, and the strip above the frame it is drawn in (world units). */
export const FRAME_TITLE_SIZE = 14;
export const FRAME_TITLE_HEIGHT = 22;

/** Width of `text` at `fontSize` in the CSS font stack `family` (absent: FONT_FAMILY). */
export type MeasureText = (text: string, fontSize: number, family?: string) => number;

let measureCtx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null | undefined;
/** Width of one line of text in world units, measured with a canvas when there is one. */
export const measureTextWidth: MeasureText = (text, fontSize, family = FONT_FAMILY) => {
  if (measureCtx === undefined) {
    measureCtx = typeof OffscreenCanvas !== "undefined" ? new OffscreenCanvas(1, 1).getContext("2d") : null;
  }
  if (!measureCtx) return text.length * fontSize * 0.55; // no canvas (Node): a fair estimate
  measureCtx.font = `${fontSize}px ${family}`;
  return measureCtx.measureText(text).width;
};

const boxCache = new WeakMap<Shape, Rect>();

/** The shape's own box: what selection outlines and resize handles use. */
export function shapeBox(s: Shape, measure: MeasureText = measureTextWidth): Rect {
  const cached = boxCache.get(s);
  if (cached) return cached;
  let r: Rect;
  switch (s.type) {
    case "rect":
    case "ellipse":
    case "sticky":
    case "image":
    case "frame":
      r = { minX: s.x, minY: s.y, maxX: s.x + s.w, maxY: s.y + s.h };
      break;
    case "line": {
      const [[ax, ay], [bx, by]] = s.pts;
      r = { minX: s.x + Math.min(ax, bx), minY: s.y + Math.min(ay, by), maxX: s.x + Math.max(ax, bx), maxY: s.y + Math.max(ay, by) };
      break;
    }
    case "pen": {
      let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
      for (const p of s.pts) {
        if (p[0] < minX) minX = p[0];
        if (p[0] > maxX) maxX = p[0];
        if (p[1] < minY) minY = p[1];
        if (p[1] > maxY) maxY = p[1];
      }
      r = { minX: s.x + minX, minY: s.y + minY, maxX: s.x + maxX, maxY: s.y + maxY };
      break;
    }
    case "text": {
      const lines = s.text.split("\n");
      let w = 0;
      const family = fontStackOf(s);
      for (const line of lines) w = Math.max(w, measure(line, s.size, family));
      r = { minX: s.x, minY: s.y, maxX: s.x + Math.max(w, s.size * 0.5), maxY: s.y + lines.length * s.size * LINE_HEIGHT };
      break;
    }
  }
  boxCache.set(s, r);
  return r;
}

const boundsCache = new WeakMap<Shape, Rect>();

/** Everything the shape paints (box plus stroke, arrow head; a rotated
 * shape's turned box): what culling tests. */
export function shapeBounds(s: Shape): Rect {
  const cached = boundsCache.get(s);
  if (cached) return cached;
  const box = rotatedBounds(shapeBox(s), rotationOf(s));
  let pad = s.stroke / 2 + 1;
  if (s.type === "line" && s.arrow) pad += arrowHeadLength(s.stroke);
  if (s.type === "pen") pad = s.stroke + 1;
  if (s.type === "sticky") pad = 8; // drop shadow
  const r = { minX: box.minX - pad, minY: box.minY - pad - (s.type === "frame" ? FRAME_TITLE_HEIGHT : 0), maxX: box.maxX + pad, maxY: box.maxY + pad };
  boundsCache.set(s, r);
  return r;
}

export function unionRects(rects: Iterable<Rect>): Rect | null {
  let out: Rect | null = null;
  for (const r of rects) {
    out = out
      ? { minX: Math.min(out.minX, r.minX), minY: Math.min(out.minY, r.minY), maxX: Math.max(out.maxX, r.maxX), maxY: Math.max(out.maxY, r.maxY) }
      : { ...r };
  }
  return out;
}

export function normalizeRect(ax: number, ay: number, bx: number, by: number): Rect {
  return { minX: Math.min(ax, bx), minY: Math.min(ay, by), maxX: Math.max(ax, bx), maxY: Math.max(ay, by) };
}

function distanceToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

const unturnedCache = new WeakMap<Shape, Shape>();
/** A rotated shape as it is in its own frame (rotation 0), cached per record. */
function unturned(s: Shape): Shape {
  let u = unturnedCache.get(s);
  if (!u) unturnedCache.set(s, (u = { ...s, rotation: 0 } as Shape));
  return u;
}

/** Does the point (world) touch the shape? `tolerance` is in world units. A
 * rotated shape is tested in its own frame: the point turned back about its centre. */
export function hitTest(s: Shape, px: number, py: number, tolerance: number): boolean {
  const b = shapeBounds(s);
  if (px < b.minX - tolerance || px > b.maxX + tolerance || py < b.minY - tolerance || py > b.maxY + tolerance) return false;
  const angle = rotationOf(s);
  if (angle) {
    const [cx, cy] = centreOf(shapeBox(s));
    const [lx, ly] = rotatePoint(px, py, cx, cy, -angle);
    return hitTest(unturned(s), lx, ly, tolerance);
  }
  switch (s.type) {
    case "rect":
    case "sticky":
    case "text":
    case "image":
      return true; // the whole box is grabbable: thin outlines are hard to hit
    case "frame": {
      // Its name or its border: a press inside a frame selects what is there (or starts a marquee).
      const titleW = Math.max(measureTextWidth(s.name || "Frame", FRAME_TITLE_SIZE), FRAME_TITLE_SIZE * 2);
      if (py <= s.y && py >= s.y - FRAME_TITLE_HEIGHT && px >= s.x && px <= s.x + titleW) return true;
      const nearX = Math.abs(px - s.x) <= tolerance || Math.abs(px - s.x - s.w) <= tolerance;
      const nearY = Math.abs(py - s.y) <= tolerance || Math.abs(py - s.y - s.h) <= tolerance;
      return (nearX && py >= s.y - tolerance && py <= s.y + s.h + tolerance) || (nearY && px >= s.x - tolerance && px <= s.x + s.w + tolerance);
    }
    case "ellipse": {
      const rx = s.w / 2 + tolerance;
      const ry = s.h / 2 + tolerance;
      if (rx <= 0 || ry <= 0) return false;
      const nx = (px - (s.x + s.w / 2)) / rx;
      const ny = (py - (s.y + s.h / 2)) / ry;
      return nx * nx + ny * ny <= 1;
    }
    case "line": {
      const [[ax, ay], [bx, by]] = s.pts;
      return distanceToSegment(px, py, s.x + ax, s.y + ay, s.x + bx, s.y + by) <= tolerance + s.stroke / 2;
    }
    case "pen": {
      const reach = tolerance + s.stroke;
      const pts = s.pts;
      if (pts.length === 1) return Math.hypot(px - s.x - pts[0]![0], py - s.y - pts[0]![1]) <= reach;
      for (let i = 1; i < pts.length; i++) {
        const a = pts[i - 1]!;
        const c = pts[i]!;
        if (distanceToSegment(px, py, s.x + a[0], s.y + a[1], s.x + c[0], s.y + c[1]) <= reach) return true;
      }
      return false;
    }
  }
}

/** World coordinates are stored with two decimals: plenty for drawing, and it keeps pen strokes small on the wire. */
export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** The patch that moves a shape, as it was when the drag began, by (dx, dy). */
export function moveOp(s: Shape, dx: number, dy: number): Op {
  return { op: "patch", id: s.id, set: { x: round2(s.x + dx), y: round2(s.y + dy) } };
}

/** The patch that fits a shape whose box was `from` into the box `to`. */
export function resizeOp(s: Shape, from: Rect, to: Rect): Op {
  const fw = from.maxX - from.minX;
  const fh = from.maxY - from.minY;
  const tw = to.maxX - to.minX;
  const th = to.maxY - to.minY;
  const sx = fw > 0 ? tw / fw : 1;
  const sy = fh > 0 ? th / fh : 1;
  switch (s.type) {
    case "rect":
    case "ellipse":
    case "sticky":
    case "image":
    case "frame":
      return { op: "patch", id: s.id, set: { x: round2(to.minX), y: round2(to.minY), w: round2(tw), h: round2(th) } };
    case "text": {
      const size = Math.min(512, Math.max(4, round2(s.size * (fh > 0 ? th / fh : 1))));
      return { op: "patch", id: s.id, set: { x: round2(to.minX), y: round2(to.minY), size } };
    }
    case "pen": {
      const pts = s.pts.map((p) => {
        const wx = (s.x + p[0] - from.minX) * sx;
        const wy = (s.y + p[1] - from.minY) * sy;
        return p.length === 3 ? [round2(wx), round2(wy), p[2]] : [round2(wx), round2(wy)];
      });
      return { op: "patch", id: s.id, set: { x: round2(to.minX), y: round2(to.minY), pts } };
    }
    case "line": {
      const map = (p: readonly [number, number]) => [round2((s.x + p[0] - from.minX) * sx), round2((s.y + p[1] - from.minY) * sy)];
      return { op: "patch", id: s.id, set: { x: round2(to.minX), y: round2(to.minY), pts: [map(s.pts[0]), map(s.pts[1])] } };
    }
  }
}

/** The patches that fit several shapes whose box together was `from` into
 * `to`: each shape's own box is mapped through the same scaling, so the group
 * keeps its layout (a text scales its font with the group's height). */
export function groupResizeOps(shapes: readonly Shape[], from: Rect, to: Rect): Op[] {
  const fw = from.maxX - from.minX;
  const fh = from.maxY - from.minY;
  const kx = fw > 0 ? (to.maxX - to.minX) / fw : 1;
  const ky = fh > 0 ? (to.maxY - to.minY) / fh : 1;
  const mx = (x: number) => to.minX + (x - from.minX) * kx;
  const my = (y: number) => to.minY + (y - from.minY) * ky;
  return shapes.map((s) => {
    const b = shapeBox(s);
    const angle = rotationOf(s);
    if (!angle) return resizeOp(s, b, { minX: mx(b.minX), minY: my(b.minY), maxX: mx(b.maxX), maxY: my(b.maxY) });
    // A turned shape: its centre moves with the group, its own box scales by the same factors.
    const [cx, cy] = centreOf(b);
    const w = (b.maxX - b.minX) * kx;
    const h = (b.maxY - b.minY) * ky;
    return resizeOp(s, b, { minX: mx(cx) - w / 2, minY: my(cy) - h / 2, maxX: mx(cx) + w / 2, maxY: my(cy) + h / 2 });
  });
}

/** The patch that moves one end of a line (0: start, 1: end) to a world point. */
export function lineEndOp(s: Extract<Shape, { type: "line" }>, end: 0 | 1, wx: number, wy: number): Op {
  const a: [number, number] = end === 0 ? [wx, wy] : [s.x + s.pts[0][0], s.y + s.pts[0][1]];
  const b: [number, number] = end === 1 ? [wx, wy] : [s.x + s.pts[1][0], s.y + s.pts[1][1]];
  return lineOpFromPoints(s.id, a, b);
}

/** Line geometry as stored: origin at the first point, the points relative to it. */
export function linePointsFrom(a: readonly [number, number], b: readonly [number, number]) {
  return {
    x: round2(a[0]),
    y: round2(a[1]),
    pts: [
      [0, 0],
      [round2(b[0] - a[0]), round2(b[1] - a[1])],
    ] as [[number, number], [number, number]],
  };
}

function lineOpFromPoints(id: string, a: [number, number], b: [number, number]): Op {
  return { op: "patch", id, set: linePointsFrom(a, b) };
}

/** Wrap a sticky note's text into lines that fit its width (cached per record). */
const wrapCache = new WeakMap<Shape, string[]>();
export function stickyLines(s: Extract<Shape, { type: "sticky" }>, measure: MeasureText = measureTextWidth): string[] {
  const cached = wrapCache.get(s);
  if (cached) return cached;
  const lines = wrapStickyText(s.w, s.text, measure, fontSizeOf(s), fontStackOf(s));
  wrapCache.set(s, lines);
  return lines;
}

/** `text` wrapped into lines that fit a sticky note `w` wide, at `size` in `family`. */
export function wrapStickyText(w: number, text: string, measure: MeasureText = measureTextWidth, size = STICKY_FONT_SIZE, family = FONT_FAMILY): string[] {
  return wrapText(Math.max(10, w - 2 * STICKY_PADDING), text, size, measure, family);
}

/** Labels inside rectangles and ellipses: the sticky notes' font size, so a
 * board's words read alike, and their padding. */
export const LABEL_FONT_SIZE = STICKY_FONT_SIZE;
export const LABEL_PADDING = 8;
/** An ellipse's label fits the rectangle inscribed in it: 1/√2 of each axis. */
const INSCRIBED = Math.SQRT1_2;

/** How wide a label's lines may be inside `s` (world units). */
export function labelWidth(s: Extract<Shape, { type: "rect" | "ellipse" }>): number {
  return Math.max(10, s.w * (s.type === "ellipse" ? INSCRIBED : 1) - 2 * LABEL_PADDING);
}

const labelCache = new WeakMap<Shape, string[]>();
/** A rectangle's or ellipse's label wrapped into lines (cached per record). */
export function labelLines(s: Extract<Shape, { type: "rect" | "ellipse" }>, measure: MeasureText = measureTextWidth): string[] {
  const cached = labelCache.get(s);
  if (cached) return cached;
  const lines = s.label ? wrapText(labelWidth(s), s.label, fontSizeOf(s), measure, fontStackOf(s)) : [];
  labelCache.set(s, lines);
  return lines;
}

/** `text` wrapped at spaces into lines no wider than `maxWidth` at `fontSize`
 * (a single word longer than that keeps its own line). */
export function wrapText(maxWidth: number, text: string, fontSize: number, measure: MeasureText = measureTextWidth, family = FONT_FAMILY): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(/(\s+)/)) {
      const next = line + word;
      if (line && measure(next, fontSize, family) > maxWidth && word.trim()) {
        lines.push(line.trimEnd());
        line = word.trimStart();
      } else {
        line = next;
      }
    }
    lines.push(line);
  }
  return lines;
}

/** How tall a sticky note `w` wide must be to show all of `text`: it grows to
 * fit, never shrinks below `h` (a note someone made taller stays so). */
export function stickyHeightFor(w: number, h: number, text: string, measure: MeasureText = measureTextWidth, size = STICKY_FONT_SIZE, family = FONT_FAMILY): number {
  const needed = 2 * STICKY_PADDING + wrapStickyText(w, text, measure, size, family).length * size * LINE_HEIGHT;
  return needed > h ? round2(Math.ceil(needed)) : h;
}
