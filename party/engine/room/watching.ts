/**
 * The watcher count of an audience room, as its members hear it (issue 18;
 * PROTOCOL.md §8 `watching`, §16): the relays report how many watchers they
 * hold (relay-face.ts); when the sum changes, the room tells every member
 * that reads it — its own, and through one frame per link the relays' — at
 * most once per RELAY_COUNTS_MS, however many come and go meanwhile. In
 * memory: a room that wakes tells the count again at the next change.
 */
import { watchingFrame } from "../../shared/audience.ts";
import { RELAY_COUNTS_MS } from "../../shared/limits.ts";
import type { RecordBase } from "../../shared/protocol.ts";
import type { RoomContext } from "./context.ts";
import type { FrameFanout } from "./fanout.ts";
import { readySockets } from "./receivers.ts";

export class WatchingCount<R extends RecordBase = RecordBase> {
  /** The count last sent, when, and whether a send waits for its turn. */
  sent = 0;
  private at = Number.NEGATIVE_INFINITY;
  private waiting = false;
  private readonly ctx: RoomContext<R>;
  private readonly out: FrameFanout<R>;
  private readonly count: () => number;
  private readonly toRelays: (frame: string) => void;

  /** `count`: the watchers the relays report now; `toRelays`: one frame to every live link. */
  constructor(ctx: RoomContext<R>, out: FrameFanout<R>, count: () => number, toRelays: (frame: string) => void) {
    this.ctx = ctx;
    this.out = out;
    this.count = count;
    this.toRelays = toRelays;
  }

  /** The frame for a member who just said hello, or null with nobody watching. */
  frame(): string | null {
    const n = this.count();
    return n > 0 ? watchingFrame(n) : null;
  }

  /** The count may have changed (a relay's report, a relay gone). */
  changed(): void {
    if (this.waiting) return;
    const now = this.ctx.host.now();
    const wait = this.at + RELAY_COUNTS_MS - now;
    if (wait > 0) {
      this.waiting = true;
      this.ctx.host.setTimeout(() => {
        this.waiting = false;
        this.changed();
      }, wait);
      return;
    }
    const n = this.count();
    if (n === this.sent) return;
    this.sent = n;
    this.at = now;
    const frame = watchingFrame(n);
    for (const s of readySockets(this.ctx.host)) if (s.getState()!.watching) this.out.sendFrame(s, frame);
    this.toRelays(frame);
  }
}
