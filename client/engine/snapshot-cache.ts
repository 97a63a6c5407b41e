/**
 * The last confirmed state of a room, kept in IndexedDB so a reload while
 * offline still shows the board instead of an empty page. It is only a backdrop:
 * until the room answers, the board draws the cached records with the pending
 * edits replayed on top; the first sync from the room replaces it entirely.
 */
import { planOps } from "../../party/shared/apply.ts";
import type { Shape } from "../../party/whiteboard/records.ts";
import { type CachedSnapshot, openEdgeroomDb } from "./idb-pending-store.ts";
import type { PendingMutation } from "./store.ts";

/** Save at most once per this interval (ms) while the board changes: a
 * 10,000-shape board is a few MB to clone into IndexedDB, not something to do on
 * every change, and a reload loses at most this much of the backdrop. */
export const SNAPSHOT_SAVE_DELAY_MS = 2_000;

/** Cached records with pending mutations replayed on top, like DocumentStore.view(). */
export function viewOverSnapshot(records: readonly Shape[], pending: readonly PendingMutation[]): Map<string, Shape> {
  const view = new Map(records.map((r) => [r.id, r]));
  for (const m of pending) {
    const plan = planOps(view, m.ops);
    if (!plan.ok) continue;
    for (const [id, value] of plan.writes) {
      if (value) view.set(id, value);
      else view.delete(id);
    }
  }
  return view;
}

export async function loadSnapshot(room: string): Promise<CachedSnapshot | null> {
  try {
    const db = await openEdgeroomDb();
    return (await db.get("snapshots", room)) ?? null;
  } catch {
    return null; // no IndexedDB: no backdrop, nothing else changes
  }
}

export async function saveSnapshot(snapshot: CachedSnapshot): Promise<void> {
  try {
    const db = await openEdgeroomDb();
    await db.put("snapshots", snapshot);
  } catch {
    // Best effort: the room is the source of truth.
  }
}
