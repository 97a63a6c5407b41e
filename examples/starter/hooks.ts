/**
 * The room's rules, beyond the schema: you write notes as yourself (the
 * author is your access token's subject) and change or delete only your own.
 * They run inside the room's exactly-once path; test/notes.test.ts checks
 * them in memory.
 */
import type { RoomHooks } from "edgeroom/schema";
import type { Note } from "./schema.ts";

export const hooks: RoomHooks<Note> = {
  authorize(actor, op, before) {
    if (before) return before.author === actor.subject || "only its author may change a note";
    return op.op !== "put" || op.rec.author === actor.subject || "write notes as yourself";
  },
};
