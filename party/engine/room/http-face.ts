/**
 * The room's HTTP face: what party/engine/http-api.ts calls for the backend
 * API — a mutation, a page of history, the board (now, at a seq or at a
 * version), a restore, an import, the snapshot, and erasing the room. Each
 * runs in the room's one event queue, through the same document as a
 * socket's messages (mutations, restores and imports through its one
 * exactly-once `decide`, as `API_ACTOR`); reads write nothing, so reading a
 * room that was never written leaves it unstored.
 */
import { ErrorCode, type Op, type RecordBase } from "../../shared/protocol.ts";
import type { HistoryTarget, RoomHistory } from "../history.ts";
import type { WebhookReport } from "../webhooks.ts";
import type { AlarmSchedule } from "./alarm-schedule.ts";
import { type RoomContext, stackOf } from "./context.ts";
import type { RoomDocument } from "./document.ts";
import type { PastBoards } from "./past-boards.ts";
import type { EventQueue } from "./queue.ts";
import type { Sessions } from "./sessions.ts";
import { API_ACTOR, type MutationResult, type RoomSnapshot } from "./types.ts";

type Refusal = { code: ErrorCode; message: string };

export class HttpFace<R extends RecordBase = RecordBase> {
  private readonly ctx: RoomContext<R>;
  private readonly queue: EventQueue;
  private readonly doc: RoomDocument<R>;
  private readonly sessions: Sessions<R>;
  private readonly schedule: AlarmSchedule<R>;
  private readonly boards: PastBoards<R>;
  /** After the room's own members were closed on erase: its relays' (room.ts). */
  onErase: (() => void) | null = null;

  constructor(ctx: RoomContext<R>, queue: EventQueue, doc: RoomDocument<R>, sessions: Sessions<R>, schedule: AlarmSchedule<R>, boards: PastBoards<R>) {
    this.ctx = ctx;
    this.queue = queue;
    this.doc = doc;
    this.sessions = sessions;
    this.schedule = schedule;
    this.boards = boards;
  }

  /** The board at `target`, charged to the room's history work budget and
   * built outside the queue (past-boards.ts); null if the request failed. */
  private async pastBoard(target: HistoryTarget): Promise<Awaited<Awaited<ReturnType<PastBoards<R>["request"]>>["result"]> | null> {
    const pending = await this.loaded(null, () => this.boards.request(target, this.doc.view, () => true));
    return pending ? pending.result : null;
  }

  /** Run `task` in the room's queue after a load; `fallback` if it throws (logged). */
  private loaded<T>(fallback: T, task: () => Promise<T>): Promise<T> {
    return this.queue.run(fallback, async () => {
      await this.doc.load();
      return task();
    });
  }

  /** A mutation as the API actor; resolves with the ack or the typed reject
   * (a repeated `mid`: the original). */
  mutate(mid: string, ops: Op<R>[]): Promise<MutationResult> {
    let out: MutationResult = { type: "reject", mid, code: ErrorCode.INTERNAL, message: "the room could not apply this mutation; retry" };
    return this.queue.enqueue(async () => {
      try {
        await this.doc.decide(API_ACTOR, mid, ops, (result) => (out = result), () => true);
      } catch (err) {
        this.ctx.log("error", "handler_failed", API_ACTOR.conn, "mutate", ErrorCode.INTERNAL, stackOf(err));
      }
    }).then(() => out);
  }

  /** One page of history (PROTOCOL.md §15), read only. */
  history(before: number | undefined, limit: number): ReturnType<RoomHistory<R>["page"]> {
    return this.loaded({ head: 0, floor: null, checkpoints: [], versions: [], changes: [], more: false }, () => this.doc.history.page(this.doc.meta.seq, before, limit));
  }

  /** The board at a seq or version (or now, `target` null), read only. */
  async board(target: HistoryTarget | null): Promise<(RoomSnapshot<R> & { version?: string }) | Refusal> {
    const failed = { code: ErrorCode.INTERNAL, message: "the room could not read its history; retry" };
    if (target === null) return this.loaded<RoomSnapshot<R> | Refusal>(failed, async () => this.doc.snapshot());
    const got = await this.pastBoard(target);
    if (!got || "code" in got) return got ?? failed;
    const epoch = this.doc.stored ? this.doc.meta.epoch : null;
    return { seq: got.board.seq, ...(got.version !== undefined ? { version: got.version } : {}), epoch, records: got.board.records };
  }

  /** Restore as the API actor, exactly once by `mid`. */
  async restore(mid: string, target: HistoryTarget): Promise<MutationResult> {
    const failed: MutationResult = { type: "reject", mid, code: ErrorCode.INTERNAL, message: "the room could not restore; retry" };
    const got = await this.pastBoard(target);
    if (!got) return failed;
    // The diff against the current board is compared outside the queue too.
    const board = "code" in got ? got : { ...got.board, diff: await this.boards.diff(this.ctx.schema.fixed, got.board.records, () => this.doc.records) };
    return this.loaded<MutationResult>(failed, async () => {
      let out: MutationResult | null = null;
      await this.doc.restore(API_ACTOR, { by: API_ACTOR.conn }, mid, board, (r) => (out = r));
      return out ?? failed;
    });
  }

  /** Import (or fork) into a room that was never written, exactly once by `mid`. */
  import(mid: string, records: R[]): Promise<MutationResult> {
    const failed: MutationResult = { type: "reject", mid, code: ErrorCode.INTERNAL, message: "the room could not import; retry" };
    return this.loaded<MutationResult>(failed, async () => {
      let out: MutationResult | null = null;
      await this.doc.importBoard(API_ACTOR, mid, records, (r) => (out = r));
      return out ?? failed;
    });
  }

  /** The board as it is now. */
  snapshot(): Promise<RoomSnapshot<R>> {
    return this.loaded<RoomSnapshot<R>>({ seq: 0, epoch: null, records: [] }, async () => this.doc.snapshot());
  }

  /** Erase the room for good: every socket told and closed, storage wiped,
   * the caches forgotten. A later connection finds an unwritten room with a new epoch. */
  erase(): Promise<void> {
    return this.queue.enqueue(async () => {
      await this.doc.load();
      const epoch = this.doc.stored ? this.doc.meta.epoch : null;
      this.sessions.closeAll();
      this.onErase?.();
      // Events their leaves added go with the room.
      await this.schedule.added();
      await this.ctx.host.storage.erase();
      this.doc.forget();
      this.schedule.webhooks.reset();
      this.ctx.log("info", "erased");
      // The one thing left of a room that existed: its `room.deleted`, until delivered.
      if (epoch !== null) await this.schedule.notify("room.deleted", { epoch });
      else this.schedule.onEvent?.("room.deleted");
    });
  }

  /** The webhook endpoints, the outbox and the delivery log (`GET …/webhooks`), read only. */
  webhooks(): Promise<WebhookReport> {
    return this.queue.run<WebhookReport>({ endpoints: [], pending: [], deliveries: [] }, () => this.schedule.webhooks.report());
  }
}
