/**
 * The whiteboard as an app of the engine: its party name and its records
 * (shapes). Both sides import this: the server hands it to createRoomServer,
 * the client to RoomClient. The record types of the engine's messages, for
 * shapes, are spelled out here so the app never writes `Op<Shape>`.
 */
import { z } from "zod";
import { Coord, defineRoom } from "edgeroom/schema";
import type * as P from "edgeroom/schema";
import { Shape } from "./records.ts";
import { WHITEBOARD_SCHEMA_VERSION } from "./version.ts";

/** Where someone is looking: the world point at the centre of their screen,
 * and their zoom. Others can follow it. */
export const View = z.object({ x: Coord, y: Coord, zoom: z.number().min(0.01).max(100) });
export type View = z.infer<typeof View>;

/** Points in one laser trail: a second of movement at 60 Hz. */
export const MAX_LASER_POINTS = 64;
/** Age of a laser point at most (ms): trails fade within a second; a little slack. */
const MAX_LASER_AGE_MS = 5_000;
/** A laser pointer's trail: its recent points, each `[x, y, age in ms]`. */
export const LaserTrail = z.object({
  pts: z.array(z.tuple([Coord, Coord, z.number().int().min(0).max(MAX_LASER_AGE_MS)])).min(1).max(MAX_LASER_POINTS),
});
export type LaserTrail = z.infer<typeof LaserTrail>;

export { WHITEBOARD_SCHEMA_VERSION };

export const whiteboard = defineRoom({
  party: "whiteboard",
  records: Shape,
  // A shape's kind is fixed for life: a receiver may be mid-edit of fields
  // another kind does not have.
  fixed: ["type"],
  // Live state (never stored): the shape being drawn, the viewport, the laser trail.
  live: { draft: Shape, view: View, laser: LaserTrail },
  // Version 2: images (issue 21), groups, locks and frames (issue 22). A page
  // of code from before them would stall on the first such record it cannot
  // parse; at version 2 the room refuses its hello instead and it reloads
  // (docs/PROTOCOL.md §2). Every version-1 record is a valid version-2 record:
  // the step has no `up`, so rooms read stored boards as they are
  // (docs/WHITEBOARD-RECORDS.md, "Versions"). Version 3: text styles (font,
  // fontSize, align) and sketchy shapes, the same kind of step: a page from
  // before them would drop the fields from records it writes back whole.
  version: WHITEBOARD_SCHEMA_VERSION,
  migrations: [{ version: 2 }, { version: 3 }],
});

export type { Shape };
export type Op = P.Op<Shape>;
export type Change = P.Change<Shape>;
export type ServerMessage = P.ServerMessage<Shape>;
export type SyncMessage = P.SyncMessage<Shape>;
