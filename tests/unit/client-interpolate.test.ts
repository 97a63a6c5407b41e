/** Remote cursor interpolation: a spline through received points, drawn a fixed delay behind. */
import { describe, expect, it } from "vitest";
import { CURSOR_FRAME_MS } from "../../party/shared/limits.ts";
import {
  catmullRom,
  CursorTrack,
  IDLE_FADE_END_MS,
  IDLE_FADE_START_MS,
  IDLE_OPACITY,
  idleOpacity,
  INTERPOLATION_DELAY_MS,
  MAX_SEGMENT_MS,
} from "../../client/whiteboard/interpolate.ts";

const D = INTERPOLATION_DELAY_MS;

describe("catmullRom", () => {
  it.each([
    { u: 0, want: 10 },
    { u: 1, want: 20 },
    { u: 0.5, want: 15 }, // evenly spaced points: the midpoint
  ])("passes through its control points (u=$u)", ({ u, want }) => {
    expect(catmullRom(0, 10, 20, 30, u)).toBeCloseTo(want);
  });
});

describe("CursorTrack", () => {
  it("has no pose before any point", () => {
    expect(new CursorTrack().pose(0)).toBeNull();
  });

  it("shows the first point at once (a new cursor appears where it is)", () => {
    const t = new CursorTrack();
    t.push(100, 200, 1000);
    expect(t.pose(1000)).toMatchObject({ x: 100, y: 200 });
  });

  it("draws each received point exactly one delay after it arrived", () => {
    const t = new CursorTrack();
    const pts = [0, 10, 30, 60].map((x, i) => ({ x, at: 1000 + i * CURSOR_FRAME_MS }));
    for (const p of pts) t.push(p.x, 0, p.at);
    for (const p of pts.slice(0, -1)) expect(t.pose(p.at + D)!.x).toBeCloseTo(p.x);
  });

  it("glides through intermediate positions between received points", () => {
    const t = new CursorTrack();
    for (let i = 0; i < 6; i++) t.push(i * 50, i * 20, 1000 + i * CURSOR_FRAME_MS);
    const xs: number[] = [];
    // 60 fps frames across the segments
    for (let now = 1000 + D; now <= 1000 + 5 * CURSOR_FRAME_MS + D; now += 16) xs.push(t.pose(now)!.x);
    const distinct = new Set(xs.map((x) => Math.round(x)));
    expect(distinct.size).toBeGreaterThan(12); // far more positions than the 6 received
    for (let i = 1; i < xs.length; i++) expect(xs[i]!).toBeGreaterThanOrEqual(xs[i - 1]! - 1e-9); // no jitter backwards
    const between = xs.filter((x) => x % 50 > 5 && x % 50 < 45);
    expect(between.length).toBeGreaterThan(0);
  });

  it("stops at the last point and stays there", () => {
    const t = new CursorTrack();
    t.push(0, 0, 1000);
    t.push(40, 40, 1050);
    expect(t.pose(5000)).toMatchObject({ x: 40, y: 40 });
  });

  it("after a rest, animates the next move over one frame instead of crawling over the pause", () => {
    const t = new CursorTrack();
    t.push(0, 0, 1000);
    const resumed = 1000 + MAX_SEGMENT_MS + 2000;
    t.push(100, 0, resumed);
    // Still at rest until one frame before the new point (plus the delay)...
    expect(t.pose(resumed - CURSOR_FRAME_MS - 10 + D)!.x).toBeCloseTo(0);
    // ...then on the move, and there one delay after it arrived.
    const mid = t.pose(resumed - CURSOR_FRAME_MS / 2 + D)!.x;
    expect(mid).toBeGreaterThan(10);
    expect(mid).toBeLessThan(90);
    expect(t.pose(resumed + D)!.x).toBeCloseTo(100);
  });

  it("keeps animating while a move is in flight and settles once faded", () => {
    const t = new CursorTrack();
    t.push(0, 0, 1000);
    expect(t.isAnimating(1000)).toBe(true);
    expect(t.isAnimating(1000 + IDLE_FADE_END_MS + 1)).toBe(false);
  });
});

describe("idle fading", () => {
  it.each([
    { idle: 0, want: 1 },
    { idle: IDLE_FADE_START_MS, want: 1 },
    { idle: (IDLE_FADE_START_MS + IDLE_FADE_END_MS) / 2, want: (1 + IDLE_OPACITY) / 2 },
    { idle: IDLE_FADE_END_MS, want: IDLE_OPACITY },
    { idle: 60_000, want: IDLE_OPACITY },
  ])("idle $idle ms → opacity $want", ({ idle, want }) => {
    expect(idleOpacity(idle)).toBeCloseTo(want);
  });

  it("a track fades when its cursor stops moving", () => {
    const t = new CursorTrack();
    t.push(5, 5, 0);
    expect(t.pose(100)!.opacity).toBe(1);
    expect(t.pose(IDLE_FADE_END_MS + 100)!.opacity).toBeCloseTo(IDLE_OPACITY);
  });
});
