/**
 * The whiteboard's records (shapes): their schema and the types inferred from it.
 * Shared by the room (which validates every write against it) and the client.
 * Browser-safe: imports nothing host-specific.
 */
import { z } from "zod";
import {
  ID_PATTERN,
  MAX_COORD,
  MAX_PEN_POINTS,
  MAX_TEXT_CHARS,
} from "./limits.ts";

export const RecordId = z.string().regex(ID_PATTERN, "ids are 1-64 characters of A-Z a-z 0-9 _ -");

/** A finite world coordinate. JSON can carry `1e999` (= Infinity once parsed); zod 4's number refuses it. */
export const Coord = z.number().min(-MAX_COORD).max(MAX_COORD);
const Size = z.number().min(0).max(MAX_COORD);
export const Color = z.string().regex(/^#[0-9a-fA-F]{6}$/, "colours are #rrggbb");
const StrokeWidth = z.number().min(0.5).max(64);

/** Fields every shape has. `z` orders shapes (higher is drawn later); ties break by id. */
const base = {
  id: RecordId,
  x: Coord,
  y: Coord,
  z: z.number(),
  color: Color,
  stroke: StrokeWidth,
};

export const RectShape = z.object({ ...base, type: z.literal("rect"), w: Size, h: Size, fill: Color.nullable() });
export const EllipseShape = z.object({ ...base, type: z.literal("ellipse"), w: Size, h: Size, fill: Color.nullable() });
/** Line or arrow: two points relative to (x, y). */
export const LineShape = z.object({
  ...base,
  type: z.literal("line"),
  pts: z.tuple([z.tuple([Coord, Coord]), z.tuple([Coord, Coord])]),
  arrow: z.boolean(),
});
/** Freehand stroke: points relative to (x, y), each with an optional pressure. */
export const PenShape = z.object({
  ...base,
  type: z.literal("pen"),
  pts: z
    .array(z.union([z.tuple([Coord, Coord]), z.tuple([Coord, Coord, z.number().min(0).max(1)])]))
    .min(1)
    .max(MAX_PEN_POINTS),
});
export const TextShape = z.object({
  ...base,
  type: z.literal("text"),
  text: z.string().max(MAX_TEXT_CHARS),
  size: z.number().min(4).max(512),
});
export const StickyShape = z.object({
  ...base,
  type: z.literal("sticky"),
  w: Size,
  h: Size,
  text: z.string().max(MAX_TEXT_CHARS),
  fill: Color,
});

export const Shape = z.discriminatedUnion("type", [RectShape, EllipseShape, LineShape, PenShape, TextShape, StickyShape]);
export type Shape = z.infer<typeof Shape>;
export type ShapeType = Shape["type"];

/** Fields a patch may not touch: identity and kind are fixed for a record's life. */
export const IMMUTABLE_FIELDS = ["id", "type"] as const;
