/**
 * The frame fan-out: everything the room sends leaves through here, in order.
 * It holds the commit outbox (commit-outbox.ts: changes and acks in seq
 * order), the cursor and live batch (live-frames.ts), and the frame send
 * budget that paces both (CURSOR_SENDS_PER_SEC / CURSOR_SEND_BURST): while
 * it lasts a frame leaves at the end of the turn, overdrawn it waits at most
 * CURSOR_FRAME_MS, and every commit and move of that time joins it.
 *
 * Cursor and live frames have a cadence of their own. While sending every
 * move at once fits the budget (a small or quiet room: W1's ten people at
 * 20 Hz ask 1,800 sends a second of 4,000) each leaves in the turn it
 * arrived, like a bare relay. Past that the room is busy, and each receiver
 * gets one frame per tick with every move of the tick in it: the tick is as
 * short as the budget allows for the receivers (cursorTickMs), never shorter
 * than a display frame (CURSOR_TICK_MS) and never longer than
 * CURSOR_FRAME_MS — ten people at 60 Hz get a frame every 16 ms (was one
 * every 2.5 ms, 400 a second per receiver), 200 every 50 ms, within the budget.
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
import { CURSOR_FRAME_MS, CURSOR_SEND_BURST, CURSOR_SENDS_PER_SEC, CURSOR_TICK_MS, LIVE_BYTES_OUT_BURST, LIVE_BYTES_OUT_PER_SEC } from "../../shared/limits.ts";
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

/**
 * A busy room's interval between two cursor frames to `receivers`: the
 * shortest at which one frame to each stays within `sendsPerSec`, never
 * shorter than a display frame (CURSOR_TICK_MS: a receiver cannot show more)
 * nor longer than CURSOR_FRAME_MS (20 Hz, reached at 200 receivers).
 */
export function cursorTickMs(receivers: number, sendsPerSec = CURSOR_SENDS_PER_SEC): number {
  return Math.min(CURSOR_FRAME_MS, Math.max(CURSOR_TICK_MS, (receivers * 1000) / sendsPerSec));
}

export class FrameFanout<R extends RecordBase = RecordBase> {
  /** Commits (changes and their acks) waiting for the next frame, in seq order. */
  private readonly outbox = new CommitOutbox();
  /** Cursor moves and live values waiting for the next frame. */
  readonly live = new LiveFrames();
  /** A frame of commits, of cursors and live values, is asked for. */
  private commitsScheduled = false;
  private liveScheduled = false;
  /** When the last cursor frame left (the tick counts from it). */
  private lastLiveAt = Number.NEGATIVE_INFINITY;
  /** What sending every cursor move and live value at once would cost: a
   * bucket of the send budget's rate and burst, charged the receivers of
   * each as it arrives, sent at once or not. Overdrawn, the room is busy and
   * its cursor frames go on ticks. Never below minus a burst, so a room that
   * quietens is back to sending at once within CURSOR_SEND_BURST / rate. */
  private asked: number;
  private askedAt: number;
  /** Receivers at the last broadcast (a move's cost, without counting them per move). */
  private receiverCount = 1;
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
    this.asked = this.burst;
    this.askedAt = clock.now();
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
    if (this.commitsScheduled) return;
    this.commitsScheduled = true;
    // While the send budget lasts, the frame leaves at the end of this turn (a
    // microtask, not a 0 ms timer: a timer is one more event for the runtime
    // to run, measured as most of a small room's extra latency over a relay —
    // BENCHMARKS.md). Overdrawn, it waits until the budget is back at zero,
    // and every commit of that time joins it.
    const wait = this.budgetWait();
    if (wait <= 0) queueMicrotask(() => this.flushCommitFrame());
    else this.clock.setTimeout(() => this.flushCommitFrame(), wait);
  }

  /** Ask for a cursor frame: called after a cursor move or live value was queued. */
  schedule(): void {
    this.scheduleLive(this.ask());
  }

  private scheduleLive(busy: boolean): void {
    if (this.liveScheduled) return;
    this.liveScheduled = true;
    // At once while the budget lasts and the room is not busy; busy, at the
    // next tick (one frame per receiver per tick, every move of it in it).
    const now = this.clock.now();
    const wait = Math.max(this.budgetWait(), busy ? this.lastLiveAt + this.tick() - now : 0);
    if (wait <= 0) return queueMicrotask(() => this.flushFrames(now));
    // The tick counts from when the frame was due, not from when the timer
    // ran: a runtime's timers run late by a millisecond or so, and a tick
    // that slipped would fall behind a 60 Hz sender and merge its moves.
    this.clock.setTimeout(() => this.flushFrames(now + wait), wait);
  }

  /** The interval between cursor frames while the room is busy (ms). */
  tick(): number {
    return cursorTickMs(this.receiverCount, this.rate);
  }

  /** Whether the room is busy: sending every move at once would overdraw the budget. */
  get busy(): boolean {
    return this.refillAsked() < 0;
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
    let count = 0;
    this.receivers((conn, to) => {
      count++;
      if (conn === exceptConn || !this.reads.charge(conn, frame.length)) return;
      this.sendFrame(to, frame);
      sent++;
    });
    this.receiverCount = Math.max(1, count);
    return sent;
  }

  /** One frame time: queued commits, then to every receiver the same frame
   * with the latest position of every cursor that moved and the live values
   * the room's live budget allows (the rest wait, latest wins, and a timer
   * sends them when the budget is back); a lone mover is not sent its own move. */
  private flushFrames(dueAt: number): void {
    this.liveScheduled = false;
    // Commits first: a live draft cleared by the author's change must not
    // vanish before the change arrives.
    const commitSends = this.outbox.flush(this.receivers, this.charge, this.relays);
    if (!this.live.pending) {
      if (commitSends) this.spend(commitSends);
      return;
    }
    let receivers = 0;
    this.receivers(() => void receivers++);
    this.receiverCount = Math.max(1, receivers);
    this.lastLiveAt = Math.min(dueAt, this.clock.now());
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
        if (this.live.pending) this.scheduleLive(this.busy);
      }, Math.max(CURSOR_FRAME_MS, Math.ceil((need * 1000) / this.liveRate)));
    }
  }

  /** A commit frame: the queued commits alone (cursors keep their cadence). */
  private flushCommitFrame(): void {
    this.commitsScheduled = false;
    this.flushCommits();
  }

  /** How long a frame must wait for the send budget (ms; ≤ 0: none). */
  private budgetWait(): number {
    const left = this.refill();
    return left >= 0 ? 0 : Math.min(CURSOR_FRAME_MS, (-left * 1000) / this.rate);
  }

  /** Charge one move's cost as if sent at once; true when the room is busy. */
  private ask(): boolean {
    this.asked = Math.max(-this.burst, this.refillAsked() - this.receiverCount);
    return this.asked < 0;
  }

  private refillAsked(): number {
    const now = this.clock.now();
    this.asked = Math.min(this.burst, this.asked + (Math.max(0, now - this.askedAt) * this.rate) / 1000);
    this.askedAt = now;
    return this.asked;
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
