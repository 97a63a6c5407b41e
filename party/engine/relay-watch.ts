/**
 * What a relay sends its watchers (issue 18; docs/ARCHITECTURE.md "One room
 * over many objects", PROTOCOL.md §16 "Watch frames"). A socket send is what
 * a relay's members cost its process (BENCHMARKS.md, W6: one workerd
 * saturated by its relays' sends at 5 edits a second), and a watcher neither
 * draws nor edits, so it need not see each change and cursor frame as its own
 * frame: everything of a tick — the room's changes in seq order, its
 * broadcasts, and the cursor frames between them merged (latest wins per
 * cursor and live key) — goes to each watcher as one frame (a batch, §1),
 * built once and shared by every watcher it is the same for.
 *
 * When a frame leaves follows the rule of the room's own frames (fanout.ts),
 * on a budget of the relay's own: WATCH_SENDS_PER_SEC socket sends a second,
 * WATCH_SEND_BURST at once, a frame costing one send per watcher. While it
 * lasts the frame leaves at the end of the event that filled it (a quiet
 * room, a relay of a few watchers: no wait); once spent, the next frame
 * waits until it is back at zero, never more than WATCH_FRAME_MS — so a full
 * relay sends each watcher at most 10 frames a second, whatever the editors
 * do. Editors on the relay are not here (relay-members.ts sends them as the
 * room sends its own members).
 *
 * Order is kept per watcher: the frame holds the tick's messages in the
 * order they came, a merged cursor frame where cursor frames came, and
 * anything else for one watcher (an answer, its sync) first sends it what
 * waits for it. A watcher served a sync while changes wait skips the changes
 * its sync holds (and, after a welcome, the broadcasts its welcome holds):
 * never a seq twice, never one missing.
 */
import { WATCH_FRAME_MS, WATCH_SEND_BURST, WATCH_SENDS_PER_SEC } from "../shared/limits.ts";
import { type BatchClock, CURSORS_PREFIX, CursorMerge } from "./relay-cursors.ts";
import type { ConnState, RoomSocket } from "./room/types.ts";

/** One message waiting for the watchers. */
interface Waiting {
  frame: string;
  /** A commit (its seq), or a broadcast (undefined). */
  seq?: number;
  /** The member that does not get it, or null. */
  except: string | null;
  /** The member that gets `ack` in its place. */
  ackTo?: string;
  ack?: string;
  /** Only the members this accepts get it. */
  only?: (st: ConnState) => boolean;
}

/** A watcher that already has part of what waits: the commits before index
 * `commits` (its sync holds them, or it was sent them) and the broadcasts
 * before `casts`. */
interface Holds {
  commits: number;
  casts: number;
}

export interface WatchSink {
  /** Visit each ready watcher (a ready member that is not an editor). */
  watchers(visit: (st: ConnState, socket: RoomSocket) => void): void;
  /** Send a frame to a member, `chars` of it charged to its read window; false: not sent. */
  send(socket: RoomSocket, st: ConnState, frame: string, chars: number): boolean;
}

export class WatchFrames {
  private waiting: Waiting[] = [];
  private readonly cursors = new CursorMerge();
  private readonly holds = new Map<string, Holds>();
  private scheduled = false;
  private sends = WATCH_SEND_BURST;
  private sendsAt: number;
  private readonly clock: BatchClock;
  private readonly sink: WatchSink;

  constructor(clock: BatchClock, sink: WatchSink) {
    this.clock = clock;
    this.sink = sink;
    this.sendsAt = clock.now();
  }

  /** A commit for the watchers: its change frame for all but `except`, the ack for `ackTo`. */
  commit(seq: number, frame: string, except: string | null, ackTo?: string, ack?: string): void {
    this.push({ frame, seq, except, ...(ackTo !== undefined ? { ackTo, ack } : {}) });
  }

  /** A broadcast for the watchers but `except` (and of them only those `only` accepts). */
  cast(frame: string, except: string | null, only?: (st: ConnState) => boolean): void {
    // A cursor frame's `except` is its lone mover, an editor: never a watcher.
    if (!only && frame.startsWith(CURSORS_PREFIX)) {
      this.cursors.add(frame);
      return this.schedule();
    }
    this.push({ frame, except, ...(only ? { only } : {}) });
  }

  /** A frame for one watcher (an answer, its sync from the room): what waits
   * for it goes first, in one frame with it. */
  to(socket: RoomSocket, st: ConnState, frame: string): void {
    this.closeCursors();
    const part = this.partFor(st, this.holds.get(st.conn));
    // Only what waited is charged: an answer is not, as at the room.
    const all = part.length ? `[${[...part, ...unbatched(frame)].join(",")}]` : frame;
    this.sink.send(socket, st, all, all.length - frame.length);
    if (this.waiting.length === 0) this.holds.delete(st.conn);
    else this.holds.set(st.conn, { commits: this.waiting.length, casts: this.waiting.length });
  }

  /**
   * A watcher was served a sync at the relay's seq (its commits are all the
   * relay applied, so every commit waiting here): it skips the waiting
   * commits; after a `welcome` (it was not ready, and its welcome holds the
   * presence of now) the waiting broadcasts too.
   */
  served(conn: string, welcome: boolean): void {
    const held = this.holds.get(conn);
    if (this.waiting.length === 0 && !held) return;
    this.holds.set(conn, { commits: this.waiting.length, casts: welcome ? this.waiting.length : (held?.casts ?? 0) });
  }

  /** Send what waits now: each watcher its frame. */
  flush(): void {
    this.scheduled = false;
    this.closeCursors();
    const waiting = this.waiting;
    const holds = new Map(this.holds);
    this.waiting = [];
    this.holds.clear();
    if (waiting.length === 0) return;
    // The common case — a watcher that holds none of it, is excepted from
    // none and authored none — gets one shared frame, built once.
    const involved = new Set<string>();
    const only: Waiting[] = [];
    for (const w of waiting) {
      if (w.except !== null) involved.add(w.except);
      if (w.ackTo !== undefined) involved.add(w.ackTo);
      if (w.only) only.push(w);
    }
    let shared: string | null | undefined;
    const variants = new Map<string, string | null>();
    let sent = 0;
    this.sink.watchers((st, socket) => {
      let frame: string | null;
      const held = holds.get(st.conn);
      if (held || involved.has(st.conn)) frame = framed(this.partOf(waiting, st, held));
      else if (only.length > 0) {
        const key = only.map((w) => (w.only!(st) ? "1" : "0")).join("");
        frame = variants.get(key) ?? null;
        if (!variants.has(key)) variants.set(key, (frame = framed(this.partOf(waiting, st, undefined))));
      } else frame = shared === undefined ? (shared = framed(this.partOf(waiting, st, undefined))) : shared;
      if (frame !== null && this.sink.send(socket, st, frame, frame.length)) sent++;
    });
    // Overdrawn by at most one frame time, so no frame ever waits longer.
    this.sends = Math.max(-(WATCH_SENDS_PER_SEC * WATCH_FRAME_MS) / 1000, this.refill() - sent);
  }

  private push(w: Waiting): void {
    this.closeCursors();
    this.waiting.push(w);
    this.schedule();
  }

  /** Cursor frames merged so far take their place before what comes next. */
  private closeCursors(): void {
    const m = this.cursors.take();
    if (m) this.waiting.push({ frame: m.frame, except: null });
  }

  private partFor(st: ConnState, held: Holds | undefined): string[] {
    return this.partOf(this.waiting, st, held);
  }

  /** The messages of `waiting` for one watcher, in order. */
  private partOf(waiting: readonly Waiting[], st: ConnState, held: Holds | undefined): string[] {
    const out: string[] = [];
    for (let i = 0; i < waiting.length; i++) {
      const w = waiting[i]!;
      if (held && i < (w.seq === undefined ? held.casts : held.commits)) continue;
      if (w.only && !w.only(st)) continue;
      if (w.ackTo === st.conn) out.push(w.ack!);
      else if (w.except !== st.conn) out.push(...unbatched(w.frame));
    }
    return out;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const left = this.refill();
    if (left >= 0) queueMicrotask(() => this.flush());
    else this.clock.setTimeout(() => this.flush(), Math.min(WATCH_FRAME_MS, (-left * 1000) / WATCH_SENDS_PER_SEC));
  }

  private refill(): number {
    const now = this.clock.now();
    this.sends = Math.min(WATCH_SEND_BURST, this.sends + (Math.max(0, now - this.sendsAt) * WATCH_SENDS_PER_SEC) / 1000);
    this.sendsAt = now;
    return this.sends;
  }
}

/** A frame's messages: itself, or a batch's entries (the room's broadcasts
 * and answers are single messages; a batch is taken apart, rarely). */
function unbatched(frame: string): string[] {
  return frame.startsWith("[") ? (JSON.parse(frame) as unknown[]).map((m) => JSON.stringify(m)) : [frame];
}

function framed(part: string[]): string | null {
  return part.length === 0 ? null : part.length === 1 ? part[0]! : `[${part.join(",")}]`;
}
