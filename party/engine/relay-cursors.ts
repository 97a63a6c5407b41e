/**
 * A relay's cursor frames for its editors (issue 18: "one frame per relay per
 * tick, whatever the number of members behind it"): the room sends its
 * relays a `cursors` frame whenever its own send budget allows — up to one
 * per move in a small room. Here consecutive `cursors` frames are merged,
 * latest wins per cursor and per live key (`CursorMerge`), and leave under
 * the same rule as the room's own frames (fanout.ts): at once while the
 * relay's send budget lasts (CURSOR_SENDS_PER_SEC sends, a frame costing one
 * send per editor), past it at most CURSOR_FRAME_MS later with every move of
 * that time in one frame. Nothing is reordered: any other frame for the
 * editors first sends what is merged (relay-members.ts). The relay's
 * watchers get the same merge inside their watch frames (relay-watch.ts).
 */
import { CURSOR_FRAME_MS, CURSOR_SEND_BURST, CURSOR_SENDS_PER_SEC } from "../shared/limits.ts";

export const CURSORS_PREFIX = `{"type":"cursors"`;

export interface BatchClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): void;
}

/** Consecutive `cursors` frames merged into one, latest wins per cursor and
 * per live key (shared by the editors' batch below and the watchers' frames,
 * relay-watch.ts). */
export class CursorMerge {
  /** Entries waiting, by cursor (`conn`) or live key (`conn\0key`), as JSON. */
  private readonly cursors = new Map<string, string>();
  private readonly live = new Map<string, string>();
  private readonly movers = new Set<string>();

  get size(): number {
    return this.movers.size;
  }

  /** A `cursors` frame from the room, merged into what waits. */
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
  }

  /** The merged frame, and its lone mover (the only connection in it, whom
   * the room does not send its own move), or null when nothing waits; what
   * waited is cleared. */
  take(): { frame: string; lone: string | null } | null {
    if (this.movers.size === 0) return null;
    const f = [...this.cursors.values()];
    const l = [...this.live.values()];
    const lone = this.movers.size === 1 ? (this.movers.values().next().value ?? null) : null;
    this.cursors.clear();
    this.live.clear();
    this.movers.clear();
    return { frame: `{"type":"cursors","f":[${f.join(",")}]${l.length ? `,"l":[${l.join(",")}]` : ""}}`, lone };
  }
}

export class CursorBatch {
  private readonly merged = new CursorMerge();
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
    this.merged.add(frame);
    if (this.scheduled) return;
    this.scheduled = true;
    const left = this.refill();
    if (left >= 0) queueMicrotask(() => this.flush());
    else this.clock.setTimeout(() => this.flush(), Math.min(CURSOR_FRAME_MS, (-left * 1000) / CURSOR_SENDS_PER_SEC));
  }

  /** Send what is merged now (before any other frame, or when its time came). */
  flush(): void {
    this.scheduled = false;
    // The lone mover is not sent its own move, as the room does (live-frames.ts).
    const m = this.merged.take();
    if (!m) return;
    const sent = this.cast(m.frame, m.lone);
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
