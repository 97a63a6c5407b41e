/**
 * Remote cursor interpolation. A peer's cursor arrives in steps — every 16 ms
 * in a small room, every 50 ms in a busy one (the sender's throttle and the
 * room's frame budget decide); drawn as received it would jump and stall. A
 * CursorTrack keeps the last few received points and answers "where is the
 * cursor now?" along a Catmull-Rom spline through them, drawn a little behind
 * real time so there is usually a next point to glide toward.
 *
 * How far behind follows the peer's own cadence: the track measures the gaps
 * between its arrivals (a median of the recent ones, rests excluded) and draws
 * about one gap behind, bounded. A fixed delay sized for the slowest cadence
 * (100 ms here before) is what a person sees as lag in a small room; one
 * sized for the fastest makes a busy room's cursor stop and go. When the
 * cadence changes the delay moves there gradually (DELAY_GROW, DELAY_SHRINK), so the drawn
 * time never runs backwards and never skips ahead.
 *
 * Pure: time is a parameter (any monotonic clock, the caller's), no timers,
 * no animation frames — the board's single render loop asks every track once
 * per frame.
 */
import { CURSOR_FRAME_MS } from "edgeroom/schema";

/** The delay before a track has measured its peer's cadence: the room's
 * slowest frame interval, so a new cursor's first moves are never starved. */
export const DEFAULT_INTERVAL_MS = CURSOR_FRAME_MS;
/** Bounds of the delay behind real time (ms). Below MIN a late frame always
 * leaves the cursor waiting; above MAX (two room frames, the old fixed delay)
 * nothing is smoother, only later. */
export const MIN_DELAY_MS = 8;
export const MAX_DELAY_MS = 2 * CURSOR_FRAME_MS;
/** Drawn delay per measured interval. One: a frame that arrives on time is
 * reached just as the next one lands. Less (0.75 was tried) saves a quarter
 * interval of lag but runs out of path whenever a display frame falls in the
 * last quarter, and the next frame catches up with a jump (see BENCHMARKS.md, W7). */
export const DELAY_PER_INTERVAL = 1;
/** Added to the scaled interval, in units of the gaps' median absolute
 * deviation: an irregular cadence gets more room than a steady one. */
export const JITTER_MARGIN = 2;
/** How fast the drawn delay may follow a changed cadence, in ms of delay per
 * ms of real time: the drawn time then runs at 1 - DELAY_GROW to 1 +
 * DELAY_SHRINK times real time — never backwards, never a jump. Shrinking is
 * slower: it speeds the cursor up (at most 5 %, invisible), growing slows it
 * down, which a busy room needs soon to stop stalling. */
export const DELAY_GROW = 0.25;
export const DELAY_SHRINK = 0.05;
/** Bunched arrivals are drawn at least this fraction of an interval apart. */
const PACE = 0.5;
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

const same = (p: CursorSample, q: CursorSample) => p.x === q.x && p.y === q.y;

/** The delay to draw behind for these recent arrival gaps (ms). */
export function delayForGaps(gaps: readonly number[]): number {
  const interval = gaps.length ? median(gaps) : DEFAULT_INTERVAL_MS;
  const jitter = gaps.length ? median(gaps.map((g) => Math.abs(g - interval))) : 0;
  return Math.min(MAX_DELAY_MS, Math.max(MIN_DELAY_MS, DELAY_PER_INTERVAL * interval + JITTER_MARGIN * jitter));
}

export class CursorTrack {
  private samples: CursorSample[] = [];
  private readonly gaps: number[] = [];
  /** When the newest point arrived (the samples' times are paced, see push). */
  private lastArrival = Number.NEGATIVE_INFINITY;
  /** The delay the track draws with now, following delayForGaps(gaps) gradually. */
  private delay = delayForGaps([]);
  /** When pose() last moved `delay` (null: never asked). */
  private delayAt: number | null = null;

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
    if (this.samples.length === 1 && gap <= MAX_SEGMENT_MS) {
      // The first move: the delay can start where the cadence says, nothing
      // was drawn moving with the old one.
      this.gaps.push(gap);
      this.delay = this.targetDelay();
    }
    if (gap > MAX_SEGMENT_MS) {
      // The pointer rested. Hold still where the drawing is now and glide to
      // the new point over one interval, the sender's own pace: starting from
      // the point's arrival time would have spent part of the move before it
      // was ever drawn, and the first frame would jump.
      const holdAt = Math.max(last.t, t - this.delay);
      this.samples.push({ x: last.x, y: last.y, t: holdAt });
      this.samples.push({ x, y, t: holdAt + this.interval() });
    } else {
      if (this.samples.length > 1) this.gaps.push(gap);
      if (this.gaps.length > GAP_WINDOW) this.gaps.shift();
      // Frames that arrive bunched (one late, the next on time) are spread to
      // at least PACE of an interval apart: drawn at their arrival times, the
      // cursor would cover two of the sender's steps in one frame.
      this.samples.push({ x, y, t: Math.max(t, last.t + PACE * this.interval()) });
    }
    if (this.samples.length > MAX_SAMPLES) this.samples.splice(0, this.samples.length - MAX_SAMPLES);
  }

  /** The peer's measured arrival interval (ms), or the default before any. */
  interval(): number {
    return this.gaps.length ? median(this.gaps) : DEFAULT_INTERVAL_MS;
  }

  /** The delay the track aims for (ms behind the newest arrival's clock). */
  targetDelay(): number {
    return delayForGaps(this.gaps);
  }

  /** The delay drawn at `now`: moves toward the target at DELAY_GROW / DELAY_SHRINK per ms. */
  private delayAtTime(now: number): number {
    const target = this.targetDelay();
    if (this.delayAt === null) {
      this.delay = target;
    } else {
      const dt = Math.max(0, now - this.delayAt);
      this.delay += Math.max(-DELAY_SHRINK * dt, Math.min(DELAY_GROW * dt, target - this.delay));
    }
    this.delayAt = Math.max(now, this.delayAt ?? now);
    return this.delay;
  }

  /** Where to draw the cursor at time `now` (non-decreasing between calls), or null before any point arrived. */
  pose(now: number): CursorPose | null {
    const s = this.samples;
    const last = s.at(-1);
    if (!last) return null;
    const opacity = idleOpacity(now - last.t);
    const t = now - this.delayAtTime(now);
    if (t >= last.t) return { x: last.x, y: last.y, opacity };
    const first = s[0]!;
    if (t <= first.t) return { x: first.x, y: first.y, opacity };
    let i = 0;
    while (i < s.length - 2 && s[i + 1]!.t <= t) i++;
    const a = s[i]!;
    const b = s[i + 1]!;
    // A resting segment stays put: the spline's tangents would make it wobble.
    if (a.x === b.x && a.y === b.y) return { x: a.x, y: a.y, opacity };
    const span = b.t - a.t;
    const u = span > 0 ? (t - a.t) / span : 1;
    // Where the path starts or ends (or rests), continue it straight: a
    // tangent half as long would make the segment's middle faster than the
    // sender ever moved.
    const p0 = s[i - 1] && !same(s[i - 1]!, a) ? s[i - 1]! : { x: 2 * a.x - b.x, y: 2 * a.y - b.y };
    const p3 = s[i + 2] && !same(s[i + 2]!, b) ? s[i + 2]! : { x: 2 * b.x - a.x, y: 2 * b.y - a.y };
    return { x: catmullRom(p0.x, a.x, b.x, p3.x, u), y: catmullRom(p0.y, a.y, b.y, p3.y, u), opacity };
  }

  /** True while the drawn position or opacity will still change after `now`. */
  isAnimating(now: number): boolean {
    const last = this.samples.at(-1);
    return last !== undefined && now - last.t < Math.max(MAX_DELAY_MS, IDLE_FADE_END_MS);
  }
}
