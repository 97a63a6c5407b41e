/**
 * The room's reports to the rooms index (party/engine/rooms-index.ts): after
 * a write, a metadata change, or a member entering or leaving, the room sends
 * its id, last activity, members, seq and metadata — at most once per
 * `everyMs` (ROOMS_INDEX_REPORT_MS): what happens meanwhile is coalesced into
 * one report at the end of the window, so a busy room writes to the index as
 * rarely as a quiet one. A room that was never written (and has no metadata)
 * is not indexed. Erasing the room removes it at once.
 */
import { ErrorCode, type RecordBase } from "../../shared/protocol.ts";
import { type RoomContext, stackOf } from "./context.ts";
import type { RoomDocument } from "./document.ts";
import type { EventQueue } from "./queue.ts";
import type { IndexReport } from "./types.ts";

export class IndexReporter<R extends RecordBase = RecordBase> {
  private readonly ctx: RoomContext<R>;
  private readonly queue: EventQueue;
  private readonly doc: RoomDocument<R>;
  private readonly members: () => number;
  /** When the last report went (ms); a report waits for the window after it. */
  private lastSent = -Infinity;
  private scheduled = false;
  private active = 0;
  /** Reports sent by this object (tests count them). */
  sent = 0;

  constructor(ctx: RoomContext<R>, queue: EventQueue, doc: RoomDocument<R>, members: () => number) {
    this.ctx = ctx;
    this.queue = queue;
    this.doc = doc;
    this.members = members;
  }

  /** Something happened in the room: a report goes now, or at the end of the window. */
  touch(): void {
    const index = this.ctx.host.roomsIndex;
    if (!index) return;
    const now = this.ctx.host.now();
    this.active = Math.max(this.active, now);
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = this.lastSent + index.everyMs - now;
    if (wait <= 0) void this.queue.enqueue(() => this.flush());
    else this.ctx.host.setTimeout(() => void this.queue.enqueue(() => this.flush()), Math.min(wait, index.everyMs));
  }

  /** The room was erased: it leaves the index now. */
  erased(): void {
    const index = this.ctx.host.roomsIndex;
    if (!index) return;
    this.send({ room: this.ctx.roomId, active: this.ctx.host.now(), members: 0, seq: 0, metadata: {}, deleted: true });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    await this.doc.load();
    const metadata = await this.ctx.host.storage.metadata();
    if (!this.doc.stored && metadata === null) return;
    this.lastSent = this.ctx.host.now();
    this.send({ room: this.ctx.roomId, active: this.active, members: this.members(), seq: this.doc.meta.seq, metadata: JSON.parse(metadata ?? "{}") as Record<string, unknown> });
  }

  private send(report: IndexReport): void {
    this.sent++;
    void this.ctx.host.roomsIndex!.report(report).catch((err: unknown) => this.ctx.log("warn", "index_failed", undefined, undefined, ErrorCode.INTERNAL, stackOf(err)));
  }
}
