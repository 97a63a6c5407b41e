/**
 * The document: the room's one authority. It loads the records and the op
 * log's window from storage, decides every mutation exactly once (`decide`:
 * the one path for a socket's mutate, an HTTP mutation, a restore and an
 * import), builds sync frames, and compacts the log. It knows no sockets: a
 * committed change leaves through `CommitOutlet.publish` (the fan-out), so
 * whatever holds the members — this object's sessions today, relays later
 * (issue 18) — sees changes only as the document publishes them.
 *
 * Everything held here is a cache, rebuilt from storage on the first event
 * after a wake (`load`); it is changed only inside the room's event queue.
 */
import { planOps } from "../../shared/apply.ts";
import { DEDUPE_MAX_ENTRIES, DEDUPE_MIN_RETENTION_MS, DEDUPE_RETENTION_MS, REJECT_MAX_ENTRIES, REJECT_RETENTION_MS } from "../../shared/limits.ts";
import { type Author, type Change, ErrorCode, type Op, type RecordBase } from "../../shared/protocol.ts";
import { madeAt } from "../../shared/mutation-age.ts";
import type { RoomHistory } from "../history.ts";
import { BoardDiff } from "../history-plan.ts";
import type { RoomMeta } from "../storage.ts";
import { SyncBuilder, type SyncFrame } from "../sync.ts";
import { migrateStored } from "../version-skew.ts";
import type { WebhookEventType } from "../webhooks.ts";
import type { QueuedCommit } from "./commit-outbox.ts";
import { randomId, type RoomContext, stackOf } from "./context.ts";
import type { Actor, MutationResult, RoomSnapshot, RoomView } from "./types.ts";

/** Where a decided commit goes besides storage. */
export interface CommitOutlet {
  /** Queue the committed change (and the author's ack, if it travels with it),
   * run `then` (an answer, which sends what is queued first), and ask for a frame. */
  publish(commit: QueuedCommit, then?: () => void): void;
  /** Queue a webhook event (after the ack: a failure is logged, never a reject). */
  notify(type: WebhookEventType, data: Record<string, unknown>): Promise<void>;
}

type Refusal = { code: ErrorCode; message: string };
type Answer = (result: MutationResult) => void;

export class RoomDocument<R extends RecordBase = RecordBase> {
  private loading: Promise<void> | null = null;
  private meta_: RoomMeta | null = null;
  /** False until the first commit: a room that was only read or joined has
   * nothing in storage, and its epoch lives only here. */
  private stored_ = false;
  private records_ = new Map<string, R>();
  private recordSeq = new Map<string, number>();
  /** Serialized size per record, and their sum (MAX_ROOM_BYTES). */
  private recordBytes = new Map<string, number>();
  private totalBytes = 0;
  private readonly sync: SyncBuilder;
  /** Syncs from a seq up to this one are snapshots: records were migrated at
   * load (version-skew.ts), and the op log before it holds the old shape. */
  private snapshotThrough = 0;

  private readonly ctx: RoomContext<R>;
  /** Retained history (history.ts): checkpoints, previews, versions. */
  readonly history: RoomHistory<R>;
  private readonly maxRoomBytes: number;
  private readonly outlet: CommitOutlet;
  /** The epoch members were told before the room's first write, if any
   * (ConnState.epoch): a wake must not invent another. */
  private readonly unwrittenEpoch: () => string | undefined;

  constructor(ctx: RoomContext<R>, history: RoomHistory<R>, maxRoomBytes: number, outlet: CommitOutlet, unwrittenEpoch: () => string | undefined) {
    this.ctx = ctx;
    this.history = history;
    this.maxRoomBytes = maxRoomBytes;
    this.outlet = outlet;
    this.unwrittenEpoch = unwrittenEpoch;
    this.sync = new SyncBuilder(ctx.host.storage);
  }

  /** The room's meta; call `load()` first. */
  get meta(): RoomMeta {
    return this.meta_!;
  }
  get stored(): boolean {
    return this.stored_;
  }
  get records(): ReadonlyMap<string, R> {
    return this.records_;
  }
  /** Bytes of the op-log entries kept (bounded by LOG_MAX_BYTES). */
  get logBytes(): number {
    return this.sync.log.bytes;
  }
  /** The board as history reads it. */
  get view(): { meta: RoomMeta; records: Map<string, R>; bytes: number } {
    return { meta: this.meta_!, records: this.records_, bytes: this.totalBytes };
  }

  /** The board as it is now (`epoch` null: never written). Call `load()` first. */
  snapshot(): RoomSnapshot<R> {
    return { seq: this.meta_!.seq, epoch: this.stored_ ? this.meta_!.epoch : null, records: [...this.records_.values()] };
  }

  /** Rebuild the cache from storage. Writes nothing: a room that was never
   * written gets an epoch in memory, persisted by its first commit. */
  load(): Promise<void> {
    this.loading ??= (async () => {
      const loaded = await this.ctx.host.storage.load();
      this.stored_ = loaded.meta !== null;
      const meta = loaded.meta ?? { epoch: this.unwrittenEpoch() ?? randomId(), seq: 0, logStart: 1 };
      this.meta_ = meta;
      this.records_ = loaded.records;
      this.recordSeq = loaded.recordSeq;
      // Records older code stored are read through the app's migrations; no
      // delta reaches across that (its logged ops are in the old shape).
      const { schema } = this.ctx;
      const { migrated, unreadable } = migrateStored(schema, this.records_);
      this.snapshotThrough = migrated > 0 ? meta.seq : 0;
      if (migrated || unreadable.length) this.ctx.log(unreadable.length ? "warn" : "info", "records_migrated", undefined, undefined, undefined, `${migrated} migrated to schema ${schema.version}; unreadable: ${unreadable.slice(0, 8).join(",") || "none"}`);
      this.recordBytes = new Map();
      this.totalBytes = 0;
      for (const [id, rec] of this.records_) {
        const size = JSON.stringify(rec).length;
        this.recordBytes.set(id, size);
        this.totalBytes += size;
      }
      this.sync.log.reset(meta.logStart, loaded.logBytes);
      this.sync.invalidate();
    })().catch((err: unknown) => {
      this.loading = null; // let the next event retry the load
      throw err;
    });
    return this.loading;
  }

  /** The sync frame for a member that holds `epoch` up to `lastSeq`: a delta
   * when the log covers it and it is smaller, else a snapshot (sync.ts). */
  async syncFor(epoch: string | null, lastSeq: number): Promise<SyncFrame> {
    await this.load();
    const acrossMigration = lastSeq <= this.snapshotThrough && this.snapshotThrough > 0;
    return this.sync.build(this.meta_!, this.records_, this.totalBytes, acrossMigration ? null : epoch, lastSeq);
  }

  /**
   * Restore: one mutation, exactly once by `mid`, whose ops the room computes
   * (the diff from the current board to `board`, the board at the target,
   * built beforehand by past-boards.ts outside the queue, or why it could not
   * be) and decides through the same path as every mutation. Its change is
   * marked `restored`. `board.diff`: the diff compared beforehand, outside the
   * queue (past-boards.ts); only records replaced since are compared here.
   */
  async restore(actor: Actor, author: Author, mid: string, board: { seq: number; records: readonly R[]; diff?: BoardDiff<R> } | Refusal, answer: Answer): Promise<void> {
    const ops = async (): Promise<Op<R>[] | Refusal> => {
      // Refused only once the mid is known to be new: a retried restore that
      // was applied gets its ack, whatever its target has become.
      if ("code" in board) return board;
      const ops = (board.diff ?? new BoardDiff(this.ctx.schema.fixed, board.records)).finish(this.records_);
      // Its change goes to every socket: charged like a sync, so restores in
      // a loop cannot make the room send boards without bound.
      if (!this.ctx.syncBudget.take(this.ctx.host.now(), JSON.stringify(ops).length)) {
        this.ctx.counters.rateLimited++;
        return { code: ErrorCode.RATE_LIMITED, message: "the room is busy sending boards; retry the restore shortly" };
      }
      return ops;
    };
    await this.decide(actor, mid, ops, answer, () => true, { author, kind: "restore", restored: () => ("seq" in board ? board.seq : 0) });
  }

  /** Import (or fork): `records` (already checked against the schema) become
   * the board of a room that was never written, as one mutation, exactly once
   * by `mid`; any other room refuses ROOM_NOT_EMPTY. */
  async importBoard(actor: Actor, mid: string, records: R[], answer: Answer): Promise<void> {
    const ops = async (): Promise<Op<R>[] | Refusal> =>
      this.stored_ || this.meta_!.seq > 0 ? { code: ErrorCode.ROOM_NOT_EMPTY, message: "import only into a new, empty room" } : records.map((rec) => ({ op: "put" as const, rec }));
    await this.decide(actor, mid, ops, answer, () => true, { author: { by: actor.conn }, kind: "import" });
  }

  /**
   * Decide a mutation, exactly once, for any caller (a socket, the HTTP API):
   * repeat a remembered outcome, or plan, authorize, bound, commit, answer,
   * publish. `answer` is called once, with the ack as soon as the commit is
   * durable (before the broadcast), or with the reject. `mayRemember` spends the
   * caller's budget for a stored refusal; false means it already answered.
   * `mark.ackTo`: the ack travels with the changes, in seq order, to that member.
   * `mark.age`: the client's word on how long before sending it the edit was
   * made: history stamps it then, at most MUTATION_AGE_MAX_MS before now.
   */
  async decide(
    actor: Actor,
    mid: string,
    source: Op<R>[] | (() => Promise<Op<R>[] | Refusal>),
    answer: Answer,
    mayRemember: () => boolean,
    mark: { author?: Author; kind?: "restore" | "import"; restored?: () => number; ackTo?: string; age?: number } = {},
  ): Promise<void> {
    const { host, schema, hooks, counters } = this.ctx;
    await this.load();
    const seen = await host.storage.findMutation(mid);
    if (seen !== undefined) {
      // Exactly once: already decided (maybe before a reconnect, eviction or
      // restart). Repeat the original result; apply nothing.
      counters.duplicatesDropped++;
      if ("seq" in seen) answer({ type: "ack", mid, seq: seen.seq, dup: true });
      else answer({ type: "reject", mid, code: seen.code, message: seen.message });
      return;
    }
    /** A refusal that would not change on a retry is remembered, so a late
     * copy of this mutation (one the client has already rolled back) can never
     * be applied after the fact — within the caller's refusal budget. */
    const refuse = async (code: ErrorCode, message: string) => {
      if (!mayRemember()) return;
      const now = host.now();
      await host.storage.rememberReject({ mid, code, message, at: now }, { before: now - REJECT_RETENTION_MS, max: REJECT_MAX_ENTRIES });
      answer({ type: "reject", mid, code, message });
    };
    // A restore's ops are computed only now that its mid is known to be new.
    const ops = typeof source === "function" ? await source() : source;
    if (!Array.isArray(ops)) return answer({ type: "reject", mid, ...ops });
    const plan = planOps(schema, this.records_, ops);
    if (!plan.ok) return refuse(plan.code, plan.message);
    if (hooks.authorize) {
      const seen = new Map<string, R | null>();
      // The room as this op sees it: the mutation's earlier ops applied.
      const room: RoomView<R> = { id: this.ctx.roomId, get: (id) => (seen.has(id) ? (seen.get(id) ?? undefined) : this.records_.get(id)) };
      for (const op of plan.ops) {
        const id = op.op === "put" ? op.rec.id : op.id;
        const verdict = hooks.authorize(actor, op, room.get(id), room);
        if (verdict !== true) return answer({ type: "reject", mid, code: ErrorCode.FORBIDDEN, message: String(verdict).slice(0, 200) || "not allowed" });
        seen.set(id, plan.writes.get(id) ?? null);
      }
    }
    let bytes = this.totalBytes;
    for (const id of plan.writes.keys()) bytes += (plan.sizes.get(id) ?? 0) - (this.recordBytes.get(id) ?? 0);
    if (bytes > this.maxRoomBytes && bytes > this.totalBytes) {
      return refuse(ErrorCode.ROOM_LIMIT, `the room would hold ${bytes} bytes of records; the limit is ${this.maxRoomBytes}`);
    }

    const meta = this.meta_!;
    const seq = meta.seq + 1;
    const change: Change<R> = { seq, by: actor.conn, mid, ops: plan.ops };
    if (mark.restored) change.restored = mark.restored();
    const changeJson = JSON.stringify(change);
    const nextMeta: RoomMeta = { ...meta, seq };
    const at = host.now();
    const summary = this.history.summary(change, mark.author ?? { by: actor.conn }, at, mark.kind, madeAt(at, mark.age));
    const first = !this.stored_;
    // Persist before anything leaves the room: the ack promises durability.
    await host.storage.commit({ meta: nextMeta, change, changeJson, writes: plan.writes, at, first, ...(summary ? { summary } : {}) });
    this.stored_ = true;
    this.meta_ = nextMeta;
    for (const [id, value] of plan.writes) {
      if (value) {
        this.records_.set(id, value);
        this.recordSeq.set(id, seq);
        this.recordBytes.set(id, plan.sizes.get(id) ?? 0);
      } else {
        this.records_.delete(id);
        this.recordSeq.delete(id);
        this.recordBytes.delete(id);
      }
    }
    this.totalBytes = bytes;
    this.sync.log.append(changeJson.length);
    this.sync.invalidate();
    counters.mutations++;
    // The broadcast is the stored entry with its type: serialized once. It
    // waits in the outbox for the next frame (at once in a quiet room).
    const frame = `{"type":"change",${changeJson.slice(1)}`;
    if (typeof source === "function") {
      // Ops the room computed (a restore, an import): the author has no copy
      // of them to apply on the ack, so it gets the change too, just before
      // (answering a socket sends what the outbox holds first).
      this.outlet.publish({ seq, frame, except: null }, () => answer({ type: "ack", mid, seq }));
    } else if (mark.ackTo !== undefined) {
      // A socket's mutation: its ack travels in seq order with the changes.
      this.outlet.publish({ seq, frame, except: actor.conn, ackTo: mark.ackTo, ack: JSON.stringify({ type: "ack", mid, seq }) });
    } else {
      answer({ type: "ack", mid, seq });
      this.outlet.publish({ seq, frame, except: actor.conn });
    }
    if (hooks.onCommit) {
      const onCommit = hooks.onCommit;
      void Promise.resolve()
        .then(() => onCommit(change, { id: this.ctx.roomId, records: this.records_ }))
        .catch((err: unknown) => this.ctx.log("error", "hook_failed", actor.conn, "mutate", ErrorCode.INTERNAL, stackOf(err)));
    }
    await this.compactIfDue();
    try {
      await this.history.afterCommit(changeJson.length, first, this.view, host.now());
    } catch (err) {
      // Like compaction: the mutation is applied; the next commit or alarm retries.
      this.ctx.log("error", "checkpoint_failed", undefined, undefined, ErrorCode.INTERNAL, stackOf(err));
    }
    if (first) await this.outlet.notify("room.created", { seq, epoch: meta.epoch, by: actor.conn });
    await this.outlet.notify("room.changed", { fromSeq: seq, toSeq: null, epoch: meta.epoch });
    if (change.restored !== undefined) await this.outlet.notify("room.restored", { seq, restored: change.restored, mid, by: actor.conn, epoch: meta.epoch });
  }

  /** Housekeeping after the ack: a failure here must not turn into a reject of
   * a mutation that is already applied. The next commit retries it. */
  private async compactIfDue(): Promise<void> {
    const meta = this.meta_!;
    const logStart = this.sync.log.compactionStart(meta.seq);
    if (logStart === null) return;
    const compacted: RoomMeta = { ...meta, logStart };
    try {
      const now = this.ctx.host.now();
      const dedupe = { before: now - DEDUPE_RETENTION_MS, max: DEDUPE_MAX_ENTRIES, floor: now - DEDUPE_MIN_RETENTION_MS };
      // History keeps the entries below the window that it still reaches.
      await this.ctx.host.storage.compact(compacted, dedupe, await this.history.logFloor(logStart));
      this.meta_ = compacted;
      this.sync.log.dropBefore(logStart);
      this.ctx.log("info", "compacted", undefined, undefined, undefined, `logStart=${logStart}`);
    } catch (err) {
      this.ctx.log("error", "compaction_failed", undefined, undefined, ErrorCode.INTERNAL, stackOf(err));
    }
  }

  /** Storage was erased: forget the cache (history's too). The next event
   * loads an unwritten room with a new epoch. */
  forget(): void {
    this.loading = null;
    this.meta_ = null;
    this.stored_ = false;
    this.records_ = new Map();
    this.recordSeq = new Map();
    this.recordBytes = new Map();
    this.totalBytes = 0;
    this.sync.log.reset(1, []);
    this.sync.invalidate();
    this.history.reset();
  }
}
