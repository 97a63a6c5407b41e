/**
 * The board: one canvas, its camera, the active tool and selection, pointer and
 * keyboard handling, and the render loop. It reads the document from a room
 * client and writes only through the Editor (undo, bounded drag commits). React
 * renders the chrome around it and subscribes to its small UI state; nothing
 * here knows about sockets.
 *
 * Rendering is coalesced: any number of changes between two animation frames
 * cost one repaint, and frames keep coming only while something animates
 * (remote cursors gliding or fading).
 */
import type { Op } from "../../../party/shared/protocol.ts";
import type { Shape } from "../../../party/whiteboard/records.ts";
import type { Editor } from "../editor.ts";
import { newRecordId } from "../../engine/ids.ts";
import { CursorTrack } from "../interpolate.ts";
import type { Peer, RemoteCursor } from "../../engine/room-client.ts";
import { type Camera, HOME_CAMERA, panBy, type Rect, screenToWorld, visibleWorld, worldToScreen, zoomAt, fitCamera } from "./camera.ts";
import { drawCursor, drawGrid, drawMarquee, drawSelection, drawShape, HANDLE_RADIUS } from "./draw.ts";
import { linePointsFrom, lineEndOp, moveOp, normalizeRect, resizeOp, round2, shapeBounds, shapeBox, unionRects } from "./geometry.ts";
import { SceneIndex } from "./scene.ts";
import { STICKY_SIZE, STICKY_TEXT_COLOR, stickyFillFor, textSizeFor, type Tool, toolForKey } from "./tools.ts";

/** What the board needs from the room: RoomClient satisfies it. */
export interface BoardRoom {
  records(): ReadonlyMap<string, Shape>;
  pendingIds(): Set<string>;
  peers(): ReadonlyMap<string, Peer>;
  cursors(): ReadonlyMap<string, RemoteCursor>;
  moveCursor(x: number, y: number): void;
  hideCursor(): void;
  on(event: "change", fn: () => void): () => void;
  on(event: "cursors", fn: (c: ReadonlyMap<string, RemoteCursor>) => void): () => void;
}

export interface TextEditing {
  /** The record being edited; null for a new text not created yet. */
  id: string | null;
  kind: "text" | "sticky";
  x: number;
  y: number;
  w: number;
  h: number;
  size: number;
  color: string;
  fill: string | null;
  text: string;
}

export interface BoardUiState {
  tool: Tool;
  color: string;
  stroke: number;
  selection: readonly string[];
  editing: TextEditing | null;
  zoom: number;
  canUndo: boolean;
  canRedo: boolean;
}

/** Pen strokes are split into several records beyond this many points: a record
 * must stay under MAX_RECORD_BYTES (64 KB) and ~16 bytes per point fits 2,500. */
export const MAX_STROKE_POINTS = 2_500;
/** Pointer travel (screen px) before a press on a shape becomes a drag. */
const DRAG_THRESHOLD_PX = 3;
/** Hit tolerance around thin shapes (screen px). */
const HIT_TOLERANCE_PX = 6;
/** Shapes smaller than this on screen (px) are skipped when zoomed far out. */
const MIN_VISIBLE_PX = 0.5;
/** Default sizes for a click without a drag (world units). */
const DEFAULT_BOX = { w: 160, h: 100 };
const DEFAULT_LINE = 160;
/** Frame statistics kept for the debug overlay and the render benchmark. */
const FRAME_SAMPLES = 600;

type Mode =
  | { kind: "idle" }
  | { kind: "pan"; lastSx: number; lastSy: number }
  | { kind: "pen"; points: number[][]; pressure: boolean }
  | { kind: "create"; tool: "rect" | "ellipse" | "line" | "arrow"; x0: number; y0: number; x1: number; y1: number; sx0: number; sy0: number; sx1: number; sy1: number }
  | { kind: "press"; sx: number; sy: number; wx: number; wy: number; hit: string | null; wasSelected: boolean; shift: boolean }
  | { kind: "move"; wx: number; wy: number; originals: Shape[] }
  | { kind: "resize"; corner: number; original: Shape; from: Rect }
  | { kind: "line-end"; end: 0 | 1; original: Extract<Shape, { type: "line" }> }
  | { kind: "marquee"; x0: number; y0: number; x1: number; y1: number; base: string[] }
  | { kind: "place"; tool: "text" | "sticky"; wx: number; wy: number };

export interface FrameStats {
  /** Time spent painting each frame (ms). */
  drawMs: number[];
  /** Time between consecutive painted frames while animating (ms). */
  intervalMs: number[];
  /** Shapes painted by the last full repaint (after culling). */
  lastDrawn: number;
}

export class BoardController {
  readonly scene = new SceneIndex();
  private camera: Camera = HOME_CAMERA;
  private mode: Mode = { kind: "idle" };
  private docVersion = 0;
  private pendingCache: { version: number; ids: Set<string> } = { version: -1, ids: new Set() };
  private ui: BoardUiState;
  private readonly uiListeners = new Set<() => void>();
  private readonly cameraListeners = new Set<() => void>();
  private readonly tracks = new Map<string, { track: CursorTrack; at: number; x: number; y: number }>();
  private readonly drawnCursors = new Map<string, { x: number; y: number; opacity: number }>();
  private raf = 0;
  /** The shapes layer needs a full repaint (cursor-only frames leave it alone). */
  private sceneDirty = true;
  /** The camera the shapes layer was last painted with (null: never painted). */
  private paintedCamera: Camera | null = null;
  private lastFrameAt = 0;
  private spaceDown = false;
  private readonly visibleBuffer: Shape[] = [];
  private readonly disposers: (() => void)[] = [];
  readonly stats: FrameStats = { drawMs: [], intervalMs: [], lastDrawn: 0 };
  /** Extra cursor tracks (the render benchmark's simulated people). */
  readonly syntheticCursors = new Map<string, { track: CursorTrack; name: string; color: string }>();
  /** A track for syntheticCursors, from this page's own bundle. */
  newCursorTrack(): CursorTrack {
    return new CursorTrack();
  }

  constructor(
    private readonly canvas: HTMLCanvasElement,
    /** A transparent canvas stacked over `canvas`, for remote cursors only. */
    private readonly cursorCanvas: HTMLCanvasElement,
    private readonly room: BoardRoom,
    readonly editor: Editor,
    initial: { color: string; stroke: number },
  ) {
    this.ui = { tool: "select", color: initial.color, stroke: initial.stroke, selection: [], editing: null, zoom: 1, canUndo: false, canRedo: false };
    this.disposers.push(
      room.on("change", () => this.onDocumentChange()),
      room.on("cursors", (c) => this.onCursors(c)),
      editor.onPreview(() => this.invalidate()),
    );
    this.listen(canvas, "pointerdown", (e) => this.onPointerDown(e as PointerEvent));
    this.listen(canvas, "pointermove", (e) => this.onPointerMove(e as PointerEvent));
    this.listen(canvas, "pointerup", (e) => this.onPointerUp(e as PointerEvent));
    this.listen(canvas, "pointercancel", () => this.cancelInteraction());
    this.listen(canvas, "pointerleave", () => room.hideCursor());
    this.listen(canvas, "dblclick", (e) => this.onDoubleClick(e as MouseEvent));
    this.listen(canvas, "wheel", (e) => this.onWheel(e as WheelEvent), { passive: false });
    this.listen(window, "keydown", (e) => this.onKeyDown(e as KeyboardEvent));
    this.listen(window, "keyup", (e) => this.onKeyUp(e as KeyboardEvent));
    this.listen(window, "resize", () => this.invalidate());
    this.listen(window, "blur", () => {
      this.spaceDown = false;
      this.updateCursorStyle();
    });
    this.onDocumentChange();
  }

  dispose(): void {
    cancelAnimationFrame(this.raf);
    for (const d of this.disposers) d();
  }

  private listen(target: EventTarget, type: string, fn: (e: Event) => void, opts?: AddEventListenerOptions): void {
    target.addEventListener(type, fn, opts);
    this.disposers.push(() => target.removeEventListener(type, fn, opts));
  }

  // ---------------------------------------------------------------------------
  // UI state for React (useSyncExternalStore)

  readonly subscribeUi = (fn: () => void): (() => void) => {
    this.uiListeners.add(fn);
    return () => this.uiListeners.delete(fn);
  };
  readonly getUi = (): BoardUiState => this.ui;

  private setUi(patch: Partial<BoardUiState>): void {
    this.ui = { ...this.ui, ...patch };
    for (const fn of this.uiListeners) fn();
  }

  private refreshHistoryFlags(): void {
    const { canUndo, canRedo } = this.editor.history;
    if (canUndo !== this.ui.canUndo || canRedo !== this.ui.canRedo) this.setUi({ canUndo, canRedo });
  }

  // ---------------------------------------------------------------------------
  // Reading

  readonly getCamera = (): Camera => this.camera;

  /** Screen (CSS px, relative to the canvas) of a world point. */
  worldToScreen(x: number, y: number): [number, number] {
    return worldToScreen(this.camera, x, y);
  }

  /** Where each remote cursor was drawn in the last frame (world coordinates). */
  cursorPositions(): ReadonlyMap<string, { x: number; y: number; opacity: number }> {
    return this.drawnCursors;
  }

  private records(): ReadonlyMap<string, Shape> {
    return this.room.records();
  }

  private pendingIds(): Set<string> {
    if (this.pendingCache.version !== this.docVersion) this.pendingCache = { version: this.docVersion, ids: this.room.pendingIds() };
    return this.pendingCache.ids;
  }

  private tolerance(): number {
    return HIT_TOLERANCE_PX / this.camera.zoom;
  }

  // ---------------------------------------------------------------------------
  // Room events

  private onDocumentChange(): void {
    this.docVersion++;
    const records = this.records();
    this.scene.update(records, this.docVersion);
    // A selected shape may have been deleted by someone else or rolled back.
    const kept = this.ui.selection.filter((id) => records.has(id));
    if (kept.length !== this.ui.selection.length) this.setUi({ selection: kept });
    const editing = this.ui.editing;
    if (editing?.id && !records.has(editing.id)) this.setUi({ editing: null });
    this.refreshHistoryFlags();
    this.invalidate();
  }

  private onCursors(cursors: ReadonlyMap<string, RemoteCursor>): void {
    const now = performance.now();
    for (const c of cursors.values()) {
      let entry = this.tracks.get(c.conn);
      if (!entry) this.tracks.set(c.conn, (entry = { track: new CursorTrack(), at: -1, x: NaN, y: NaN }));
      if (c.at !== entry.at || c.x !== entry.x || c.y !== entry.y) {
        entry.track.push(c.x, c.y, now);
        entry.at = c.at;
        entry.x = c.x;
        entry.y = c.y;
      }
    }
    // Hidden or gone (left the room): removed at once, never left as a ghost.
    for (const conn of this.tracks.keys()) if (!cursors.has(conn)) this.tracks.delete(conn);
    this.invalidateCursors();
  }

  // ---------------------------------------------------------------------------
  // Rendering

  /** Ask for a repaint of the board on the next animation frame (coalesced). */
  invalidate(): void {
    this.sceneDirty = true;
    this.schedule();
  }

  /** Only the overlay changed (cursors moved): the shapes layer stays as it is. */
  invalidateCursors(): void {
    this.schedule();
  }

  private schedule(): void {
    if (this.raf) return;
    this.raf = requestAnimationFrame((t) => this.frame(t));
  }

  private frame(time: number): void {
    this.raf = 0;
    const started = performance.now();
    this.paintScene();
    const animating = this.paintOverlay(started);
    const ended = performance.now();
    push(this.stats.drawMs, ended - started);
    if (this.lastFrameAt && time - this.lastFrameAt < 1000) push(this.stats.intervalMs, time - this.lastFrameAt);
    this.lastFrameAt = animating ? time : 0;
    if (animating) this.schedule();
  }

  /** Size a canvas's backing store to its CSS size × devicePixelRatio; its 2D context. */
  private prepare(canvas: HTMLCanvasElement): { ctx: CanvasRenderingContext2D; dpr: number; width: number; height: number; resized: boolean } | null {
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

  /**
   * The shapes layer: grid and shapes (culled). Repainted only when the document,
   * pending state or camera changed. A pure pan by whole device pixels scrolls
   * the previous frame and paints only the strips that came into view —
   * rasterising hundreds of shapes is what costs, not deciding which to draw.
   */
  private paintScene(): void {
    const cam = this.camera;
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
      this.stats.lastDrawn = this.paintRegion(ctx, dpr, { minX: 0, minY: 0, maxX: width, maxY: height });
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
    if (ox > 0) this.paintRegion(ctx, dpr, { minX: 0, minY: 0, maxX: ox, maxY: h });
    if (ox < 0) this.paintRegion(ctx, dpr, { minX: w + ox, minY: 0, maxX: w, maxY: h });
    if (oy > 0) this.paintRegion(ctx, dpr, { minX: 0, minY: 0, maxX: w, maxY: oy });
    if (oy < 0) this.paintRegion(ctx, dpr, { minX: 0, minY: h + oy, maxX: w, maxY: h });
  }

  /** Paint background, grid and shapes inside one screen rectangle (CSS px). */
  private paintRegion(ctx: CanvasRenderingContext2D, dpr: number, r: Rect): number {
    const cam = this.camera;
    ctx.save();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.beginPath();
    ctx.rect(r.minX, r.minY, r.maxX - r.minX, r.maxY - r.minY);
    ctx.clip();
    ctx.fillStyle = "#f8f9fa";
    ctx.fillRect(r.minX, r.minY, r.maxX - r.minX, r.maxY - r.minY);
    drawGrid(ctx, cam.x, cam.y, cam.zoom, r.maxX, r.maxY);

    ctx.setTransform(dpr * cam.zoom, 0, 0, dpr * cam.zoom, -cam.x * cam.zoom * dpr, -cam.y * cam.zoom * dpr);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    const [wx0, wy0] = screenToWorld(cam, r.minX, r.minY);
    const [wx1, wy1] = screenToWorld(cam, r.maxX, r.maxY);
    const preview = this.editor.preview();
    const visible = this.scene.visible({ minX: wx0, minY: wy0, maxX: wx1, maxY: wy1 }, preview, this.visibleBuffer);
    const pending = this.pendingIds();
    const editingId = this.ui.editing?.id ?? null;
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

  /** The overlay (a transparent canvas over the board): the shape being drawn,
   * the selection, the marquee and remote cursors. Cheap, so it is repainted
   * every frame; true when a cursor is still animating. */
  private paintOverlay(now: number): boolean {
    const prepared = this.prepare(this.cursorCanvas);
    if (!prepared) return false;
    const { ctx, dpr, width, height } = prepared;
    const cam = this.camera;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);

    ctx.setTransform(dpr * cam.zoom, 0, 0, dpr * cam.zoom, -cam.x * cam.zoom * dpr, -cam.y * cam.zoom * dpr);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    const draft = this.draftShape();
    if (draft) drawShape(ctx, draft, { pending: false, zoom: cam.zoom });
    this.paintSelection(ctx, this.editor.preview());
    if (this.mode.kind === "marquee") {
      const m = this.mode;
      drawMarquee(ctx, normalizeRect(m.x0, m.y0, m.x1, m.y1), cam.zoom);
    }

    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    let animating = false;
    this.drawnCursors.clear();
    const peers = this.room.peers();
    const paintTrack = (key: string, track: CursorTrack, name: string, color: string) => {
      const pose = track.pose(now);
      if (!pose) return;
      animating ||= track.isAnimating(now);
      this.drawnCursors.set(key, pose);
      const [sx, sy] = worldToScreen(cam, pose.x, pose.y);
      // Screen space: the same size at every zoom.
      if (sx < -50 || sy < -50 || sx > width + 10 || sy > height + 10) return;
      drawCursor(ctx, sx, sy, color, name, pose.opacity);
    };
    for (const [conn, { track }] of this.tracks) {
      const peer = peers.get(conn);
      paintTrack(conn, track, peer?.name ?? "…", peer?.color ?? "#868e96");
    }
    for (const [key, c] of this.syntheticCursors) paintTrack(key, c.track, c.name, c.color);
    return animating;
  }

  private paintSelection(ctx: CanvasRenderingContext2D, preview: ReadonlyMap<string, Shape> | null): void {
    const selected = this.selectedShapes(preview);
    if (selected.length === 0) return;
    const boxes = selected.map((s) => shapeBox(s));
    drawSelection(ctx, boxes, this.handles(selected), this.camera.zoom);
  }

  private selectedShapes(preview: ReadonlyMap<string, Shape> | null = this.editor.preview()): Shape[] {
    const records = this.records();
    const out: Shape[] = [];
    for (const id of this.ui.selection) {
      const s = preview?.get(id) ?? records.get(id);
      if (s) out.push(s);
    }
    return out;
  }

  /** Resize handles (world): box corners for one shape, line ends for a line. */
  private handles(selected: Shape[]): [number, number][] {
    if (selected.length !== 1) return [];
    const s = selected[0]!;
    if (s.type === "line") return [[s.x + s.pts[0][0], s.y + s.pts[0][1]], [s.x + s.pts[1][0], s.y + s.pts[1][1]]];
    const b = shapeBox(s);
    return [[b.minX, b.minY], [b.maxX, b.minY], [b.maxX, b.maxY], [b.minX, b.maxY]];
  }

  /** The shape being drawn right now (not yet in the document). */
  private draftShape(): Shape | null {
    const m = this.mode;
    if (m.kind === "pen") return m.points.length ? this.penRecord(m.points, "draft") : null;
    if (m.kind === "create") return this.createdRecord(m, "draft");
    return null;
  }

  // ---------------------------------------------------------------------------
  // Building records

  private base(id: string) {
    return { id, z: this.scene.nextZ(), color: this.ui.color, stroke: this.ui.stroke };
  }

  private penRecord(points: number[][], id: string): Shape {
    let minX = Infinity;
    let minY = Infinity;
    for (const p of points) {
      if (p[0]! < minX) minX = p[0]!;
      if (p[1]! < minY) minY = p[1]!;
    }
    const x = round2(minX);
    const y = round2(minY);
    const pts = points.map((p) =>
      p.length === 3 ? ([round2(p[0]! - x), round2(p[1]! - y), Math.round(p[2]! * 100) / 100] as [number, number, number]) : ([round2(p[0]! - x), round2(p[1]! - y)] as [number, number]),
    );
    return { ...this.base(id), type: "pen", x, y, pts };
  }

  private createdRecord(m: Extract<Mode, { kind: "create" }>, id: string): Shape {
    const clicked = Math.hypot(m.sx1 - m.sx0, m.sy1 - m.sy0) < 4;
    if (m.tool === "line" || m.tool === "arrow") {
      const b: [number, number] = clicked ? [m.x0 + DEFAULT_LINE, m.y0] : [m.x1, m.y1];
      return { ...this.base(id), type: "line", ...linePointsFrom([m.x0, m.y0], b), arrow: m.tool === "arrow" };
    }
    const r = clicked ? { minX: m.x0, minY: m.y0, maxX: m.x0 + DEFAULT_BOX.w, maxY: m.y0 + DEFAULT_BOX.h } : normalizeRect(m.x0, m.y0, m.x1, m.y1);
    return {
      ...this.base(id),
      type: m.tool,
      x: round2(r.minX),
      y: round2(r.minY),
      w: round2(Math.max(1, r.maxX - r.minX)),
      h: round2(Math.max(1, r.maxY - r.minY)),
      fill: null,
    };
  }

  // ---------------------------------------------------------------------------
  // Pointer

  private point(e: MouseEvent): { sx: number; sy: number; wx: number; wy: number } {
    const rect = this.canvas.getBoundingClientRect();
    const sx = e.clientX - rect.left;
    const sy = e.clientY - rect.top;
    const [wx, wy] = screenToWorld(this.camera, sx, sy);
    return { sx, sy, wx, wy };
  }

  private onPointerDown(e: PointerEvent): void {
    const p = this.point(e);
    if (this.ui.editing) return; // the text box's blur commits it first
    if (e.button === 1 || (e.button === 0 && (this.spaceDown || this.ui.tool === "hand"))) {
      e.preventDefault();
      this.canvas.setPointerCapture(e.pointerId);
      this.mode = { kind: "pan", lastSx: p.sx, lastSy: p.sy };
      this.updateCursorStyle();
      return;
    }
    if (e.button !== 0) return;
    this.canvas.setPointerCapture(e.pointerId);
    const tool = this.ui.tool;
    switch (tool) {
      case "pen":
        this.mode = { kind: "pen", points: [this.penPoint(p.wx, p.wy, e)], pressure: e.pointerType === "pen" };
        break;
      case "rect":
      case "ellipse":
      case "line":
      case "arrow":
        this.mode = { kind: "create", tool, x0: p.wx, y0: p.wy, x1: p.wx, y1: p.wy, sx0: p.sx, sy0: p.sy, sx1: p.sx, sy1: p.sy };
        break;
      case "text":
      case "sticky":
        this.mode = { kind: "place", tool, wx: p.wx, wy: p.wy };
        break;
      case "select":
        this.pressSelect(p, e.shiftKey);
        break;
      case "hand":
        break;
    }
    this.invalidate();
  }

  private penPoint(wx: number, wy: number, e: PointerEvent): number[] {
    return e.pointerType === "pen" ? [wx, wy, e.pressure] : [wx, wy];
  }

  private pressSelect(p: { sx: number; sy: number; wx: number; wy: number }, shift: boolean): void {
    const selected = this.selectedShapes();
    // Handles of a single selected shape come first: they sit on top.
    const handles = this.handles(selected);
    const reach = (HANDLE_RADIUS + 3) / this.camera.zoom;
    const h = handles.findIndex(([x, y]) => Math.abs(x - p.wx) <= reach && Math.abs(y - p.wy) <= reach);
    if (h >= 0 && !shift) {
      const s = selected[0]!;
      this.editor.beginGesture([s.id]);
      this.mode = s.type === "line" ? { kind: "line-end", end: h as 0 | 1, original: s } : { kind: "resize", corner: h, original: s, from: shapeBox(s) };
      return;
    }
    const hit = this.scene.topmostAt(p.wx, p.wy, this.tolerance());
    const wasSelected = hit ? this.ui.selection.includes(hit.id) : false;
    if (hit && !wasSelected) this.setUi({ selection: shift ? [...this.ui.selection, hit.id] : [hit.id] });
    if (!hit && !shift) this.setUi({ selection: [] });
    this.mode = { kind: "press", sx: p.sx, sy: p.sy, wx: p.wx, wy: p.wy, hit: hit?.id ?? null, wasSelected, shift };
  }

  private onPointerMove(e: PointerEvent): void {
    const p = this.point(e);
    this.room.moveCursor(round2(p.wx), round2(p.wy));
    const m = this.mode;
    switch (m.kind) {
      case "idle":
        this.updateHover(p.wx, p.wy);
        return;
      case "pan":
        this.setCamera(panBy(this.camera, p.sx - m.lastSx, p.sy - m.lastSy));
        m.lastSx = p.sx;
        m.lastSy = p.sy;
        return;
      case "pen": {
        const events = typeof e.getCoalescedEvents === "function" ? e.getCoalescedEvents() : [];
        for (const ev of events.length ? events : [e]) {
          const q = this.point(ev);
          const last = m.points[m.points.length - 1]!;
          // Points closer than a screen pixel add bytes, not detail.
          if (Math.hypot(q.wx - last[0]!, q.wy - last[1]!) * this.camera.zoom < 1) continue;
          m.points.push(this.penPoint(q.wx, q.wy, ev));
        }
        if (m.points.length >= MAX_STROKE_POINTS) {
          // Long stroke: save what we have and carry on from its last point.
          const last = m.points[m.points.length - 1]!;
          this.commitPen(m.points);
          m.points = [last];
        }
        this.invalidate();
        return;
      }
      case "create":
        m.x1 = p.wx;
        m.y1 = p.wy;
        m.sx1 = p.sx;
        m.sy1 = p.sy;
        if (e.shiftKey) this.constrain(m);
        this.invalidate();
        return;
      case "press": {
        if (Math.hypot(p.sx - m.sx, p.sy - m.sy) < DRAG_THRESHOLD_PX) return;
        if (m.hit) {
          const originals = this.selectedShapes(null);
          this.editor.beginGesture(originals.map((s) => s.id));
          this.mode = { kind: "move", wx: m.wx, wy: m.wy, originals };
        } else {
          this.mode = { kind: "marquee", x0: m.wx, y0: m.wy, x1: p.wx, y1: p.wy, base: m.shift ? [...this.ui.selection] : [] };
        }
        this.onPointerMove(e);
        return;
      }
      case "move": {
        const dx = p.wx - m.wx;
        const dy = p.wy - m.wy;
        this.editor.updateGesture(m.originals.map((s) => moveOp(s, dx, dy)));
        return;
      }
      case "resize": {
        const f = m.from;
        // The corner opposite the dragged one stays put.
        const fixed: [number, number] = [[f.maxX, f.maxY], [f.minX, f.maxY], [f.minX, f.minY], [f.maxX, f.minY]][m.corner] as [number, number];
        let to = normalizeRect(fixed[0], fixed[1], p.wx, p.wy);
        if (m.original.type === "text" || e.shiftKey) to = keepAspect(f, to, fixed);
        this.editor.updateGesture([resizeOp(m.original, f, to)]);
        return;
      }
      case "line-end":
        this.editor.updateGesture([lineEndOp(m.original, m.end, p.wx, p.wy)]);
        return;
      case "marquee": {
        m.x1 = p.wx;
        m.y1 = p.wy;
        const inside = this.scene.within(normalizeRect(m.x0, m.y0, m.x1, m.y1)).map((s) => s.id);
        this.setUi({ selection: [...new Set([...m.base, ...inside])] });
        this.invalidate();
        return;
      }
      case "place":
        return;
    }
  }

  /** Shift while drawing: squares, circles, and lines at 45° steps. */
  private constrain(m: Extract<Mode, { kind: "create" }>): void {
    const dx = m.x1 - m.x0;
    const dy = m.y1 - m.y0;
    if (m.tool === "line" || m.tool === "arrow") {
      const angle = Math.round(Math.atan2(dy, dx) / (Math.PI / 4)) * (Math.PI / 4);
      const len = Math.hypot(dx, dy);
      m.x1 = m.x0 + len * Math.cos(angle);
      m.y1 = m.y0 + len * Math.sin(angle);
    } else {
      const side = Math.max(Math.abs(dx), Math.abs(dy));
      m.x1 = m.x0 + Math.sign(dx || 1) * side;
      m.y1 = m.y0 + Math.sign(dy || 1) * side;
    }
  }

  private onPointerUp(e: PointerEvent): void {
    const m = this.mode;
    this.mode = { kind: "idle" };
    if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    switch (m.kind) {
      case "pen":
        this.commitPen(m.points);
        break;
      case "create": {
        const rec = this.createdRecord(m, newRecordId());
        if (this.editor.apply([{ op: "put", rec }])) this.setUi({ selection: [rec.id], tool: "select" });
        break;
      }
      case "press":
        // A click (no drag) on a shape of a multi-selection selects just it;
        // shift-click on a selected shape deselects it.
        if (m.hit && m.wasSelected) {
          this.setUi({ selection: m.shift ? this.ui.selection.filter((id) => id !== m.hit) : [m.hit] });
        }
        break;
      case "move":
      case "resize":
      case "line-end":
        this.editor.endGesture();
        break;
      case "place":
        if (m.tool === "text") this.startNewText(m.wx, m.wy);
        else this.placeSticky(m.wx, m.wy);
        break;
      case "pan":
      case "marquee":
      case "idle":
        break;
    }
    this.refreshHistoryFlags();
    this.updateCursorStyle();
    this.invalidate();
  }

  private commitPen(points: number[][]): void {
    if (points.length === 0) return;
    this.editor.apply([{ op: "put", rec: this.penRecord(points, newRecordId()) }]);
  }

  private cancelInteraction(): void {
    if (this.editor.inGesture) this.editor.cancelGesture();
    this.mode = { kind: "idle" };
    this.updateCursorStyle();
    this.invalidate();
  }

  private onDoubleClick(e: MouseEvent): void {
    if (this.ui.tool !== "select" || this.ui.editing) return;
    const p = this.point(e);
    const hit = this.scene.topmostAt(p.wx, p.wy, this.tolerance());
    if (hit) this.editText(hit.id);
    else {
      // Double-click on empty board: write there, like most whiteboards.
      this.startNewText(p.wx, p.wy);
    }
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    // Line-based deltas (some mice) are ~16 px per line.
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? this.canvas.clientHeight : 1;
    const dx = e.deltaX * unit;
    const dy = e.deltaY * unit;
    if (e.ctrlKey || e.metaKey) {
      // Trackpad pinch arrives as ctrl+wheel with small deltas; a ctrl+mouse-wheel
      // notch is ~100: clamp so one notch zooms by a comfortable step.
      const p = this.point(e);
      const clamped = Math.max(-50, Math.min(50, dy));
      this.setCamera(zoomAt(this.camera, p.sx, p.sy, Math.exp(-clamped * 0.01)));
    } else if (e.shiftKey && dx === 0) {
      this.setCamera(panBy(this.camera, -dy, 0));
    } else {
      this.setCamera(panBy(this.camera, -dx, -dy));
    }
  }

  private updateHover(wx: number, wy: number): void {
    if (this.ui.tool !== "select" || this.spaceDown) return;
    const selected = this.selectedShapes();
    const reach = (HANDLE_RADIUS + 3) / this.camera.zoom;
    const h = this.handles(selected).findIndex(([x, y]) => Math.abs(x - wx) <= reach && Math.abs(y - wy) <= reach);
    let cursor = "default";
    if (h >= 0) cursor = selected[0]!.type === "line" ? "crosshair" : h % 2 === 0 ? "nwse-resize" : "nesw-resize";
    else if (this.scene.topmostAt(wx, wy, this.tolerance())) cursor = "move";
    this.canvas.style.cursor = cursor;
  }

  private updateCursorStyle(): void {
    const tool = this.ui.tool;
    let cursor = "crosshair";
    if (this.mode.kind === "pan") cursor = "grabbing";
    else if (this.spaceDown || tool === "hand") cursor = "grab";
    else if (tool === "select") cursor = "default";
    else if (tool === "text") cursor = "text";
    this.canvas.style.cursor = cursor;
  }

  // ---------------------------------------------------------------------------
  // Keyboard

  private onKeyDown(e: KeyboardEvent): void {
    const target = e.target as HTMLElement | null;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable)) return;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key;
    if (mod && key.toLowerCase() === "z") {
      e.preventDefault();
      if (e.shiftKey) this.redo();
      else this.undo();
      return;
    }
    if (mod && key.toLowerCase() === "y") {
      e.preventDefault();
      this.redo();
      return;
    }
    if (mod && key.toLowerCase() === "a") {
      e.preventDefault();
      this.setUi({ selection: this.scene.shapes.map((s) => s.id), tool: "select" });
      this.invalidate();
      return;
    }
    if (mod && (key === "=" || key === "+" || key === "-" || key === "0")) {
      e.preventDefault(); // the browser's page zoom would scale the toolbar, not the board
      if (key === "0") this.resetZoom();
      else this.zoomBy(key === "-" ? 1 / 1.25 : 1.25);
      return;
    }
    if (mod || e.altKey) return;
    if (key === " ") {
      e.preventDefault();
      if (!this.spaceDown) {
        this.spaceDown = true;
        this.updateCursorStyle();
      }
      return;
    }
    if (key === "Delete" || key === "Backspace") {
      e.preventDefault();
      this.deleteSelection();
      return;
    }
    if (key === "Escape") {
      if (this.mode.kind !== "idle") this.cancelInteraction();
      else if (this.ui.selection.length) this.setUi({ selection: [] });
      else this.setTool("select");
      this.invalidate();
      return;
    }
    if (key === "Enter" && this.ui.selection.length === 1) {
      e.preventDefault();
      this.editText(this.ui.selection[0]!);
      return;
    }
    if (key.startsWith("Arrow") && this.ui.selection.length) {
      e.preventDefault();
      const step = e.shiftKey ? 10 : 1;
      const dx = key === "ArrowLeft" ? -step : key === "ArrowRight" ? step : 0;
      const dy = key === "ArrowUp" ? -step : key === "ArrowDown" ? step : 0;
      this.editor.apply(this.selectedShapes(null).map((s) => moveOp(s, dx, dy)));
      this.refreshHistoryFlags();
      return;
    }
    if (key === "+" || key === "=") return this.zoomBy(1.25);
    if (key === "-") return this.zoomBy(1 / 1.25);
    if (key === "!" || (e.shiftKey && key === "1")) return this.zoomToFit();
    const tool = toolForKey(key);
    if (tool) this.setTool(tool);
  }

  private onKeyUp(e: KeyboardEvent): void {
    if (e.key === " ") {
      this.spaceDown = false;
      this.updateCursorStyle();
    }
  }

  // ---------------------------------------------------------------------------
  // Commands (toolbar, shortcuts)

  setTool(tool: Tool): void {
    if (this.editor.inGesture) this.editor.endGesture();
    this.mode = { kind: "idle" };
    this.setUi({ tool, selection: tool === "select" ? this.ui.selection : [] });
    this.updateCursorStyle();
    this.invalidate();
  }

  setColor(color: string): void {
    this.setUi({ color });
    const ops: Op[] = this.selectedShapes(null).map((s) =>
      s.type === "sticky" ? { op: "patch", id: s.id, set: { fill: stickyFillFor(color) } } : { op: "patch", id: s.id, set: { color } },
    );
    this.editor.apply(ops);
    this.refreshHistoryFlags();
  }

  setStroke(stroke: number): void {
    this.setUi({ stroke });
    const ops: Op[] = [];
    for (const s of this.selectedShapes(null)) {
      if (s.type === "text") ops.push({ op: "patch", id: s.id, set: { size: textSizeFor(stroke) } });
      else if (s.type !== "sticky") ops.push({ op: "patch", id: s.id, set: { stroke } });
    }
    this.editor.apply(ops);
    this.refreshHistoryFlags();
  }

  deleteSelection(): void {
    const ops: Op[] = this.selectedShapes(null).map((s) => ({ op: "del", id: s.id }));
    if (ops.length === 0) return;
    this.editor.apply(ops);
    this.setUi({ selection: [] });
    this.refreshHistoryFlags();
  }

  undo(): void {
    this.editor.undo();
    this.refreshHistoryFlags();
  }

  redo(): void {
    this.editor.redo();
    this.refreshHistoryFlags();
  }

  zoomBy(factor: number): void {
    this.setCamera(zoomAt(this.camera, this.canvas.clientWidth / 2, this.canvas.clientHeight / 2, factor));
  }

  resetZoom(): void {
    this.zoomBy(1 / this.camera.zoom);
  }

  zoomToFit(): void {
    const bounds = unionRects(this.scene.shapes.map((s) => shapeBounds(s)));
    this.setCamera(bounds ? fitCamera(bounds, this.canvas.clientWidth, this.canvas.clientHeight) : HOME_CAMERA);
  }

  setCamera(camera: Camera): void {
    this.camera = camera;
    if (camera.zoom !== this.ui.zoom) this.setUi({ zoom: camera.zoom });
    for (const fn of this.cameraListeners) fn();
    this.schedule(); // paintScene sees the camera moved: scroll or repaint
  }

  /** Camera changes (the text box follows the board), separate from the UI state
   * so panning does not re-render the whole toolbar 60 times a second. */
  readonly subscribeCamera = (fn: () => void): (() => void) => {
    this.cameraListeners.add(fn);
    return () => this.cameraListeners.delete(fn);
  };

  // ---------------------------------------------------------------------------
  // Text and sticky notes

  private startNewText(wx: number, wy: number): void {
    const size = textSizeFor(this.ui.stroke);
    this.setUi({
      editing: { id: null, kind: "text", x: round2(wx), y: round2(wy - size * 0.6), w: 0, h: size * 1.25, size, color: this.ui.color, fill: null, text: "" },
      tool: "select",
      selection: [],
    });
  }

  private placeSticky(wx: number, wy: number): void {
    const rec: Shape = {
      ...this.base(newRecordId()),
      type: "sticky",
      x: round2(wx - STICKY_SIZE / 2),
      y: round2(wy - STICKY_SIZE / 2),
      w: STICKY_SIZE,
      h: STICKY_SIZE,
      text: "",
      fill: stickyFillFor(this.ui.color),
      color: STICKY_TEXT_COLOR,
    };
    if (!this.editor.apply([{ op: "put", rec }])) return;
    this.setUi({ tool: "select", selection: [rec.id] });
    this.editText(rec.id);
  }

  /** Open the text box over a text or sticky note. */
  editText(id: string): void {
    const s = this.records().get(id);
    if (!s || (s.type !== "text" && s.type !== "sticky")) return;
    const box = shapeBox(s);
    this.setUi({
      editing: {
        id,
        kind: s.type,
        x: s.x,
        y: s.y,
        w: box.maxX - box.minX,
        h: box.maxY - box.minY,
        size: s.type === "text" ? s.size : 20,
        color: s.color,
        fill: s.type === "sticky" ? s.fill : null,
        text: s.text,
      },
      selection: [id],
    });
    this.invalidate();
  }

  /** The text box closed with `text`: create, change or (if emptied) delete the text. */
  commitText(text: string): void {
    const editing = this.ui.editing;
    if (!editing) return;
    this.setUi({ editing: null });
    const current = editing.id ? this.records().get(editing.id) : undefined;
    if (editing.id === null) {
      if (text.trim()) {
        const rec: Shape = { ...this.base(newRecordId()), type: "text", x: editing.x, y: editing.y, text, size: editing.size, color: editing.color };
        if (this.editor.apply([{ op: "put", rec }])) this.setUi({ selection: [rec.id] });
      }
    } else if (current && (current.type === "text" || current.type === "sticky")) {
      if (current.type === "text" && !text.trim()) {
        this.editor.apply([{ op: "del", id: current.id }]);
        this.setUi({ selection: [] });
      } else if (text !== current.text) {
        this.editor.apply([{ op: "patch", id: current.id, set: { text } }]);
      }
    }
    this.refreshHistoryFlags();
    this.invalidate();
  }

  // ---------------------------------------------------------------------------
  // Export

  /** The whole board as a PNG (white background, 2× up to 4096 px a side). */
  async exportPng(): Promise<Blob | null> {
    const shapes = this.scene.shapes;
    const bounds = unionRects(shapes.map((s) => shapeBounds(s)));
    if (!bounds) return null;
    const pad = 32;
    const w = bounds.maxX - bounds.minX + 2 * pad;
    const h = bounds.maxY - bounds.minY + 2 * pad;
    const scale = Math.min(2, 4096 / Math.max(w, h));
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.ceil(w * scale));
    canvas.height = Math.max(1, Math.ceil(h * scale));
    const ctx = canvas.getContext("2d");
    if (!ctx) return null;
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.setTransform(scale, 0, 0, scale, (pad - bounds.minX) * scale, (pad - bounds.minY) * scale);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    for (const s of shapes) drawShape(ctx, s, { pending: false, zoom: scale });
    return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  }
}

/** Keep the aspect ratio of `from` while resizing about the fixed corner. */
function keepAspect(from: Rect, to: Rect, fixed: [number, number]): Rect {
  const fw = from.maxX - from.minX || 1;
  const fh = from.maxY - from.minY || 1;
  const k = Math.max((to.maxX - to.minX) / fw, (to.maxY - to.minY) / fh);
  const w = fw * k;
  const h = fh * k;
  const left = to.minX < fixed[0];
  const up = to.minY < fixed[1];
  return normalizeRect(fixed[0], fixed[1], left ? fixed[0] - w : fixed[0] + w, up ? fixed[1] - h : fixed[1] + h);
}

function push(samples: number[], value: number): void {
  samples.push(value);
  if (samples.length > FRAME_SAMPLES) samples.shift();
}
