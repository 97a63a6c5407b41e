/**
 * Gestures that move the camera rather than draw: the wheel (and a trackpad
 * pinch, which arrives as ctrl+wheel) and, on touch screens, two fingers
 * (touch-gestures.ts tracks them). Pure.
 */
import { type Camera, panBy, zoomAt } from "./camera.ts";

/** Line-based wheel deltas (some mice) are about this many px per line. */
const WHEEL_LINE_PX = 16;
/** A ctrl+wheel notch is ~100 px of delta; clamped so one notch zooms by a comfortable step. */
const WHEEL_ZOOM_CLAMP = 50;
/** Zoom factor per px of (clamped) ctrl+wheel delta: e^(−0.1) ≈ 0.90 per
 * notch — about 10%, as in other whiteboards (a bigger step loses the spot
 * the person was looking at); a trackpad pinch's small deltas zoom smoothly. */
export const WHEEL_ZOOM_RATE = 0.002;

/** A wheel event as the board sees it. */
export interface WheelSample {
  sx: number;
  sy: number;
  deltaX: number;
  deltaY: number;
  /** 0: px, 1: lines, 2: pages. */
  deltaMode: number;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
}

/** The camera after a wheel event: ctrl/⌘ (and a trackpad pinch, which arrives
 * as ctrl+wheel) zooms about the pointer; shift+wheel pans sideways; else pan. */
export function wheelCamera(cam: Camera, e: WheelSample, pageHeight: number): Camera {
  const unit = e.deltaMode === 1 ? WHEEL_LINE_PX : e.deltaMode === 2 ? pageHeight : 1;
  const dx = e.deltaX * unit;
  const dy = e.deltaY * unit;
  if (e.ctrlKey || e.metaKey) {
    const clamped = Math.max(-WHEEL_ZOOM_CLAMP, Math.min(WHEEL_ZOOM_CLAMP, dy));
    return zoomAt(cam, e.sx, e.sy, Math.exp(-clamped * WHEEL_ZOOM_RATE));
  }
  if (e.shiftKey && dx === 0) return panBy(cam, -dy, 0);
  return panBy(cam, -dx, -dy);
}

/** Two fingers on the screen (screen px), as they were and as they are. */
export type FingerPair = readonly [readonly [number, number], readonly [number, number]];

/** The camera after two fingers moved from `before` to `after`: the world
 * point under their midpoint follows the midpoint (a pan), and the zoom
 * scales with the distance between them (a pinch), about that midpoint. */
export function pinchCamera(cam: Camera, before: FingerPair, after: FingerPair): Camera {
  const mid = (f: FingerPair): [number, number] => [(f[0][0] + f[1][0]) / 2, (f[0][1] + f[1][1]) / 2];
  const spread = (f: FingerPair) => Math.hypot(f[0][0] - f[1][0], f[0][1] - f[1][1]);
  const [bx, by] = mid(before);
  const [ax, ay] = mid(after);
  const d0 = spread(before);
  const d1 = spread(after);
  const panned = panBy(cam, ax - bx, ay - by);
  return d0 > 0 && d1 > 0 ? zoomAt(panned, ax, ay, d1 / d0) : panned;
}
