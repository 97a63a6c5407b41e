/**
 * The shapes of a big board, drawn once into a bitmap and blitted: panning
 * and zooming a board of 10,000 shapes in view costs one drawImage a frame,
 * not 10,000 shapes (painter.ts uses it from CACHE_MIN_SHAPES on).
 *
 * - The cache holds the shapes (no background, no grid) of the view and a
 *   margin around it, at one zoom, in device pixels. A frame draws the grid,
 *   then the cache transformed to the camera (scaled while a zoom is under
 *   way), then — straight from the scene — any part of the view the cache
 *   does not cover yet.
 * - What changed is found by comparing each shape as drawn (after the
 *   preview of a drag, with bound arrows resolved, its pending and hidden
 *   flags, its picture's state) with the last frame's: only the rectangles
 *   of the shapes that changed are cleared and repainted, from the spatial
 *   index, so an edit by someone else costs the shapes around it.
 * - Far from its zoom, near its edge, or once the camera rests off its pixel
 *   grid, the cache is rebuilt in the background: a second bitmap painted a
 *   few milliseconds per frame while the first is still shown, swapped in
 *   when done (with the edits made meanwhile replayed on it). Only a jump
 *   (fit to screen, 100 %) or a theme change repaints everything at once.
 *
 * When the camera rests the cache is rebuilt at its exact zoom and pixel
 * offset, so a resting board shows the same pixels as a direct paint.
 */
import type { Shape } from "../../../party/whiteboard/records.ts";
import { paintTheme, type ThemeName } from "../theme/board-palette.ts";
import type { Camera, Rect } from "./camera.ts";
import { drawShape } from "./draw.ts";
import { shapeBounds } from "./geometry.ts";
import { pictureFailed, pictureFor } from "./images.ts";
import type { SceneIndex } from "./scene.ts";

/** Shapes smaller than this on screen (px) are skipped when zoomed far out. */
export const MIN_VISIBLE_PX = 0.5;
/** Margin cached around the view, as a share of the view on each side. */
const MARGIN = 0.5;
/** Largest side of a cache bitmap (device px). */
const MAX_SIDE = 4096;
/** Rebuild in the background once the zoom is this far (log2) from the cache's… */
const REBUILD_ZOOM_LOG2 = 0.5;
/** …and repaint at once beyond this (a jump: the scaled bitmap would be a blur). */
const JUMP_ZOOM_LOG2 = 2;
/** More changed shapes than this in one frame: repaint everything. */
const MAX_DIRTY = 400;
/** Shapes painted between two looks at the clock in a background rebuild. */
const CHUNK = 32;
/** A frame slower than this (ms) while rebuilding halves the shapes per frame; a faster one grows them by a quarter. */
const SLOW_FRAME_MS = 20;
const MIN_PER_FRAME = 32;
const MAX_PER_FRAME = 4096;
/** Dirty rectangles grow by this (CSS px) for a pending shape's dashed outline. */
const DIRTY_PAD_PX = 8;

/** How the shapes are drawn this frame, besides the document. */
export interface SceneState {
  preview: ReadonlyMap<string, Shape> | null;
  pending: ReadonlySet<string>;
  editingId: string | null;
}

/** Draw `shapes` (world transform already set) as the board does; how many were drawn. */
export function drawShapes(ctx: CanvasRenderingContext2D, shapes: readonly Shape[], state: SceneState, zoom: number): number {
  const minSize = MIN_VISIBLE_PX / zoom;
  let drawn = 0;
  for (const s of shapes) {
    const b = shapeBounds(s);
    if (b.maxX - b.minX < minSize && b.maxY - b.minY < minSize) continue;
    drawShape(ctx, s, { pending: state.pending.has(s.id), zoom, hideText: s.id === state.editingId });
    drawn++;
  }
  return drawn;
}

/** One cache bitmap: world point (x, y) is at device pixel ((x − ox)·k, (y − oy)·k). */
interface Layer {
  canvas: HTMLCanvasElement;
  ctx: CanvasRenderingContext2D;
  ox: number;
  oy: number;
  /** Device pixels per world unit (zoom × dpr). */
  k: number;
  zoom: number;
  dpr: number;
  theme: ThemeName;
  /** The smallest margin kept around the view when placed (world units). */
  margin: number;
}

/** A shape as last drawn: the object and its flags (pending, hidden, picture state). */
interface Entry {
  drawn: Shape;
  flags: number;
}

function newLayer(): Layer | null {
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d");
  return ctx ? { canvas, ctx, ox: 0, oy: 0, k: 1, zoom: 1, dpr: 1, theme: paintTheme(), margin: 0 } : null;
}

const grow = (r: Rect, d: number): Rect => ({ minX: r.minX - d, minY: r.minY - d, maxX: r.maxX + d, maxY: r.maxY + d });

export class SceneCache {
  private front: Layer | null = null;
  private back: Layer | null = null;
  /** A layer holding every shape (the last front that did, kept when a
   * closer one replaced it): what a zoom out shows beyond the front's edge
   * until the next rebuild is done. */
  private base: Layer | null = null;

  /** A background rebuild under way: the shapes to paint into `back`, how far it got, what changed meanwhile. */
  private build: { shapes: Shape[]; next: number; dirty: Rect[] } | null = null;
  private entries = new Map<string, Entry>();
  private readonly buffer: Shape[] = [];
  /** Shapes a background rebuild paints per frame (adapted to the frames' pace). */
  private perFrame = 256;
  /** The last frame painted some of a background rebuild. */
  private stepped = false;
  /** Shapes drawn by the last full paint (for the frame stats). */
  lastDrawn = 0;

  /** Forget everything (the board became small, fonts loaded): the next frame repaints in full. */
  reset(): void {
    if (!this.front && !this.build && this.entries.size === 0) return;
    this.front = null;
    this.base = null;
    this.build = null;
    this.entries = new Map();
  }

  get building(): boolean {
    return this.build !== null;
  }

  /**
   * Bring the cache up to date for this frame: repaint what changed, start or
   * continue a background rebuild (until `deadline`, performance.now() ms),
   * repaint in full when it must. `changed`: the scene may have changed since
   * the last call (else no shape is compared). True when the cached pixels changed.
   */
  update(scene: SceneIndex, state: SceneState, changed: boolean, cam: Camera, view: Rect, dpr: number, rested: boolean, deadline: number, frameMs: number): boolean {
    let layer = this.front;
    let ratio = layer ? Math.abs(Math.log2(cam.zoom / layer.zoom)) : Infinity;
    const base = this.base && this.base.dpr === dpr && this.base.theme === paintTheme() && this.uncovered(this.base, view) === 0 ? this.base : null;
    if (!layer || layer.dpr !== dpr || layer.theme !== paintTheme() || ratio > JUMP_ZOOM_LOG2 || (this.uncovered(layer, view) > 0.25 && !base)) {
      this.paintAll(scene, state, cam, view, dpr);
      return true;
    }
    const dirty = changed ? this.diff(scene, state) : [];
    if (dirty === "all") {
      this.paintAll(scene, state, cam, view, dpr);
      return true;
    }
    let repainted = false;
    for (const r of dirty) repainted = this.repaint(layer, scene, state, r) || repainted;
    if (this.base) for (const r of dirty) repainted = this.repaint(this.base, scene, state, r) || repainted;
    if (this.build) this.build.dirty.push(...dirty);
    const baseRatio = base ? Math.abs(Math.log2(cam.zoom / base.zoom)) : Infinity;
    if (!this.build && base && baseRatio <= REBUILD_ZOOM_LOG2 && baseRatio < ratio) {
      // Zoomed back out near the layer of every shape: show it again, no rebuild.
      this.back ??= layer;
      this.front = layer = base;
      this.base = null;
      ratio = baseRatio;
      repainted = true;
    }
    if (!this.build && (ratio > REBUILD_ZOOM_LOG2 || this.uncovered(layer, grow(view, layer.margin / 2)) > 0 || (rested && !this.exact(layer, cam, dpr)))) this.startBuild(scene, state, cam, view, dpr);
    if (this.build) {
      // Shapes a frame: what is recorded is rasterised after the script,
      // outside any clock read here — so the frames' own pace sets it.
      if (this.stepped && frameMs > 0) this.perFrame = frameMs > SLOW_FRAME_MS ? Math.max(MIN_PER_FRAME, this.perFrame / 2) : Math.min(MAX_PER_FRAME, this.perFrame * 1.25);
      repainted = this.step(scene, state, deadline) || repainted;
      this.stepped = true;
    } else this.stepped = false;
    return repainted;
  }

  /** Draw the cache onto `ctx` (device-pixel transform) as `cam` sees it; the
   * part of the view (world) it does not cover, for the caller to paint. */
  blit(ctx: CanvasRenderingContext2D, cam: Camera, dpr: number): Rect | null {
    const layer = this.front;
    if (!layer) return null;
    let scale = (cam.zoom * dpr) / layer.k;
    let dx = (layer.ox - cam.x) * cam.zoom * dpr;
    let dy = (layer.oy - cam.y) * cam.zoom * dpr;
    if (Math.abs(scale - 1) < 1e-9) {
      scale = 1;
      // A pan by whole pixels: the same pixels, moved (no resampling).
      if (Math.abs(dx - Math.round(dx)) < 1e-3) dx = Math.round(dx);
      if (Math.abs(dy - Math.round(dy)) < 1e-3) dy = Math.round(dy);
    }
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(layer.canvas, dx, dy, layer.canvas.width * scale, layer.canvas.height * scale);
    ctx.restore();
    return this.covered(layer);
  }

  /** Fill the screen rectangles `strips` (CSS px) from the base layer, if it
   * covers them (true); else the caller paints them from the scene. */
  blitBase(ctx: CanvasRenderingContext2D, cam: Camera, dpr: number, strips: readonly Rect[]): boolean {
    const base = this.base;
    if (!base || base.dpr !== dpr || base.theme !== paintTheme()) return false;
    const world = (r: Rect): Rect => ({ minX: cam.x + r.minX / cam.zoom, minY: cam.y + r.minY / cam.zoom, maxX: cam.x + r.maxX / cam.zoom, maxY: cam.y + r.maxY / cam.zoom });
    if (strips.some((r) => this.uncovered(base, world(r)) > 0)) return false;
    const scale = (cam.zoom * dpr) / base.k;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.beginPath();
    for (const r of strips) ctx.rect(Math.floor(r.minX * dpr), Math.floor(r.minY * dpr), Math.ceil((r.maxX - r.minX) * dpr) + 1, Math.ceil((r.maxY - r.minY) * dpr) + 1);
    ctx.clip();
    ctx.drawImage(base.canvas, (base.ox - cam.x) * cam.zoom * dpr, (base.oy - cam.y) * cam.zoom * dpr, base.canvas.width * scale, base.canvas.height * scale);
    ctx.restore();
    return true;
  }

  /** The world rectangle a layer holds. */
  private covered(layer: Layer): Rect {
    return { minX: layer.ox, minY: layer.oy, maxX: layer.ox + layer.canvas.width / layer.k, maxY: layer.oy + layer.canvas.height / layer.k };
  }

  /** The share of `view`'s area outside the layer. */
  private uncovered(layer: Layer, view: Rect): number {
    const c = this.covered(layer);
    const w = Math.max(0, Math.min(c.maxX, view.maxX) - Math.max(c.minX, view.minX));
    const h = Math.max(0, Math.min(c.maxY, view.maxY) - Math.max(c.minY, view.minY));
    const area = (view.maxX - view.minX) * (view.maxY - view.minY);
    return area > 0 ? 1 - (w * h) / area : 0;
  }

  /** The layer shows `cam` pixel for pixel: same zoom, whole-pixel offset. */
  private exact(layer: Layer, cam: Camera, dpr: number): boolean {
    if (layer.zoom !== cam.zoom || layer.dpr !== dpr) return false;
    const dx = (layer.ox - cam.x) * cam.zoom * dpr;
    const dy = (layer.oy - cam.y) * cam.zoom * dpr;
    return Math.abs(dx - Math.round(dx)) < 1e-3 && Math.abs(dy - Math.round(dy)) < 1e-3;
  }

  /** Size and place `layer` for `cam`: the view and a margin, on the camera's pixel grid. */
  private place(layer: Layer, cam: Camera, view: Rect, dpr: number): void {
    const k = cam.zoom * dpr;
    const vw = (view.maxX - view.minX) * k;
    const vh = (view.maxY - view.minY) * k;
    const mx = Math.max(0, Math.min(MARGIN * vw, (MAX_SIDE - vw) / 2));
    const my = Math.max(0, Math.min(MARGIN * vh, (MAX_SIDE - vh) / 2));
    const width = Math.min(MAX_SIDE, Math.ceil(vw + 2 * mx));
    const height = Math.min(MAX_SIDE, Math.ceil(vh + 2 * my));
    if (layer.canvas.width !== width || layer.canvas.height !== height) {
      layer.canvas.width = width;
      layer.canvas.height = height;
    } else {
      layer.ctx.setTransform(1, 0, 0, 1, 0, 0);
      layer.ctx.clearRect(0, 0, width, height);
    }
    // Whole device pixels from the camera's origin: a pan by whole pixels blits exactly.
    layer.ox = cam.x - Math.round(mx) / k;
    layer.oy = cam.y - Math.round(my) / k;
    layer.k = k;
    layer.zoom = cam.zoom;
    layer.dpr = dpr;
    layer.theme = paintTheme();
    layer.margin = Math.min(Math.round(mx), Math.round(my)) / k;
  }

  /** Repaint the whole cache for `cam` now (and forget any background rebuild). */
  private paintAll(scene: SceneIndex, state: SceneState, cam: Camera, view: Rect, dpr: number): void {
    if (this.build) this.back = null; // half painted: start the next one afresh
    this.build = null;
    this.retire(scene);
    this.front = this.back ?? newLayer();
    this.back = null;
    const layer = this.front;
    if (!layer) return;
    this.place(layer, cam, view, dpr);
    this.diff(scene, state); // record what is drawn now
    const c = this.covered(layer);
    this.withWorld(layer, () => (this.lastDrawn = drawShapes(layer.ctx, scene.visible(c, state.preview, this.buffer), state, layer.zoom)));
  }

  private withWorld(layer: Layer, paint: () => void): void {
    const { ctx, k } = layer;
    ctx.save();
    ctx.setTransform(k, 0, 0, k, -layer.ox * k, -layer.oy * k);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    paint();
    ctx.restore();
  }

  /** Clear and repaint one world rectangle of `layer` (snapped out to whole
   * device pixels, so no edge is half cleared); false when it is off the layer. */
  private repaint(layer: Layer, scene: SceneIndex, state: SceneState, r: Rect): boolean {
    const pad = DIRTY_PAD_PX / layer.zoom;
    const { ctx, k } = layer;
    const x0 = Math.max(0, Math.floor((r.minX - pad - layer.ox) * k));
    const y0 = Math.max(0, Math.floor((r.minY - pad - layer.oy) * k));
    const x1 = Math.min(layer.canvas.width, Math.ceil((r.maxX + pad - layer.ox) * k));
    const y1 = Math.min(layer.canvas.height, Math.ceil((r.maxY + pad - layer.oy) * k));
    if (x1 <= x0 || y1 <= y0) return false;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.beginPath();
    ctx.rect(x0, y0, x1 - x0, y1 - y0);
    ctx.clip();
    ctx.clearRect(x0, y0, x1 - x0, y1 - y0);
    // Shapes whose outline may reach in (a pending one's dashes lie outside its bounds): drawn clipped.
    const world = grow({ minX: layer.ox + x0 / k, minY: layer.oy + y0 / k, maxX: layer.ox + x1 / k, maxY: layer.oy + y1 / k }, pad);
    this.withWorld(layer, () => drawShapes(ctx, scene.visible(world, state.preview, this.buffer), state, layer.zoom));
    ctx.restore();
    return true;
  }

  private startBuild(scene: SceneIndex, state: SceneState, cam: Camera, view: Rect, dpr: number): void {
    this.back ??= newLayer();
    if (!this.back) return;
    this.place(this.back, cam, view, dpr);
    this.build = { shapes: [...scene.visible(this.covered(this.back), state.preview, this.buffer)], next: 0, dirty: [] };
  }

  /** Paint more of the background rebuild until `deadline`; swap it in when done (true then). */
  private step(scene: SceneIndex, state: SceneState, deadline: number): boolean {
    const build = this.build!;
    const layer = this.back!;
    const minSize = MIN_VISIBLE_PX / layer.zoom;
    const first = build.next;
    this.withWorld(layer, () => {
      const { shapes } = build;
      while (build.next < shapes.length) {
        const s = shapes[build.next++]!;
        const b = shapeBounds(s);
        if (b.maxX - b.minX >= minSize || b.maxY - b.minY >= minSize) drawShape(layer.ctx, s, { pending: state.pending.has(s.id), zoom: layer.zoom, hideText: s.id === state.editingId });
        if (build.next - first >= this.perFrame || (build.next % CHUNK === 0 && performance.now() > deadline)) break;
      }
    });
    if (build.next < build.shapes.length) return false;
    // Done: what changed while it was painted is painted again, then it is shown.
    this.build = null;
    for (const r of build.dirty) this.repaint(layer, scene, state, r);
    this.lastDrawn = build.shapes.length;
    this.back = null;
    this.retire(scene);
    this.front = layer;
    return true;
  }

  /** The front is about to be replaced: it becomes the base if it holds every
   * shape (and the base it replaces the spare), else the spare. */
  private retire(scene: SceneIndex): void {
    const old = this.front;
    this.front = null;
    if (!old) return;
    const content = scene.contentBounds();
    const holdsAll = content !== null && this.uncovered(old, content) === 0 && old.theme === paintTheme();
    if (holdsAll) {
      this.back ??= this.base;
      this.base = old;
    } else this.back ??= old;
  }

  /** What changed since the last call: the rectangles (world) to repaint, or "all". */
  private diff(scene: SceneIndex, state: SceneState): Rect[] | "all" {
    const { preview, pending, editingId } = state;
    const before = this.entries;
    const next = new Map<string, Entry>();
    const dirty: Rect[] = [];
    let kept = 0;
    for (const base of scene.shapes) {
      const drawn = scene.resolved(preview?.get(base.id) ?? base, preview);
      let flags = (pending.has(base.id) ? 1 : 0) | (base.id === editingId ? 2 : 0);
      if (drawn.type === "image") flags |= (pictureFor(drawn.asset) ? 4 : 0) | (pictureFailed(drawn.asset) ? 8 : 0);
      const was = before.get(base.id);
      if (was) kept++;
      if (!was || was.drawn !== drawn || was.flags !== flags) {
        if (was) dirty.push(shapeBounds(was.drawn));
        dirty.push(shapeBounds(drawn));
      }
      next.set(base.id, { drawn, flags });
    }
    if (kept < before.size) for (const [id, was] of before) if (!next.has(id)) dirty.push(shapeBounds(was.drawn));
    this.entries = next;
    return dirty.length > MAX_DIRTY ? "all" : dirty;
  }
}
