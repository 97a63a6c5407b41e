/**
 * The board's painter: two stacked canvases and one render loop. The shapes
 * layer (grid and shapes, culled through the scene's spatial index) is
 * repainted only when the document, the pending state or the camera changed.
 * A small board is painted straight from the scene, and a pure pan by whole
 * device pixels scrolls the previous frame and paints just the strips that
 * came into view (the scroll-blit). From CACHE_MIN_SHAPES shapes on, the
 * shapes come from a bitmap cache (scene-cache.ts): a pan or zoom is a blit,
 * an edit repaints the shapes around it. The overlay (the shape being drawn,
 * remote drafts, the selection, the marquee, lasers and remote cursors) is
 * repainted every frame something on it moves and never touches the shapes
 * layer, so 50 moving cursors never repaint 10,000 shapes.
 *
 * Rendering is coalesced: any number of changes between two animation frames
 * cost one repaint, and frames keep coming only while something animates
 * (remote cursors gliding or fading).
 */
import type { Shape } from "../../../party/whiteboard/records.ts";
import type { Peer } from "edgeroom/client";
import { type Camera, type Rect, screenToWorld, visibleWorld, worldToScreen } from "./camera.ts";
import type { CursorTracks } from "./cursor-tracks.ts";
import { drawGrid, drawMarquee, drawSelection, drawShape } from "./draw.ts";
import { CursorSprites } from "./cursor-sprites.ts";
import { drawShapes, SceneCache, type SceneState } from "./scene-cache.ts";
import { type FrameStats, newFrameStats, pushSample } from "./frame-stats.ts";
import { shapeBox } from "./geometry.ts";
import { rotateHandleOf, selectionBox, selectionHandles } from "./hit-test.ts";
import { rotationOf } from "./rotate.ts";
import type { SceneIndex } from "./scene.ts";
import { drawGuides, type Guide } from "./snapping.ts";
import { type DrawnTrail, drawLaser } from "./laser.ts";

/** From this many shapes on, the shapes layer is blitted from a bitmap cache. */
export const CACHE_MIN_SHAPES = 1000;
/** The camera rests once it has not moved for this long (ms): the cache is then redrawn crisp. */
const REST_MS = 150;
/** Time a frame may spend on a background rebuild of the cache (ms). */
const BUILD_BUDGET_MS = 6;
/** The board's background colour (a warm off-white, easier on the eyes than #fff). */
const BOARD_BACKGROUND = "#f8f9fa";
/** Cursors this far outside the canvas (screen px) are not drawn; their label
 * (drawn right of and below the tip) can still show from slightly outside. */
const CURSOR_MARGIN_BEFORE_PX = 50;
const CURSOR_MARGIN_AFTER_PX = 10;
/** Two frames further apart than this (ms) were not one animation. */
const MAX_FRAME_GAP_MS = 1000;

/** What the painter reads each frame; the board controller provides it. */
export interface PaintSource {
  readonly scene: SceneIndex;
  readonly cursors: CursorTracks;
  camera(): Camera;
  /** Records a gesture shows ahead of its next commit (drawn over the scene's). */
  preview(): ReadonlyMap<string, Shape> | null;
  /** Records with an unacknowledged edit: drawn translucent. */
  pendingIds(): ReadonlySet<string>;
  /** The record under the text box: its own text is hidden while edited. */
  editingId(): string | null;
  /** The shape being drawn right now (not yet in the document). */
  draft(): Shape | null;
  /** What the others are drawing right now (their live drafts). */
  remoteDrafts(): readonly Shape[];
  /** The marquee being dragged (world), if any. */
  marquee(): Rect | null;
  /** Snap guides of a move or resize in progress (snapping.ts). */
  guides(): readonly Guide[];
  /** The selected shapes as drawn (preview first). */
  selectedShapes(preview: ReadonlyMap<string, Shape> | null): Shape[];
  peers(): ReadonlyMap<string, Peer>;
  /** Laser trails still showing at `now` (everyone's). */
  lasers(now: number): DrawnTrail[];
}

interface Prepared {
  ctx: CanvasRenderingContext2D;
  dpr: number;
  width: number;
  height: number;
  resized: boolean;
}

export class BoardPainter {
  readonly stats: FrameStats = newFrameStats();
  private raf = 0;
  /** The shapes layer needs a full repaint (cursor-only frames leave it alone). */
  private sceneDirty = true;
  /** The camera the shapes layer was last painted with (null: never painted). */
  private paintedCamera: Camera | null = null;
  private lastFrameAt = 0;
  private readonly visibleBuffer: Shape[] = [];
  private readonly cache = new SceneCache();
  /** Each remote cursor drawn once, blitted every frame (cursor-sprites.ts). */
  private readonly sprites = new CursorSprites();
  /** When the camera last moved (performance.now()). */
  private cameraMovedAt = 0;
  private readonly onFonts = () => {
    // Text drawn before a font arrived was drawn in the fallback face.
    this.cache.reset();
    this.sprites.reset();
    this.invalidate();
  };

  constructor(
    private readonly canvas: HTMLCanvasElement,
    /** A transparent canvas stacked over `canvas`, for everything but shapes. */
    private readonly overlay: HTMLCanvasElement,
    private readonly source: PaintSource,
  ) {
    document.fonts?.addEventListener?.("loadingdone", this.onFonts);
  }

  /** Ask for a repaint of the board on the next animation frame (coalesced). */
  invalidate(): void {
    this.sceneDirty = true;
    this.schedule();
  }

  /** Only the overlay changed (cursors moved, or the camera: paintScene sees
   * it moved and scrolls or repaints). */
  schedule(): void {
    if (this.raf) return;
    this.raf = requestAnimationFrame((t) => this.frame(t));
  }

  dispose(): void {
    cancelAnimationFrame(this.raf);
    this.raf = 0;
    document.fonts?.removeEventListener?.("loadingdone", this.onFonts);
  }

  private frame(time: number): void {
    this.raf = 0;
    const started = performance.now();
    const sceneAnimating = this.paintScene(started, this.lastFrameAt ? time - this.lastFrameAt : 0);
    const animating = this.paintOverlay(started) || sceneAnimating;
    const ended = performance.now();
    pushSample(this.stats.drawMs, ended - started);
    if (this.lastFrameAt && time - this.lastFrameAt < MAX_FRAME_GAP_MS) pushSample(this.stats.intervalMs, time - this.lastFrameAt);
    this.lastFrameAt = animating ? time : 0;
    if (animating) this.schedule();
  }

  /** Size a canvas's backing store to its CSS size × devicePixelRatio; its 2D context. */
  private prepare(canvas: HTMLCanvasElement): Prepared | null {
    const dpr = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    let resized = false;
    if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
      resized = true;
    }
    const ctx = canvas.getContext("2d");
    return ctx ? { ctx, dpr, width, height, resized } : null;
  }

  /** The shapes layer; true while it needs more frames (a background rebuild
   * of the cache, or a camera that has not rested yet). */
  private paintScene(now: number, frameMs: number): boolean {
    const cam = this.source.camera();
    const painted = this.paintedCamera;
    if (painted !== cam) this.cameraMovedAt = now;
    if (this.source.scene.shapes.length >= CACHE_MIN_SHAPES) return this.paintCached(cam, now, frameMs);
    this.cache.reset();
    if (!this.sceneDirty && painted === cam) return false;
    const prepared = this.prepare(this.canvas);
    if (!prepared) return false;
    const { ctx, dpr, width, height, resized } = prepared;
    const dx = painted ? (painted.x - cam.x) * cam.zoom * dpr : 0;
    const dy = painted ? (painted.y - cam.y) * cam.zoom * dpr : 0;
    const whole = (n: number) => Math.abs(n - Math.round(n)) < 0.01;
    const canScroll =
      !this.sceneDirty && !resized && painted !== null && painted.zoom === cam.zoom && whole(dx) && whole(dy) &&
      Math.abs(dx) < this.canvas.width / 2 && Math.abs(dy) < this.canvas.height / 2;
    this.sceneDirty = false;
    this.paintedCamera = cam;
    if (!canScroll) {
      this.stats.lastDrawn = this.paintRegion(ctx, dpr, cam, { minX: 0, minY: 0, maxX: width, maxY: height });
      return false;
    }
    const sx = Math.round(dx);
    const sy = Math.round(dy);
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalCompositeOperation = "copy";
    ctx.drawImage(this.canvas, sx, sy);
    ctx.restore();
    // The strips the scroll uncovered (CSS px).
    const w = width;
    const h = height;
    const ox = sx / dpr;
    const oy = sy / dpr;
    if (ox > 0) this.paintRegion(ctx, dpr, cam, { minX: 0, minY: 0, maxX: ox, maxY: h });
    if (ox < 0) this.paintRegion(ctx, dpr, cam, { minX: w + ox, minY: 0, maxX: w, maxY: h });
    if (oy > 0) this.paintRegion(ctx, dpr, cam, { minX: 0, minY: 0, maxX: w, maxY: oy });
    if (oy < 0) this.paintRegion(ctx, dpr, cam, { minX: 0, minY: h + oy, maxX: w, maxY: h });
    return false;
  }

  /** A big board: the grid, then the cached shapes as the camera sees them,
   * then straight from the scene whatever part of the view the cache lacks. */
  private paintCached(cam: Camera, now: number, frameMs: number): boolean {
    const prepared = this.prepare(this.canvas);
    if (!prepared) return false;
    const { ctx, dpr, width, height, resized } = prepared;
    const rested = now - this.cameraMovedAt >= REST_MS;
    const state: SceneState = { preview: this.source.preview(), pending: this.source.pendingIds(), editingId: this.source.editingId() };
    const cacheChanged = this.cache.update(this.source.scene, state, this.sceneDirty, cam, visibleWorld(cam, width, height), dpr, rested, now + BUILD_BUDGET_MS, frameMs);
    const moved = this.paintedCamera !== cam;
    this.sceneDirty = false;
    this.paintedCamera = cam;
    const more = this.cache.building || !rested;
    if (!cacheChanged && !moved && !resized) return more;
    this.stats.lastDrawn = this.cache.lastDrawn;
    ctx.save();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    drawGrid(ctx, cam.x, cam.y, cam.zoom, width, height);
    ctx.restore();
    const covered = this.cache.blit(ctx, cam, dpr);
    if (!covered) return more;
    // The strips of the view beyond the cache (CSS px), painted from the scene.
    const [cx0, cy0] = worldToScreen(cam, covered.minX, covered.minY);
    const [cx1, cy1] = worldToScreen(cam, covered.maxX, covered.maxY);
    const strips: Rect[] = [];
    if (cx0 > 0) strips.push({ minX: 0, minY: 0, maxX: Math.min(width, cx0), maxY: height });
    if (cx1 < width) strips.push({ minX: Math.max(0, cx1), minY: 0, maxX: width, maxY: height });
    if (cy0 > 0) strips.push({ minX: Math.max(0, cx0), minY: 0, maxX: Math.min(width, cx1), maxY: Math.min(height, cy0) });
    if (cy1 < height) strips.push({ minX: Math.max(0, cx0), minY: Math.max(0, cy1), maxX: Math.min(width, cx1), maxY: height });
    const missing = strips.filter((r) => r.maxX > r.minX && r.maxY > r.minY);
    // From the layer of every shape (a zoom out), else straight from the scene.
    if (missing.length && !this.cache.blitBase(ctx, cam, dpr, missing)) for (const r of missing) this.paintRegion(ctx, dpr, cam, r, false);
    return more;
  }

  /** Paint background, grid and shapes inside one screen rectangle (CSS px);
   * the number of shapes drawn. */
  private paintRegion(ctx: CanvasRenderingContext2D, dpr: number, cam: Camera, r: Rect, backdrop = true): number {
    ctx.save();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.beginPath();
    ctx.rect(r.minX, r.minY, r.maxX - r.minX, r.maxY - r.minY);
    ctx.clip();
    if (backdrop) {
      ctx.fillStyle = BOARD_BACKGROUND;
      ctx.fillRect(r.minX, r.minY, r.maxX - r.minX, r.maxY - r.minY);
      drawGrid(ctx, cam.x, cam.y, cam.zoom, r.maxX, r.maxY);
    }

    ctx.setTransform(dpr * cam.zoom, 0, 0, dpr * cam.zoom, -cam.x * cam.zoom * dpr, -cam.y * cam.zoom * dpr);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    const [wx0, wy0] = screenToWorld(cam, r.minX, r.minY);
    const [wx1, wy1] = screenToWorld(cam, r.maxX, r.maxY);
    const visible = this.source.scene.visible({ minX: wx0, minY: wy0, maxX: wx1, maxY: wy1 }, this.source.preview(), this.visibleBuffer);
    const drawn = drawShapes(ctx, visible, { preview: null, pending: this.source.pendingIds(), editingId: this.source.editingId() }, cam.zoom);
    ctx.restore();
    return drawn;
  }

  /** The overlay; true when a cursor is still animating. */
  private paintOverlay(now: number): boolean {
    const prepared = this.prepare(this.overlay);
    if (!prepared) return false;
    const { ctx, dpr, width, height } = prepared;
    const cam = this.source.camera();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);

    ctx.setTransform(dpr * cam.zoom, 0, 0, dpr * cam.zoom, -cam.x * cam.zoom * dpr, -cam.y * cam.zoom * dpr);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    for (const remote of this.source.remoteDrafts()) drawShape(ctx, remote, { pending: false, zoom: cam.zoom });
    const draft = this.source.draft();
    if (draft) drawShape(ctx, draft, { pending: false, zoom: cam.zoom });
    const selected = this.source.selectedShapes(this.source.preview());
    if (selected.length) {
      const outlines = selected.map((s) => ({ box: shapeBox(s), angle: rotationOf(s) }));
      // Several shapes: their box too, whose corners resize them together.
      if (selected.length > 1) outlines.push({ box: selectionBox(selected)!, angle: 0 });
      drawSelection(ctx, outlines, selectionHandles(selected), cam.zoom, rotateHandleOf(selected, cam.zoom));
    }
    const marquee = this.source.marquee();
    if (marquee) drawMarquee(ctx, marquee, cam.zoom);
    drawGuides(ctx, this.source.guides(), cam.zoom);
    // Laser trails fade frame by frame: keep animating while one shows.
    const lasers = this.source.lasers(now);
    for (const trail of lasers) drawLaser(ctx, trail, now, cam.zoom);

    // Cursors in screen space (device pixels): the same size at every zoom.
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    let animating = lasers.length > 0;
    const drawn = this.source.cursors.drawn;
    drawn.clear();
    for (const [key, track, name, color] of this.source.cursors.each(this.source.peers())) {
      const pose = track.pose(now);
      if (!pose) continue;
      animating ||= track.isAnimating(now);
      drawn.set(key, pose);
      const [sx, sy] = worldToScreen(cam, pose.x, pose.y);
      if (sx < -CURSOR_MARGIN_BEFORE_PX || sy < -CURSOR_MARGIN_BEFORE_PX || sx > width + CURSOR_MARGIN_AFTER_PX || sy > height + CURSOR_MARGIN_AFTER_PX) continue;
      this.sprites.draw(ctx, sx, sy, color, name, pose.opacity, dpr);
    }
    this.sprites.sweep();
    return animating;
  }
}

export type { FrameStats };
