/**
 * What the toolbar, the context menu and the keyboard shortcuts do to the
 * board: tools and styles, delete, the clipboard, z-order, undo and redo,
 * selection cycling and zoom. Each is a few lines over the pure parts
 * (style.ts, z-order.ts, board-clipboard.ts, keyboard.ts, camera.ts); the
 * state they change (selection, camera, UI state) is the controller's, reached
 * through CommandHost.
 */
import type { Op } from "../../../party/whiteboard/schema.ts";
import type { Shape } from "../../../party/whiteboard/records.ts";
import type { Editor } from "../editor.ts";
import type { BoardClipboard } from "./board-clipboard.ts";
import type { BoardStructure } from "./board-structure.ts";
import type { BoardUiState } from "./board-ui.ts";
import { moveOps } from "./binding.ts";
import { type Camera, fitCamera, HOME_CAMERA, revealCamera, worldToScreen, zoomAt } from "./camera.ts";
import { withFrameContents } from "./frames.ts";
import { shapeBounds, unionRects } from "./geometry.ts";
import { type KeyCommand, nextInCycle } from "./keyboard.ts";
import type { PointerInput } from "./pointer-input.ts";
import type { SceneIndex } from "./scene.ts";
import { type SelectionStyle, styleOps } from "./style.ts";
import type { Tool } from "./tools.ts";
import { toBackOps, toFrontOps } from "./z-order.ts";

/** What the commands need from the board. */
export interface CommandHost {
  readonly scene: SceneIndex;
  readonly editor: Editor;
  readonly input: PointerInput;
  readonly clipboard: BoardClipboard;
  readonly structure: BoardStructure;
  ui(): BoardUiState;
  setUi(patch: Partial<BoardUiState>): void;
  /** The selected shapes as committed (no gesture preview). */
  selectedShapes(): Shape[];
  /** Every shape as drawn, in paint order. */
  drawnShapes(): Shape[];
  camera(): Camera;
  /** The person moved the view (stops following). */
  setCamera(camera: Camera): void;
  /** The canvas size in CSS px. */
  viewport(): { width: number; height: number };
  /** Drop the pointer interaction in progress, uncommitted. */
  cancelInteraction(): void;
  updateCursorStyle(): void;
  editText(id: string): void;
  invalidate(): void;
}

export class BoardCommands {
  constructor(private readonly host: CommandHost) {}

  /** A keyboard shortcut (keyboard.ts decided which). */
  run(command: KeyCommand): void {
    const { host } = this;
    switch (command.kind) {
      case "undo":
        return this.undo();
      case "redo":
        return this.redo();
      case "select-all":
        host.setUi({ selection: host.scene.shapes.filter((s) => !s.locked).map((s) => s.id), tool: "select" });
        return host.invalidate();
      case "zoom":
        return this.zoomBy(command.factor);
      case "reset-zoom":
        return this.resetZoom();
      case "zoom-to-fit":
        return this.zoomToFit();
      case "space-down":
        return; // held-key state: the DOM events own it (board-dom-events.ts)
      case "delete":
        return this.deleteSelection();
      case "escape":
        if (host.ui().menu) host.setUi({ menu: null });
        else if (host.input.mode.kind !== "idle") host.cancelInteraction();
        else if (host.ui().selection.length) host.setUi({ selection: [] });
        else this.setTool("select");
        return host.invalidate();
      case "edit-text":
        return host.editText(host.ui().selection[0]!);
      case "nudge":
        host.editor.apply(moveOps(withFrameContents(host.selectedShapes(), host.scene.shapes), command.dx, command.dy));
        return;
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
      case "group":
        return host.structure.group();
      case "ungroup":
        return host.structure.ungroup();
      case "lock":
        return host.structure.lock();
      case "align":
        return host.structure.align(command.how);
      case "menu": {
        const s = host.selectedShapes()[0];
        const { width, height } = host.viewport();
        const at = s ? worldToScreen(host.camera(), s.x, s.y) : [width / 2, height / 2];
        return host.setUi({ menu: { x: at[0]!, y: at[1]! } });
      }
    }
  }

  setTool(tool: Tool): void {
    const { host } = this;
    if (host.editor.inGesture) host.editor.endGesture();
    host.input.mode = { kind: "idle" };
    host.setUi({ tool, selection: tool === "select" ? host.ui().selection : [] });
    host.updateCursorStyle();
    host.invalidate();
  }

  /** A style chosen in the panel: for new shapes, and given to the selection (one undo step). */
  setStyle(change: SelectionStyle): void {
    this.host.setUi(change);
    this.host.editor.apply(styleOps(this.host.selectedShapes(), change));
  }

  /** Delete the selection, a frame with what it holds (locked shapes stay), one undo step. */
  deleteSelection(): void {
    const ops: Op[] = withFrameContents(this.host.selectedShapes(), this.host.scene.shapes).map((s) => ({ op: "del", id: s.id }));
    this.closeMenu();
    if (ops.length === 0) return;
    this.host.editor.apply(ops);
    this.host.setUi({ selection: [] });
  }

  /** The menu's Copy and Cut go through the browser's own command, so the
   * system clipboard gets the same data as Ctrl+C; where the browser refuses,
   * the board keeps the copy for its own Paste. */
  copy(): void {
    this.closeMenu();
    if (!runClipboardCommand("copy")) this.host.clipboard.copy(null);
  }

  cut(): void {
    this.closeMenu();
    if (!runClipboardCommand("cut")) this.host.clipboard.cut(null);
  }

  paste(): void {
    this.closeMenu();
    void this.host.clipboard.pasteFromMenu();
  }

  duplicate(): void {
    this.closeMenu();
    this.host.clipboard.duplicate();
  }

  bringToFront(): void {
    this.closeMenu();
    this.host.editor.apply(toFrontOps(this.host.scene.shapes, new Set(this.host.ui().selection)));
  }

  sendToBack(): void {
    this.closeMenu();
    this.host.editor.apply(toBackOps(this.host.scene.shapes, new Set(this.host.ui().selection)));
  }

  /** Tab on the focused canvas: the next shape in paint order (after the
   * selection's last), brought into view if it is off screen. */
  private cycleSelection(dir: 1 | -1): void {
    const { host } = this;
    const next = nextInCycle(host.scene.shapes.filter((s) => !s.locked), host.ui().selection, dir);
    if (!next) return;
    host.setUi({ selection: [next.id], tool: "select" });
    const { width, height } = host.viewport();
    const camera = host.camera();
    const cam = revealCamera(camera, shapeBounds(host.scene.resolved(next)), width, height);
    if (cam !== camera) host.setCamera(cam);
    host.invalidate();
  }

  closeMenu(): void {
    if (this.host.ui().menu) this.host.setUi({ menu: null });
  }

  undo(): void {
    this.host.editor.undo();
  }

  redo(): void {
    this.host.editor.redo();
  }

  zoomBy(factor: number): void {
    const { width, height } = this.host.viewport();
    this.host.setCamera(zoomAt(this.host.camera(), width / 2, height / 2, factor));
  }

  resetZoom(): void {
    this.zoomBy(1 / this.host.camera().zoom);
  }

  zoomToFit(): void {
    const bounds = unionRects(this.host.drawnShapes().map((s) => shapeBounds(s)));
    const { width, height } = this.host.viewport();
    this.host.setCamera(bounds ? fitCamera(bounds, width, height) : HOME_CAMERA);
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
