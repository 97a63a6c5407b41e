/**
 * The whiteboard's records (shapes): their schema and the types inferred from it.
 * Shared by the room (which validates every write against it) and the client.
 * Browser-safe: imports nothing host-specific.
 */
import { z } from "zod";
import { ASSET_HASH_PATTERN, MAX_COORD, Color, Coord, RecordId } from "edgeroom/schema";
import { MAX_FRAME_NAME_CHARS, MAX_GROUP_DEPTH, MAX_PEN_POINTS, MAX_TEXT_CHARS } from "./limits.ts";

export { Color, Coord, RecordId };

const Size = z.number().min(0).max(MAX_COORD);
const StrokeWidth = z.number().min(0.5).max(64);
/** How opaque a shape is painted, 0.1..1. Optional (absent: 1), so records
 * written before the field existed stay valid. Never below 0.1: a shape nobody
 * can see is one nobody can find to select. */
export const Opacity = z.number().min(0.1).max(1);
/** Outline pattern of rectangles, ellipses and lines. Optional (absent: solid). */
export const Dash = z.enum(["solid", "dashed", "dotted"]);
export type Dash = z.infer<typeof Dash>;

/** What an absent optional field means. A patch cannot remove a field, so
 * undoing "set dash" on a record that had none patches this value back. */
export const OPTIONAL_FIELD_DEFAULTS: Readonly<Record<string, unknown>> = {
  opacity: 1, dash: "solid", start: null, end: null, label: "", rotation: 0, groups: [], locked: false, font: "sans", fontSize: 20, sketchy: false,
};

/** What an absent optional field of `rec` means: OPTIONAL_FIELD_DEFAULTS,
 * except `align`, whose default depends on the kind (a label is centred, a
 * text or sticky note starts at the left). Undefined: not an optional field. */
export function optionalFieldDefault(rec: { type: string }, key: string): unknown {
  if (key === "align") return rec.type === "rect" || rec.type === "ellipse" ? "center" : "left";
  return OPTIONAL_FIELD_DEFAULTS[key];
}

/** The typefaces text is written in (schema 3): a bundled hand-drawn face,
 * or the device's sans, serif or monospace. Optional (absent: "sans", how
 * every record before schema 3 was drawn). */
export const FontFamily = z.enum(["hand", "sans", "serif", "mono"]);
export type FontFamily = z.infer<typeof FontFamily>;
/** How the lines of a text, sticky note or label sit in its box (schema 3).
 * Optional (absent: "left" for text and sticky notes, "center" for labels). */
export const TextAlign = z.enum(["left", "center", "right"]);
export type TextAlign = z.infer<typeof TextAlign>;
/** A text's font size (world units), also a sticky note's or label's `fontSize`. */
export const FontSize = z.number().min(4).max(512);

/** Where an arrow's end is attached: the shape `id`, at the point (`x`, `y`)
 * given as fractions (0..1) of that shape's box, so the end follows when the
 * shape moves or is resized. Clients resolve it when they draw; a binding to a
 * shape that is gone falls back to the line's stored point. */
export const Binding = z.object({ id: RecordId, x: z.number().min(0).max(1), y: z.number().min(0).max(1) });
export type Binding = z.infer<typeof Binding>;

/** How far a shape is turned about the centre of its box, in radians
 * (clockwise on screen). Optional (absent: 0), so older records stay valid;
 * a line ignores it (its points say where it goes). */
export const Rotation = z.number().min(-2 * Math.PI).max(2 * Math.PI);

/** The groups a shape belongs to, outermost first: shapes that share a group
 * id select, move, resize and delete as one (docs/WHITEBOARD-RECORDS.md,
 * "Groups"). A group is no record of its own: it is the set of shapes naming
 * it, so grouping is one patch per member and concurrent groupings converge
 * like any other field. Optional (absent: none). */
export const Groups = z.array(RecordId).max(MAX_GROUP_DEPTH);

/** Fields every shape has. `z` orders shapes (higher is drawn later); ties break by id. */
const base = {
  id: RecordId,
  x: Coord,
  y: Coord,
  z: z.number(),
  color: Color,
  stroke: StrokeWidth,
  opacity: Opacity.optional(),
  dash: Dash.optional(),
  rotation: Rotation.optional(),
  groups: Groups.optional(),
  /** A locked shape cannot be selected, moved or deleted until it is unlocked. Optional (absent: false). */
  locked: z.boolean().optional(),
};

/** Words written inside a rectangle or ellipse, painted centred and wrapped.
 * Optional (absent: none), so records written before labels stay valid. */
const Label = z.string().max(MAX_TEXT_CHARS);
/** How the words of a text, sticky note or label are set (schema 3): all optional. */
const textStyle = { font: FontFamily.optional(), align: TextAlign.optional() };
/** A sticky note's or label's font size (absent: 20); a text has its own `size`. */
const boxedText = { ...textStyle, fontSize: FontSize.optional() };
/** Drawn hand-drawn ("sketchy", with roughjs, seeded by the id) instead of clean (schema 3). Optional (absent: false). */
const sketchy = { sketchy: z.boolean().optional() };
export const RectShape = z.object({ ...base, type: z.literal("rect"), w: Size, h: Size, fill: Color.nullable(), label: Label.optional(), ...boxedText, ...sketchy });
export const EllipseShape = z.object({ ...base, type: z.literal("ellipse"), w: Size, h: Size, fill: Color.nullable(), label: Label.optional(), ...boxedText, ...sketchy });
/** Line or arrow: two points relative to (x, y). An arrow's ends may be bound
 * to shapes (`start`, `end`: optional, null or absent when free). */
export const LineShape = z.object({
  ...base,
  type: z.literal("line"),
  pts: z.tuple([z.tuple([Coord, Coord]), z.tuple([Coord, Coord])]),
  arrow: z.boolean(),
  start: Binding.nullable().optional(),
  end: Binding.nullable().optional(),
  ...sketchy,
});
export type PenPoint = [number, number] | [number, number, number];
const isCoord = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n) && n >= -MAX_COORD && n <= MAX_COORD;
function isPenPoints(v: unknown): v is PenPoint[] {
  if (!Array.isArray(v) || v.length < 1 || v.length > MAX_PEN_POINTS) return false;
  for (const p of v) {
    if (!Array.isArray(p) || (p.length !== 2 && p.length !== 3) || !isCoord(p[0]) || !isCoord(p[1])) return false;
    if (p.length === 3 && !(typeof p[2] === "number" && p[2] >= 0 && p[2] <= 1)) return false;
  }
  return true;
}
/** Freehand points, checked in one pass: a per-point zod schema costs about
 * 2 µs a point, which a 2,500-point stroke turns into milliseconds of room CPU
 * on every put. Same rules: 1..MAX_PEN_POINTS of [x, y] or [x, y, pressure 0..1]. */
const PenPoints = z.custom<PenPoint[]>(isPenPoints, {
  message: `pts must be 1-${MAX_PEN_POINTS} points of [x, y] or [x, y, pressure 0..1]`,
});
/** Freehand stroke: points relative to (x, y), each with an optional pressure. */
export const PenShape = z.object({ ...base, type: z.literal("pen"), pts: PenPoints });
export const TextShape = z.object({
  ...base,
  type: z.literal("text"),
  text: z.string().max(MAX_TEXT_CHARS),
  size: FontSize,
  ...textStyle,
});
export const StickyShape = z.object({
  ...base,
  type: z.literal("sticky"),
  w: Size,
  h: Size,
  text: z.string().max(MAX_TEXT_CHARS),
  fill: Color,
  ...boxedText,
});

/** A picture: the room's asset `asset` (its SHA-256, docs/PROTOCOL.md §17)
 * drawn into the box (x, y, w, h). The bytes are not in the record: every
 * client reads them from the room's asset URL. `color` and `stroke` are kept
 * (every shape has them) but not drawn. */
export const ImageShape = z.object({ ...base, type: z.literal("image"), w: Size, h: Size, asset: z.string().regex(ASSET_HASH_PATTERN) });

/** A frame: a named area (x, y, w, h) drawn beneath the shapes. It holds the
 * shapes whose boxes lie inside it (worked out when it is moved or exported,
 * never stored: nothing to keep in step when two people move things at once). */
export const FrameShape = z.object({ ...base, type: z.literal("frame"), w: Size, h: Size, name: z.string().max(MAX_FRAME_NAME_CHARS) });

export const Shape = z.discriminatedUnion("type", [RectShape, EllipseShape, LineShape, PenShape, TextShape, StickyShape, ImageShape, FrameShape]);
export type Shape = z.infer<typeof Shape>;
export type ShapeType = Shape["type"];

/** Fields a patch may not touch: identity and kind are fixed for a record's life. */
export const IMMUTABLE_FIELDS = ["id", "type"] as const;
