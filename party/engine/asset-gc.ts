/**
 * The collection of a room's assets that no record names (docs/HTTP-API.md
 * "Assets", "Collection"): an upload whose record never came (the page died
 * between the two), or a picture whose last record was deleted and whose
 * history is gone. Run by the room's alarm (room/alarm.ts), a bounded step per
 * alarm.
 *
 * What counts as named: a string that is an asset's hash anywhere in a record
 * of the board, of any retained checkpoint, or of any retained change after
 * the oldest checkpoint — everything a restore, a preview, a version or a
 * fork can bring back (history.ts builds every past board from exactly
 * those). With history off, only the board. Named by none of these for
 * ASSET_GRACE_MS (from its upload if it was never seen named, else from the
 * first pass that found it unnamed), an asset is deleted from R2, its row
 * and its share of the room's tally with it.
 *
 * A pass reads the checkpoints, then the changes, at most ASSET_GC_STEP_CHARS
 * per alarm (at least one checkpoint), and ends in a step that reads the rest
 * of the changes up to the head and the board — in the room's queue, so no
 * commit is half done — then deletes at most ASSET_GC_DELETES objects (more
 * wait for the next alarm, the pass kept open). Found names are kept in the
 * room's storage (`assetmark:<hash>`, the pass's start), so a pass survives
 * eviction. A pass starts when an upload's grace ends, when a waiting
 * asset's ends, and ASSET_GC_INTERVAL_MS after the last pass once the room
 * changed since.
 */
import { ASSET_GC_DELETES, ASSET_GC_INTERVAL_MS, ASSET_GC_STEP_CHARS, ASSET_GRACE_MS } from "../shared/limits.ts";
import { assetKey, collecting, ENTRY_PREFIX, type Entry, entryKey, type Tally, TALLY_KEY } from "./assets.ts";
import type { AssetBoard, AssetCollection, AssetStep } from "./room/types.ts";

/** The Durable Object storage calls collection uses (key-value). */
export interface AssetGcStorage {
  get<T>(key: string): Promise<T | undefined>;
  get<T>(keys: string[]): Promise<Map<string, T>>;
  put<T>(key: string, value: T): Promise<void>;
  delete(keys: string[]): Promise<number>;
  list<T>(options: { prefix: string }): Promise<Map<string, T>>;
}

interface Pass {
  /** When it started (ms): the mark of what it found named. */
  started: number;
  /** Checkpoints read. */
  done: number[];
  /** Changes read up to this seq; null before the first. */
  cursor: number | null;
}
interface GcState {
  /** When a pass should start; null: none waits. */
  due: number | null;
  pass?: Pass;
  /** The head and the time when the last pass ended. */
  lastSeq?: number;
  lastAt?: number;
  /** R2 keys whose delete failed (their rows are gone): deleted at the next sweep. */
  retry?: string[];
}
/** Per asset, what collection knows of it: the start of the last pass that
 * found it named; when a pass first found it unnamed after that. */
interface Mark {
  seen?: number;
  orphan?: number;
}

const STATE_KEY = "assets:gc";
const MARK_PREFIX = "assetmark:";
const markKey = (hash: string) => `${MARK_PREFIX}${hash}`;
/** Changes read per storage call within a step: a step reads at most this
 * many past its share (each ≤ MAX_MESSAGE_BYTES). */
const CHANGES_PER_READ = 16;
/** After a failed R2 delete, the next try. */
const RETRY_AFTER_MS = 60_000;
const HASH = /^[0-9a-f]{64}$/;
const QUOTED_HASH = /"([0-9a-f]{64})"/g;

/** Every string that is a hash in `value`, at any depth. */
function namesIn(value: unknown, note: (hash: string) => void, depth = 0): void {
  if (typeof value === "string") {
    if (value.length === 64 && HASH.test(value)) note(value);
    return;
  }
  if (value === null || typeof value !== "object" || depth > 32) return;
  for (const v of Array.isArray(value) ? value : Object.values(value)) namesIn(v, note, depth + 1);
}

export class AssetCollector implements AssetCollection {
  private readonly storage: AssetGcStorage;
  private readonly bucket: R2Bucket;
  private readonly party: string;
  private readonly room: string;
  /** Make sure the room's alarm fires by `at`. */
  private readonly wake: (at: number) => Promise<void>;
  /** Serialises every read-modify-write of the state (steps, uploads, changes). */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(storage: AssetGcStorage, bucket: R2Bucket, where: { party: string; room: string }, wake: (at: number) => Promise<void>) {
    this.storage = storage;
    this.bucket = bucket;
    this.party = where.party;
    this.room = where.room;
    this.wake = wake;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turn.then(fn, fn);
    this.turn = run.catch(() => {});
    return run;
  }

  private async state(): Promise<GcState> {
    return (await this.storage.get<GcState>(STATE_KEY)) ?? { due: null };
  }

  /** Make a pass start by `at` (and the alarm fire then). */
  private async dueBy(at: number): Promise<void> {
    const state = await this.state();
    if (state.due !== null && state.due <= at) return;
    await this.storage.put(STATE_KEY, { ...state, due: at });
    await this.wake(at);
  }

  /** A new asset was stored at `at`: look at it once its grace has passed. */
  stored(at: number): Promise<void> {
    return this.exclusive(() => this.dueBy(at + ASSET_GRACE_MS));
  }

  /** The room changed outside a socket (the HTTP API): a pass is due an
   * interval after the last one, if the room holds assets. */
  changed(now: number): Promise<void> {
    return this.exclusive(async () => {
      const tally = await this.storage.get<Tally>(TALLY_KEY);
      if (!tally?.count) return;
      const state = await this.state();
      if (!state.pass) await this.dueBy((state.lastAt ?? now) + ASSET_GC_INTERVAL_MS);
    });
  }

  step(board: AssetBoard, now: number): Promise<AssetStep> {
    return this.exclusive(() => this.run(board, now));
  }

  private async run(board: AssetBoard, now: number): Promise<AssetStep> {
    const state = await this.state();
    if (!state.pass) {
      const tally = await this.storage.get<Tally>(TALLY_KEY);
      if (!tally?.count && !state.retry?.length) return { next: null };
      // Changed since the last pass: another is due an interval after it.
      if (state.lastSeq !== undefined && state.lastSeq !== board.seq) {
        const after = (state.lastAt ?? now) + ASSET_GC_INTERVAL_MS;
        if (state.due === null || after < state.due) state.due = after;
      }
      if (state.due === null || now < state.due) {
        await this.storage.put(STATE_KEY, state);
        return { next: state.due };
      }
      state.pass = { started: now, done: [], cursor: null };
      state.due = null;
    }
    const pass = state.pass;
    const table = await this.storage.list<Entry>({ prefix: ENTRY_PREFIX });
    const named = new Set<string>();
    const note = (hash: string) => void (table.has(entryKey(hash)) && named.add(hash));
    const complete = await this.read(board, pass, (json) => {
      for (const m of json.matchAll(QUOTED_HASH)) note(m[1]!);
    }, (records) => namesIn(records, note));
    if (!complete) {
      await this.mark(named, pass.started);
      await this.storage.put(STATE_KEY, state);
      return { next: now };
    }
    // The board as it is now, with no commit half done (the room's queue).
    namesIn([...board.records], note);
    await this.mark(named, pass.started);
    return this.sweep(state, pass, table, board.seq, now);
  }

  /** Read the pass's next share of history: the checkpoints not read yet,
   * then the changes after the oldest one up to the head. True when all is read. */
  private async read(board: AssetBoard, pass: Pass, text: (json: string) => void, records: (r: unknown[]) => void): Promise<boolean> {
    if (!board.history) return true;
    let budget = ASSET_GC_STEP_CHARS;
    const index = await board.history.historyIndex();
    for (const cp of index.checkpoints) {
      if (pass.done.includes(cp.seq)) continue;
      if (budget <= 0) return false;
      const board_ = await board.history.readCheckpoint(cp.seq);
      if (board_) records(board_);
      pass.done.push(cp.seq);
      budget -= cp.bytes;
    }
    const floor = index.checkpoints[0]?.seq;
    if (floor === undefined) return true;
    let cursor = Math.max(pass.cursor ?? floor, floor);
    while (cursor < board.seq && budget > 0) {
      const to = Math.min(board.seq, cursor + CHANGES_PER_READ);
      for (const json of await board.history.changesBetween(cursor, to)) {
        text(json);
        budget -= json.length;
      }
      cursor = to;
    }
    pass.cursor = cursor;
    return cursor >= board.seq;
  }

  /** Note the pass's start on each asset found named (once per pass). */
  private async mark(named: Set<string>, started: number): Promise<void> {
    if (named.size === 0) return;
    const keys = [...named].map(markKey);
    for (let i = 0; i < keys.length; i += 128) {
      const marks = await this.storage.get<Mark>(keys.slice(i, i + 128));
      for (const key of keys.slice(i, i + 128)) if (marks.get(key)?.seen !== started) await this.storage.put(key, { seen: started } satisfies Mark);
    }
  }

  /** The pass has read everything: decide what goes, take its rows and its
   * tally in the queue; the R2 deletes run after (`collect`). */
  private async sweep(state: GcState, pass: Pass, table: Map<string, Entry>, seq: number, now: number): Promise<AssetStep> {
    const marks = await this.storage.list<Mark>({ prefix: MARK_PREFIX });
    const victims: { hash: string; entry: Entry }[] = [];
    let next = null as number | null;
    const soon = (at: number) => void (next = next === null ? at : Math.min(next, at));
    for (const [key, entry] of table) {
      const hash = key.slice(ENTRY_PREFIX.length);
      const mark = marks.get(markKey(hash)) ?? {};
      if (mark.seen === pass.started) continue;
      // Found unnamed by this pass. Its grace runs from its upload if no
      // pass ever saw it named, else from the first pass that found it so.
      if (mark.seen !== undefined && mark.orphan === undefined) {
        mark.orphan = now;
        await this.storage.put(markKey(hash), mark);
      }
      const since = Math.max(entry.at, mark.orphan ?? entry.at);
      if (now - since >= ASSET_GRACE_MS) victims.push({ hash, entry });
      else soon(since + ASSET_GRACE_MS);
    }
    // Marks whose asset is gone (its upload failed, or it was collected).
    const stale = [...marks.keys()].filter((k) => !table.has(entryKey(k.slice(MARK_PREFIX.length))));
    await this.deleteKeys(stale);

    const take = victims.slice(0, ASSET_GC_DELETES);
    // Deletes of an earlier sweep that failed or were cut off (an eviction),
    // unless the bytes were uploaded again since.
    const retry = (state.retry ?? []).filter((k) => !collecting.has(k) && !table.has(entryKey(k.slice(k.lastIndexOf("/") + 1))));
    if (victims.length > take.length) {
      // More than one step deletes: the pass stays open, and the next step
      // reads only what changed since, then sweeps again.
      state.due = null;
      next = now;
    } else {
      delete state.pass;
      state.lastSeq = seq;
      state.lastAt = now;
      state.due = next;
    }
    const gone = await this.take(take);
    const keys = [...gone.map((v) => assetKey(this.party, this.room, v.hash)), ...retry];
    // Written before the deletes: if they fail, or this object is evicted
    // first, the next sweep deletes them (their rows are gone already).
    if (keys.length) state.retry = keys;
    else delete state.retry;
    await this.storage.put(STATE_KEY, state);
    if (keys.length === 0) return { next };
    return {
      next,
      collect: async () => {
        let deleted = false;
        try {
          await this.bucket.delete(keys);
          deleted = true;
        } catch {
          // Left in `retry`, and a pass made due a minute later.
        } finally {
          for (const v of gone) this.release(v.hash);
        }
        await this.exclusive(async () => {
          const { retry: before, ...rest } = await this.state();
          const left = (before ?? []).filter((k) => !keys.includes(k));
          if (deleted) await this.storage.put(STATE_KEY, left.length ? { ...rest, retry: left } : rest);
          else await this.dueBy(now + RETRY_AFTER_MS);
        });
      },
    };
  }

  /** Storage deletes take at most 128 keys a call. */
  private async deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 128) await this.storage.delete(keys.slice(i, i + 128));
  }

  private readonly releases = new Map<string, () => void>();

  private release(hash: string): void {
    const key = assetKey(this.party, this.room, hash);
    this.releases.get(key)?.();
    this.releases.delete(key);
    collecting.delete(key);
  }

  /** Lock the victims' keys (an upload of the same bytes waits), re-read
   * their rows under the lock and keep those unchanged (not uploaded again
   * meanwhile), then drop their rows and marks and give back their tally. */
  private async take(victims: { hash: string; entry: Entry }[]): Promise<{ hash: string; entry: Entry }[]> {
    if (victims.length === 0) return [];
    for (const v of victims) {
      const key = assetKey(this.party, this.room, v.hash);
      collecting.set(key, new Promise<void>((resolve) => this.releases.set(key, resolve)));
    }
    const fresh = await this.storage.get<Entry>(victims.map((v) => entryKey(v.hash)));
    const gone = victims.filter((v) => {
      const now = fresh.get(entryKey(v.hash));
      const same = now !== undefined && now.at === v.entry.at && !!now.pending === !!v.entry.pending;
      if (!same) this.release(v.hash);
      return same;
    });
    if (gone.length === 0) return [];
    await this.deleteKeys(gone.flatMap((v) => [entryKey(v.hash), markKey(v.hash)]));
    const tally = (await this.storage.get<Tally>(TALLY_KEY)) ?? { bytes: 0, count: 0 };
    const bytes = gone.reduce((n, v) => n + v.entry.bytes, 0);
    await this.storage.put(TALLY_KEY, { bytes: Math.max(0, tally.bytes - bytes), count: Math.max(0, tally.count - gone.length) });
    return gone;
  }
}
