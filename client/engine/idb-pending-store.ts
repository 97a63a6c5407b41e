/**
 * Pending edits in IndexedDB, so edits made offline survive a reload and are
 * sent when the connection returns. Keyed per room: every tab of a room sees the
 * room's pending edits, and the room's dedupe (by mutation id) makes sure an
 * edit resent by two tabs still applies exactly once.
 */
import type { IDBPDatabase } from "idb";
import { type EdgeroomDB, openEdgeroomDb, type PendingRow } from "./idb-db.ts";
import { MemoryPendingStore, type PendingStore } from "./pending-store.ts";
import type { PendingMutation } from "./pending-edits.ts";

let addCounter = 0;

/**
 * When IndexedDB is unavailable (some private-browsing modes, storage blocked),
 * the store falls back to memory: the board keeps working, edits just do not
 * outlive the page. `durable` tells the UI which one it got.
 */
export class IdbPendingStore implements PendingStore {
  private fallback: MemoryPendingStore | null = null;

  private readonly room: string;

  constructor(room: string) {
    this.room = room;
  }

  get durable(): boolean {
    return this.fallback === null;
  }

  private async db(): Promise<IDBPDatabase<EdgeroomDB> | null> {
    if (this.fallback) return null;
    try {
      return await openEdgeroomDb();
    } catch {
      // `??=`: calls racing the failed open share one fallback, or an add could be lost.
      this.fallback ??= new MemoryPendingStore();
      return null;
    }
  }

  async load(): Promise<PendingMutation[]> {
    const db = await this.db();
    if (!db) return this.fallback!.load();
    const rows = await db.getAllFromIndex("pending", "byRoom", this.room);
    return rows
      .sort((a, b) => a.createdAt - b.createdAt || a.order - b.order)
      .map(({ mid, ops, createdAt, edit, schema, awaits }) => {
        const m: PendingMutation = { mid, ops, createdAt };
        if (edit !== undefined) m.edit = edit;
        if (schema !== undefined) m.schema = schema;
        if (awaits !== undefined) m.awaits = awaits;
        return m;
      });
  }

  async add(m: PendingMutation): Promise<void> {
    const db = await this.db();
    if (!db) return this.fallback!.add(m);
    const row: PendingRow = { room: this.room, mid: m.mid, ops: m.ops, createdAt: m.createdAt, order: Date.now() * 1000 + (addCounter++ % 1000) };
    if (m.edit !== undefined) row.edit = m.edit;
    if (m.schema !== undefined) row.schema = m.schema;
    if (m.awaits !== undefined) row.awaits = m.awaits;
    await db.put("pending", row);
  }

  async remove(mid: string): Promise<void> {
    const db = await this.db();
    if (!db) return this.fallback!.remove(mid);
    await db.delete("pending", [this.room, mid]);
  }
}
