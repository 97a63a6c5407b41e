/**
 * The board's painter: two stacked canvases and one render loop. The shapes
 * layer (grid and shapes, culled) is repainted only when the document, the
 * pending state or the camera changed, and a pure pan by whole device pixels
 * scrolls the previous frame and paints just the strips that came into view
 * (the scroll-blit). The overlay (the shape being drawn, the selection, the
 * marquee and remote cursors) is cheap and repainted every frame, so 50 moving
 * cursors never repaint 10,000 shapes.
 *
 * Rendering is coalesced: any number of changes between two animation frames
 * cost one repaint, and frames keep coming only while something animates
 * (remote cursors gliding or fading).
 */
import type { Shape } from "../../../party/whiteboard/records.ts";
import type { Peer } from "edgeroom/client";
import { type Camera, type Rect, screenToWorld, worldToScreen } from "./camera.ts";
import type { CursorTracks } from "./cursor-tracks.ts";
import { drawCursor, drawGrid, drawMarquee, drawSelection, drawShape } from "./draw.ts";
import { type FrameStats, newFrameStats, pushSample } from "./frame-stats.ts";
import { shapeBounds, shapeBox } from "./geometry.ts";
import { rotateHandleOf, selectionBox, selectionHandles } from "./hit-test.ts";
import { rotationOf } from "./rotate.ts";
import type { SceneIndex } from "./scene.ts";
import { drawGuides, type Guide } from "./snapping.ts";
import { type DrawnTrail, drawLaser } from "./laser.ts";

/** Shapes smaller than this on screen (px) are skipped when zoomed far out. */
const MIN_VISIBLE_PX = 0.5;
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

  constructor(
    private readonly canvas: HTMLCanvasElement,
    /** A transparent canvas stacked over `canvas`, for everything but shapes. */
    private readonly overlay: HTMLCanvasElement,
    private readonly source: PaintSource,
  ) {}

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
  }

  private frame(time: number): void {
    this.raf = 0;
    const started = performance.now();
    this.paintScene();
    const animating = this.paintOverlay(started);
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

  /** The shapes layer: a full repaint, or a scroll of the last frame plus the
   * uncovered strips — rasterising hundreds of shapes is what costs, not
   * deciding which to draw. */
  private paintScene(): void {
    const cam = this.source.camera();
    const painted = this.paintedCamera;
    if (!this.sceneDirty && painted === cam) return;
    const prepared = this.prepare(this.canvas);
    if (!prepared) return;
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
      return;
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
  }

  /** Paint background, grid and shapes inside one screen rectangle (CSS px);
   * the number of shapes drawn. */
  private paintRegion(ctx: CanvasRenderingContext2D, dpr: number, cam: Camera, r: Rect): number {
    ctx.save();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.beginPath();
    ctx.rect(r.minX, r.minY, r.maxX - r.minX, r.maxY - r.minY);
    ctx.clip();
    ctx.fillStyle = BOARD_BACKGROUND;
    ctx.fillRect(r.minX, r.minY, r.maxX - r.minX, r.maxY - r.minY);
    drawGrid(ctx, cam.x, cam.y, cam.zoom, r.maxX, r.maxY);

    ctx.setTransform(dpr * cam.zoom, 0, 0, dpr * cam.zoom, -cam.x * cam.zoom * dpr, -cam.y * cam.zoom * dpr);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    const [wx0, wy0] = screenToWorld(cam, r.minX, r.minY);
    const [wx1, wy1] = screenToWorld(cam, r.maxX, r.maxY);
    const visible = this.source.scene.visible({ minX: wx0, minY: wy0, maxX: wx1, maxY: wy1 }, this.source.preview(), this.visibleBuffer);
    const pending = this.source.pendingIds();
    const editingId = this.source.editingId();
    const minSize = MIN_VISIBLE_PX / cam.zoom;
    let drawn = 0;
    for (const s of visible) {
      const b = shapeBounds(s);
      if (b.maxX - b.minX < minSize && b.maxY - b.minY < minSize) continue;
      drawShape(ctx, s, { pending: pending.has(s.id), zoom: cam.zoom, hideText: s.id === editingId });
      drawn++;
    }
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

    // Cursors in screen space: the same size at every zoom.
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
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
      drawCursor(ctx, sx, sy, color, name, pose.opacity);
    }
    return animating;
  }
}

export type { FrameStats };
