/**
 * RoomStorage on Durable-Object-style key-value storage: PartyKit's
 * `room.storage` (its Durable Objects have no SQLite), or the testing kit's
 * MemoryKv. Same contract as the SQLite storage (storage.ts); both pass the
 * storage contract suite (testing/storage-contract.ts).
 *
 * Listings are paged (LIST_PAGE keys a call) so no call materialises a whole
 * table; writes go in batches of at most KEYS_PER_CALL keys, the platform's limit.
 */
import type { Author, ChangeSummary, ErrorCode, RecordBase } from "../shared/protocol.ts";
import { splitText } from "./chunks.ts";
import type {
  Commit,
  DedupePolicy,
  HistoryIndex,
  LoadedRoom,
  MutationOutcome,
  OutboxEvent,
  RejectPolicy,
  RememberedReject,
  RoomMeta,
  RoomStorage,
  StoredCheckpoint,
} from "./storage.ts";

/** The subset of Durable Object key-value storage we use. PartyKit's
 * `room.storage` satisfies it; so does MemoryKv. */
export interface KvLike {
  get<T = unknown>(key: string): Promise<T | undefined>;
  get<T = unknown>(keys: string[]): Promise<Map<string, T>>;
  put(entries: Record<string, unknown>): Promise<void>;
  delete(keys: string[]): Promise<number>;
  /** `reverse`: newest key first (Durable Object storage's option). */
  list<T = unknown>(options?: { prefix?: string; start?: string; end?: string; limit?: number; reverse?: boolean }): Promise<Map<string, T>>;
}

/** Seqs are zero-padded in keys so that lexical order is numeric order. */
const pad = (n: number) => n.toString().padStart(15, "0");
const META = "meta";
const REC = "r:";
/** Log entries: the change as its JSON string (what deltas are built from). */
const LOG = "l:";
/** Log entry sizes, one small key each, so a load learns them without reading the log. */
const LOG_BYTES = "b:";
/** A log entry longer than one value: `l:<seq>` holds its part count, the
 * parts are `lp:<seq>:<part>`. */
const LOG_PART = "lp:";
/** History: each log entry's summary (`i:<seq>`), checkpoints (`c:<seq>`) and
 * their boards in parts (`cp:<seq>:<part>`), the webhook outbox (`o:<id>`). */
const SUMMARY = "i:";
const CHECKPOINT = "c:";
const CHECKPOINT_PART = "cp:";
const OUTBOX = "o:";
/** The webhook delivery log: `w:<counter>`, oldest first. */
const WEBHOOK_LOG = "w:";
/** The room's metadata (HTTP API), as its JSON. */
const METADATA = "md";
/** Longest stored text value, in UTF-16 code units: ≤ 120 KiB however it is
 * encoded, under the 128 KiB value limit of Durable Object key-value storage. */
const PART_CHARS = 60 * 1024;
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

  async commit({ meta, change, changeJson, writes, at, first, summary }: Commit<R>): Promise<void> {
    if (first && (await this.kv.get(META)) !== undefined) throw new Error("refusing to re-seed a room that exists");
    const parts = splitText(changeJson, PART_CHARS);
    const puts: Record<string, unknown> = {
      [META]: meta,
      [LOG + pad(change.seq)]: parts.length === 1 ? changeJson : parts.length,
      [LOG_BYTES + pad(change.seq)]: changeJson.length,
      [MID + change.mid]: change.seq,
      [MID_BY_SEQ + pad(change.seq)]: { mid: change.mid, at },
    };
    if (parts.length > 1) parts.forEach((part, i) => (puts[`${LOG_PART}${pad(change.seq)}:${pad(i)}`] = part));
    if (summary) puts[SUMMARY + pad(change.seq)] = summary;
    // History starts at the empty board: a checkpoint nobody has to write later.
    if (first && summary) Object.assign(puts, this.checkpointPuts({ seq: 0, at, records: 0, bytes: 2 }, "[]"));
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
    return this.logEntries(afterSeq, Number.MAX_SAFE_INTEGER);
  }

  async changesBetween(afterSeq: number, toSeq: number): Promise<string[]> {
    return this.logEntries(afterSeq, toSeq);
  }

  /** Log entries in (afterSeq, toSeq], each whole again. */
  private async logEntries(afterSeq: number, toSeq: number): Promise<string[]> {
    const out: string[] = [];
    const range = { start: LOG + pad(afterSeq + 1), ...(toSeq < Number.MAX_SAFE_INTEGER ? { end: LOG + pad(toSeq + 1) } : {}) };
    for await (const [key, entry] of this.scan<string | number>(LOG, range)) {
      if (typeof entry === "string") {
        out.push(entry);
        continue;
      }
      let whole = "";
      for await (const [, part] of this.scan<string>(`${LOG_PART}${key.slice(LOG.length)}:`)) whole += part;
      out.push(whole);
    }
    return out;
  }

  /** Delete log entries (and their sizes, parts and summaries) below `floor`. */
  private async dropLogBelow(floor: number): Promise<void> {
    const keys: string[] = [];
    for await (const [key, entry] of this.scan<string | number>(LOG, { end: LOG + pad(floor) })) {
      const seq = key.slice(LOG.length);
      keys.push(key, LOG_BYTES + seq, SUMMARY + seq);
      if (typeof entry === "number") for await (const [part] of this.scan(`${LOG_PART}${seq}:`)) keys.push(part);
    }
    await this.deleteKeys(keys);
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

  async compact(meta: RoomMeta, dedupe: DedupePolicy, logFloor = meta.logStart): Promise<void> {
    // Move the window first, so no delta is ever built from a half-deleted log.
    await this.kv.put({ [META]: meta });
    await this.dropLogBelow(logFloor);
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

  async historyIndex(): Promise<HistoryIndex> {
    const meta = await this.kv.get<RoomMeta>(META);
    if (!meta) return { checkpoints: [], firstChange: 1, tail: { changes: 0, bytes: 0 }, between: [] };
    const checkpoints: StoredCheckpoint[] = [];
    for await (const [, cp] of this.scan<StoredCheckpoint>(CHECKPOINT)) checkpoints.push(cp);
    const first = [...(await this.kv.list({ prefix: LOG, limit: 1 })).keys()][0];
    const newest = checkpoints.at(-1)?.seq ?? -1;
    const tail = { changes: 0, bytes: 0 };
    const between = checkpoints.map(() => 0);
    // One pass over the sizes (oldest first), bucketed by the checkpoint before each.
    let at = -1;
    for await (const [key, bytes] of this.scan<number>(LOG_BYTES)) {
      const seq = Number(key.slice(LOG_BYTES.length));
      while (at + 1 < checkpoints.length && checkpoints[at + 1]!.seq < seq) at++;
      if (at >= 0) between[at]! += bytes;
      if (seq > newest) {
        tail.changes++;
        tail.bytes += bytes;
      }
    }
    return { checkpoints, firstChange: first ? Number(first.slice(LOG.length)) : meta.seq + 1, tail, between };
  }

  async changeSummaries(before: number, limit: number): Promise<ChangeSummary[]> {
    const page = await this.kv.list<ChangeSummary>({ prefix: SUMMARY, end: SUMMARY + pad(Math.max(0, before)), reverse: true, limit });
    return [...page.values()];
  }

  private checkpointPuts(cp: StoredCheckpoint, json: string): Record<string, unknown> {
    const puts: Record<string, unknown> = { [CHECKPOINT + pad(cp.seq)]: cp };
    splitText(json, PART_CHARS).forEach((part, i) => (puts[`${CHECKPOINT_PART}${pad(cp.seq)}:${pad(i)}`] = part));
    return puts;
  }

  private async putAll(puts: Record<string, unknown>): Promise<void> {
    const entries = Object.entries(puts);
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < entries.length; i += KEYS_PER_CALL) pending.push(this.kv.put(Object.fromEntries(entries.slice(i, i + KEYS_PER_CALL))));
    await Promise.all(pending);
  }

  async writeCheckpoint(checkpoint: StoredCheckpoint, records: R[]): Promise<void> {
    const json = JSON.stringify(records);
    const existing = await this.kv.get<StoredCheckpoint>(CHECKPOINT + pad(checkpoint.seq));
    const cp: StoredCheckpoint = { ...checkpoint, bytes: json.length };
    if (existing?.version && !cp.version) {
      cp.version = existing.version;
      if (existing.author) cp.author = existing.author;
    }
    await this.dropCheckpointParts(checkpoint.seq);
    await this.putAll(this.checkpointPuts(cp, json));
  }

  private async dropCheckpointParts(seq: number): Promise<void> {
    const keys: string[] = [];
    for await (const [key] of this.scan(`${CHECKPOINT_PART}${pad(seq)}:`)) keys.push(key);
    await this.deleteKeys(keys);
  }

  async readCheckpoint(seq: number): Promise<R[] | undefined> {
    let json = "";
    let parts = 0;
    for await (const [, part] of this.scan<string>(`${CHECKPOINT_PART}${pad(seq)}:`)) {
      json += part;
      parts++;
    }
    return parts === 0 ? undefined : (JSON.parse(json) as R[]);
  }

  async nameCheckpoint(seq: number, version: string, author: Author): Promise<void> {
    const cp = await this.kv.get<StoredCheckpoint>(CHECKPOINT + pad(seq));
    if (cp) await this.kv.put({ [CHECKPOINT + pad(seq)]: { ...cp, version, author } });
  }

  async pruneHistory(drop: number[], logFloor: number): Promise<void> {
    for (const seq of drop) {
      await this.kv.delete([CHECKPOINT + pad(seq)]);
      await this.dropCheckpointParts(seq);
    }
    await this.dropLogBelow(logFloor);
  }

  async outbox(): Promise<OutboxEvent[]> {
    const out: OutboxEvent[] = [];
    for await (const [, e] of this.scan<OutboxEvent>(OUTBOX)) out.push(e);
    return out;
  }

  async putOutbox(events: OutboxEvent[]): Promise<void> {
    await this.putAll(Object.fromEntries(events.map((e) => [OUTBOX + e.id, e])));
  }

  async deleteOutbox(ids: string[]): Promise<void> {
    await this.deleteKeys(ids.map((id) => OUTBOX + id));
  }

  async webhookLog(): Promise<string[]> {
    const out: string[] = [];
    for await (const [, e] of this.scan<string>(WEBHOOK_LOG)) out.push(e);
    return out;
  }

  async metadata(): Promise<string | null> {
    return (await this.kv.get<string>(METADATA)) ?? null;
  }

  async putMetadata(json: string): Promise<void> {
    await this.kv.put({ [METADATA]: json });
  }

  async appendWebhookLog(entries: string[], keep: number): Promise<void> {
    const keys: string[] = [];
    for await (const [k] of this.scan<string>(WEBHOOK_LOG)) keys.push(k);
    let next = keys.length ? Number(keys[keys.length - 1]!.slice(WEBHOOK_LOG.length)) + 1 : 0;
    await this.putAll(Object.fromEntries(entries.map((e) => [WEBHOOK_LOG + pad(next++), e])));
    const over = keys.length + entries.length - keep;
    if (over > 0) await this.deleteKeys(keys.slice(0, over));
  }
}
