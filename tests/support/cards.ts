/**
 * `cards`: the engine's own test schema, an app as small as the engine's
 * tests need and no smaller. A card sits on a table: where it sits, its
 * colour, its votes, its text (long enough for the tests of size bounds to
 * build 50 KB records) and its kind, fixed for life; a task also says whether
 * it is done. Defined through `edgeroom/schema` only,
 * as an app defines its schema (examples/checklist/schema.ts), so the engine's
 * tests run with party/whiteboard and client/whiteboard deleted
 * (tests/e2e/engine-alone.test.ts).
 */
import { z } from "zod";
import { ASSET_HASH_PATTERN, Color, Coord, defineRoom, RecordId } from "edgeroom/schema";
import type * as P from "edgeroom/schema";

/** Characters of a card's text: a few pages, so one card can be a 50 KB
 * record, still under the engine's MAX_RECORD_BYTES (64 KiB). */
export const MAX_CARD_TEXT_CHARS = 60_000;
/** Votes on one card. */
export const MAX_VOTES = 1_000;

const base = {
  id: RecordId,
  x: Coord,
  y: Coord,
  color: Color,
  votes: z.number().int().min(0).max(MAX_VOTES),
  text: z.string().max(MAX_CARD_TEXT_CHARS),
  /** Optional (absent: not pinned), like a field added after records were written. */
  pinned: z.boolean().optional(),
  /** A picture on the card: an asset of the room, named by its sha256 (optional). */
  picture: z.string().regex(ASSET_HASH_PATTERN).optional(),
};
/** Kinds of card that are only text. Six kinds in all, so the seeded fuzz
 * (tests/support/fuzz/run.ts) refuses a put that changes a record's kind as
 * often as it did with the whiteboard's six shape types. */
export const TEXT_KINDS = ["note", "idea", "question", "risk", "link"] as const;
export const TextCard = z.object({ ...base, kind: z.enum(TEXT_KINDS) });
/** A task also says whether it is done. */
export const TaskCard = z.object({ ...base, kind: z.literal("task"), done: z.boolean() });
export const Card = z.discriminatedUnion("kind", [TextCard, TaskCard]);
export type Card = z.infer<typeof Card>;

/** Where someone is looking on the table: live state others can follow. */
export const View = z.object({ x: Coord, y: Coord, zoom: z.number().min(0.01).max(100) });

export const cards = defineRoom({
  party: "cards",
  records: Card,
  // A card's kind is fixed for life, as the whiteboard's shape type is.
  fixed: ["kind"],
  // Live state (never stored): the card being written, the viewport.
  live: { draft: Card, view: View },
});

export type Op = P.Op<Card>;
export type Change = P.Change<Card>;
export type ServerMessage = P.ServerMessage<Card>;
export type SyncMessage = P.SyncMessage<Card>;

/** A valid note at (x, y); the same arguments give the same record. */
export function card(id: string, x = 0, y = 0): Card {
  return { id, kind: "note", x, y, color: "#000000", votes: 0, text: "" };
}

/** A note of about `kb` KB of text: valid, and far under MAX_RECORD_BYTES;
 * `variant` makes each one different. */
export function bigCard(id: string, kb: number, variant = 0): Card {
  const text = `${variant}:`.padEnd(Math.round(kb * 1000), "x");
  return { id, kind: "note", x: 0, y: 0, color: "#000000", votes: 0, text };
}
