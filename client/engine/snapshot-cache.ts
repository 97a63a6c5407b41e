/**
 * The last confirmed state of a room, kept in IndexedDB so a reload while
 * offline still shows the board instead of an empty page. It is only a backdrop:
 * until the room answers, the board draws the cached records with the pending
 * edits replayed on top (view.ts, as over the confirmed state); the first sync
 * from the room replaces it entirely.
 */
import type { CachedSnapshot } from "./cached-snapshot.ts";
import { openEdgeroomDb } from "./idb-db.ts";

/** Save at most once per this interval (ms) while the board changes: a
 * 10,000-shape board is a few MB to clone into IndexedDB, not something to do on
 * every change, and a reload loses at most this much of the backdrop. */
export const SNAPSHOT_SAVE_DELAY_MS = 2_000;

/** The cached snapshot of `room`, if any. Its records are what this app's own
 * `saveSnapshot` stored (confirmed records the room had validated); a cache
 * from an older app version is replaced at the first sync. */
export async function loadSnapshot<R extends { id: string }>(room: string): Promise<CachedSnapshot<R> | null> {
  try {
    const db = await openEdgeroomDb();
    return ((await db.get("snapshots", room)) as CachedSnapshot<R> | undefined) ?? null;
  } catch {
    return null; // no IndexedDB: no backdrop, nothing else changes
  }
}

export async function saveSnapshot<R extends { id: string }>(snapshot: CachedSnapshot<R>): Promise<void> {
  try {
    const db = await openEdgeroomDb();
    await db.put("snapshots", snapshot);
  } catch {
    // Best effort: the room is the source of truth.
  }
}
