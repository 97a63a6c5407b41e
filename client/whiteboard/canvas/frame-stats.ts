/**
 * Debug and benchmark hooks of the board: paint timings (the `?debug` overlay
 * shows their median, bench/render.ts reads them raw) and the extra cursor
 * tracks the render benchmark drives as simulated people. Nothing in the
 * product depends on them; they live here so the painter stays about painting.
 */
import type { CursorTrack } from "../interpolate.ts";

/** Frame samples kept: 10 s at 60 fps, enough for a median and a p95. */
export const FRAME_SAMPLES = 600;

export interface FrameStats {
  /** Time spent painting each frame (ms). */
  drawMs: number[];
  /** Time between consecutive painted frames while animating (ms). */
  intervalMs: number[];
  /** Shapes painted by the last full repaint (after culling). */
  lastDrawn: number;
}

export function newFrameStats(): FrameStats {
  return { drawMs: [], intervalMs: [], lastDrawn: 0 };
}

/** Append a sample, forgetting the oldest beyond FRAME_SAMPLES. */
export function pushSample(samples: number[], value: number): void {
  samples.push(value);
  if (samples.length > FRAME_SAMPLES) samples.shift();
}

/** A simulated person's cursor (bench/render.ts), painted like a remote one. */
export interface SyntheticCursor {
  track: CursorTrack;
  name: string;
  color: string;
}
