/**
 * What the room persists, behind one interface with two implementations:
 * `SqlRoomStorage` (sql-storage.ts: Durable Object SQLite, the wrangler host) and
 * `KvRoomStorage` (here: any Durable-Object-style key-value storage — PartyKit's
 * `room.storage`, or `MemoryKv` in unit tests).
 *
 * Persisted per room: meta (epoch, head seq, log and dedupe windows), the records
 * with the seq of their last change, the op log window, and the processed
 * mutation ids with their seq (exactly-once across restarts).
 */
import type { Change, ErrorCode } from "../shared/protocol.ts";
import type { Shape } from "../whiteboard/records.ts";

export interface RoomMeta {
  /** Random id fixed when the room is first written; a client's seq is only
   * meaningful within one epoch (a wiped dev database starts a new one). */
  epoch: string;
  /** Seq of the last applied mutation (0: none). */
  seq: number;
  /** Lowest seq still in the op log (seq + 1 when the log is empty). */
  logStart: number;
}

export interface LoadedRoom {
  meta: RoomMeta | null;
  records: Map<string, Shape>;
  recordSeq: Map<string, number>;
}

/** One applied mutation, as written atomically by `commit`. */
export interface Commit {
  /** Meta after this commit (seq = change.seq). */
  meta: RoomMeta;
  change: Change;
  /** Final value of each touched record; null = deleted. */
  writes: Map<string, Shape | null>;
  /** Wall-clock ms, for dedupe retention. */
  at: number;
}

/** Which remembered mutation ids compaction may forget (times in ms). */
export interface DedupePolicy {
  before: number;
  max: number;
  floor: number;
}

/** What the room did with a mutation id: applied at a seq, or refused for good. */
export type MutationOutcome = { seq: number } | { code: ErrorCode; message: string };

export interface RoomStorage {
  /** Everything the in-memory cache is rebuilt from. */
  load(): Promise<LoadedRoom>;
  /** First write of a new room. Never called when meta exists (no re-seeding). */
  init(meta: RoomMeta): Promise<void>;
  /** Atomically: write the records, append the change to the log, remember its
   * mutation id, advance meta.seq. Resolves once durable (or output-gated). */
  commit(commit: Commit): Promise<void>;
  /** Log entries with seq > afterSeq, in order. */
  changesSince(afterSeq: number): Promise<Change[]>;
  /** What became of a mutation id, if it is still remembered. */
  findMutation(mid: string): Promise<MutationOutcome | undefined>;
  /** Remember that `mid` was refused for a reason that would not change on a
   * retry (a late duplicate then gets the same reject, never an apply). */
  rememberReject(mid: string, code: ErrorCode, message: string, at: number): Promise<void>;
  /** Persist `meta` (its logStart moved up), drop log entries below it, and
   * forget mutation ids older than `dedupe.before` (ms), or beyond the newest
   * `dedupe.max` and older than `dedupe.floor` (ms). */
  compact(meta: RoomMeta, dedupe: DedupePolicy): Promise<void>;
  /** Bytes on disk, when the host can tell. */
  sizeBytes(): number | null;
}

// ---------------------------------------------------------------------------
// Key-value implementation

/** The subset of Durable Object key-value storage we use. PartyKit's
 * `room.storage` satisfies it; so does MemoryKv. */
export interface KvLike {
  get<T = unknown>(key: string): Promise<T | undefined>;
  get<T = unknown>(keys: string[]): Promise<Map<string, T>>;
  put(entries: Record<string, unknown>): Promise<void>;
  delete(keys: string[]): Promise<number>;
  list<T = unknown>(options?: { prefix?: string; start?: string; end?: string; limit?: number }): Promise<Map<string, T>>;
}

/** Seqs are zero-padded in keys so that lexical order is numeric order. */
const pad = (seq: number) => seq.toString().padStart(15, "0");
const META = "meta";
const REC = "r:";
const LOG = "l:";
const MID = "m:";
/** m-index by seq, so dedupe pruning walks oldest-first without a full scan. */
const MID_BY_SEQ = "n:";
/** Refused mutation ids (rare: behind the mutation rate limit). */
const REJECTED = "x:";
/** DO key-value calls take at most 128 keys each. */
const KEYS_PER_CALL = 128;

interface StoredRecord {
  s: number;
  r: Shape;
}

export class KvRoomStorage implements RoomStorage {
  private readonly kv: KvLike;
  constructor(kv: KvLike) {
    this.kv = kv;
  }

  async load(): Promise<LoadedRoom> {
    const meta = (await this.kv.get<RoomMeta>(META)) ?? null;
    const records = new Map<string, Shape>();
    const recordSeq = new Map<string, number>();
    if (meta) {
      const rows = await this.kv.list<StoredRecord>({ prefix: REC });
      for (const [key, row] of rows) {
        const id = key.slice(REC.length);
        records.set(id, row.r);
        recordSeq.set(id, row.s);
      }
    }
    return { meta, records, recordSeq };
  }

  async init(meta: RoomMeta): Promise<void> {
    await this.kv.put({ [META]: meta });
  }

  async commit({ meta, change, writes, at }: Commit): Promise<void> {
    const puts: Record<string, unknown> = {
      [META]: meta,
      [LOG + pad(change.seq)]: change,
      [MID + change.mid]: change.seq,
      [MID_BY_SEQ + pad(change.seq)]: { mid: change.mid, at },
    };
    const dels: string[] = [];
    for (const [id, value] of writes) {
      if (value) puts[REC + id] = { s: change.seq, r: value } satisfies StoredRecord;
      else dels.push(REC + id);
    }
    // Durable Object storage coalesces writes issued without an await between
    // them into one atomic batch; so start them all, then wait for all.
    const pending: Promise<unknown>[] = [];
    const entries = Object.entries(puts);
    for (let i = 0; i < entries.length; i += KEYS_PER_CALL) {
      pending.push(this.kv.put(Object.fromEntries(entries.slice(i, i + KEYS_PER_CALL))));
    }
    for (let i = 0; i < dels.length; i += KEYS_PER_CALL) pending.push(this.kv.delete(dels.slice(i, i + KEYS_PER_CALL)));
    await Promise.all(pending);
  }

  async changesSince(afterSeq: number): Promise<Change[]> {
    const rows = await this.kv.list<Change>({ start: LOG + pad(afterSeq + 1), prefix: LOG });
    return [...rows.values()];
  }

  async findMutation(mid: string): Promise<MutationOutcome | undefined> {
    const seq = await this.kv.get<number>(MID + mid);
    if (seq !== undefined) return { seq };
    const rejected = await this.kv.get<{ code: ErrorCode; message: string }>(REJECTED + mid);
    return rejected ? { code: rejected.code, message: rejected.message } : undefined;
  }

  async rememberReject(mid: string, code: ErrorCode, message: string, at: number): Promise<void> {
    await this.kv.put({ [REJECTED + mid]: { code, message, at } });
  }

  async compact(meta: RoomMeta, dedupe: DedupePolicy): Promise<void> {
    // Move the window first, so no delta is ever built from a half-deleted log.
    await this.kv.put({ [META]: meta });
    const oldLog = await this.kv.list({ prefix: LOG, end: LOG + pad(meta.logStart) });
    await this.deleteKeys([...oldLog.keys()]);
    const minSeq = meta.seq - dedupe.max + 1;
    for (;;) {
      const batch = await this.kv.list<{ mid: string; at: number }>({ prefix: MID_BY_SEQ, limit: KEYS_PER_CALL });
      const expired: string[] = [];
      for (const [key, { mid, at }] of batch) {
        const seq = Number(key.slice(MID_BY_SEQ.length));
        // Entries come oldest first (seq and time both grow), so the first one
        // to keep ends the walk.
        if (at >= dedupe.before && (seq >= minSeq || at >= dedupe.floor)) break;
        expired.push(key, MID + mid);
      }
      await this.deleteKeys(expired);
      if (expired.length < batch.size * 2 || batch.size === 0) break;
    }
    const rejected = await this.kv.list<{ at: number }>({ prefix: REJECTED });
    await this.deleteKeys([...rejected].filter(([, v]) => v.at < dedupe.before).map(([k]) => k));
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += KEYS_PER_CALL) await this.kv.delete(keys.slice(i, i + KEYS_PER_CALL));
  }

  sizeBytes(): number | null {
    return null;
  }
}

/** An in-memory KvLike with Durable Object semantics (sorted list, copies on
 * read and write), for unit tests and the fuzz harness. Survives a "restart" when
 * the same instance is handed to a new room. */
export class MemoryKv implements KvLike {
  readonly data = new Map<string, string>();

  get<T>(key: string): Promise<T | undefined>;
  get<T>(keys: string[]): Promise<Map<string, T>>;
  async get<T>(keyOrKeys: string | string[]): Promise<T | undefined | Map<string, T>> {
    if (Array.isArray(keyOrKeys)) {
      const out = new Map<string, T>();
      for (const k of keyOrKeys) {
        const v = this.data.get(k);
        if (v !== undefined) out.set(k, JSON.parse(v) as T);
      }
      return out;
    }
    const v = this.data.get(keyOrKeys);
    return v === undefined ? undefined : (JSON.parse(v) as T);
  }

  async put(entries: Record<string, unknown>): Promise<void> {
    for (const [k, v] of Object.entries(entries)) this.data.set(k, JSON.stringify(v));
  }

  async delete(keys: string[]): Promise<number> {
    let n = 0;
    for (const k of keys) if (this.data.delete(k)) n++;
    return n;
  }

  async list<T>(options: { prefix?: string; start?: string; end?: string; limit?: number } = {}): Promise<Map<string, T>> {
    const keys = [...this.data.keys()].sort();
    const out = new Map<string, T>();
    for (const k of keys) {
      if (options.prefix && !k.startsWith(options.prefix)) continue;
      if (options.start && k < options.start) continue;
      if (options.end && k >= options.end) continue;
      out.set(k, JSON.parse(this.data.get(k)!) as T);
      if (options.limit && out.size >= options.limit) break;
    }
    return out;
  }
}
