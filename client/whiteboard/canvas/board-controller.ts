/**
 * The board: one canvas pair, its camera, the active tool and selection, and
 * the commands the toolbar and shortcuts run. It reads the document from a
 * room (RoomClient, or the offline backdrop) and writes only through the
 * Editor (undo, bounded drag commits). React renders the chrome around it and
 * subscribes to its small UI state; nothing here knows about sockets.
 *
 * The concepts live beside it, one per file: the pointer state machine
 * (pointer-input.ts), the keyboard shortcuts (keyboard.ts), the painter and its
 * scroll-blit (painter.ts), building records from gestures (record-factory.ts),
 * hit-testing handles (hit-test.ts), the text box (text-editing.ts), remote
 * cursors (cursor-tracks.ts), the clipboard (board-clipboard.ts), z-order
 * (z-order.ts), bound arrows (binding.ts), rotation (rotate.ts), two-finger
 * touch (touch-gestures.ts), the laser (laser.ts), others' drafts (live.ts),
 * the eraser's preview (erase-preview.ts), export (export-png.ts,
 * export-svg.ts, board-export.ts) and the debug/bench hooks (frame-stats.ts).
 * This file wires DOM events to them and holds the state they share (camera,
 * selection, the UI state in board-ui.ts). It is ~750 lines because that
 * state has one owner: each command that changes it (toolbar, shortcut, text
 * box) is a few lines here over the pure parts in those files.
 */
import { cameraFor, draftForWire, RemoteLive, viewOf } from "./live.ts";
import type { Op } from "../../../party/whiteboard/schema.ts";
import type { Shape } from "../../../party/whiteboard/records.ts";
import { newRecordId } from "../../engine/ids.ts";
import type { Peer, RemoteCursor } from "../../engine/room-client.ts";
import type { Editor } from "../editor.ts";
import { CursorTrack } from "../interpolate.ts";
import { type Camera, fitCamera, HOME_CAMERA, revealCamera, screenToWorld, visibleWorld, worldToScreen, zoomAt } from "./camera.ts";
import { ErasePreview } from "./erase-preview.ts";
import { type CursorPose, CursorTracks } from "./cursor-tracks.ts";
import type { FrameStats, SyntheticCursor } from "./frame-stats.ts";
import { moveOps } from "./binding.ts";
import { shapeBounds, unionRects } from "./geometry.ts";
import { handleAt, hitTolerance, hoverCursor, rotateHandleOf, selectionHandles, toolCursor } from "./hit-test.ts";
import { keyCommand, type KeyCommand, nextInCycle } from "./keyboard.ts";
import { BoardPainter } from "./painter.ts";
import { type InputHost, PointerInput, type PointerSample } from "./pointer-input.ts";
import { wheelCamera } from "./camera-gestures.ts";
import { TouchGestures } from "./touch-gestures.ts";
import { LaserPointer } from "./laser.ts";
import { type RecordBase, stickyRecord } from "./record-factory.ts";
import { BoardUi, type BoardUiState } from "./board-ui.ts";
import { BoardClipboard } from "./board-clipboard.ts";
import { CLIPBOARD_MIME } from "./clipboard.ts";
import { toBackOps, toFrontOps } from "./z-order.ts";
import { paintOrder, SceneIndex } from "./scene.ts";
import { commitTextOps, editingFor, newTextEditing, type TextEditing, typingDraft } from "./text-editing.ts";
import { textSizeFor, type Tool } from "./tools.ts";
import { fillColor, type SelectionStyle, selectionStyle, styleOps } from "./style.ts";

export { MAX_STROKE_POINTS } from "./pointer-input.ts";
export type { BoardUiState } from "./board-ui.ts";
export type { FrameStats } from "./frame-stats.ts";
export type { TextEditing } from "./text-editing.ts";

/** What the board needs from the room: RoomClient satisfies it. */
export interface BoardRoom {
  records(): ReadonlyMap<string, Shape>;
  pendingIds(): ReadonlySet<string>;
  peers(): ReadonlyMap<string, Peer>;
  cursors(): ReadonlyMap<string, RemoteCursor>;
  moveCursor(x: number, y: number): void;
  hideCursor(): void;
  /** This person's live state (canvas/live.ts: the draft being drawn, the view). */
  setLive(key: "draft" | "view" | "laser", data: unknown): void;
  live(): ReadonlyMap<string, ReadonlyMap<string, unknown>>;
  on(event: "change", fn: () => void): () => void;
  on(event: "cursors", fn: (c: ReadonlyMap<string, RemoteCursor>) => void): () => void;
  on(event: "live", fn: () => void): () => void;
  /** A change someone else made arrived (`by`: their connection). */
  on(event: "remote-change", fn: (by: string) => void): () => void;
}


export class BoardController {
  readonly scene = new SceneIndex();
  private camera: Camera = HOME_CAMERA;
  private docVersion = 0;
  private pendingCache: { version: number; ids: ReadonlySet<string> } = { version: -1, ids: new Set() };
  private readonly uiStore: BoardUi;
  private spaceDown = false;
  private readonly disposers: (() => void)[] = [];
  private readonly cursors = new CursorTracks();
  private readonly remote = new RemoteLive();
  /** The draft last sent as live state (the same object: nothing new to send). */
  private sentDraft: Shape | null = null;
  /** The text box's record as typed so far (sent as the draft while the box is open). */
  private typedDraft: Shape | null = null;
  /** Whose view this board follows (their pan and zoom drive ours), if anyone's. */
  private followingConn: string | null = null;
  private followFns = new Set<() => void>();
  private readonly input: PointerInput;
  private readonly touch = new TouchGestures();
  /** Shapes an eraser stroke will delete, drawn faded until the release. */
  private readonly erasing = new ErasePreview();
  /** The canvas has been pressed (clicked, touched) since it last had keyboard focus. */
  private pressedCanvas = false;
  private readonly laser = new LaserPointer(
    (trail) => this.room.setLive("laser", trail),
    () => this.invalidateCursors(),
  );
  private readonly painter: BoardPainter;
  private readonly clipboard: BoardClipboard;
  /** Paint timings, for the debug overlay and the render benchmark. */
  readonly stats: FrameStats;
  /** Extra cursor tracks (the render benchmark's simulated people). */
  readonly syntheticCursors: Map<string, SyntheticCursor> = this.cursors.synthetic;
  /** A track for syntheticCursors, from this page's own bundle. */
  newCursorTrack(): CursorTrack {
    return new CursorTrack();
  }

  constructor(
    private readonly canvas: HTMLCanvasElement,
    /** A transparent canvas stacked over `canvas`, for cursors, selection and drafts. */
    cursorCanvas: HTMLCanvasElement,
    private readonly room: BoardRoom,
    readonly editor: Editor,
    initial: { color: string; stroke: number },
  ) {
    this.uiStore = new BoardUi(initial);
    this.subscribeUi = this.uiStore.subscribe;
    this.getUi = this.uiStore.get;
    this.subscribeCamera = this.uiStore.subscribeCamera;
    this.input = new PointerInput(this.inputHost());
    this.clipboard = new BoardClipboard({
      records: () => this.room.records(),
      selected: () => this.selectedShapes(null),
      editor,
      nextZ: () => this.scene.nextZ(),
      view: () => visibleWorld(this.camera, this.canvas.clientWidth, this.canvas.clientHeight),
      select: (ids) => {
        this.setUi({ selection: ids, tool: "select" });
        this.refreshHistoryFlags();
        this.invalidate();
      },
      recordBase: (id) => this.recordBase(id),
      textSize: () => textSizeFor(this.ui.stroke),
    });
    this.painter = new BoardPainter(canvas, cursorCanvas, {
      scene: this.scene,
      cursors: this.cursors,
      camera: () => this.camera,
      preview: () => this.erasing.get(this.input.erasing(), this.room.records(), this.docVersion) ?? this.remote.overPreview(this.editor.preview()),
      pendingIds: () => this.pendingIds(),
      editingId: () => this.ui.editing?.id ?? null,
      draft: () => this.drawnDraft(),
      remoteDrafts: () => this.remote.newDrafts().map((s) => this.scene.resolved(s)),
      marquee: () => this.input.marquee(),
      selectedShapes: (preview) => this.selectedShapes(preview),
      peers: () => this.room.peers(),
      lasers: (now) => this.laser.visible(now),
    });
    this.stats = this.painter.stats;
    this.disposers.push(
      room.on("change", () => this.onDocumentChange()),
      room.on("cursors", (c) => {
        this.cursors.update(c, performance.now());
        this.invalidateCursors();
      }),
      room.on("live", () => this.onLive()),
      room.on("remote-change", (by) => {
        if (this.remote.committedBy(by)) this.refreshRemoteEdits();
      }),
      editor.onPreview(() => this.invalidate()),
    );
    this.listen(canvas, "pointerdown", (e) => this.onPointerDown(e as PointerEvent));
    this.listen(canvas, "pointermove", (e) => this.onPointerMove(e as PointerEvent));
    this.listen(canvas, "pointerup", (e) => this.onPointerUp(e as PointerEvent));
    this.listen(canvas, "pointercancel", (e) => {
      this.touch.up((e as PointerEvent).pointerId);
      this.cancelInteraction();
    });
    this.listen(canvas, "pointerleave", () => room.hideCursor());
    // The focus ring shows when the canvas was reached by keyboard, never
    // after a click (a shortcut pressed after a click would show it otherwise).
    this.listen(canvas, "focus", () => canvas.toggleAttribute("data-focus-ring", !this.pressedCanvas));
    this.listen(canvas, "blur", () => canvas.removeAttribute("data-focus-ring"));
    this.listen(canvas, "dblclick", (e) => this.onDoubleClick(e as MouseEvent));
    this.listen(canvas, "wheel", (e) => this.onWheel(e as WheelEvent), { passive: false });
    this.listen(canvas, "contextmenu", (e) => this.onContextMenu(e as MouseEvent));
    this.listen(document, "copy", (e) => this.onClipboardEvent(e as ClipboardEvent));
    this.listen(document, "cut", (e) => this.onClipboardEvent(e as ClipboardEvent));
    this.listen(document, "paste", (e) => this.onClipboardEvent(e as ClipboardEvent));
    this.listen(window, "keydown", (e) => {
      if ((e as KeyboardEvent).key === "Tab") this.pressedCanvas = false; // focus moving by keyboard
      this.onKeyDown(e as KeyboardEvent);
    });
    this.listen(window, "keyup", (e) => this.onKeyUp(e as KeyboardEvent));
    this.listen(window, "resize", () => this.invalidate());
    this.listen(window, "blur", () => {
      this.spaceDown = false;
      this.updateCursorStyle();
    });
    this.onDocumentChange();
  }

  dispose(): void {
    this.painter.dispose();
    this.laser.dispose();
    for (const d of this.disposers) d();
  }

  private listen(target: EventTarget, type: string, fn: (e: Event) => void, opts?: AddEventListenerOptions): void {
    target.addEventListener(type, fn, opts);
    this.disposers.push(() => target.removeEventListener(type, fn, opts));
  }

  /** The board as the pointer state machine sees it. */
  private inputHost(): InputHost {
    return {
      scene: this.scene,
      editor: this.editor,
      tool: () => this.ui.tool,
      selection: () => this.ui.selection,
      select: (ids) => this.setUi({ selection: ids }),
      isEditingText: () => this.ui.editing !== null,
      spaceHeld: () => this.spaceDown,
      camera: () => this.camera,
      setCamera: (c) => this.setCamera(c),
      selectedShapes: (preview) => this.selectedShapes(preview),
      recordBase: (id) => this.recordBase(id),
      created: (id) => this.setUi({ selection: [id], tool: "select" }),
      startNewText: (wx, wy) => this.startNewText(wx, wy),
      placeSticky: (wx, wy) => this.placeSticky(wx, wy),
      laserAt: (wx, wy) => this.laser.add(wx, wy, performance.now()),
      moveCursor: (x, y) => this.room.moveCursor(x, y),
      invalidate: () => this.invalidate(),
    };
  }

  // ---------------------------------------------------------------------------
  // UI state for React (useSyncExternalStore)

  readonly subscribeUi: BoardUi["subscribe"];
  readonly getUi: BoardUi["get"];
  /** Camera changes (the text box follows the board), apart from the UI state. */
  readonly subscribeCamera: BoardUi["subscribeCamera"];

  private get ui(): BoardUiState {
    return this.uiStore.current;
  }

  private setUi(patch: Partial<BoardUiState>): void {
    this.uiStore.set(patch);
    if (patch.selection) this.refreshSelectionStyle();
  }

  /** The style panel shows what the selection shares (recomputed when it or the document changes). */
  private refreshSelectionStyle(): void {
    const next = this.ui.selection.length ? selectionStyle(this.selectedShapes(null)) : null;
    const now = this.ui.selectionStyle;
    const same = next === now || (next && now && JSON.stringify(next) === JSON.stringify(now));
    if (!same) this.uiStore.set({ selectionStyle: next });
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
  cursorPositions(): ReadonlyMap<string, CursorPose> {
    return this.cursors.drawn;
  }

  private pendingIds(): ReadonlySet<string> {
    if (this.pendingCache.version !== this.docVersion) this.pendingCache = { version: this.docVersion, ids: this.room.pendingIds() };
    return this.pendingCache.ids;
  }

  private selectedShapes(preview: ReadonlyMap<string, Shape> | null = this.editor.preview()): Shape[] {
    const records = this.room.records();
    const out: Shape[] = [];
    for (const id of this.ui.selection) {
      const s = preview?.get(id) ?? records.get(id);
      if (s) out.push(this.scene.resolved(s, preview));
    }
    return out;
  }

  private recordBase(id: string): RecordBase {
    const { color, stroke, opacity, dash, fill } = this.ui;
    const base: RecordBase = { id, z: this.scene.nextZ(), color, stroke, fill: fillColor(color, fill) };
    if (opacity !== 1) base.opacity = opacity;
    if (dash !== "solid") base.dash = dash;
    return base;
  }

  /** The shape being drawn, as drawn (an arrow's bound ends resolved). */
  private drawnDraft(): Shape | null {
    const d = this.input.draft();
    return d ? this.scene.resolved(d, this.editor.preview()) : null;
  }

  /** Every shape as drawn, in paint order (bound arrows resolved). */
  private drawnShapes(): Shape[] {
    return this.scene.shapes.map((s) => this.scene.resolved(s));
  }

  private onDocumentChange(): void {
    this.docVersion++;
    const records = this.room.records();
    this.scene.update(records, this.docVersion);
    // A selected shape may have been deleted by someone else or rolled back.
    const kept = this.ui.selection.filter((id) => records.has(id));
    if (kept.length !== this.ui.selection.length) this.setUi({ selection: kept });
    else if (kept.length) this.refreshSelectionStyle();
    const editing = this.ui.editing;
    if (editing?.id && !records.has(editing.id)) this.setUi({ editing: null });
    this.refreshHistoryFlags();
    this.invalidate();
  }

  // ---------------------------------------------------------------------------
  // Rendering

  /** Ask for a repaint of the board on the next animation frame (coalesced). */
  invalidate(): void {
    this.painter.invalidate();
  }

  /** Only the overlay changed (cursors moved): the shapes layer stays as it is. */
  invalidateCursors(): void {
    this.painter.schedule();
  }

  // ---------------------------------------------------------------------------
  // Pointer and wheel: DOM events become samples for the state machine

  private sample(e: PointerEvent | MouseEvent): PointerSample {
    const rect = this.canvas.getBoundingClientRect();
    const sx = e.clientX - rect.left;
    const sy = e.clientY - rect.top;
    const [wx, wy] = screenToWorld(this.camera, sx, sy);
    const pe = e as Partial<PointerEvent>;
    return { sx, sy, wx, wy, button: e.button, shiftKey: e.shiftKey, pointerType: pe.pointerType ?? "mouse", pressure: pe.pressure ?? 0.5 };
  }

  private onPointerDown(e: PointerEvent): void {
    this.pressedCanvas = true;
    this.canvas.removeAttribute("data-focus-ring");
    if (this.ui.menu) this.setUi({ menu: null });
    const p = this.sample(e);
    if (e.pointerType === "touch" && this.touchDown(e.pointerId, p)) return;
    if (!this.input.down(p)) return;
    if (this.input.mode.kind === "pan") e.preventDefault(); // a middle-button press would start autoscroll
    this.canvas.setPointerCapture(e.pointerId);
    this.updateCursorStyle();
  }

  private onPointerMove(e: PointerEvent): void {
    const p = this.sample(e);
    if (e.pointerType === "touch") {
      const cam = this.touch.move(e.pointerId, p.sx, p.sy, this.camera);
      if (cam) this.setCamera(cam);
      if (this.touch.active) return;
    }
    const coalesced = this.input.mode.kind === "pen" && typeof e.getCoalescedEvents === "function" ? e.getCoalescedEvents() : [];
    this.input.move(p, coalesced.length ? coalesced.map((ev) => this.sample(ev)) : [p]);
    if (this.input.mode.kind === "idle") this.updateHover(p.wx, p.wy);
    this.sendDraft();
  }

  /** Others see what is being drawn or typed as it grows (canvas/live.ts). */
  private sendDraft(): void {
    const draft = this.input.draft() ?? this.typedDraft;
    if (draft === this.sentDraft) return;
    this.sentDraft = draft;
    this.room.setLive("draft", draft ? draftForWire(draft) : null);
  }

  private onLive(): void {
    this.remote.update(this.room.live());
    this.laser.update(this.room.live(), performance.now());
    const view = this.followingConn ? this.remote.viewOf(this.followingConn) : undefined;
    if (view) this.applyCamera(cameraFor(view, this.canvas.clientWidth, this.canvas.clientHeight));
    this.refreshRemoteEdits();
  }

  /** Others' drafts of existing records are drawn on the board layer (repainted), new shapes on the overlay. */
  private refreshRemoteEdits(): void {
    if (this.remote.sortDrafts(this.room.records())) this.invalidate();
    else this.invalidateCursors();
  }

  /** Follow `conn`'s view (null: stop). Any pan or zoom of ours stops it. */
  follow(conn: string | null): void {
    this.followingConn = conn;
    const view = conn ? this.remote.viewOf(conn) : undefined;
    if (view) this.applyCamera(cameraFor(view, this.canvas.clientWidth, this.canvas.clientHeight));
    for (const fn of this.followFns) fn();
  }

  get following(): string | null {
    return this.followingConn;
  }

  /** Where this board looks: the world point at the centre of the screen, and the zoom. */
  view(): { x: number; y: number; zoom: number } {
    return viewOf(this.camera, this.canvas.clientWidth, this.canvas.clientHeight);
  }

  /** React subscribes to who is followed (useSyncExternalStore). */
  readonly subscribeFollowing = (fn: () => void): (() => void) => {
    this.followFns.add(fn);
    return () => this.followFns.delete(fn);
  };

  /** A finger went down; true when it belongs to a pinch (touch-gestures.ts):
   * a second finger drops what the first began, uncommitted. */
  private touchDown(id: number, p: PointerSample): boolean {
    if (this.touch.down(id, p.sx, p.sy)) this.cancelInteraction();
    if (!this.touch.active) return false;
    this.canvas.setPointerCapture(id);
    return true;
  }

  private onPointerUp(e: PointerEvent): void {
    if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    if (e.pointerType === "touch" && this.touch.up(e.pointerId)) return;
    this.input.up();
    this.sendDraft();
    this.refreshHistoryFlags();
    this.updateCursorStyle();
    this.invalidate();
  }

  private cancelInteraction(): void {
    this.input.cancel();
    this.sendDraft();
    this.updateCursorStyle();
    this.invalidate();
  }

  private onDoubleClick(e: MouseEvent): void {
    if (this.ui.tool !== "select" || this.ui.editing) return;
    const p = this.sample(e);
    const hit = this.scene.topmostAt(p.wx, p.wy, hitTolerance(this.camera.zoom));
    if (hit) this.editText(hit.id);
    else this.startNewText(p.wx, p.wy); // double-click on empty board: write there, like most whiteboards
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const p = this.sample(e);
    const { deltaX, deltaY, deltaMode, ctrlKey, metaKey, shiftKey } = e;
    this.setCamera(wheelCamera(this.camera, { sx: p.sx, sy: p.sy, deltaX, deltaY, deltaMode, ctrlKey, metaKey, shiftKey }, this.canvas.clientHeight));
  }

  /** Right click (a long press on touch): select what is under it, open the menu there. */
  private onContextMenu(e: MouseEvent): void {
    e.preventDefault();
    if (this.ui.editing) return;
    const p = this.sample(e);
    const hit = this.scene.topmostAt(p.wx, p.wy, hitTolerance(this.camera.zoom));
    if (hit && !this.ui.selection.includes(hit.id)) this.setUi({ selection: [hit.id], tool: "select" });
    else if (!hit && this.ui.tool !== "select") this.setUi({ tool: "select" });
    this.setUi({ menu: { x: p.sx, y: p.sy } });
    this.invalidate();
  }

  /** Copy, cut and paste from the browser, unless a text field is the target. */
  private onClipboardEvent(e: ClipboardEvent): void {
    const target = e.target as HTMLElement | null;
    if (this.ui.editing || (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable))) return;
    if (e.type === "paste") {
      e.preventDefault();
      const data = e.clipboardData;
      this.clipboard.pasteData(data?.getData(CLIPBOARD_MIME) ?? "", data?.getData("text/plain") ?? "");
      return;
    }
    const done = e.type === "cut" ? this.clipboard.cut(e.clipboardData) : this.clipboard.copy(e.clipboardData);
    if (done) e.preventDefault(); // our data, not the page's text selection
    this.refreshHistoryFlags();
  }

  private updateHover(wx: number, wy: number): void {
    if (this.ui.tool !== "select" || this.spaceDown) return;
    const selected = this.selectedShapes();
    const turn = rotateHandleOf(selected, this.camera.zoom);
    if (turn && handleAt([turn], wx, wy, this.camera.zoom) === 0) {
      this.canvas.style.cursor = "grab"; // the rotate handle
      return;
    }
    const h = handleAt(selectionHandles(selected), wx, wy, this.camera.zoom);
    const over = h < 0 && this.scene.topmostAt(wx, wy, hitTolerance(this.camera.zoom)) !== null;
    this.canvas.style.cursor = hoverCursor(selected, h, over);
  }

  private updateCursorStyle(): void {
    this.canvas.style.cursor = toolCursor(this.ui.tool, this.spaceDown, this.input.mode.kind === "pan");
  }

  // ---------------------------------------------------------------------------
  // Keyboard

  private onKeyDown(e: KeyboardEvent): void {
    const target = e.target as HTMLElement | null;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable)) return;
    const found = keyCommand(e, { selectionSize: this.ui.selection.length, canvasFocused: document.activeElement === this.canvas && this.scene.shapes.length > 0 });
    if (!found) return;
    if (found.preventDefault) e.preventDefault();
    this.run(found.command);
  }

  private run(command: KeyCommand): void {
    switch (command.kind) {
      case "undo":
        return this.undo();
      case "redo":
        return this.redo();
      case "select-all":
        this.setUi({ selection: this.scene.shapes.map((s) => s.id), tool: "select" });
        return this.invalidate();
      case "zoom":
        return this.zoomBy(command.factor);
      case "reset-zoom":
        return this.resetZoom();
      case "zoom-to-fit":
        return this.zoomToFit();
      case "space-down":
        if (!this.spaceDown) {
          this.spaceDown = true;
          this.updateCursorStyle();
        }
        return;
      case "delete":
        return this.deleteSelection();
      case "escape":
        if (this.ui.menu) this.setUi({ menu: null });
        else if (this.input.mode.kind !== "idle") this.cancelInteraction();
        else if (this.ui.selection.length) this.setUi({ selection: [] });
        else this.setTool("select");
        return this.invalidate();
      case "edit-text":
        return this.editText(this.ui.selection[0]!);
      case "nudge":
        this.editor.apply(moveOps(this.selectedShapes(null), command.dx, command.dy));
        return this.refreshHistoryFlags();
      case "tool":
        return this.setTool(command.tool);
      case "duplicate":
        return this.duplicate();
      case "to-front":
        return this.bringToFront();
      case "to-back":
        return this.sendToBack();
      case "cycle":
        return this.cycleSelection(command.dir);
      case "menu": {
        const s = this.selectedShapes(null)[0];
        const at = s ? worldToScreen(this.camera, s.x, s.y) : [this.canvas.clientWidth / 2, this.canvas.clientHeight / 2];
        return this.setUi({ menu: { x: at[0]!, y: at[1]! } });
      }
    }
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
    this.input.mode = { kind: "idle" };
    this.setUi({ tool, selection: tool === "select" ? this.ui.selection : [] });
    this.updateCursorStyle();
    this.invalidate();
  }

  /** A style chosen in the panel: for new shapes, and given to the selection (one undo step). */
  setStyle(change: SelectionStyle): void {
    this.setUi(change);
    this.editor.apply(styleOps(this.selectedShapes(null), change));
    this.refreshHistoryFlags();
  }

  setColor(color: string): void {
    this.setStyle({ color });
  }

  setStroke(stroke: number): void {
    this.setStyle({ stroke });
  }

  deleteSelection(): void {
    const ops: Op[] = this.selectedShapes(null).map((s) => ({ op: "del", id: s.id }));
    this.closeMenu();
    if (ops.length === 0) return;
    this.editor.apply(ops);
    this.setUi({ selection: [] });
    this.refreshHistoryFlags();
  }

  /** The menu's Copy and Cut go through the browser's own command, so the
   * system clipboard gets the same data as Ctrl+C; where the browser refuses,
   * the board keeps the copy for its own Paste. */
  copy(): void {
    this.closeMenu();
    if (!runClipboardCommand("copy")) this.clipboard.copy(null);
  }

  cut(): void {
    this.closeMenu();
    if (!runClipboardCommand("cut")) this.clipboard.cut(null);
    this.refreshHistoryFlags();
  }

  paste(): void {
    this.closeMenu();
    void this.clipboard.pasteFromMenu().then(() => this.refreshHistoryFlags());
  }

  duplicate(): void {
    this.closeMenu();
    this.clipboard.duplicate();
    this.refreshHistoryFlags();
  }

  bringToFront(): void {
    this.closeMenu();
    this.editor.apply(toFrontOps(this.scene.shapes, new Set(this.ui.selection)));
    this.refreshHistoryFlags();
  }

  sendToBack(): void {
    this.closeMenu();
    this.editor.apply(toBackOps(this.scene.shapes, new Set(this.ui.selection)));
    this.refreshHistoryFlags();
  }

  /** Tab on the focused canvas: the next shape in paint order (after the
   * selection's last), brought into view if it is off screen. */
  private cycleSelection(dir: 1 | -1): void {
    const next = nextInCycle(this.scene.shapes, this.ui.selection, dir);
    if (!next) return;
    this.setUi({ selection: [next.id], tool: "select" });
    const cam = revealCamera(this.camera, shapeBounds(this.scene.resolved(next)), this.canvas.clientWidth, this.canvas.clientHeight);
    if (cam !== this.camera) this.setCamera(cam);
    this.invalidate();
  }

  closeMenu(): void {
    if (this.ui.menu) this.setUi({ menu: null });
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
    const bounds = unionRects(this.drawnShapes().map((s) => shapeBounds(s)));
    this.setCamera(bounds ? fitCamera(bounds, this.canvas.clientWidth, this.canvas.clientHeight) : HOME_CAMERA);
  }

  /** The person moved the view (pan, zoom, fit): this stops following. */
  setCamera(camera: Camera): void {
    if (this.followingConn) this.follow(null);
    this.applyCamera(camera);
  }

  private applyCamera(camera: Camera): void {
    this.camera = camera;
    this.uiStore.cameraMoved(camera);
    this.painter.schedule(); // the painter sees the camera moved: scroll or repaint
    this.room.setLive("view", viewOf(camera, this.canvas.clientWidth, this.canvas.clientHeight));
  }

  // ---------------------------------------------------------------------------
  // Text and sticky notes (the text box itself is React's TextEditor)

  private startNewText(wx: number, wy: number): void {
    this.setUi({ editing: newTextEditing(wx, wy, textSizeFor(this.ui.stroke), this.ui.color), tool: "select", selection: [] });
  }

  private placeSticky(wx: number, wy: number): void {
    const rec = stickyRecord(wx, wy, this.recordBase(newRecordId()));
    if (!this.editor.apply([{ op: "put", rec }])) return;
    this.setUi({ tool: "select", selection: [rec.id] });
    this.editText(rec.id);
  }

  /** Open the text box over a text or sticky note. */
  editText(id: string): void {
    const s = this.room.records().get(id);
    const editing = s ? editingFor(s) : null;
    if (!editing) return;
    this.setUi({ editing, selection: [id] });
    this.invalidate();
  }

  /** The text box's text changed: others see it as typed. */
  typing(text: string): void {
    const editing = this.ui.editing;
    if (!editing) return;
    const current = editing.id ? this.room.records().get(editing.id) : undefined;
    this.typedDraft = typingDraft(editing, current, text, () => this.recordBase("draft"));
    this.sendDraft();
  }

  /** The text box closed with `text`: create, change or (if emptied) delete the text. */
  commitText(text: string): void {
    const editing = this.ui.editing;
    if (!editing) return;
    this.setUi({ editing: null });
    const current = editing.id ? this.room.records().get(editing.id) : undefined;
    const commit = commitTextOps(editing, current, text, () => this.recordBase(newRecordId()));
    if (commit.ops.length && this.editor.apply(commit.ops) && commit.select) this.setUi({ selection: commit.select });
    // The change goes out first, then the cleared draft: nothing flickers on the others' screens.
    this.typedDraft = null;
    this.sendDraft();
    this.refreshHistoryFlags();
    this.invalidate();
  }

  // ---------------------------------------------------------------------------
  // Export

  /** What an export takes (board-export.ts): the selection as drawn, or with nothing selected the whole board. */
  shapesToExport(scope: "selection-or-board" | "board"): Shape[] {
    const selected = scope === "board" ? [] : this.selectedShapes(null);
    return selected.length ? [...selected].sort(paintOrder) : this.drawnShapes();
  }
}

/** The browser's copy or cut command, which fires the clipboard event the board listens to. */
function runClipboardCommand(command: "copy" | "cut"): boolean {
  try {
    return document.execCommand(command);
  } catch {
    return false;
  }
}
