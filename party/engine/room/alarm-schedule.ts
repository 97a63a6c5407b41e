/**
 * The room's one alarm, shared by the liveness sweep and the webhook outbox
 * (Durable Objects give an object a single alarm, and it survives hibernation
 * and eviction), and the queueing of webhook events behind it. The alarm
 * itself is handled in alarm.ts; this is what the rest of the room asks of it.
 */
import { SWEEP_INTERVAL_MS } from "../../shared/limits.ts";
import { ErrorCode, type RecordBase } from "../../shared/protocol.ts";
import type { RoomStorage } from "../storage.ts";
import { type WebhookEventType, Webhooks } from "../webhooks.ts";
import { type RoomContext, stackOf } from "./context.ts";

export class AlarmSchedule<R extends RecordBase = RecordBase> {
  readonly webhooks: Webhooks;
  /** Told of every event, webhooks or not (the rooms index: room.ts). */
  onEvent: ((type: WebhookEventType) => void) | null = null;
  /** The webhook events being added, in order (notify). */
  private adding: Promise<void> = Promise.resolve();
  /** The earliest time this object has made sure the alarm fires by, since
   * the alarm last fired (null: not asked). */
  private sweepBy: number | null = null;

  private readonly ctx: RoomContext<R>;

  constructor(ctx: RoomContext<R>) {
    this.ctx = ctx;
    this.webhooks = new Webhooks(ctx.host.webhook ?? null, ctx.host.storage as RoomStorage, ctx.schema.party, ctx.roomId);
  }

  /** Arm the sweep alarm for `by` (default: in SWEEP_INTERVAL_MS) unless it
   * fires by then anyway: one set far ahead (a webhook's retry, an asset's
   * grace) is brought forward. Each asks storage only when it is earlier
   * than what this object asked for since the alarm last fired. */
  async ensureSweep(by = this.ctx.host.now() + SWEEP_INTERVAL_MS): Promise<void> {
    if (this.sweepBy !== null && this.sweepBy <= by) return;
    this.sweepBy = by;
    await this.want(by);
  }

  /** The alarm fired (and is gone): the next `ensureSweep` asks again. */
  fired(): void {
    this.sweepBy = null;
  }

  /** Make sure the alarm fires by `at` (the sweep's and the webhooks' share one). */
  async want(at: number): Promise<void> {
    const current = await this.ctx.host.getAlarm();
    if (current === null || current > at) await this.ctx.host.setAlarm(at);
  }

  /** Resolves when every event notified so far has been added. */
  added(): Promise<void> {
    return this.adding;
  }

  /** Queue a webhook event (after the ack: a failure is logged, never a
   * reject). Events are added one after another, in the order notified, so
   * a caller that cannot wait (a leave inside a sweep) may drop the promise. */
  notify(type: WebhookEventType, data: Record<string, unknown>): Promise<void> {
    this.onEvent?.(type);
    if (!this.webhooks.wants(type)) return Promise.resolve();
    const now = this.ctx.host.now();
    this.adding = this.adding.then(async () => {
      try {
        const due = await this.webhooks.add(type, data, now, (event, detail) => this.ctx.log("warn", event, undefined, undefined, undefined, detail));
        if (due !== null) await this.want(due);
      } catch (err) {
        this.ctx.log("error", "webhook_failed", undefined, undefined, ErrorCode.INTERNAL, stackOf(err));
      }
    });
    return this.adding;
  }
}
