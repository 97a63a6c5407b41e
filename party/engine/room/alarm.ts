/**
 * The room's alarm (alarm-schedule.ts sets it): the liveness sweep over the
 * sessions, the history's timed work (checkpoints, retention), the webhooks
 * that are due, and a step of the collection of assets no record names
 * (asset-gc.ts). The sweep re-arms only while sockets remain, so an
 * empty room sleeps for good; events not due yet keep the alarm set.
 */
import { SWEEP_INTERVAL_MS } from "../../shared/limits.ts";
import { ErrorCode, type RecordBase } from "../../shared/protocol.ts";
import type { OutboxEvent } from "../storage.ts";
import type { AlarmSchedule } from "./alarm-schedule.ts";
import { type RoomContext, stackOf } from "./context.ts";
import type { RoomDocument } from "./document.ts";
import type { EventQueue } from "./queue.ts";
import type { Sessions } from "./sessions.ts";

export class RoomAlarm<R extends RecordBase = RecordBase> {
  private readonly ctx: RoomContext<R>;
  private readonly queue: EventQueue;
  private readonly doc: RoomDocument<R>;
  private readonly sessions: Sessions<R>;
  private readonly schedule: AlarmSchedule<R>;

  constructor(ctx: RoomContext<R>, queue: EventQueue, doc: RoomDocument<R>, sessions: Sessions<R>, schedule: AlarmSchedule<R>) {
    this.ctx = ctx;
    this.queue = queue;
    this.doc = doc;
    this.sessions = sessions;
    this.schedule = schedule;
  }

  /** The relays' links' part of the sweep (relay-face.ts `sweep`): how many remain. */
  links: ((now: number) => Promise<number>) | null = null;

  /** Deliveries started by an alarm and not yet recorded. */
  private readonly delivering = new Set<Promise<void>>();

  /** The alarm fired: drop sockets that stopped pinging (half-open), run the
   * history's timed work, start the webhooks that are due. Resolves once the
   * deliveries have started, not when they end (`deliveries()`): each is sent
   * and recorded on its own, so a receiver that never answers holds up no
   * other endpoint's delivery, nor the next alarm. */
  fire(): Promise<void> {
    const { host, log } = this.ctx;
    const { webhooks } = this.schedule;
    let sending: OutboxEvent[] = [];
    let collect: (() => Promise<void>) | undefined;
    const swept = this.queue.enqueue(async () => {
      const now = host.now();
      const { remaining, left, helloDue } = this.sessions.sweep(now);
      const links = (await this.links?.(now)) ?? 0;
      this.schedule.fired();
      if (left) await this.sessions.noteEmpty();
      if (this.doc.stored) {
        try {
          await this.doc.history.tick(this.doc.view, now);
        } catch (err) {
          this.ctx.log("error", "checkpoint_failed", undefined, undefined, ErrorCode.INTERNAL, stackOf(err));
        }
      }
      // The next sweep: in SWEEP_INTERVAL_MS, or at the first hello deadline.
      if (remaining > 0 || links > 0) await this.schedule.ensureSweep(Math.min(now + SWEEP_INTERVAL_MS, helloDue ?? Infinity));
      if (webhooks.enabled) {
        await this.doc.load();
        sending = await webhooks.due(now, this.doc.meta.seq);
        // Rows not due yet, and the deadlines of those in flight, keep the alarm set.
        const next = await webhooks.nextDue();
        if (next !== null) await this.schedule.want(next);
      }
      if (host.assets) {
        try {
          await this.doc.load();
          const history = this.doc.history.enabled ? host.storage : null;
          const step = await host.assets.step({ seq: this.doc.meta.seq, records: this.doc.records.values(), history }, now);
          if (step.next !== null) await this.schedule.want(step.next);
          collect = step.collect;
        } catch (err) {
          log("error", "asset_gc_failed", undefined, undefined, ErrorCode.INTERNAL, stackOf(err));
        }
      }
    });
    // Deliveries start outside the queue, each on its own (deliver); so do the
    // R2 deletes a collection step decided (their rows are gone).
    return swept.then(async () => {
      for (const row of sending) this.deliver(row);
      await collect?.();
    });
  }

  /** Send one outbox row outside the queue; record its outcome inside it. */
  private deliver(row: OutboxEvent): void {
    const { host, log } = this.ctx;
    const { webhooks } = this.schedule;
    const done = webhooks
      .send(row, host.fetch ?? fetch, host.now())
      .then((attempt) =>
        this.queue.enqueue(async () => {
          await webhooks.settle(attempt, host.now(), (event, detail) => log(event === "webhook_dropped" ? "warn" : "info", event, undefined, undefined, undefined, detail));
          const next = await webhooks.nextDue();
          if (next !== null) await this.schedule.want(next);
        }),
      )
      .finally(() => this.delivering.delete(done));
    this.delivering.add(done);
  }

  /** Resolves when every delivery started so far is recorded. */
  async deliveries(): Promise<void> {
    while (this.delivering.size) await Promise.all([...this.delivering]);
  }
}
