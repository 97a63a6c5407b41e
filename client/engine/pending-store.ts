/**
 * The durable backend of PendingEdits: where pending (unacknowledged)
 * mutations wait, so they outlive a reload while offline. PendingEdits reads
 * it once at load and writes every change through to it; nothing else calls
 * it. The browser uses the IndexedDB implementation (idb-pending-store.ts);
 * Node and tests use the in-memory one.
 */
import type { Op, RecordBase } from "../../party/shared/protocol.ts";

/** One pending mutation: what PendingEdits holds and the store keeps. */
export interface PendingMutation<R extends RecordBase = RecordBase> {
  /** Client-chosen, globally unique mutation id. */
  mid: string;
  ops: Op<R>[];
  /** Wall-clock ms when the user made the edit. */
  createdAt: number;
  /** The edit (one thing the person did: a drag, a paste, an undo) this
   * mutation is part of; one edit can take several mutations. Local only,
   * never sent. Absent: the mutation is an edit of its own. */
  edit?: string;
  /** The record schema version the ops were written in (defineRoom
   * `version`). Absent: written by code from before versions, schema 1. */
  schema?: number;
  /** The hashes of assets this mutation waits for (room-assets.ts): it is
   * drawn at once but not sent — nor anything made after it — until they
   * are stored, so no one sees a record whose asset is missing. Never empty. */
  awaits?: string[];
}

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
