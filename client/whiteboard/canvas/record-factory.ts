/**
 * Building shape records from what a person did: a pen stroke's points, a
 * rectangle/ellipse/line dragged out (or just clicked), a sticky note placed, a
 * text typed. Pure: the caller gives the id, the z and the current style, so the
 * same function draws the draft on the overlay and creates the committed record.
 */
import type { Dash, Shape } from "../../../party/whiteboard/records.ts";
import { linePointsFrom, normalizeRect, round2 } from "./geometry.ts";
import { DEFAULT_FRAME, DEFAULT_FRAME_NAME } from "./frames.ts";
import { STICKY_SIZE, STICKY_TEXT_COLOR, stickyFillFor } from "./tools.ts";
import { newShapeTextStyle, type TextStyleValues } from "./text-style.ts";

/** What every new record takes from the board: its id, its place in the paint
 * order, and the style chosen in the style panel. */
export interface RecordBase {
  id: string;
  z: number;
  color: string;
  stroke: number;
  /** Left out when 1 (opaque) or solid: a record carries only what differs from the default. */
  opacity?: number;
  dash?: Dash;
  /** The inside of a new rectangle or ellipse (other shapes have none of their own). */
  fill?: string | null;
  /** The text style and edges chosen in the panel; each kind takes only the fields it has (text-style.ts). */
  textStyle?: Partial<TextStyleValues>;
}

/** The fields every kind of shape takes from the base (not the fill, nor the text style). */
function common(base: RecordBase): Omit<RecordBase, "fill" | "textStyle"> {
  const { fill: _fill, textStyle: _textStyle, ...rest } = base;
  return rest;
}

/** The fields of the panel's text style a new shape of `type` takes. */
const styled = (type: Shape["type"], base: RecordBase) => (base.textStyle ? newShapeTextStyle(type, base.textStyle) : {});

/** A rectangle, ellipse, line or arrow being dragged out, in world and screen
 * coordinates (screen: to tell a click from a drag whatever the zoom). */
export interface ShapeDrag {
  tool: "rect" | "ellipse" | "line" | "arrow" | "frame";
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  sx0: number;
  sy0: number;
  sx1: number;
  sy1: number;
}

/** Default sizes for a click without a drag (world units): a shape you can see
 * and then resize, rather than a 1-unit speck. */
export const DEFAULT_BOX = { w: 160, h: 100 } as const;
export const DEFAULT_LINE = 160;
/** Pointer travel (screen px) under which a press-and-release counts as a click. */
export const CLICK_SLOP_PX = 4;

/** A pen stroke from world points ([x, y] or [x, y, pressure]): origin at the
 * stroke's top-left, points relative to it, two decimals (small on the wire). */
export function penRecord(points: readonly (readonly number[])[], base: RecordBase): Shape {
  let minX = Infinity;
  let minY = Infinity;
  for (const p of points) {
    if (p[0]! < minX) minX = p[0]!;
    if (p[1]! < minY) minY = p[1]!;
  }
  const x = round2(minX);
  const y = round2(minY);
  const pts = points.map((p) =>
    p.length === 3
      ? ([round2(p[0]! - x), round2(p[1]! - y), Math.round(p[2]! * 100) / 100] as [number, number, number])
      : ([round2(p[0]! - x), round2(p[1]! - y)] as [number, number]),
  );
  return { ...common(base), type: "pen", x, y, pts };
}

/** The shape a drag made; a click makes a default-sized one at the press point. */
export function draggedRecord(d: ShapeDrag, base: RecordBase): Shape {
  const clicked = Math.hypot(d.sx1 - d.sx0, d.sy1 - d.sy0) < CLICK_SLOP_PX;
  if (d.tool === "line" || d.tool === "arrow") {
    const b: [number, number] = clicked ? [d.x0 + DEFAULT_LINE, d.y0] : [d.x1, d.y1];
    return { ...common(base), type: "line", ...linePointsFrom([d.x0, d.y0], b), arrow: d.tool === "arrow", ...styled("line", base) };
  }
  const size = d.tool === "frame" ? DEFAULT_FRAME : DEFAULT_BOX;
  const r = clicked ? { minX: d.x0, minY: d.y0, maxX: d.x0 + size.w, maxY: d.y0 + size.h } : normalizeRect(d.x0, d.y0, d.x1, d.y1);
  const box = { x: round2(r.minX), y: round2(r.minY), w: round2(Math.max(1, r.maxX - r.minX)), h: round2(Math.max(1, r.maxY - r.minY)) };
  if (d.tool === "frame") {
    const { dash: _dash, opacity: _opacity, ...rest } = common(base);
    return { ...rest, type: "frame", ...box, name: DEFAULT_FRAME_NAME };
  }
  return {
    ...common(base),
    type: d.tool,
    x: round2(r.minX),
    y: round2(r.minY),
    w: round2(Math.max(1, r.maxX - r.minX)),
    h: round2(Math.max(1, r.maxY - r.minY)),
    fill: base.fill ?? null,
    ...styled(d.tool, base),
  };
}

/** An empty sticky note centred on the click, filled with the pale version of the ink. */
export function stickyRecord(wx: number, wy: number, base: RecordBase): Shape {
  return {
    ...common(base),
    type: "sticky",
    x: round2(wx - STICKY_SIZE / 2),
    y: round2(wy - STICKY_SIZE / 2),
    w: STICKY_SIZE,
    h: STICKY_SIZE,
    text: "",
    fill: stickyFillFor(base.color),
    color: STICKY_TEXT_COLOR,
    ...styled("sticky", base),
  };
}

/** A text record written at (x, y) in `size`: its colour is the one it was begun with. */
export function textRecord(at: { x: number; y: number; size: number; color: string }, text: string, base: RecordBase): Shape {
  return { ...common(base), type: "text", x: at.x, y: at.y, text, size: at.size, color: at.color, ...styled("text", base) };
}

/** An image shape showing the asset `asset`, its box `w` × `h` centred on (cx, cy). */
export function imageRecord(cx: number, cy: number, w: number, h: number, asset: string, base: RecordBase): Shape {
  const { dash: _dash, ...rest } = common(base);
  return { ...rest, type: "image", x: round2(cx - w / 2), y: round2(cy - h / 2), w: round2(w), h: round2(h), asset };
}
