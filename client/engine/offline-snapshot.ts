/**
 * The offline backdrop, as an engine feature any app can switch on: the
 * room's last confirmed state kept in a store (IndexedDB in a browser,
 * snapshot-cache.ts), so a page opened without a connection shows the document
 * instead of nothing. Until the client's first sync, `records()` is the cached
 * snapshot with this client's pending edits replayed on top (view.ts, the same
 * rebase as over the confirmed state); the first sync replaces it entirely, and
 * from then on the cache is only written — at most once per `saveDelayMs`
 * while the document changes (however busy: a stream of remote edits must not
 * postpone it forever), when the page is hidden, and on `close()`.
 *
 * The backdrop is for showing: the client checks an edit against what the
 * room confirmed to it, so before the first sync new records can be added
 * (and are drawn over the backdrop) but an edit of a cached record is refused
 * (RECORD_NOT_FOUND) — an app says so, as the whiteboard does.
 *
 * Built only on RoomClient's public API (records, confirmed records, pending
 * edits, epoch, seq, "change"), beside the client rather than inside it.
 */
import type { RecordBase } from "../../party/shared/protocol.ts";
import { type Clock, realClock } from "./clock.ts";
import type { CachedSnapshot } from "./cached-snapshot.ts";
import type { RoomClient } from "./room-client.ts";
import { loadSnapshot, SNAPSHOT_SAVE_DELAY_MS, saveSnapshot } from "./snapshot-cache.ts";
import { RebasedView } from "./view.ts";

export type { CachedSnapshot };

/** Where snapshots are kept, one per room. Both calls are best effort: a store
 * that fails loads null and saves nothing (the room is the source of truth). */
export interface SnapshotStore<R extends RecordBase = RecordBase> {
  load(room: string): Promise<CachedSnapshot<R> | null>;
  save(snapshot: CachedSnapshot<R>): Promise<void>;
}

/** The browser's store (IndexedDB, beside the pending edits); loads null where there is none. */
export const idbSnapshotStore: SnapshotStore = { load: loadSnapshot, save: saveSnapshot };

/** Snapshots in memory: for tests, and for a process that reconnects without restarting. */
export class MemorySnapshotStore<R extends RecordBase = RecordBase> implements SnapshotStore<R> {
  readonly snapshots = new Map<string, CachedSnapshot<R>>();
  async load(room: string): Promise<CachedSnapshot<R> | null> {
    return this.snapshots.get(room) ?? null;
  }
  async save(snapshot: CachedSnapshot<R>): Promise<void> {
    this.snapshots.set(snapshot.room, snapshot);
  }
}

export interface OfflineSnapshotOptions<R extends RecordBase> {
  /** Default: IndexedDB (`idbSnapshotStore`). */
  store?: SnapshotStore<R>;
  /** Save at most once per this interval (ms) while the document changes; default SNAPSHOT_SAVE_DELAY_MS. */
  saveDelayMs?: number;
  /** Timers for the save delay (tests pass a fake clock). */
  clock?: Clock;
  /** Wall-clock time stamped on a saved snapshot (`savedAt`, ms since the epoch). */
  now?: () => number;
}

export class OfflineSnapshot<R extends RecordBase> {
  /** Resolves once the stored snapshot was read (whether or not there was one). */
  readonly loaded: Promise<void>;
  private readonly client: RoomClient<R>;
  private readonly store: SnapshotStore<R>;
  private readonly saveDelayMs: number;
  private readonly clock: Clock;
  private readonly now: () => number;
  private readonly overCached: RebasedView<R>;
  private readonly listeners = new Set<() => void>();
  private readonly disposers: (() => void)[] = [];
  private cached: { savedAt: number; records: ReadonlyMap<string, R> } | null = null;
  private saveTimer: unknown = null;
  private closed = false;
  private stored: number | null = null;

  constructor(client: RoomClient<R>, options: OfflineSnapshotOptions<R> = {}) {
    this.client = client;
    this.store = options.store ?? (idbSnapshotStore as unknown as SnapshotStore<R>);
    this.saveDelayMs = options.saveDelayMs ?? SNAPSHOT_SAVE_DELAY_MS;
    this.clock = options.clock ?? realClock;
    this.now = options.now ?? Date.now;
    this.overCached = new RebasedView(client.schema, client.pending);
    this.loaded = this.store.load(client.room).then(
      (snap) => {
        if (!snap || this.synced() || this.closed) return;
        this.cached = { savedAt: snap.savedAt, records: new Map((snap.records as R[]).map((r) => [r.id, r])) };
        this.emit();
      },
      () => {}, // a store that fails is a store with nothing in it
    );
    this.disposers.push(
      client.on("change", () => {
        if (this.synced()) {
          this.cached = null;
          this.saveTimer ??= this.clock.setTimeout(() => void this.save(), this.saveDelayMs);
        }
        this.emit();
      }),
    );
    if (typeof document !== "undefined") {
      // A hidden page may be discarded without another event: save while we can.
      const onHidden = () => document.visibilityState === "hidden" && void this.save();
      document.addEventListener("visibilitychange", onHidden);
      this.disposers.push(() => document.removeEventListener("visibilitychange", onHidden));
    }
  }

  /** The records to show: the client's once it has synced; before that, the
   * cached snapshot (if any) with the pending edits on top. */
  records(): ReadonlyMap<string, R> {
    if (!this.cached || this.synced()) return this.client.records();
    return this.overCached.over(this.cached.records);
  }

  /** When the cached snapshot being shown was saved (ms since the epoch); null
   * when none is shown (the client has synced, or nothing was cached). */
  get cachedAt(): number | null {
    return this.cached && !this.synced() ? this.cached.savedAt : null;
  }

  /** Call `fn` whenever `records()` may have changed: the cache was read, or the client changed. */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The seq of the newest snapshot the store has taken (null: none yet, in
   * this page's life) — what a page waits for before it may go offline and
   * still reload into the document as it is now. */
  get savedSeq(): number | null {
    return this.stored;
  }

  /** Save what the room has confirmed now (nothing before the first sync). */
  save(): Promise<void> {
    if (this.saveTimer !== null) this.clock.clearTimeout(this.saveTimer);
    this.saveTimer = null;
    const epoch = this.client.epoch;
    if (epoch === null) return Promise.resolve();
    const c = this.client;
    const seq = c.seq;
    return this.store.save({ room: c.room, epoch, seq, records: [...c.confirmedRecords().values()], savedAt: this.now() }).then(
      () => void (this.stored = Math.max(this.stored ?? seq, seq)),
      () => {}, // best effort: the room is the source of truth
    );
  }

  /** Stop following the client, and save one last time. The client stays open. */
  close(): Promise<void> {
    this.closed = true;
    for (const d of this.disposers.splice(0)) d();
    this.listeners.clear();
    return this.save();
  }

  private synced(): boolean {
    return this.client.epoch !== null;
  }

  private emit(): void {
    for (const fn of this.listeners) fn();
  }
}
