/**
 * RoomStorage on Durable-Object-style key-value storage: PartyKit's
 * `room.storage` (its Durable Objects have no SQLite), or the testing kit's
 * MemoryKv. Same contract as the SQLite storage (storage.ts); both pass the
 * storage contract suite (testing/storage-contract.ts).
 *
 * Listings are paged (LIST_PAGE keys a call) so no call materialises a whole
 * table; writes go in batches of at most KEYS_PER_CALL keys, the platform's limit.
 */
import type { ErrorCode, RecordBase } from "../shared/protocol.ts";
import type { Commit, DedupePolicy, LoadedRoom, MutationOutcome, RejectPolicy, RememberedReject, RoomMeta, RoomStorage } from "./storage.ts";

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
const pad = (n: number) => n.toString().padStart(15, "0");
const META = "meta";
const REC = "r:";
/** Log entries: the change as its JSON string (what deltas are built from). */
const LOG = "l:";
/** Log entry sizes, one small key each, so a load learns them without reading the log. */
const LOG_BYTES = "b:";
const MID = "m:";
/** m-index by seq, so dedupe pruning walks oldest-first without a full scan. */
const MID_BY_SEQ = "n:";
/** Refused mutation ids, an index of them by arrival order, and its counter. */
const REJECTED = "x:";
const REJECTED_BY_ORDER = "xi:";
const REJECTED_COUNTER = "xn";
/** DO key-value calls take at most 128 keys each. */
const KEYS_PER_CALL = 128;
/** Keys per list call. */
const LIST_PAGE = 512;
/** Refusals beyond the cap looked up per remembered one (normally one is). */
const REJECT_PRUNE_PER_CALL = 16;

interface StoredRecord {
  s: number;
  r: RecordBase;
}
interface StoredReject {
  code: ErrorCode;
  message: string;
  at: number;
}

export class KvRoomStorage<R extends RecordBase = RecordBase> implements RoomStorage<R> {
  private readonly kv: KvLike;
  constructor(kv: KvLike) {
    this.kv = kv;
  }

  /** Every entry under `prefix` (from `start`, before `end`), one page at a time. */
  private async *scan<T>(prefix: string, range: { start?: string; end?: string } = {}): AsyncGenerator<[string, T]> {
    let start = range.start;
    for (;;) {
      const page = await this.kv.list<T>({ prefix, limit: LIST_PAGE, ...(start ? { start } : {}), ...(range.end ? { end: range.end } : {}) });
      let last: string | undefined;
      for (const entry of page) {
        last = entry[0];
        yield entry;
      }
      if (page.size < LIST_PAGE || last === undefined) return;
      start = last + "\0";
    }
  }

  async load(): Promise<LoadedRoom<R>> {
    const meta = (await this.kv.get<RoomMeta>(META)) ?? null;
    const records = new Map<string, R>();
    const recordSeq = new Map<string, number>();
    const logBytes: number[] = [];
    if (meta) {
      for await (const [key, row] of this.scan<StoredRecord>(REC)) {
        const id = key.slice(REC.length);
        records.set(id, row.r as R);
        recordSeq.set(id, row.s);
      }
      for await (const [, bytes] of this.scan<number>(LOG_BYTES, { start: LOG_BYTES + pad(meta.logStart) })) logBytes.push(bytes);
    }
    return { meta, records, recordSeq, logBytes };
  }

  async commit({ meta, change, changeJson, writes, at, first }: Commit<R>): Promise<void> {
    if (first && (await this.kv.get(META)) !== undefined) throw new Error("refusing to re-seed a room that exists");
    const puts: Record<string, unknown> = {
      [META]: meta,
      [LOG + pad(change.seq)]: changeJson,
      [LOG_BYTES + pad(change.seq)]: changeJson.length,
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

  async changesSince(afterSeq: number): Promise<string[]> {
    const out: string[] = [];
    for await (const [, json] of this.scan<string>(LOG, { start: LOG + pad(afterSeq + 1) })) out.push(json);
    return out;
  }

  async findMutation(mid: string): Promise<MutationOutcome | undefined> {
    const seq = await this.kv.get<number>(MID + mid);
    if (seq !== undefined) return { seq };
    const rejected = await this.kv.get<StoredReject>(REJECTED + mid);
    return rejected ? { code: rejected.code, message: rejected.message } : undefined;
  }

  async rememberReject({ mid, code, message, at }: RememberedReject, policy: RejectPolicy): Promise<void> {
    if ((await this.kv.get(REJECTED + mid)) !== undefined) return;
    const n = ((await this.kv.get<number>(REJECTED_COUNTER)) ?? 0) + 1;
    await this.kv.put({
      [REJECTED + mid]: { code, message, at } satisfies StoredReject,
      [REJECTED_BY_ORDER + pad(n)]: { mid, at },
      [REJECTED_COUNTER]: n,
    });
    // Beyond the newest `max`: each insert pushes out at most the ones before
    // n - max + 1 (normally exactly one). Then a few of the oldest, by age.
    const forget: string[] = [];
    const stale = await this.kv.list<{ mid: string; at: number }>({
      prefix: REJECTED_BY_ORDER,
      end: REJECTED_BY_ORDER + pad(Math.max(0, n - policy.max + 1)),
      limit: REJECT_PRUNE_PER_CALL,
    });
    for (const [key, v] of stale) forget.push(key, REJECTED + v.mid);
    // By age: arrival order is time order, so walk from the oldest until the
    // first one to keep. Each refusal is forgotten once: amortised O(1).
    for await (const [key, v] of this.scan<{ mid: string; at: number }>(REJECTED_BY_ORDER)) {
      if (v.at >= policy.before) break;
      if (!stale.has(key)) forget.push(key, REJECTED + v.mid);
    }
    await this.deleteKeys(forget);
  }

  async compact(meta: RoomMeta, dedupe: DedupePolicy): Promise<void> {
    // Move the window first, so no delta is ever built from a half-deleted log.
    await this.kv.put({ [META]: meta });
    const oldLog: string[] = [];
    for await (const [key] of this.scan(LOG, { end: LOG + pad(meta.logStart) })) oldLog.push(key, LOG_BYTES + key.slice(LOG.length));
    await this.deleteKeys(oldLog);
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
    const expiredRejects: string[] = [];
    for await (const [key, v] of this.scan<{ mid: string; at: number }>(REJECTED_BY_ORDER)) {
      if (v.at >= dedupe.before) break;
      expiredRejects.push(key, REJECTED + v.mid);
    }
    await this.deleteKeys(expiredRejects);
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += KEYS_PER_CALL) await this.kv.delete(keys.slice(i, i + KEYS_PER_CALL));
  }

  async erase(): Promise<void> {
    // Page by page from the start: each page is deleted before the next is read.
    for (;;) {
      const page = await this.kv.list({ limit: LIST_PAGE });
      if (page.size === 0) return;
      await this.deleteKeys([...page.keys()]);
    }
  }

  sizeBytes(): number | null {
    return null;
  }
}
