/**
 * Remote cursor interpolation. A peer's cursor arrives in steps — every 16 ms
 * in a small room, every 50 ms in a busy one (the sender's throttle and the
 * room's frame budget decide); drawn as received it would jump and stall. A
 * CursorTrack keeps the last few received points and answers "where is the
 * cursor now?" along a Catmull-Rom spline through them, drawn a little behind
 * real time so there is usually a next point to glide toward.
 *
 * How far behind follows the peer's own cadence and the display's: the
 * drawn time runs at real time's pace and may reach the newest point and wait
 * there — invisible while the next point comes before the display's next
 * frame — so a peer sending at the display's rate is drawn almost as it
 * arrives, and a busy room's 50 ms cadence about one gap less a frame behind
 * (delayForGaps). A late point leaves the drawn time behind by its lateness;
 * it gains it back running up to CATCH_UP faster than real time, but never
 * moving further in a frame than the sender's largest recent step: it spends
 * the slack of the sender's slower moves (a hand eases in and out), so the
 * cursor never jumps and never steps back.
 *
 * Pure: time is a parameter (any monotonic clock, the caller's), no timers,
 * no animation frames — the board's single render loop asks every track once
 * per frame.
 */
import { CURSOR_FRAME_MS } from "edgeroom/schema";

/** The cadence assumed before a track has measured its peer's: the room's
 * slowest frame interval, so a new cursor's first moves are never starved. */
export const DEFAULT_INTERVAL_MS = CURSOR_FRAME_MS;
/** A display's frame interval until the track has measured the caller's. */
export const DEFAULT_FRAME_MS = 1000 / 60;
/** Bounds of the delay behind real time (ms). Above MAX (two room frames,
 * the old fixed delay) nothing is smoother, only later. */
export const MIN_DELAY_MS = 4;
export const MAX_DELAY_MS = 2 * CURSOR_FRAME_MS;
/** Added to the cadence's share of the delay, in units of the gaps' median
 * absolute deviation: an irregular cadence gets more room than a steady one. */
export const JITTER_MARGIN = 3;
/** Kept in hand beyond the cadence and its jitter (ms). */
export const HOLD_MARGIN_MS = 4;
/** How much faster than real time the drawn time may run to shed extra delay
 * (a late point's), within the per-frame move limit (see advance), and how
 * much slower to regain too little. */
export const CATCH_UP = 0.5;
export const SLOW_DOWN = 0.05;
/** A sender whose gaps are this much shorter than the display's frames
 * sends faster than it draws (a 120 Hz mouse sending every 16 ms: 4 %;
 * arrival jitter in the mean of 8 or more gaps: a few percent at most). */
const FASTER_THAN_DISPLAY = 1.035;
/** A step this many times the sender's steps beside it is several of them
 * sent as one (maxStep). */
const SPIKE = 1.6;
/** Values in the running means of gaps and frame intervals. */
const LONG_WINDOW = 64;
/** Gaps remembered for the cadence estimate: a quarter second at 60 Hz. */
const GAP_WINDOW = 16;
/** A gap between points longer than this means the pointer rested: it is not
 * part of the cadence, and the move after the rest is animated over one
 * measured interval instead of crawling over the whole pause. */
export const MAX_SEGMENT_MS = 300;
/** A cursor that has not moved for this long starts to fade (ms)… */
export const IDLE_FADE_START_MS = 3_000;
/** …and is fully faded after this long, to IDLE_OPACITY. */
export const IDLE_FADE_END_MS = 5_000;
/** Idle cursors stay faintly visible: the person is still here (the presence list
 * says so), they just are not moving. The cursor disappears when they leave. */
export const IDLE_OPACITY = 0.3;
/** Points kept per track: the spline needs four around the drawn time, and a
 * slow cadence drawn at MAX_DELAY_MS needs a few behind it. */
const MAX_SAMPLES = 8;

export interface CursorSample {
  x: number;
  y: number;
  /** Receive time (ms, any monotonic clock). */
  t: number;
}

export interface CursorPose {
  x: number;
  y: number;
  opacity: number;
}

/** Uniform Catmull-Rom between p1 and p2 at u ∈ [0, 1]. */
export function catmullRom(p0: number, p1: number, p2: number, p3: number, u: number): number {
  const u2 = u * u;
  const u3 = u2 * u;
  return 0.5 * (2 * p1 + (-p0 + p2) * u + (2 * p0 - 5 * p1 + 4 * p2 - p3) * u2 + (-p0 + 3 * p1 - 3 * p2 + p3) * u3);
}

/** Opacity of a cursor last moved `idleMs` ago. */
export function idleOpacity(idleMs: number): number {
  if (idleMs <= IDLE_FADE_START_MS) return 1;
  if (idleMs >= IDLE_FADE_END_MS) return IDLE_OPACITY;
  const k = (idleMs - IDLE_FADE_START_MS) / (IDLE_FADE_END_MS - IDLE_FADE_START_MS);
  return 1 - k * (1 - IDLE_OPACITY);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A running mean: of every value so far up to LONG_WINDOW of them, then over about the last LONG_WINDOW. */
class RunningMean {
  value = 0;
  count = 0;
  add(x: number): void {
    this.count = Math.min(this.count + 1, LONG_WINDOW);
    this.value += (x - this.value) / this.count;
  }
}
const same = (p: CursorSample, q: CursorSample) => p.x === q.x && p.y === q.y;
const distance = (p: { x: number; y: number }, q: { x: number; y: number }) => Math.hypot(p.x - q.x, p.y - q.y);

/**
 * The delay to draw behind for these recent arrival gaps (ms), on a display
 * drawing every `frameMs`. The drawn time may reach the newest point and wait
 * there for the next one: invisible as long as the next one comes before the
 * display's next frame. So the delay need only cover how much longer than a
 * display frame the peer's gaps run (a cadence at the display's own rate
 * needs almost none; a busy room's 50 ms most of a gap), plus its jitter.
 */
export function delayForGaps(gaps: readonly number[], frameMs = DEFAULT_FRAME_MS): number {
  const interval = gaps.length ? median(gaps) : DEFAULT_INTERVAL_MS;
  const jitter = gaps.length ? median(gaps.map((g) => Math.abs(g - interval))) : 0;
  const uncovered = Math.max(0, interval + JITTER_MARGIN * jitter - frameMs);
  return Math.min(MAX_DELAY_MS, Math.max(MIN_DELAY_MS, uncovered + HOLD_MARGIN_MS));
}

export class CursorTrack {
  private samples: CursorSample[] = [];
  private readonly gaps: number[] = [];
  /** The caller's frame intervals (pose() calls), for delayForGaps. */
  private readonly frames: number[] = [];
  /** Running means of the gaps and the caller's frame intervals (stepsPerFrame). */
  private readonly meanGap = new RunningMean();
  private readonly meanFrame = new RunningMean();
  /** When the newest point arrived. */
  private lastArrival = Number.NEGATIVE_INFINITY;
  /** The time drawn (on the arrivals' clock), and when pose() last moved it. */
  private tau: number | null = null;
  private lastNow: number | null = null;
  /** Where the last frame drew the cursor. */
  private drawn: { x: number; y: number } | null = null;
  /** A glide from rest that pose() has not started drawing yet. */
  private glide: { from: number; to: number } | null = null;

  /** A point arrived at time `t` (must not go backwards). */
  push(x: number, y: number, t: number): void {
    const last = this.samples.at(-1);
    t = Math.max(t, this.lastArrival);
    const gap = t - this.lastArrival;
    this.lastArrival = t;
    if (!last) {
      this.samples.push({ x, y, t });
      return;
    }
    const first = this.samples.length === 1;
    if (gap <= MAX_SEGMENT_MS) {
      this.gaps.push(gap);
      this.meanGap.add(gap);
    }
    if (this.gaps.length > GAP_WINDOW) this.gaps.shift();
    if (first || gap > MAX_SEGMENT_MS) {
      // The first move, or the first after a rest: glide there over one of
      // the sender's intervals, ending at its arrival, from where the drawing
      // stands — nothing drawn moving yet, so the drawn time may start at the
      // delay the cadence asks (a later start would crawl, an earlier one
      // would spend part of the move before it was drawn and then jump).
      const holdAt = Math.max(last.t, t - this.interval());
      if (holdAt > last.t) this.samples.push({ x: last.x, y: last.y, t: holdAt });
      this.samples.push({ x, y, t });
      this.glide = { from: holdAt, to: t };
    } else {
      this.samples.push({ x, y, t });
    }
    if (this.samples.length > MAX_SAMPLES) this.samples.splice(0, this.samples.length - MAX_SAMPLES);
  }

  /** The peer's measured arrival interval (ms), or the default before any. */
  interval(): number {
    return this.gaps.length ? median(this.gaps) : DEFAULT_INTERVAL_MS;
  }

  /** The delay the track aims for (ms behind the newest arrival's clock). */
  targetDelay(): number {
    return delayForGaps(this.gaps, this.frameMs());
  }

  /** The caller's display frame interval, as measured between pose() calls. */
  private frameMs(): number {
    return this.frames.length ? median(this.frames) : DEFAULT_FRAME_MS;
  }

  /**
   * Advance the drawn time to `now`: at real time's pace, up to CATCH_UP
   * faster while the delay is above its target (a late point left it
   * behind) or slower while below, never past the newest point (it waits
   * there for the next), never further behind than MAX_DELAY_MS — and never
   * so far that the cursor moves more in one frame than the sender did
   * (its largest recent step, or its motion per display frame when it sends
   * faster than the display draws): catching up spends the slack of the
   * sender's slower moves, it never jumps.
   */
  private advance(now: number): number {
    const newest = this.samples.at(-1)!.t;
    if (this.glide) {
      // The first frame of a glide from rest: the cadence's delay behind
      // real time, but at most half of the move drawn, so no frame shows
      // the whole move at once; paced as any other frame from there.
      const { from, to } = this.glide;
      this.glide = null;
      const cap = now - to > this.frameMs() ? to : (from + to) / 2; // (a frame drawn long after: no one saw it start)
      this.tau = Math.max(this.tau ?? from, from, Math.min(now - this.targetDelay(), cap));
    } else if (this.tau === null || this.lastNow === null) {
      this.tau = Math.min(newest, now - this.targetDelay());
    } else {
      const dt = Math.max(0, now - this.lastNow);
      if (dt > 0 && dt < 4 * DEFAULT_FRAME_MS) {
        this.frames.push(dt);
        this.meanFrame.add(dt);
        if (this.frames.length > GAP_WINDOW) this.frames.shift();
      }
      const lag = this.lastNow - this.tau; // as of the last frame
      const target = this.targetDelay();
      const rate = lag > target + 2 ? 1 + CATCH_UP : lag < target - 2 ? 1 - SLOW_DOWN : 1;
      const from = this.tau;
      let to = Math.min(newest, from + dt * rate);
      const drawn = this.drawn;
      if (drawn && to > from) {
        const limit = this.maxStep() * this.stepsPerFrame() + 1e-9;
        if (distance(this.at(to), drawn) > limit) {
          // The furthest time whose point is within the limit (bisection: the path moves forward in time).
          let lo = from;
          for (let k = 0; k < 12; k++) {
            const mid = (lo + to) / 2;
            if (distance(this.at(mid), drawn) > limit) to = mid;
            else lo = mid;
          }
          to = lo;
        }
      }
      this.tau = Math.max(from, to, now - MAX_DELAY_MS);
    }
    this.lastNow = Math.max(now, this.lastNow ?? now);
    return this.tau;
  }

  /**
   * How many of the sender's steps a display frame spans: 1 unless it sends
   * clearly faster than the display draws (the means of the gaps and of the
   * frame intervals, whose jitter cancels; a few percent is that jitter,
   * not a faster sender).
   */
  private stepsPerFrame(): number {
    if (this.meanGap.count < 8 || this.meanFrame.count < 8) return 1;
    const r = this.meanFrame.value / this.meanGap.value;
    return r > FASTER_THAN_DISPLAY ? r : 1;
  }

  /**
   * The sender's largest recent step: the largest distance between two
   * consecutive points held, where a step more than SPIKE times both of its
   * neighbours (the newest: its one neighbour) counts as the several steps
   * it is. A busy room sends one frame per tick with each sender's latest
   * move (party/engine/room/fanout.ts), so a tick that found two of a
   * sender's moves (they reached the room bunched) carries a double step
   * between two single ones: drawn in one frame it would jump twice the
   * sender's motion. A hand that speeds up has neighbours as large. A step
   * that arrived several of the peer's intervals after the one before (the
   * ticks between had none of its moves) counts as as many steps. Only the
   * steps since the pointer last rested count.
   */
  private maxStep(): number {
    // The steps since the pointer last rested (a glide from rest holds a
    // point, a zero step): the motion before a rest is another motion.
    const steps: number[] = [];
    const interval = this.interval();
    for (let i = 1; i < this.samples.length; i++) {
      const step = distance(this.samples[i]!, this.samples[i - 1]!);
      const gap = this.samples[i]!.t - this.samples[i - 1]!.t;
      if (step === 0 || gap > MAX_SEGMENT_MS) {
        steps.length = 0;
        continue;
      }
      // A step that took several of the peer's intervals (a tick without
      // its move before it) is as many steps.
      steps.push(step / Math.max(1, Math.round(gap / interval)));
    }
    let m = 0;
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i]!;
      const near = Math.max(steps[i - 1] ?? 0, steps[i + 1] ?? 0);
      m = Math.max(m, near > 0 && s > SPIKE * near ? s / Math.round(s / near) : s);
    }
    return m;
  }

  /** Where to draw the cursor at time `now` (non-decreasing between calls), or null before any point arrived. */
  pose(now: number): CursorPose | null {
    const last = this.samples.at(-1);
    if (!last) return null;
    const p = this.at(this.advance(now));
    this.drawn = p;
    return { x: p.x, y: p.y, opacity: idleOpacity(now - last.t) };
  }

  /** The point on the path at drawn time `t` (Catmull-Rom through the held points). */
  private at(t: number): { x: number; y: number } {
    const s = this.samples;
    const last = s.at(-1)!;
    if (t >= last.t) return last;
    const first = s[0]!;
    if (t <= first.t) return first;
    let i = 0;
    while (i < s.length - 2 && s[i + 1]!.t <= t) i++;
    const a = s[i]!;
    const b = s[i + 1]!;
    // A resting segment stays put: the spline's tangents would make it wobble.
    if (a.x === b.x && a.y === b.y) return a;
    const span = b.t - a.t;
    const u = span > 0 ? (t - a.t) / span : 1;
    // Where the path starts or ends (or rests), continue it straight: a
    // tangent half as long would make the segment's middle faster than the
    // sender ever moved.
    const p0 = s[i - 1] && !same(s[i - 1]!, a) ? s[i - 1]! : { x: 2 * a.x - b.x, y: 2 * a.y - b.y };
    const p3 = s[i + 2] && !same(s[i + 2]!, b) ? s[i + 2]! : { x: 2 * b.x - a.x, y: 2 * b.y - a.y };
    return { x: catmullRom(p0.x, a.x, b.x, p3.x, u), y: catmullRom(p0.y, a.y, b.y, p3.y, u) };
  }

  /** True while the drawn position or opacity will still change after `now`. */
  isAnimating(now: number): boolean {
    const last = this.samples.at(-1);
    return last !== undefined && now - last.t < Math.max(MAX_DELAY_MS, IDLE_FADE_END_MS);
  }
}
