/**
 * The whiteboard's own limits on its records (the engine's room limits are in
 * party/shared/limits.ts). The shape schema (records.ts) enforces them.
 */

/** Points in one pen stroke. A minute of fast drawing at 60 Hz is 3,600. */
export const MAX_PEN_POINTS = 5_000;
/** Characters in one text or sticky note. */
export const MAX_TEXT_CHARS = 10_000;
