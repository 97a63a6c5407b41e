/**
 * The whiteboard's own limits on its records (the engine's room limits are in
 * party/shared/limits.ts). The shape schema (records.ts) enforces them.
 */

/** Points in one pen stroke. A minute of fast drawing at 60 Hz is 3,600. */
export const MAX_PEN_POINTS = 5_000;
/** Characters in one text or sticky note. */
export const MAX_TEXT_CHARS = 10_000;
/** Groups one shape is nested in (a group of groups of … of shapes). */
export const MAX_GROUP_DEPTH = 16;
/** Characters in a frame's name. */
export const MAX_FRAME_NAME_CHARS = 200;
