/**
 * Outgoing cursor throttle: at most one send per `intervalMs`, the latest
 * position wins (trailing edge), nothing is sent when the position did not
 * change. Transport-free: it calls `send` and uses the timer functions given.
 */
import { CURSOR_FRAME_MS, CURSOR_TICK_MS } from "../../party/shared/limits.ts";
import { type Clock, realClock } from "./clock.ts";

/** The slowest the library sends cursor moves: 20 Hz, the room's slowest
 * cursor tick (CURSOR_FRAME_MS, a big room's). */
export const CURSOR_THROTTLE_MS = CURSOR_FRAME_MS;
/** The fastest: 60 Hz, a display's frame rate and a busy room's fastest tick
 * (CURSOR_TICK_MS), in small rooms, where the room forwards a move within
 * milliseconds and a 50 ms throttle would be most of the latency a person
 * sees. Never faster than the room's tick: a busy room sends one frame per
 * tick, so a second move in a tick would only replace the first. */
export const CURSOR_THROTTLE_MIN_MS = CURSOR_TICK_MS;

/** What a room's cursor moves add up to at most while the rate can drop:
 * every member's own interval is stretched so that the room as a whole
 * receives about this many moves a second (the room's inbound messages are
 * what the platform bills, and in a big room every move is multiplied by
 * every receiver). */
export const CURSOR_ROOM_MOVES_PER_SEC = 640;

/** The send interval for a room with `peers` others: 60 Hz (a display's
 * rate, so a pointer's every frame leaves at once) while the room's moves
 * stay within CURSOR_ROOM_MOVES_PER_SEC — up to 10 people — then slower in
 * proportion, 20 Hz from 32 people. Never shorter than the room's cursor
 * tick for that many people (room/fanout.ts cursorTickMs: 16 ms up to 64,
 * receivers × 1000 / CURSOR_SENDS_PER_SEC above): this share is longer. */
export function cursorIntervalFor(peers: number): number {
  const share = Math.ceil((1000 * (peers + 1)) / CURSOR_ROOM_MOVES_PER_SEC);
  return Math.min(CURSOR_THROTTLE_MS, Math.max(CURSOR_THROTTLE_MIN_MS, share));
}

export type Point = readonly [number, number] | null;


const same = (a: Point, b: Point) => a === b || (a !== null && b !== null && a[0] === b[0] && a[1] === b[1]);

export class CursorThrottle {
  private lastSent: Point | undefined = undefined;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private queued: Point | undefined = undefined;
  private timer: unknown = null;

  private readonly send: (p: Point) => void;
  private intervalMs: number;
  private readonly clock: Clock;

  constructor(send: (p: Point) => void, intervalMs = CURSOR_THROTTLE_MS, clock: Clock = realClock) {
    this.send = send;
    this.intervalMs = intervalMs;
    this.clock = clock;
  }

  /** The pointer moved (or left the board: null). */
  push(p: Point): void {
    const now = this.clock.now();
    // The position the room already has (a second event for the same input):
    // nothing to send, and no timer that would hold back the next real move.
    if (this.lastSent !== undefined && same(this.lastSent, p)) {
      if (this.timer !== null) this.cancel();
      return;
    }
    if (this.timer === null && now - this.lastSentAt >= this.intervalMs) {
      this.emit(p, now);
      return;
    }
    this.queued = p;
    if (this.timer === null) {
      this.timer = this.clock.setTimeout(() => this.flush(), this.intervalMs - (now - this.lastSentAt));
    }
  }

  /** Change the interval (the room grew or shrank); a queued move keeps its time. */
  retune(intervalMs: number): void {
    this.intervalMs = intervalMs;
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

/**
 * Outgoing live state (RoomClient.setLive): latest value per key wins, and
 * what changed goes out at most once per interval (the cursor's, read when a
 * batch is scheduled), as one send per key. Lossy like the cursor: the
 * caller drops a batch that falls due while it is not live.
 */
export class LiveStateThrottle {
  private readonly pending = new Map<string, unknown>();
  private timer: unknown = null;
  private lastAt = Number.NEGATIVE_INFINITY;
  private readonly flush: (entries: [string, unknown][]) => void;
  private readonly interval: () => number;
  private readonly clock: Clock;

  constructor(flush: (entries: [string, unknown][]) => void, interval: () => number, clock: Clock = realClock) {
    this.flush = flush;
    this.interval = interval;
    this.clock = clock;
  }

  set(key: string, data: unknown): void {
    this.pending.set(key, data);
    if (this.timer !== null) return;
    const wait = Math.max(0, this.lastAt + this.interval() - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.lastAt = this.clock.now();
      const entries = [...this.pending];
      this.pending.clear();
      this.flush(entries);
    }, wait);
  }

  cancel(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
