/**
 * The engine's IndexedDB database (pending edits and cached snapshots), opened
 * once per page. Only the IndexedDB stores' implementations import this module:
 * its types (idb's, which need the DOM lib) stay out of the package's public
 * declarations, so a Node app type-checks `edgeroom/client` without the DOM lib.
 */
import { type DBSchema, type IDBPDatabase, openDB } from "idb";
import type { CachedSnapshot } from "./cached-snapshot.ts";
import type { PendingMutation } from "./pending-edits.ts";

export const DB_NAME = "edgeroom";
const DB_VERSION = 1;

export interface PendingRow extends PendingMutation {
  room: string;
  /** Tie-break for edits made within the same millisecond (a large edit split
   * into several mutations): they must be resent in the order they were made. */
  order: number;
}

export interface EdgeroomDB extends DBSchema {
  pending: { key: [string, string]; value: PendingRow; indexes: { byRoom: string } };
  snapshots: { key: string; value: CachedSnapshot };
}

let dbPromise: Promise<IDBPDatabase<EdgeroomDB>> | null = null;

/** One connection per page, opened lazily. */
export function openEdgeroomDb(): Promise<IDBPDatabase<EdgeroomDB>> {
  dbPromise ??= openDB<EdgeroomDB>(DB_NAME, DB_VERSION, {
    upgrade(db) {
      const pending = db.createObjectStore("pending", { keyPath: ["room", "mid"] });
      pending.createIndex("byRoom", "room");
      db.createObjectStore("snapshots", { keyPath: "room" });
    },
  });
  return dbPromise;
}
