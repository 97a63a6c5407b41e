/**
 * The checklist's contract with the engine: its party name and what an item
 * is. Both sides import this module: the server hands it to createRoomServer,
 * the client to RoomClient, and both check every edit against it.
 */
import { defineRoom, type RecordOf } from "edgeroom/schema";
import { z } from "zod";

/** Longest item text, in characters: a line on a phone screen or two. */
export const MAX_ITEM_CHARS = 200;

export const Item = z.object({
  id: z.string(),
  text: z.string().min(1).max(MAX_ITEM_CHARS),
  done: z.boolean(),
  /** Sort key: items are listed by `order`, then id. */
  order: z.number(),
});

export const checklist = defineRoom({ party: "checklist", records: Item, limits: { maxRecordsPerRoom: 500 } });
export type Item = RecordOf<typeof checklist>;
