/**
 * What the room persists, behind one interface with two implementations:
 * `SqlRoomStorage` (sql-storage.ts: Durable Object SQLite, the wrangler host) and
 * `KvRoomStorage` (kv-storage.ts: any Durable-Object-style key-value storage —
 * PartyKit's `room.storage`, or the testing kit's `MemoryKv`).
 *
 * Persisted per room: meta (epoch, head seq, log window), the records with the
 * seq of their last change, the op log window (each entry with its size), the
 * processed mutation ids with their seq, and the refused ones with their reject
 * (exactly-once across restarts).
 *
 * Nothing is written before the room's first commit or first remembered
 * refusal: reading a room that was never written (a `/stats` request, a socket
 * that only said hello) creates no storage at all.
 *
 * Every table is bounded: records by the room's limits, the log by count and
 * bytes (compaction), mutation ids by age and count (`DedupePolicy`), refusals by
 * age and count (`RejectPolicy`, pruned on the refusal path itself).
 */
import type { Change, ErrorCode, RecordBase } from "../shared/protocol.ts";

export interface RoomMeta {
  /** Random id fixed when the room is first written; a client's seq is only
   * meaningful within one epoch (a wiped dev database starts a new one). */
  epoch: string;
  /** Seq of the last applied mutation (0: none). */
  seq: number;
  /** Lowest seq still in the op log (seq + 1 when the log is empty). */
  logStart: number;
}

export interface LoadedRoom<R extends RecordBase = RecordBase> {
  /** null: the room was never written. */
  meta: RoomMeta | null;
  records: Map<string, R>;
  recordSeq: Map<string, number>;
  /** Serialized size of every op-log entry still kept, oldest first (seqs
   * meta.logStart … meta.seq): the room decides delta vs snapshot from these
   * without reading the log. */
  logBytes: number[];
}

/** One applied mutation, as written atomically by `commit`. */
export interface Commit<R extends RecordBase = RecordBase> {
  /** Meta after this commit (seq = change.seq). */
  meta: RoomMeta;
  change: Change<R>;
  /** `JSON.stringify(change)`, computed once by the room: stored as the log
   * entry, its length is the entry's size, and the broadcast is built from it. */
  changeJson: string;
  /** Final value of each touched record; null = deleted. */
  writes: Map<string, R | null>;
  /** Wall-clock ms, for dedupe retention. */
  at: number;
  /** The room's first write: meta is created (and must not exist yet — a room
   * is never re-seeded over existing data). */
  first: boolean;
}

/** Which remembered mutation ids compaction may forget (times in ms). */
export interface DedupePolicy {
  before: number;
  max: number;
  floor: number;
}

/** Which refusals may be forgotten when a new one is remembered: older than
 * `before` (ms), or beyond the newest `max`. */
export interface RejectPolicy {
  before: number;
  max: number;
}

export interface RememberedReject {
  mid: string;
  code: ErrorCode;
  message: string;
  /** Wall-clock ms. */
  at: number;
}

/** What the room did with a mutation id: applied at a seq, or refused for good. */
export type MutationOutcome = { seq: number } | { code: ErrorCode; message: string };

export interface RoomStorage<R extends RecordBase = RecordBase> {
  /** Everything the in-memory cache is rebuilt from. Writes nothing. */
  load(): Promise<LoadedRoom<R>>;
  /** Atomically: write the records, append the change to the log, remember its
   * mutation id, write meta (created when `first`). Resolves once durable (or
   * output-gated). */
  commit(commit: Commit<R>): Promise<void>;
  /** Log entries with seq > afterSeq, in order, as stored (`Commit.changeJson`). */
  changesSince(afterSeq: number): Promise<string[]>;
  /** What became of a mutation id, if it is still remembered. */
  findMutation(mid: string): Promise<MutationOutcome | undefined>;
  /** Remember that a mutation id was refused for a reason that would not change
   * on a retry (a late duplicate then gets the same reject, never an apply), and
   * forget the refusals `policy` allows — so this table never grows past
   * `policy.max` rows. */
  rememberReject(reject: RememberedReject, policy: RejectPolicy): Promise<void>;
  /** Persist `meta` (its logStart moved up), drop log entries below it, and
   * forget mutation ids older than `dedupe.before` (ms), or beyond the newest
   * `dedupe.max` and older than `dedupe.floor` (ms). */
  compact(meta: RoomMeta, dedupe: DedupePolicy): Promise<void>;
  /** Delete everything this room stored, for good (HTTP API `DELETE`): the
   * next `load` sees a room that was never written. */
  erase(): Promise<void>;
  /** Bytes on disk, when the host can tell (0 for a room never written). */
  sizeBytes(): number | null;
}
