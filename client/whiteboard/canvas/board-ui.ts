/**
 * The board's UI state — tool, style, selection, the text box, zoom, whether
 * undo/redo are possible — as a small external store React reads through
 * useSyncExternalStore. The camera has its own subscription: the text box
 * follows every pan, the toolbar should not re-render 60 times a second.
 */
import type { Camera } from "./camera.ts";
import type { TextEditing } from "./text-editing.ts";
import type { Tool } from "./tools.ts";
import type { Dash, FontFamily, TextAlign } from "../../../party/whiteboard/records.ts";
import type { FillMode, SelectionStyle } from "./style.ts";

export interface BoardUiState {
  tool: Tool;
  color: string;
  stroke: number;
  /** The style new shapes take (with color and stroke). */
  fill: FillMode;
  opacity: number;
  dash: Dash;
  /** The text style new shapes take (text-style.ts): the face; the size and
   * alignment once chosen (until then each kind's own); sketchy or clean. */
  font: FontFamily;
  fontSize?: number;
  align?: TextAlign;
  sketchy: boolean;
  /** What the selected shapes share, for the style panel to show; null with nothing selected. */
  selectionStyle: SelectionStyle | null;
  selection: readonly string[];
  editing: TextEditing | null;
  /** The camera's zoom; changes of it alone reach `subscribeCamera`, not `subscribe`. */
  zoom: number;
  canUndo: boolean;
  canRedo: boolean;
  /** The board's context menu, open at this point (CSS px in the canvas), or
   * closed; `locked`: the locked shape it was opened on (it offers Unlock). */
  menu: { x: number; y: number; locked?: string | null } | null;
}

export class BoardUi {
  private state: BoardUiState;
  private readonly listeners = new Set<() => void>();
  private readonly cameraListeners = new Set<() => void>();

  constructor(initial: { color: string; stroke: number }) {
    this.state = { tool: "select", color: initial.color, stroke: initial.stroke, fill: "none", opacity: 1, dash: "solid", font: "sans", sketchy: false, selectionStyle: null, selection: [], editing: null, zoom: 1, canUndo: false, canRedo: false, menu: null };
  }

  get current(): BoardUiState {
    return this.state;
  }

  /** A new state object (React compares by identity), then every listener. */
  set(patch: Partial<BoardUiState>): void {
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn();
  }

  readonly subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };
  readonly get = (): BoardUiState => this.state;

  /** The camera moved to `camera`: tell its subscribers. The zoom in the
   * state follows it without telling the UI's listeners: a zoom gesture moves
   * it every frame, and only the zoom display (a camera subscriber) shows it —
   * the toolbar and panels must not re-render 60 times a second. */
  cameraMoved(camera: Camera): void {
    if (camera.zoom !== this.state.zoom) this.state = { ...this.state, zoom: camera.zoom };
    for (const fn of this.cameraListeners) fn();
  }

  readonly subscribeCamera = (fn: () => void): (() => void) => {
    this.cameraListeners.add(fn);
    return () => this.cameraListeners.delete(fn);
  };
}
