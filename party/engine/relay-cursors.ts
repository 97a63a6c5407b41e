/**
 * A relay's cursor frames (issue 18: "one frame per relay per tick, whatever
 * the number of members behind it"): the room sends its relays a `cursors`
 * frame whenever its own send budget allows — up to one per move in a small
 * room — and a relay of 250 watchers would multiply every one of them by 250
 * sends. Here consecutive `cursors` frames are merged, latest wins per cursor
 * and per live key, and leave under the same rule as the room's own frames
 * (fanout.ts): at once while the relay's send budget lasts
 * (CURSOR_SENDS_PER_SEC sends, a frame costing one send per member), past it
 * at most CURSOR_FRAME_MS later with every move of that time in one frame.
 * A relay with a few members forwards every frame as it comes; a full one
 * sends its members about 20 frames a second. Nothing is reordered: any
 * other frame for the members first sends what is merged (relay-members.ts).
 */
import { CURSOR_FRAME_MS, CURSOR_SEND_BURST, CURSOR_SENDS_PER_SEC } from "../shared/limits.ts";

export const CURSORS_PREFIX = `{"type":"cursors"`;

export interface BatchClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): void;
}

export class CursorBatch {
  /** Entries waiting, by cursor (`conn`) or live key (`conn\0key`), as JSON. */
  private readonly cursors = new Map<string, string>();
  private readonly live = new Map<string, string>();
  private readonly movers = new Set<string>();
  private scheduled = false;
  private sends = CURSOR_SEND_BURST;
  private sendsAt: number;
  private readonly clock: BatchClock;
  /** Send a frame to every member but `except`; returns the sends made. */
  private readonly cast: (frame: string, except: string | null) => number;

  constructor(clock: BatchClock, cast: (frame: string, except: string | null) => number) {
    this.clock = clock;
    this.cast = cast;
    this.sendsAt = clock.now();
  }

  /** A `cursors` frame from the room: merged into the next one the members get. */
  add(frame: string): void {
    const msg = JSON.parse(frame) as { f?: unknown[][]; l?: unknown[][] };
    for (const e of msg.f ?? []) {
      this.cursors.set(String(e[0]), JSON.stringify(e));
      this.movers.add(String(e[0]));
    }
    for (const e of msg.l ?? []) {
      this.live.set(`${String(e[0])}\u0000${String(e[1])}`, JSON.stringify(e));
      this.movers.add(String(e[0]));
    }
    if (this.scheduled) return;
    this.scheduled = true;
    const left = this.refill();
    if (left >= 0) queueMicrotask(() => this.flush());
    else this.clock.setTimeout(() => this.flush(), Math.min(CURSOR_FRAME_MS, (-left * 1000) / CURSOR_SENDS_PER_SEC));
  }

  /** Send what is merged now (before any other frame, or when its time came). */
  flush(): void {
    this.scheduled = false;
    if (this.movers.size === 0) return;
    const f = [...this.cursors.values()];
    const l = [...this.live.values()];
    // The lone mover is not sent its own move, as the room does (live-frames.ts).
    const except = this.movers.size === 1 ? (this.movers.values().next().value ?? null) : null;
    this.cursors.clear();
    this.live.clear();
    this.movers.clear();
    const frame = `{"type":"cursors","f":[${f.join(",")}]${l.length ? `,"l":[${l.join(",")}]` : ""}}`;
    const sent = this.cast(frame, except);
    // Overdrawn by at most one frame time, so no frame ever waits longer.
    this.sends = Math.max(-(CURSOR_SENDS_PER_SEC * CURSOR_FRAME_MS) / 1000, this.refill() - sent);
  }

  private refill(): number {
    const now = this.clock.now();
    this.sends = Math.min(CURSOR_SEND_BURST, this.sends + (Math.max(0, now - this.sendsAt) * CURSOR_SENDS_PER_SEC) / 1000);
    this.sendsAt = now;
    return this.sends;
  }
}
