/**
 * Two-finger gestures (touch-gestures.ts, camera-gestures.ts): a second finger
 * makes a pinch that owns every finger until all are lifted; spreading zooms
 * about the fingers' midpoint, moving both pans.
 */
import { describe, expect, it } from "vitest";
import { HOME_CAMERA, screenToWorld } from "../../client/whiteboard/canvas/camera.ts";
import { pinchCamera } from "../../client/whiteboard/canvas/camera-gestures.ts";
import { TouchGestures } from "../../client/whiteboard/canvas/touch-gestures.ts";

describe("pinch camera", () => {
  it("spreading two fingers to twice the distance doubles the zoom, keeping the world point between them in place", () => {
    const cam = pinchCamera(HOME_CAMERA, [[100, 100], [200, 100]], [[50, 100], [250, 100]]);
    expect(cam.zoom).toBeCloseTo(2);
    expect(screenToWorld(cam, 150, 100)).toEqual([150, 100]);
  });

  it("moving both fingers together pans the board with them, at the same zoom", () => {
    expect(pinchCamera(HOME_CAMERA, [[100, 100], [200, 100]], [[130, 80], [230, 80]])).toEqual({ x: -30, y: 20, zoom: 1 });
  });
});

describe("touch gestures", () => {
  it("one finger is not a pinch: the tool gets it", () => {
    const t = new TouchGestures();
    expect(t.down(1, 10, 10)).toBe(false);
    expect(t.active).toBe(false);
    expect(t.move(1, 20, 20, HOME_CAMERA)).toBeNull();
    expect(t.up(1)).toBe(false);
  });

  it("the second finger starts a pinch (once); it owns every finger until all are lifted", () => {
    const t = new TouchGestures();
    t.down(1, 100, 100);
    expect(t.down(2, 200, 100)).toBe(true);
    expect(t.down(3, 300, 300)).toBe(false); // a third finger: still the same pinch
    expect(t.move(2, 300, 100, HOME_CAMERA)?.zoom).toBeCloseTo(2);
    expect(t.move(3, 0, 0, HOME_CAMERA)).toBeNull(); // not one of the two that steer
    expect(t.up(1)).toBe(true);
    expect(t.active).toBe(true); // the fingers still down draw nothing
    expect(t.up(2)).toBe(true);
    expect(t.up(3)).toBe(true);
    expect(t.active).toBe(false);
    expect(t.down(4, 0, 0)).toBe(false);
  });
});
