/**
 * The view onto the infinite board: which world point is at the top-left of the
 * screen and how many screen pixels one world unit takes. Pure functions.
 */
export interface Camera {
  /** World coordinates at the top-left corner of the canvas. */
  x: number;
  y: number;
  zoom: number;
}

export interface Rect {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** Zoom limits: beyond them canvas maths and text rendering degrade. */
export const MIN_ZOOM = 0.05;
export const MAX_ZOOM = 8;

export const HOME_CAMERA: Camera = { x: 0, y: 0, zoom: 1 };

export function screenToWorld(cam: Camera, sx: number, sy: number): [number, number] {
  return [cam.x + sx / cam.zoom, cam.y + sy / cam.zoom];
}

export function worldToScreen(cam: Camera, wx: number, wy: number): [number, number] {
  return [(wx - cam.x) * cam.zoom, (wy - cam.y) * cam.zoom];
}

/** Zoom by `factor` keeping the world point under the screen point (sx, sy) fixed. */
export function zoomAt(cam: Camera, sx: number, sy: number, factor: number): Camera {
  const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, cam.zoom * factor));
  const [wx, wy] = screenToWorld(cam, sx, sy);
  return { x: wx - sx / zoom, y: wy - sy / zoom, zoom };
}

/** Move the view by a screen-space delta (the content follows the pointer). */
export function panBy(cam: Camera, dxScreen: number, dyScreen: number): Camera {
  return { ...cam, x: cam.x - dxScreen / cam.zoom, y: cam.y - dyScreen / cam.zoom };
}

/** The world rectangle the canvas shows. */
export function visibleWorld(cam: Camera, width: number, height: number): Rect {
  return { minX: cam.x, minY: cam.y, maxX: cam.x + width / cam.zoom, maxY: cam.y + height / cam.zoom };
}

/** A camera that shows `bounds` with a margin, centred, zoom capped at 1. */
export function fitCamera(bounds: Rect, width: number, height: number, margin = 48): Camera {
  const w = Math.max(1, bounds.maxX - bounds.minX);
  const h = Math.max(1, bounds.maxY - bounds.minY);
  const zoom = Math.min(1, Math.max(MIN_ZOOM, Math.min((width - 2 * margin) / w, (height - 2 * margin) / h)));
  return { zoom, x: bounds.minX + w / 2 - width / 2 / zoom, y: bounds.minY + h / 2 - height / 2 / zoom };
}

export function intersects(a: Rect, b: Rect): boolean {
  return a.minX <= b.maxX && a.maxX >= b.minX && a.minY <= b.maxY && a.maxY >= b.minY;
}

/** `cam` if `bounds` is on a `width` × `height` screen, else the camera at the
 * same zoom centred on it (Tab to a shape off screen brings it into view). */
export function revealCamera(cam: Camera, bounds: Rect, width: number, height: number): Camera {
  if (intersects(bounds, visibleWorld(cam, width, height))) return cam;
  const cx = (bounds.minX + bounds.maxX) / 2;
  const cy = (bounds.minY + bounds.maxY) / 2;
  return { zoom: cam.zoom, x: cx - width / 2 / cam.zoom, y: cy - height / 2 / cam.zoom };
}
