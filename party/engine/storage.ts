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
import type { Author, Change, ChangeSummary, CheckpointSummary, ErrorCode, RecordBase } from "../shared/protocol.ts";

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
  /** History on: who/when/what of this change, kept with its log entry for as
   * long as history retains it (and on a first commit, an empty checkpoint at
   * seq 0 is written with it). Absent: history off. */
  summary?: ChangeSummary;
}

/** A checkpoint as stored: its summary, and its name when it is a version. */
export interface StoredCheckpoint extends CheckpointSummary {
  version?: string;
  /** Who named it (versions only). */
  author?: Author;
}

/** What history holds, without reading any board: every checkpoint (oldest
 * first), the oldest change still kept, and the changes after the newest
 * checkpoint (what the next checkpoint would cover). */
export interface HistoryIndex {
  checkpoints: StoredCheckpoint[];
  /** Seq of the oldest retained log entry (head + 1 when none is kept). */
  firstChange: number;
  /** Count and bytes of the log entries after the newest checkpoint. */
  tail: { changes: number; bytes: number };
  /** Bytes of the retained log entries after each checkpoint, up to the next
   * one (aligned with `checkpoints`; the last is the tail's): what dropping a
   * checkpoint frees besides its board. */
  between: number[];
}

/** One undelivered webhook event (webhooks.ts). */
export interface OutboxEvent {
  /** The event id receivers dedupe by; also orders the outbox. */
  id: string;
  /** The JSON body, signed as is. */
  body: string;
  attempts: number;
  /** When the next attempt is due (ms). */
  due: number;
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
  /** Persist `meta` (its logStart moved up), drop log entries below
   * `logFloor` (default: meta.logStart; history keeps older ones), and
   * forget mutation ids older than `dedupe.before` (ms), or beyond the newest
   * `dedupe.max` and older than `dedupe.floor` (ms). */
  compact(meta: RoomMeta, dedupe: DedupePolicy, logFloor?: number): Promise<void>;
  /** Delete everything this room stored, for good (HTTP API `DELETE`): the
   * next `load` sees a room that was never written. */
  erase(): Promise<void>;
  /** Bytes on disk, when the host can tell (0 for a room never written). */
  sizeBytes(): number | null;

  // History (history.ts). Reads of a room never written find nothing.
  /** The history index (no boards read). */
  historyIndex(): Promise<HistoryIndex>;
  /** Log entries with afterSeq < seq ≤ toSeq, in order, as stored. */
  changesBetween(afterSeq: number, toSeq: number): Promise<string[]>;
  /** Summaries of retained changes with seq < before, newest first, at most limit. */
  changeSummaries(before: number, limit: number): Promise<ChangeSummary[]>;
  /** Store the board at `checkpoint.seq` (split into values the host accepts);
   * replaces a checkpoint at the same seq, keeping its name unless one is given. */
  writeCheckpoint(checkpoint: StoredCheckpoint, records: R[]): Promise<void>;
  /** The board of the checkpoint at `seq`, if there is one. */
  readCheckpoint(seq: number): Promise<R[] | undefined>;
  /** Name the checkpoint at `seq` (it exists). */
  nameCheckpoint(seq: number, version: string, author: Author): Promise<void>;
  /** Retention: drop the checkpoints at `drop` and the log entries below `logFloor`. */
  pruneHistory(drop: number[], logFloor: number): Promise<void>;

  // Webhook outbox (webhooks.ts), bounded by its caller.
  outbox(): Promise<OutboxEvent[]>;
  /** Insert or replace each event (its body too). */
  putOutbox(events: OutboxEvent[]): Promise<void>;
  deleteOutbox(ids: string[]): Promise<void>;
  /** The webhook delivery log (webhooks.ts), oldest first, as appended. */
  webhookLog(): Promise<string[]>;
  /** Append `entries` to the delivery log, keeping only its newest `keep`. */
  appendWebhookLog(entries: string[], keep: number): Promise<void>;

  /** The room's metadata (HTTP API `…/metadata`) as stored JSON, or null. */
  metadata(): Promise<string | null>;
  putMetadata(json: string): Promise<void>;
}
