/**
 * The durable backend of PendingEdits: where pending (unacknowledged)
 * mutations wait, so they outlive a reload while offline. PendingEdits reads
 * it once at load and writes every change through to it; nothing else calls
 * it. The browser uses the IndexedDB implementation (idb-pending-store.ts);
 * Node and tests use the in-memory one.
 */
import type { PendingMutation } from "./pending-edits.ts";

export interface PendingStore {
  /** Every pending mutation of this room, oldest first. */
  load(): Promise<PendingMutation[]>;
  add(m: PendingMutation): Promise<void>;
  remove(mid: string): Promise<void>;
}

export class MemoryPendingStore implements PendingStore {
  private readonly items = new Map<string, PendingMutation>();
  async load(): Promise<PendingMutation[]> {
    return [...this.items.values()].sort((a, b) => a.createdAt - b.createdAt);
  }
  async add(m: PendingMutation): Promise<void> {
    this.items.set(m.mid, m);
  }
  async remove(mid: string): Promise<void> {
    this.items.delete(mid);
  }
}
