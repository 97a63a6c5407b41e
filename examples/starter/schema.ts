/**
 * The contract both sides import: the party name, what a note is, and the
 * live state each person shares (never stored). The room checks every edit
 * against it; so does the client before sending.
 */
import { defineRoom, type RecordOf } from "edgeroom/schema";
import { z } from "zod";

export const Note = z.object({
  id: z.string(),
  text: z.string().min(1).max(280),
  /** Who wrote it: the access token's subject (hooks.ts checks it). */
  author: z.string(),
  /** When it was written (ms since 1970): notes are listed by it. */
  at: z.number(),
});

export const notes = defineRoom({
  party: "notes",
  records: Note,
  // A note's author never changes once it is written.
  fixed: ["author"],
  live: { typing: z.boolean() },
  limits: { maxRecordsPerRoom: 1_000 },
});
export type Note = RecordOf<typeof notes>;
