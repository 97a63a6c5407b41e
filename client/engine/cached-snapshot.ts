/**
 * The shape of a room's cached snapshot (offline-snapshot.ts), apart from where
 * it is stored: its declaration must not pull IndexedDB's types (idb-db.ts)
 * into an app that never uses them (a Node client compiles without the DOM lib).
 */
import type { RecordBase } from "../../party/shared/protocol.ts";

/** The last confirmed state of a room, so a reload while offline still shows
 * the board. Generic over the record type: the cache never looks inside one. */
export interface CachedSnapshot<R extends { id: string } = { id: string }> {
  room: string;
  epoch: string;
  seq: number;
  records: RecordBase[];
  savedAt: number;
}
