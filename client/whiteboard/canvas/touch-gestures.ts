/**
 * Two-finger gestures on a touch screen: a second finger turns whatever the
 * first one began (a stroke, a shape, a drag) into a pinch-zoom and pan of the
 * view, whatever the tool — and the first finger's stroke is dropped, never
 * committed, so a pinch leaves no ink. Until every finger is lifted, nothing
 * draws. Pure state over pointer ids and screen positions; the board
 * controller feeds it touch pointer events and applies the camera it returns.
 */
import type { Camera } from "./camera.ts";
import { type FingerPair, pinchCamera } from "./camera-gestures.ts";

export class TouchGestures {
  private readonly fingers = new Map<number, [number, number]>();
  /** A pinch began and not every finger has been lifted since. */
  private pinching = false;

  /** A finger went down. True when it makes a pinch: the caller cancels what the first finger began. */
  down(id: number, sx: number, sy: number): boolean {
    this.fingers.set(id, [sx, sy]);
    if (this.fingers.size >= 2 && !this.pinching) {
      this.pinching = true;
      return true;
    }
    return false;
  }

  /** Whether touch input belongs to a pinch (the pointer state machine must not see it). */
  get active(): boolean {
    return this.pinching;
  }

  /** A finger moved: the camera after it when pinching (null: not a pinch, or
   * not one of the two fingers that steer it). */
  move(id: number, sx: number, sy: number, cam: Camera): Camera | null {
    const was = this.fingers.get(id);
    if (!was) return null;
    const pair = this.pair();
    this.fingers.set(id, [sx, sy]);
    if (!this.pinching || !pair || (pair[0] !== was && pair[1] !== was)) return null;
    const before: FingerPair = pair;
    const after: FingerPair = [pair[0] === was ? [sx, sy] : pair[0], pair[1] === was ? [sx, sy] : pair[1]];
    return pinchCamera(cam, before, after);
  }

  /** A finger was lifted (or the browser took it). True when it belonged to a pinch. */
  up(id: number): boolean {
    const known = this.fingers.delete(id);
    const wasPinch = this.pinching;
    if (this.fingers.size === 0) this.pinching = false;
    return known && wasPinch;
  }

  /** The first two fingers down steer the pinch. */
  private pair(): [[number, number], [number, number]] | null {
    const it = this.fingers.values();
    const a = it.next().value;
    const b = it.next().value;
    return a && b ? [a, b] : null;
  }
}
