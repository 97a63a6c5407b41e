/**
 * The board's keyboard shortcuts as one pure mapping from a key press to a
 * command. The board runs the command; keeping the mapping apart makes every
 * shortcut testable without a browser.
 */
import { type Tool, toolForKey } from "./tools.ts";

/** One zoom step (in or out) by keyboard or the zoom buttons. */
export const ZOOM_STEP = 1.25;
/** Arrow keys nudge the selection by this much (world units); with Shift, ten times. */
export const NUDGE = 1;
export const NUDGE_SHIFT = 10;

export type KeyCommand =
  | { kind: "undo" }
  | { kind: "redo" }
  | { kind: "select-all" }
  | { kind: "zoom"; factor: number }
  | { kind: "reset-zoom" }
  | { kind: "zoom-to-fit" }
  | { kind: "space-down" }
  | { kind: "delete" }
  | { kind: "escape" }
  | { kind: "edit-text" }
  | { kind: "nudge"; dx: number; dy: number }
  | { kind: "duplicate" }
  | { kind: "to-front" }
  | { kind: "to-back" }
  | { kind: "menu" }
  | { kind: "group" }
  | { kind: "ungroup" }
  | { kind: "lock" }
  /** Ctrl+Shift+arrow: line the selection up on its left, right, top or bottom edge. */
  | { kind: "align"; how: "left" | "right" | "top" | "bottom" }
  /** Select the next (1) or previous (-1) shape in paint order. */
  | { kind: "cycle"; dir: 1 | -1 }
  | { kind: "tool"; tool: Tool };

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** What the board has that changes a key's meaning. */
export interface KeyContext {
  selectionSize: number;
  /** The canvas has keyboard focus: Tab walks its shapes instead of leaving it. */
  canvasFocused?: boolean;
}

/** The command for a key press, or null (the key is not ours: let it be).
 * `preventDefault` is true when the browser's own meaning must not happen
 * (page zoom, scrolling, going back). */
export function keyCommand(e: KeyPress, ctx: KeyContext): { command: KeyCommand; preventDefault: boolean } | null {
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key;
  const lower = key.toLowerCase();
  const take = (command: KeyCommand, preventDefault = true) => ({ command, preventDefault });
  if (mod && lower === "z") return take(e.shiftKey ? { kind: "redo" } : { kind: "undo" });
  if (mod && lower === "y") return take({ kind: "redo" });
  if (mod && lower === "a") return take({ kind: "select-all" });
  // The browser's page zoom would scale the toolbar, not the board.
  if (mod && (key === "=" || key === "+")) return take({ kind: "zoom", factor: ZOOM_STEP });
  if (mod && key === "-") return take({ kind: "zoom", factor: 1 / ZOOM_STEP });
  if (mod && key === "0") return take({ kind: "reset-zoom" });
  // Ctrl+D would open the browser's bookmark dialog. Copy, cut and paste are
  // not keys here: they arrive as the browser's clipboard events.
  if (mod && lower === "d") return take({ kind: "duplicate" });
  // With Shift, "]" is "}" on most layouts.
  if (mod && e.shiftKey && (key === "]" || key === "}")) return take({ kind: "to-front" });
  if (mod && e.shiftKey && (key === "[" || key === "{")) return take({ kind: "to-back" });
  // Ctrl+G would find the next match of the browser's search.
  if (mod && lower === "g") return take(e.shiftKey ? { kind: "ungroup" } : { kind: "group" });
  if (mod && e.shiftKey && lower === "l") return take({ kind: "lock" });
  if (mod && e.shiftKey && key.startsWith("Arrow") && ctx.selectionSize > 1) {
    const edges = { ArrowLeft: "left", ArrowRight: "right", ArrowUp: "top", ArrowDown: "bottom" } as const;
    const how = edges[key as keyof typeof edges] as (typeof edges)[keyof typeof edges] | undefined;
    if (how) return take({ kind: "align", how });
  }
  if (key === "ContextMenu" || (e.shiftKey && key === "F10")) return take({ kind: "menu" });
  if (mod || e.altKey) return null;
  if (key === "Tab" && ctx.canvasFocused) return take({ kind: "cycle", dir: e.shiftKey ? -1 : 1 });
  if (key === " ") return take({ kind: "space-down" });
  if (key === "Delete" || key === "Backspace") return take({ kind: "delete" });
  if (key === "Escape") return take({ kind: "escape" }, false);
  if (key === "Enter" && ctx.selectionSize === 1) return take({ kind: "edit-text" });
  if (key.startsWith("Arrow") && ctx.selectionSize > 0) {
    const step = e.shiftKey ? NUDGE_SHIFT : NUDGE;
    const dx = key === "ArrowLeft" ? -step : key === "ArrowRight" ? step : 0;
    const dy = key === "ArrowUp" ? -step : key === "ArrowDown" ? step : 0;
    return take({ kind: "nudge", dx, dy });
  }
  if (key === "+" || key === "=") return take({ kind: "zoom", factor: ZOOM_STEP }, false);
  if (key === "-") return take({ kind: "zoom", factor: 1 / ZOOM_STEP }, false);
  if (key === "!" || (e.shiftKey && key === "1")) return take({ kind: "zoom-to-fit" }, false);
  const tool = toolForKey(key);
  return tool ? take({ kind: "tool", tool }, false) : null;
}

/** The shape Tab (dir 1) or Shift+Tab (-1) selects: the one after (before) the
 * selection's last in paint order, wrapping round; the first (last) when
 * nothing is selected. */
export function nextInCycle<S extends { id: string }>(shapes: readonly S[], selection: readonly string[], dir: 1 | -1): S | null {
  if (!shapes.length) return null;
  const last = selection.length ? shapes.findIndex((s) => s.id === selection[selection.length - 1]) : -1;
  const at = last < 0 ? (dir === 1 ? 0 : shapes.length - 1) : (last + dir + shapes.length) % shapes.length;
  return shapes[at]!;
}
