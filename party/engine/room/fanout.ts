/**
 * The frame fan-out: everything the room sends leaves through here, in order.
 * It holds the commit outbox (commit-outbox.ts: changes and acks in seq
 * order), the cursor and live batch (live-frames.ts), and the frame send
 * budget that paces both (CURSOR_SENDS_PER_SEC / CURSOR_SEND_BURST): while
 * the budget lasts a frame leaves at the end of the turn, overdrawn it waits
 * at most CURSOR_FRAME_MS, and every commit and move of that time joins it.
 *
 * It addresses receivers (receivers.ts), not sockets: a broadcast goes to each
 * receiver but the one named `except`; a reply goes to one sender, after the
 * queued commits, so every receiver sees the room's messages in order. Bounds
 * on a receiver that does not read belong here (docs/ARCHITECTURE.md): every
 * broadcast frame is charged to its receiver's read window (read-windows.ts),
 * and a receiver over it gets nothing more. Live values are also charged,
 * once per receiver, to the room's live budget (LIVE_BYTES_OUT_PER_SEC):
 * past it they wait in live-frames.ts (latest wins) for a later frame.
 */
import { CURSOR_FRAME_MS, CURSOR_SEND_BURST, CURSOR_SENDS_PER_SEC, LIVE_BYTES_OUT_BURST, LIVE_BYTES_OUT_PER_SEC } from "../../shared/limits.ts";
import type { RecordBase, ServerMessage } from "../../shared/protocol.ts";
import { CommitOutbox, type QueuedCommit, type RelaySink } from "./commit-outbox.ts";
import { LiveFrames } from "./live-frames.ts";
import type { ReadWindows } from "./read-windows.ts";
import type { EachReceiver } from "./receivers.ts";
import type { FrameSender } from "./types.ts";

/**
 * The send budget's rate and burst. Not a room option: only tests change it
 * (the fuzz runs half its seeds on a tiny budget, so commits batch under its
 * hostile network), through the Room constructor's internal last argument.
 */
export interface FrameBudget {
  /** Default CURSOR_SENDS_PER_SEC. */
  frameSendsPerSec?: number;
  /** Default CURSOR_SEND_BURST. */
  frameSendBurst?: number;
  /** Default LIVE_BYTES_OUT_PER_SEC. */
  liveBytesPerSec?: number;
  /** Default LIVE_BYTES_OUT_BURST. */
  liveBytesBurst?: number;
}

/** What the fan-out needs of its host: a clock and a one-shot timer. */
export interface FanoutClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): void;
}

export class FrameFanout<R extends RecordBase = RecordBase> {
  /** Commits (changes and their acks) waiting for the next frame, in seq order. */
  private readonly outbox = new CommitOutbox();
  /** Cursor moves and live values waiting for the next frame. */
  readonly live = new LiveFrames();
  private frameScheduled = false;
  /** Sends left, refilled at `rate` up to `burst`; a frame may overdraw it by
   * at most one CURSOR_FRAME_MS worth, so no frame ever waits longer. */
  private sends: number;
  private sendsAt = 0;
  private readonly rate: number;
  private readonly burst: number;
  /** Live characters the room may still send (each value × its receivers),
   * refilled at `liveRate` up to `liveBurst` (LIVE_BYTES_OUT_PER_SEC). */
  private liveTokens: number;
  private liveAt = 0;
  /** A timer will ask for a frame when waiting live values fit. */
  private liveWaiting = false;
  private readonly liveRate: number;
  private readonly liveBurst: number;
  /** Live characters sent, in all (what a test measures). */
  liveCharsSent = 0;

  private readonly clock: FanoutClock;
  private readonly receivers: EachReceiver;
  /** What each receiver owes; a broadcast frame to one over its bound is not sent. */
  readonly reads: ReadWindows;
  /** The relays of an audience room (relay-face.ts), set once it has one. */
  relays: RelaySink | undefined;

  constructor(clock: FanoutClock, receivers: EachReceiver, reads: ReadWindows, budget: FrameBudget = {}) {
    this.clock = clock;
    this.receivers = receivers;
    this.reads = reads;
    this.rate = budget.frameSendsPerSec ?? CURSOR_SENDS_PER_SEC;
    this.burst = budget.frameSendBurst ?? CURSOR_SEND_BURST;
    this.sends = this.burst;
    this.liveRate = budget.liveBytesPerSec ?? LIVE_BYTES_OUT_PER_SEC;
    this.liveBurst = budget.liveBytesBurst ?? LIVE_BYTES_OUT_BURST;
    this.liveTokens = this.liveBurst;
    this.liveAt = clock.now();
  }

  /** Queue a commit for the next frame (at once in a quiet room); `then`
   * runs before the frame is asked for (an answer that flushes it first). */
  publish(commit: QueuedCommit, then?: () => void): void {
    this.outbox.push(commit);
    then?.();
    this.schedule();
  }

  /** Ask for a frame: called after a cursor move or live value was queued. */
  schedule(): void {
    if (this.frameScheduled) return;
    this.frameScheduled = true;
    // While the send budget lasts, the frame leaves at the end of this turn (a
    // microtask, not a 0 ms timer: a timer is one more event for the runtime
    // to run, measured as most of a small room's extra latency over a relay —
    // BENCHMARKS.md). Overdrawn, it waits until the budget is back at zero,
    // and every move of that time joins it.
    const left = this.refill();
    if (left >= 0) queueMicrotask(() => this.flushFrames());
    else this.clock.setTimeout(() => this.flushFrames(), Math.min(CURSOR_FRAME_MS, (-left * 1000) / this.rate));
  }

  /** Send queued commits now, outside the frame cadence: before anything else
   * goes to a receiver, so every receiver sees the room's messages in order. */
  flushCommits(): void {
    if (this.outbox.size === 0) return;
    this.spend(this.outbox.flush(this.receivers, this.charge, this.relays));
  }

  /** One message to one sender (an answer, a welcome), after the queued commits. */
  sendTo(to: FrameSender, msg: ServerMessage<R>): void {
    this.sendFrame(to, JSON.stringify(msg));
  }

  /** A frame already serialized (a sync, a preview) to one sender. */
  sendFrame(to: FrameSender, frame: string): void {
    this.flushCommits();
    try {
      to.send(frame);
    } catch {
      // The socket is closing; its close event cleans up.
    }
  }

  /** Serialize once, send to every receiver except `exceptConn`. */
  broadcast(msg: ServerMessage<R>, exceptConn: string | null): void {
    this.broadcastFrame(JSON.stringify(msg), exceptConn);
  }

  /** Send `frame` to every receiver except `exceptConn`; returns how many. */
  private broadcastFrame(frame: string, exceptConn: string | null): number {
    let sent = 0;
    if (this.relays) {
      this.flushCommits();
      this.relays.cast(frame, exceptConn);
    }
    this.receivers((conn, to) => {
      if (conn === exceptConn || !this.reads.charge(conn, frame.length)) return;
      this.sendFrame(to, frame);
      sent++;
    });
    return sent;
  }

  /** One frame time: queued commits, then to every receiver the same frame
   * with the latest position of every cursor that moved and the live values
   * the room's live budget allows (the rest wait, latest wins, and a timer
   * sends them when the budget is back); a lone mover is not sent its own move. */
  private flushFrames(): void {
    this.frameScheduled = false;
    // Commits first: a live draft cleared by the author's change must not
    // vanish before the change arrives.
    const commitSends = this.outbox.flush(this.receivers, this.charge, this.relays);
    if (!this.live.pending) {
      if (commitSends) this.spend(commitSends);
      return;
    }
    let receivers = 0;
    this.receivers(() => void receivers++);
    const tokens = this.refillLive();
    const { frame, onlyMover, liveChars } = this.live.take(tokens / Math.max(1, receivers), tokens >= this.liveBurst);
    const sent = frame === null ? 0 : this.broadcastFrame(frame, onlyMover ?? null);
    this.liveTokens -= liveChars * receivers;
    this.liveCharsSent += liveChars * sent;
    this.spend(commitSends + sent + (onlyMover === undefined ? 0 : 1));
    const next = this.live.nextLiveChars;
    if (next > 0 && !this.liveWaiting) {
      // Live values wait for the budget: until the first of them fits (or the
      // bucket is full), never less than a frame time. Cursors and commits
      // do not wait with them (their frames are scheduled as ever).
      const need = Math.min(next * Math.max(1, receivers), this.liveBurst) - this.liveTokens;
      this.liveWaiting = true;
      this.clock.setTimeout(() => {
        this.liveWaiting = false;
        if (this.live.pending) this.schedule();
      }, Math.max(CURSOR_FRAME_MS, Math.ceil((need * 1000) / this.liveRate)));
    }
  }

  private refillLive(): number {
    const now = this.clock.now();
    this.liveTokens = Math.min(this.liveBurst, this.liveTokens + (Math.max(0, now - this.liveAt) * this.liveRate) / 1000);
    this.liveAt = now;
    return this.liveTokens;
  }

  private readonly charge = (conn: string, chars: number): boolean => this.reads.charge(conn, chars);

  private refill(): number {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.sendsAt);
    this.sendsAt = now;
    this.sends = Math.min(this.burst, this.sends + (elapsed * this.rate) / 1000);
    return this.sends;
  }

  /** Charge `sends` to the budget; it may be overdrawn by one CURSOR_FRAME_MS
   * worth at most, so no frame ever waits longer. */
  private spend(sends: number): void {
    this.sends = Math.max(-(this.rate * CURSOR_FRAME_MS) / 1000, this.refill() - sends);
  }
}
