/**
 * Remote cursor interpolation. The room sends each cursor at most every 50 ms;
 * drawn as received it would jump in 50 ms steps. A CursorTrack keeps the last
 * few received points and answers "where is the cursor now?" by drawing a
 * Catmull-Rom spline through them, a fixed delay behind real time, so there is
 * always a next point to glide toward. Pure: time is a parameter, no timers, no
 * animation frames — the board's single render loop asks every track once per frame.
 */
import { CURSOR_FRAME_MS } from "../../party/shared/limits.ts";

/** How far behind the newest point the cursor is drawn (ms). Two room cursor
 * frames: one late frame still leaves a segment to animate along. */
export const INTERPOLATION_DELAY_MS = 2 * CURSOR_FRAME_MS;
/** A gap between points longer than this means the pointer rested; the move
 * after the rest is animated over one frame interval instead of crawling over
 * the whole pause. */
export const MAX_SEGMENT_MS = 300;
/** A cursor that has not moved for this long starts to fade (ms)… */
export const IDLE_FADE_START_MS = 3_000;
/** …and is fully faded after this long, to IDLE_OPACITY. */
export const IDLE_FADE_END_MS = 5_000;
/** Idle cursors stay faintly visible: the person is still here (the presence list
 * says so), they just are not moving. The cursor disappears when they leave. */
export const IDLE_OPACITY = 0.3;
/** Points kept per track: the spline needs four around the drawn time. */
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

export class CursorTrack {
  private samples: CursorSample[] = [];

  /** A point arrived at time `t` (must not go backwards). */
  push(x: number, y: number, t: number): void {
    const last = this.samples.at(-1);
    if (last && t < last.t) t = last.t;
    if (last && t - last.t > MAX_SEGMENT_MS) {
      // The pointer rested: hold still until one frame before the new point.
      this.samples.push({ x: last.x, y: last.y, t: t - CURSOR_FRAME_MS });
    }
    this.samples.push({ x, y, t });
    if (this.samples.length > MAX_SAMPLES) this.samples.splice(0, this.samples.length - MAX_SAMPLES);
  }

  /** Where to draw the cursor at time `now`, or null before any point arrived. */
  pose(now: number): CursorPose | null {
    const s = this.samples;
    const last = s.at(-1);
    if (!last) return null;
    const opacity = idleOpacity(now - last.t);
    const t = now - INTERPOLATION_DELAY_MS;
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
    const p0 = s[i - 1] ?? a;
    const p3 = s[i + 2] ?? b;
    return { x: catmullRom(p0.x, a.x, b.x, p3.x, u), y: catmullRom(p0.y, a.y, b.y, p3.y, u), opacity };
  }

  /** True while the drawn position or opacity will still change after `now`. */
  isAnimating(now: number): boolean {
    const last = this.samples.at(-1);
    return last !== undefined && now - last.t < Math.max(INTERPOLATION_DELAY_MS, IDLE_FADE_END_MS);
  }
}
