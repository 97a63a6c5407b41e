/**
 * The one owner of this client's pending edits: the mutations made here (or
 * by an earlier page of this room, before a reload) that the room has not
 * acknowledged yet. It holds them in memory, in the order they were made, and
 * writes every change through to a durable backend (IndexedDB in the browser),
 * so they outlive a reload while offline. The backend is read once, at load;
 * after that memory is the truth and the backend only follows it. (A tab that
 * becomes the leader of a shared connection reads it once more, taking what
 * it does not hold yet: that is how the edits of a closed leader tab carry on.)
 *
 * Everything else is derived from here: what is drawn (view.ts replays these
 * over the confirmed state), which records look pending, and the count the
 * person sees.
 */
import type { RecordBase } from "../../party/shared/protocol.ts";
import { MemoryPendingStore, type PendingMutation, type PendingStore } from "./pending-store.ts";

// Defined beside the store that holds it (so the two files do not import each
// other); exported from here too, where its readers have always found it.
export type { PendingMutation } from "./pending-store.ts";

/** What readers of the pending edits may see (the view, the UI). */
export interface PendingEditsView<R extends RecordBase = RecordBase> {
  /** Pending mutations, oldest first. */
  readonly list: readonly PendingMutation<R>[];
  /** How many mutations ever left the list: a view built on the list must be
   * rebuilt after a removal, and only extended after additions. */
  readonly removals: number;
  /** The pending mutation `mid`, if it is pending. */
  get(mid: string): PendingMutation<R> | undefined;
  /** Ids of the records pending mutations touch (drawn as "pending"). */
  ids(): Set<string>;
  /** Edits the person made that are not all acknowledged yet (not mutations:
   * a drag committed ten times is one edit). */
  editCount(): number;
  /** The hashes of the assets pending mutations wait for (`awaits`) that
   * are not confirmed stored on this connection: what must be uploaded, or
   * confirmed, before they go. */
  waitingAssets(): Set<string>;
}

export class PendingEdits<R extends RecordBase = RecordBase> implements PendingEditsView<R> {
  private readonly items: PendingMutation<R>[] = [];
  private removed = 0;
  private readonly writes = new Set<Promise<void>>();
  /** Assets the room confirmed it holds, on this connection (memory only). */
  private readonly confirmed = new Set<string>();

  /** Where the edits are kept across reloads; memory only by default. */
  private readonly backend: PendingStore;

  constructor(backend: PendingStore = new MemoryPendingStore()) {
    this.backend = backend;
  }

  get list(): readonly PendingMutation<R>[] {
    return this.items;
  }
  get removals(): number {
    return this.removed;
  }
  get size(): number {
    return this.items.length;
  }

  get(mid: string): PendingMutation<R> | undefined {
    return this.items.find((m) => m.mid === mid);
  }

  ids(): Set<string> {
    const ids = new Set<string>();
    for (const m of this.items) for (const op of m.ops) ids.add(op.op === "put" ? op.rec.id : op.id);
    return ids;
  }

  editCount(): number {
    const edits = new Set<string>();
    for (const m of this.items) edits.add(m.edit ?? m.mid);
    return edits.size;
  }

  /**
   * Read what the backend kept (a reload), and take what is not held here yet.
   * Mutations older than `maxAgeMs` are dropped from it instead: the room's
   * dedupe memory may have forgotten them, and resending could apply one twice.
   * Returns how many were taken.
   */
  async load(now: number, maxAgeMs: number): Promise<number> {
    const stored = await this.backend.load();
    const cutoff = now - maxAgeMs;
    let taken = 0;
    for (const m of stored) {
      if (this.get(m.mid)) continue;
      if (m.createdAt < cutoff) {
        this.track(this.backend.remove(m.mid));
        continue;
      }
      this.items.push(m as PendingMutation<R>);
      taken++;
    }
    return taken;
  }

  /** A new edit: kept in memory at once, written through to the backend. */
  add(m: PendingMutation<R>): void {
    this.items.push(m);
    this.track(this.backend.add(m as PendingMutation));
  }

  /** Replace every pending mutation by `fn`'s version of it, in place (same
   * mid, same order), writing changed ones through (pending-migration.ts). */
  rewrite(fn: (m: PendingMutation<R>) => PendingMutation<R>): number {
    let changed = 0;
    this.items.forEach((m, i) => {
      const next = fn(m);
      if (next === m) return;
      this.items[i] = next;
      changed++;
      this.track(this.backend.add(next as PendingMutation));
    });
    if (changed) this.removed++; // a view built on the old ops must be rebuilt
    return changed;
  }

  /** The room settled `mid` (acknowledged, seen in a change, or refused): it
   * leaves memory and the backend. Returns it, if it was pending. */
  remove(mid: string): PendingMutation<R> | undefined {
    const i = this.items.findIndex((p) => p.mid === mid);
    if (i < 0) return undefined;
    const [m] = this.items.splice(i, 1);
    this.removed++;
    this.track(this.backend.remove(mid));
    return m;
  }

  /** Where sending stops: the index of the first mutation waiting for an
   * asset not confirmed stored on this connection, or the list's length.
   * Everything from there on waits too, so the room gets the edits in the
   * order they were made. */
  heldFrom(): number {
    const i = this.items.findIndex((m) => m.awaits !== undefined && m.awaits.some((h) => !this.confirmed.has(h)));
    return i < 0 ? this.items.length : i;
  }

  waitingAssets(): Set<string> {
    const hashes = new Set<string>();
    for (const m of this.items) for (const h of m.awaits ?? []) if (!this.confirmed.has(h)) hashes.add(h);
    return hashes;
  }

  /**
   * The room answered that it holds the asset `hash` (uploaded, or kept): the
   * mutations waiting for it may go on this connection. Their `awaits` stay,
   * in memory and in the backend, until the room acknowledges them: sent
   * again on a later connection (or by a later page) they wait for the asset
   * to be confirmed again, because the room may have collected a file no
   * record named for ASSET_GRACE_MS meanwhile (docs/PROTOCOL.md §17).
   * Returns whether any mutation waited for it.
   */
  release(hash: string): boolean {
    if (this.confirmed.has(hash) || !this.items.some((m) => m.awaits?.includes(hash))) return false;
    this.confirmed.add(hash);
    return true;
  }

  /** The connection closed: what it confirmed is confirmed again on the next. */
  forgetConfirmed(): void {
    this.confirmed.clear();
  }

  /** The mutations waiting for `hash`, oldest first. */
  awaiting(hash: string): PendingMutation<R>[] {
    return this.items.filter((m) => m.awaits?.includes(hash) === true);
  }

  /** Resolves once every write issued so far reached the backend (tests, unload). */
  async flushed(): Promise<void> {
    await Promise.all([...this.writes]);
  }

  /** Backend calls are issued at once and in order (IndexedDB runs
   * transactions in the order they were created), never awaited by the
   * caller: the board must not wait for the disk. A failed write (quota,
   * storage blocked) leaves the edit in memory — it is still sent; it just
   * would not survive a reload. */
  private track(write: Promise<void>): void {
    const p: Promise<void> = write.catch(() => {}).finally(() => this.writes.delete(p));
    this.writes.add(p);
  }
}
