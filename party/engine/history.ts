/**
 * Retained history of one room (docs/PROTOCOL.md §15): checkpoints — the
 * whole board at a seq — plus every change between them, kept beyond the op
 * log's reconnect window under a retention policy (history-plan.ts), and what
 * the room answers from them: a page of the timeline, the board at a seq or
 * named version, a new named version.
 *
 * The changes are the op log's own entries: with history on, compaction only
 * moves the log's window (logStart) and leaves older entries for history, so
 * the mutation path writes nothing extra but a small summary beside its log
 * entry. Checkpoints are written after the ack (`afterCommit`, in the room's
 * housekeeping) or from the alarm (`tick`), never before an ack.
 *
 * The index (checkpoint list, tail counts) is a cache, read from storage on
 * first use after a wake; nothing here survives in memory only.
 */
import { applyAccepted } from "../shared/apply.ts";
import { HISTORY_MAX_VERSIONS } from "../shared/limits.ts";
import { type Author, type Change, type ChangeSummary, ErrorCode, type HistoryPageMessage, type RecordBase, type VersionSavedMessage } from "../shared/protocol.ts";
import { CHECKPOINT_POLICY, type CheckpointPolicy, checkpointDue, RETENTION_POLICY, type RetentionPolicy, retentionDrops, summarize } from "./history-plan.ts";
import type { HistoryIndex, RoomMeta, RoomStorage, StoredCheckpoint } from "./storage.ts";

/** A point in history: a seq, or a named version. */
export type HistoryTarget = { seq: number } | { version: string };

/** Why a history request cannot be served. */
export interface HistoryRefusal {
  code: ErrorCode;
  message: string;
}

/** The board at a point in history. */
export interface Board<R extends RecordBase> {
  seq: number;
  version?: string;
  records: R[];
}

/** The room as history reads it: the head and the current records. */
export interface RoomView<R extends RecordBase> {
  meta: RoomMeta;
  records: ReadonlyMap<string, R>;
  /** The records' JSON size, when known (the estimate of a board at the head). */
  bytes?: number;
}

/** Where a board at a point in history comes from, found from the index
 * alone (nothing read): the head's records, or a checkpoint plus the changes
 * after it. `estimate`: characters of JSON its build handles. */
export type BoardSource<R extends RecordBase> = { seq: number; version?: string; estimate: number } & ({ head: R[] } | { base: number });

const unavailable = (message: string): HistoryRefusal => ({ code: ErrorCode.HISTORY_UNAVAILABLE, message });

export class RoomHistory<R extends RecordBase> {
  readonly enabled: boolean;
  private readonly storage: RoomStorage<R>;
  private index: HistoryIndex | null = null;
  /** When the first change after the newest checkpoint was seen by this
   * instance (ms): the clock of HISTORY_CHECKPOINT_MS. */
  private tailSince: number | null = null;

  private readonly checkpointPolicy: CheckpointPolicy;
  private readonly retentionPolicy: RetentionPolicy;

  constructor(storage: RoomStorage<R>, enabled: boolean, policy: { checkpoint?: Partial<CheckpointPolicy>; retention?: Partial<RetentionPolicy> } = {}) {
    this.storage = storage;
    this.enabled = enabled;
    this.checkpointPolicy = { ...CHECKPOINT_POLICY, ...policy.checkpoint };
    this.retentionPolicy = { ...RETENTION_POLICY, ...policy.retention };
  }

  /** Bumped by `reset`: whatever was built before it is stale. */
  generation = 0;

  /** Forget the cache (the room was erased). */
  reset(): void {
    this.generation++;
    this.index = null;
    this.tailSince = null;
  }

  private async loaded(): Promise<HistoryIndex> {
    this.index ??= await this.storage.historyIndex();
    return this.index;
  }

  /** The summary the commit stores with its log entry; undefined when history
   * is off. `made`: when the edit was made, when before `at` (mutation-age.ts). */
  summary(change: Change<R>, author: Author, at: number, kind?: "restore" | "import", made?: number): ChangeSummary | undefined {
    return this.enabled ? summarize(change as Change, author, at, kind, made) : undefined;
  }

  /** The oldest seq history reaches (its oldest checkpoint), or null. */
  private floor(index: HistoryIndex): number | null {
    return index.checkpoints[0]?.seq ?? null;
  }

  /** Where compaction may cut the log: below the reconnect window and below
   * what history still needs (everything after its oldest checkpoint). */
  async logFloor(logStart: number): Promise<number> {
    if (!this.enabled) return logStart;
    const floor = this.floor(await this.loaded());
    return floor === null ? logStart : Math.min(logStart, floor + 1);
  }

  /** A change was committed and acknowledged (`first`: the room's first
   * write, which stored the empty checkpoint at seq 0). Housekeeping: a
   * checkpoint if one is due, then retention. */
  async afterCommit(bytes: number, first: boolean, room: RoomView<R>, now: number): Promise<void> {
    if (!this.enabled) return;
    if (first) this.index = null;
    else if (this.index) {
      this.index.tail.changes++;
      this.index.tail.bytes += bytes;
      if (this.index.between.length) this.index.between[this.index.between.length - 1]! += bytes;
    }
    this.tailSince ??= now;
    await this.tick(room, now);
  }

  /** Write a checkpoint if one is due (also from the alarm: a burst of edits
   * gets its checkpoint HISTORY_CHECKPOINT_MS later even if nobody edits
   * again), then apply retention. */
  async tick(room: RoomView<R>, now: number): Promise<void> {
    if (!this.enabled || room.meta.seq === 0) return;
    const index = await this.loaded();
    const newest = index.checkpoints.at(-1);
    if (newest && newest.seq >= room.meta.seq) return;
    if (index.tail.changes > 0) this.tailSince ??= now;
    if (!checkpointDue(index.tail, this.tailSince, newest !== undefined, now, this.checkpointPolicy)) return;
    await this.writeCheckpoint({ seq: room.meta.seq, at: now, records: room.records.size, bytes: 0 }, [...room.records.values()], index);
    index.tail = { changes: 0, bytes: 0 };
    this.tailSince = null;
    await this.retain(room.meta, now);
  }

  private async writeCheckpoint(cp: StoredCheckpoint, records: R[], index: HistoryIndex): Promise<void> {
    await this.storage.writeCheckpoint(cp, records);
    // The stored size is the board's JSON; the same number, without a read back.
    const stored = { ...cp, bytes: JSON.stringify(records).length };
    const at = index.checkpoints.findIndex((c) => c.seq >= cp.seq);
    if (at < 0) {
      index.checkpoints.push(stored);
      index.between.push(0);
    } else if (index.checkpoints[at]!.seq === cp.seq) {
      index.checkpoints[at] = { ...index.checkpoints[at]!, ...stored, ...(index.checkpoints[at]!.version ? { version: index.checkpoints[at]!.version } : {}) };
    } else {
      // A version at a past seq splits an interval; its bytes are re-read on
      // the next load (they only steer retention, which errs towards keeping).
      index.checkpoints.splice(at, 0, stored);
      index.between.splice(at, 0, 0);
    }
  }

  /** Drop what retention no longer keeps. */
  private async retain(meta: RoomMeta, now: number): Promise<void> {
    const index = await this.loaded();
    const drops = retentionDrops(index.checkpoints, index.between, now, this.retentionPolicy);
    if (drops === 0) return;
    const dropped = index.checkpoints.slice(0, drops).map((c) => c.seq);
    const floor = index.checkpoints[drops]!.seq;
    const logFloor = Math.min(meta.logStart, floor + 1);
    await this.storage.pruneHistory(dropped, logFloor);
    index.checkpoints = index.checkpoints.slice(drops);
    index.between = index.between.slice(drops);
    index.firstChange = Math.max(index.firstChange, logFloor);
  }

  /** One page of the timeline, newest changes first (PROTOCOL.md §15 `history`). */
  async page(head: number, before: number | undefined, limit: number): Promise<Omit<HistoryPageMessage, "type" | "rid">> {
    if (!this.enabled) return { head, floor: null, checkpoints: [], versions: [], changes: [], more: false };
    const index = await this.loaded();
    const floor = this.floor(index);
    const checkpoints = index.checkpoints.map(({ seq, at, records, bytes }) => ({ seq, at, records, bytes }));
    const versions = index.checkpoints
      .filter((c) => c.version !== undefined)
      .map((c) => ({ version: c.version!, seq: c.seq, at: c.at, ...(c.author ?? { by: "" }) }));
    const upTo = Math.min(before ?? head + 1, head + 1);
    const got = floor === null ? [] : (await this.storage.changeSummaries(upTo, limit + 1)).filter((s) => s.seq >= floor);
    return { head, floor, checkpoints, versions, changes: got.slice(0, limit), more: got.length > limit };
  }

  /** The board at `target`, rebuilt from the nearest checkpoint at or before
   * it plus the changes up to it: at most one board and one checkpoint
   * interval of reads. */
  async boardAt(target: HistoryTarget, room: RoomView<R>): Promise<Board<R> | HistoryRefusal> {
    if (!this.enabled) return unavailable("history is off in this room");
    const index = await this.loaded();
    if ("version" in target) {
      const cp = index.checkpoints.find((c) => c.version === target.version);
      if (!cp) return unavailable(`no version named ${JSON.stringify(target.version).slice(0, 80)}`);
      const records = await this.storage.readCheckpoint(cp.seq);
      if (!records) return unavailable("that version's board is gone");
      return { seq: cp.seq, version: target.version, records };
    }
    const { seq } = target;
    const head = room.meta.seq;
    if (seq > head) return unavailable(`seq ${seq} is after the room's head ${head}`);
    if (seq === head) return { seq, records: [...room.records.values()] };
    let base: StoredCheckpoint | undefined;
    for (const c of index.checkpoints) if (c.seq <= seq) base = c;
    if (!base) return unavailable(`seq ${seq} is older than the room's retained history (from ${this.floor(index) ?? head})`);
    const records = await this.storage.readCheckpoint(base.seq);
    if (!records) return unavailable(`the checkpoint at ${base.seq} is gone`);
    if (base.seq === seq) return { seq, records };
    const entries = await this.storage.changesBetween(base.seq, seq);
    if (entries.length !== seq - base.seq) return unavailable(`the changes up to seq ${seq} are no longer kept`);
    const board = new Map(records.map((r) => [r.id, r]));
    for (const json of entries) applyAccepted(board, (JSON.parse(json) as Change<R>).ops);
    return { seq, records: [...board.values()] };
  }

  /** Where the board at `target` comes from, from the index alone: the
   * step-wise builder (room/past-boards.ts) charges its estimate before it
   * reads anything. */
  async locate(target: HistoryTarget, room: RoomView<R>): Promise<BoardSource<R> | HistoryRefusal> {
    if (!this.enabled) return unavailable("history is off in this room");
    const index = await this.loaded();
    if ("version" in target) {
      const cp = index.checkpoints.find((c) => c.version === target.version);
      if (!cp) return unavailable(`no version named ${JSON.stringify(target.version).slice(0, 80)}`);
      return { seq: cp.seq, version: target.version, base: cp.seq, estimate: cp.bytes };
    }
    const { seq } = target;
    const head = room.meta.seq;
    if (seq > head) return unavailable(`seq ${seq} is after the room's head ${head}`);
    if (seq === head) {
      const records = [...room.records.values()];
      return { seq, head: records, estimate: room.bytes ?? JSON.stringify(records).length };
    }
    let at = -1;
    index.checkpoints.forEach((c, i) => void (c.seq <= seq && (at = i)));
    if (at < 0) return unavailable(`seq ${seq} is older than the room's retained history (from ${this.floor(index) ?? head})`);
    const base = index.checkpoints[at]!;
    return { seq, base: base.seq, estimate: base.bytes + (base.seq === seq ? 0 : (index.between[at] ?? 0)) };
  }

  /** The board of the checkpoint at `seq`: one storage read. */
  async checkpointRecords(seq: number): Promise<R[] | HistoryRefusal> {
    return (await this.storage.readCheckpoint(seq)) ?? unavailable(`the checkpoint at ${seq} is gone`);
  }

  /** The stored changes after `base` up to `seq`, all of them or a refusal. */
  async changesUpTo(base: number, seq: number): Promise<string[] | HistoryRefusal> {
    const entries = await this.storage.changesBetween(base, seq);
    return entries.length === seq - base ? entries : unavailable(`the changes up to seq ${seq} are no longer kept`);
  }

  /** Name the board at `seq` (default: the head) a version: a checkpoint is
   * written for it unless one is there already. */
  async nameVersion(version: string, seq: number | undefined, author: Author, room: RoomView<R>, now: number): Promise<Omit<VersionSavedMessage, "type" | "rid"> | HistoryRefusal> {
    if (!this.enabled) return unavailable("history is off in this room");
    const index = await this.loaded();
    if (index.checkpoints.some((c) => c.version === version)) return { code: ErrorCode.VERSION_EXISTS, message: `a version named ${JSON.stringify(version).slice(0, 80)} exists` };
    if (index.checkpoints.filter((c) => c.version !== undefined).length >= HISTORY_MAX_VERSIONS) {
      return { code: ErrorCode.ROOM_LIMIT, message: `a room keeps at most ${HISTORY_MAX_VERSIONS} named versions` };
    }
    const target = seq ?? room.meta.seq;
    const existing = index.checkpoints.find((c) => c.seq === target);
    if (existing?.version !== undefined) {
      return { code: ErrorCode.VERSION_EXISTS, message: `seq ${target} is already the version ${JSON.stringify(existing.version).slice(0, 80)}` };
    }
    if (existing) {
      await this.storage.nameCheckpoint(target, version, author);
      existing.version = version;
      existing.author = author;
      return { version, seq: target, at: existing.at };
    }
    const board = await this.boardAt({ seq: target }, room);
    if ("code" in board) return board;
    await this.writeCheckpoint({ seq: target, at: now, records: board.records.length, bytes: 0, version, author }, board.records, index);
    if (target === room.meta.seq) {
      index.tail = { changes: 0, bytes: 0 };
      this.tailSince = null;
    } else {
      this.index = null; // interval sizes changed: re-read on next use
    }
    await this.retain(room.meta, now);
    return { version, seq: target, at: now };
  }
}
