/**
 * The board: one canvas pair, its camera, the active tool and selection. It
 * reads the document from a room (RoomClient, or the offline backdrop) and
 * writes only through the Editor (undo, bounded drag commits). React renders
 * the chrome around it and subscribes to its small UI state (board-ui.ts).
 *
 * This file holds the state the parts share and wires them: the DOM events
 * (board-dom-events.ts), the commands of the toolbar, menu and shortcuts
 * (board-commands.ts), the live path — drafts, laser, following someone
 * (board-live.ts) — and the painter (painter.ts). Each part reaches the state
 * through a host interface of its own, so none of them imports this file. The
 * pure concepts live beside them, one per file (pointer-input.ts, keyboard.ts,
 * record-factory.ts, hit-test.ts, text-editing.ts, cursor-tracks.ts, …).
 */
import type { Shape } from "../../../party/whiteboard/records.ts";
import { newRecordId } from "edgeroom/client";
import type { Editor } from "../editor.ts";
import { CursorTrack } from "../interpolate.ts";
import { BoardClipboard } from "./board-clipboard.ts";
import { BoardCommands } from "./board-commands.ts";
import { BoardDomEvents } from "./board-dom-events.ts";
import { BoardImages } from "./board-images.ts";
import { preloadPicture } from "./images.ts";
import { BoardLive } from "./board-live.ts";
import { BoardStructure } from "./board-structure.ts";
import type { BoardRoom } from "./board-room.ts";
import { BoardUi, type BoardUiState } from "./board-ui.ts";
import { type Camera, HOME_CAMERA, visibleWorld, worldToScreen } from "./camera.ts";
import { type CursorPose, CursorTracks } from "./cursor-tracks.ts";
import { ErasePreview } from "./erase-preview.ts";
import { withFrameContents } from "./frames.ts";
import type { FrameStats, SyntheticCursor } from "./frame-stats.ts";
import { viewOf } from "./live.ts";
import { BoardPainter } from "./painter.ts";
import { type InputHost, PointerInput } from "./pointer-input.ts";
import { type RecordBase, stickyRecord } from "./record-factory.ts";
import { paintOrder, SceneIndex } from "./scene.ts";
import { fillColor, type SelectionStyle, selectionStyle } from "./style.ts";
import { commitTextOps, editingFor, newTextEditing, typingDraft } from "./text-editing.ts";
import { textSizeFor, type Tool } from "./tools.ts";

export { MAX_STROKE_POINTS } from "./pointer-input.ts";
export type { BoardRoom } from "./board-room.ts";
export type { BoardUiState } from "./board-ui.ts";
export type { FrameStats } from "./frame-stats.ts";
export type { TextEditing } from "./text-editing.ts";

export class BoardController {
  readonly scene = new SceneIndex();
  private camera: Camera = HOME_CAMERA;
  private docVersion = 0;
  private pendingCache: { version: number; ids: ReadonlySet<string> } = { version: -1, ids: new Set() };
  private readonly uiStore: BoardUi;
  private readonly disposers: (() => void)[] = [];
  private readonly cursors = new CursorTracks();
  /** Shapes an eraser stroke will delete, drawn faded until the release. */
  private readonly erasing = new ErasePreview();
  private readonly input: PointerInput;
  private readonly live: BoardLive;
  private readonly commands: BoardCommands;
  private readonly dom: BoardDomEvents;
  private readonly painter: BoardPainter;
  private readonly clipboard: BoardClipboard;
  /** Groups, locks, align and distribute (board-structure.ts): the app's menus call it. */
  readonly structure: BoardStructure;
  /** Pictures dropped, pasted or picked (board-images.ts); the app attaches the room's assets. */
  readonly images: BoardImages;
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
    const viewport = () => ({ width: canvas.clientWidth, height: canvas.clientHeight });
    const invalidate = () => this.invalidate();
    this.live = new BoardLive({
      room,
      pointerDraft: () => this.input.draft(),
      applyCamera: (c) => this.applyCamera(c),
      viewport,
      invalidate,
      invalidateCursors: () => this.invalidateCursors(),
    });
    const placing = {
      editor,
      nextZ: () => this.scene.nextZ(),
      view: () => visibleWorld(this.camera, canvas.clientWidth, canvas.clientHeight),
      select: (ids: string[]) => {
        this.setUi({ selection: ids, tool: "select" });
        this.invalidate();
      },
      recordBase: (id: string) => this.recordBase(id),
    };
    this.images = new BoardImages({ ...placing, newId: newRecordId });
    this.clipboard = new BoardClipboard({
      ...placing,
      records: () => room.records(),
      selected: () => this.selectedShapes(null),
      textSize: () => textSizeFor(this.ui.stroke),
      images: this.images,
    });
    this.structure = new BoardStructure({ editor, records: () => room.records(), shapes: () => this.scene.shapes, ui: () => this.ui, setUi: (p) => this.setUi(p), selectedShapes: () => this.selectedShapes(null), invalidate });
    const shared = { scene: this.scene, input: this.input, clipboard: this.clipboard, structure: this.structure, ui: () => this.ui, setUi: (p: Partial<BoardUiState>) => this.setUi(p), camera: () => this.camera, setCamera: (c: Camera) => this.setCamera(c), editText: (id: string) => this.editText(id), invalidate };
    this.commands = new BoardCommands({
      ...shared,
      editor,
      selectedShapes: () => this.selectedShapes(null),
      drawnShapes: () => this.drawnShapes(),
      viewport,
      cancelInteraction: () => this.dom.cancelInteraction(),
      updateCursorStyle: () => this.dom.updateCursorStyle(),
    });
    this.dom = new BoardDomEvents(canvas, {
      ...shared,
      selectedShapes: () => this.selectedShapes(),
      hideCursor: () => room.hideCursor(),
      moveCursor: (x, y) => room.moveCursor(x, y),
      sendDraft: () => this.live.sendDraft(),
      startNewText: (wx, wy) => this.startNewText(wx, wy),
      run: (command) => this.commands.run(command),
    });
    this.painter = new BoardPainter(canvas, cursorCanvas, {
      scene: this.scene,
      cursors: this.cursors,
      camera: () => this.camera,
      preview: () => this.erasing.get(this.input.erasing(), this.room.records(), this.docVersion) ?? this.live.remote.overPreview(this.editor.preview()),
      pendingIds: () => this.pendingIds(),
      editingId: () => this.ui.editing?.id ?? null,
      draft: () => this.drawnDraft(),
      remoteDrafts: () => this.live.remote.newDrafts().map((s) => this.scene.resolved(s)),
      marquee: () => this.input.marquee(),
      guides: () => this.input.guides,
      selectedShapes: (preview) => this.selectedShapes(preview),
      peers: () => this.room.peers(),
      lasers: (now) => this.live.laser.visible(now),
    });
    this.stats = this.painter.stats;
    this.disposers.push(
      room.on("change", () => this.onDocumentChange()),
      room.on("cursors", (c) => {
        this.cursors.update(c, performance.now());
        this.invalidateCursors();
      }),
      room.on("live", () => this.live.onLive()),
      room.on("remote-change", (by) => this.live.onRemoteChange(by)),
      editor.onPreview(() => this.invalidate()),
      // Undo and redo are offered exactly when the undo history has a step:
      // derived from it on every change, whoever changed it.
      editor.history.onChange(() => this.showHistoryFlags()),
    );
    this.showHistoryFlags();
    this.onDocumentChange();
  }

  dispose(): void {
    this.painter.dispose();
    this.live.dispose();
    this.dom.dispose();
    for (const d of this.disposers) d();
  }

  /** The board as the pointer state machine sees it. */
  private inputHost(): InputHost {
    return {
      scene: this.scene,
      editor: this.editor,
      tool: () => this.ui.tool,
      selection: () => this.ui.selection,
      select: (ids) => this.structure.select(ids),
      together: (a, b) => this.structure.together(a, b),
      isEditingText: () => this.ui.editing !== null,
      spaceHeld: () => this.dom.spaceHeld,
      camera: () => this.camera,
      view: () => visibleWorld(this.camera, this.canvas.clientWidth, this.canvas.clientHeight),
      setCamera: (c) => this.setCamera(c),
      selectedShapes: (preview) => this.selectedShapes(preview),
      recordBase: (id) => this.recordBase(id),
      created: (id) => this.setUi({ selection: [id], tool: "select" }),
      startNewText: (wx, wy) => this.startNewText(wx, wy),
      placeSticky: (wx, wy) => this.placeSticky(wx, wy),
      laserAt: (wx, wy) => this.live.laser.add(wx, wy, performance.now()),
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

  private showHistoryFlags(): void {
    const { canUndo, canRedo } = this.editor.history;
    if (canUndo !== this.ui.canUndo || canRedo !== this.ui.canRedo) this.uiStore.set({ canUndo, canRedo });
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

  /** Where this board looks: the world point at the centre of the screen, and the zoom. */
  view(): { x: number; y: number; zoom: number } {
    return viewOf(this.camera, this.canvas.clientWidth, this.canvas.clientHeight);
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
    const { color, stroke, opacity, dash, fill, font, fontSize, align, sketchy } = this.ui;
    const base: RecordBase = { id, z: this.scene.nextZ(), color, stroke, fill: fillColor(color, fill), textStyle: { font, fontSize, align, sketchy } };
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
    const kept = this.ui.selection.filter((id) => records.has(id) && !records.get(id)!.locked);
    if (kept.length !== this.ui.selection.length) this.setUi({ selection: kept });
    else if (kept.length) this.refreshSelectionStyle();
    const editing = this.ui.editing;
    if (editing?.id && !records.has(editing.id)) this.setUi({ editing: null });
    // Pictures in view start loading now (a peer's new image: its bytes are
    // on their way before the frame that will draw its placeholder).
    for (const s of this.scene.visible(visibleWorld(this.camera, this.canvas.clientWidth, this.canvas.clientHeight), null, this.inView)) if (s.type === "image") preloadPicture(s.asset);
    this.invalidate();
  }
  private readonly inView: Shape[] = [];

  // ---------------------------------------------------------------------------
  // Rendering and the camera

  /** Ask for a repaint of the board on the next animation frame (coalesced). */
  invalidate(): void {
    this.painter.invalidate();
  }

  /** Only the overlay changed (cursors moved): the shapes layer stays as it is. */
  invalidateCursors(): void {
    this.painter.schedule();
  }

  /** The person moved the view (pan, zoom, fit): this stops following. */
  setCamera(camera: Camera): void {
    if (this.live.following) this.follow(null);
    this.applyCamera(camera);
  }

  private applyCamera(camera: Camera): void {
    this.camera = camera;
    this.uiStore.cameraMoved(camera);
    this.painter.schedule(); // the painter sees the camera moved: scroll or repaint
    this.room.setLive("view", viewOf(camera, this.canvas.clientWidth, this.canvas.clientHeight));
  }

  /** Follow `conn`'s view (null: stop). Any pan or zoom of ours stops it. */
  follow(conn: string | null): void {
    this.live.follow(conn);
  }

  get following(): string | null {
    return this.live.following;
  }

  /** React subscribes to who is followed (useSyncExternalStore). */
  readonly subscribeFollowing = (fn: () => void): (() => void) => this.live.subscribeFollowing(fn);

  // ---------------------------------------------------------------------------
  // Commands (toolbar, menu, shortcuts: board-commands.ts)

  setTool = (tool: Tool): void => this.commands.setTool(tool);
  /** A style chosen in the panel: for new shapes, and given to the selection (one undo step). */
  setStyle = (change: SelectionStyle): void => this.commands.setStyle(change);
  setColor = (color: string): void => this.commands.setStyle({ color });
  setStroke = (stroke: number): void => this.commands.setStyle({ stroke });
  deleteSelection = (): void => this.commands.deleteSelection();
  copy = (): void => this.commands.copy();
  cut = (): void => this.commands.cut();
  paste = (): void => this.commands.paste();
  duplicate = (): void => this.commands.duplicate();
  bringToFront = (): void => this.commands.bringToFront();
  sendToBack = (): void => this.commands.sendToBack();
  closeMenu = (): void => this.commands.closeMenu();
  undo = (): void => this.commands.undo();
  redo = (): void => this.commands.redo();
  zoomBy = (factor: number): void => this.commands.zoomBy(factor);
  resetZoom = (): void => this.commands.resetZoom();
  zoomToFit = (): void => this.commands.zoomToFit();

  // ---------------------------------------------------------------------------
  // Text and sticky notes (the text box itself is React's TextEditor)

  private startNewText(wx: number, wy: number): void {
    this.setUi({ editing: newTextEditing(wx, wy, this.ui.fontSize ?? textSizeFor(this.ui.stroke), this.ui.color, this.ui), tool: "select", selection: [] });
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
    this.live.setTyped(typingDraft(editing, current, text, () => this.recordBase("draft")));
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
    this.live.setTyped(null);
    this.invalidate();
  }

  // ---------------------------------------------------------------------------
  // Export

  /** What an export takes (board-export.ts): the selection as drawn (a frame
   * with what it holds), or with nothing selected the whole board. */
  shapesToExport(scope: "selection-or-board" | "board"): Shape[] {
    const selected = scope === "board" ? [] : withFrameContents(this.selectedShapes(null), this.drawnShapes());
    return selected.length ? [...selected].sort(paintOrder) : this.drawnShapes();
  }
}
