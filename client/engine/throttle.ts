/**
 * Outgoing cursor throttle: at most one send per `intervalMs`, the latest
 * position wins (trailing edge), nothing is sent when the position did not
 * change. Transport-free: it calls `send` and uses the timer functions given.
 */
import { type Clock, realClock } from "./clock.ts";

export const CURSOR_THROTTLE_MS = 50; // 20 Hz: matches the room's cursor frame rate

export type Point = readonly [number, number] | null;


const same = (a: Point, b: Point) => a === b || (a !== null && b !== null && a[0] === b[0] && a[1] === b[1]);

export class CursorThrottle {
  private lastSent: Point | undefined = undefined;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private queued: Point | undefined = undefined;
  private timer: unknown = null;

  private readonly send: (p: Point) => void;
  private readonly intervalMs: number;
  private readonly clock: Clock;

  constructor(send: (p: Point) => void, intervalMs = CURSOR_THROTTLE_MS, clock: Clock = realClock) {
    this.send = send;
    this.intervalMs = intervalMs;
    this.clock = clock;
  }

  /** The pointer moved (or left the board: null). */
  push(p: Point): void {
    const now = this.clock.now();
    if (this.timer === null && now - this.lastSentAt >= this.intervalMs) {
      this.emit(p, now);
      return;
    }
    this.queued = p;
    if (this.timer === null) {
      this.timer = this.clock.setTimeout(() => this.flush(), this.intervalMs - (now - this.lastSentAt));
    }
  }

  /** Forget what was sent (after a reconnect, the room knows nothing). */
  reset(): void {
    this.cancel();
    this.lastSent = undefined;
    this.lastSentAt = Number.NEGATIVE_INFINITY;
  }

  /** Drop a queued move (e.g. the connection went down: cursors are not queued). */
  cancel(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.queued = undefined;
  }

  private flush(): void {
    this.timer = null;
    const p = this.queued;
    this.queued = undefined;
    if (p !== undefined) this.emit(p, this.clock.now());
  }

  private emit(p: Point, now: number): void {
    if (this.lastSent !== undefined && same(this.lastSent, p)) return;
    this.lastSent = p;
    this.lastSentAt = now;
    this.send(p);
  }
}
