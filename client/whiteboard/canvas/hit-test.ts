/**
 * What the pointer is over, beyond the shapes themselves (SceneIndex.topmostAt):
 * the resize handles of a single selected shape, and which mouse cursor says
 * what a press would do there. Pure.
 */
import type { Shape } from "../../../party/whiteboard/records.ts";
import { HANDLE_RADIUS } from "./draw.ts";
import type { Rect } from "./camera.ts";
import { shapeBox, unionRects } from "./geometry.ts";
import type { Tool } from "./tools.ts";

/** Hit tolerance around thin shapes (screen px): a 2-px line must be clickable. */
export const HIT_TOLERANCE_PX = 6;
/** How far beyond a handle's drawn radius a press still takes it (screen px). */
export const HANDLE_SLOP_PX = 3;

/** Hit tolerance in world units at `zoom`. */
export function hitTolerance(zoom: number): number {
  return HIT_TOLERANCE_PX / zoom;
}

/** Resize handles (world): box corners for one shape (clockwise from top-left),
 * the two ends for a line, the corners of the box around several shapes; none for nothing selected. */
export function selectionHandles(selected: readonly Shape[]): [number, number][] {
  if (selected.length === 0) return [];
  const s = selected[0]!;
  if (selected.length === 1 && s.type === "line") return [[s.x + s.pts[0][0], s.y + s.pts[0][1]], [s.x + s.pts[1][0], s.y + s.pts[1][1]]];
  const b = selectionBox(selected)!;
  return [[b.minX, b.minY], [b.maxX, b.minY], [b.maxX, b.maxY], [b.minX, b.maxY]];
}

/** The box around the selected shapes' own boxes (what a multi-selection resizes). */
export function selectionBox(selected: readonly Shape[]): Rect | null {
  return unionRects(selected.map((s) => shapeBox(s)));
}

/** Index of the handle under a world point at `zoom`, or -1. */
export function handleAt(handles: readonly (readonly [number, number])[], wx: number, wy: number, zoom: number): number {
  const reach = (HANDLE_RADIUS + HANDLE_SLOP_PX) / zoom;
  return handles.findIndex(([x, y]) => Math.abs(x - wx) <= reach && Math.abs(y - wy) <= reach);
}

/** The CSS cursor over the board with the select tool: a resize arrow on a
 * handle (diagonal by corner; a crosshair on a line's end), "move" on a shape. */
export function hoverCursor(selected: readonly Shape[], handle: number, overShape: boolean): string {
  if (handle >= 0) return selected.length === 1 && selected[0]!.type === "line" ? "crosshair" : handle % 2 === 0 ? "nwse-resize" : "nesw-resize";
  return overShape ? "move" : "default";
}

/** The CSS cursor for the tool when not over anything in particular: a closed
 * hand while panning, an open one when a press would pan, a caret for text. */
export function toolCursor(tool: Tool, spaceHeld: boolean, panning: boolean): string {
  if (panning) return "grabbing";
  if (spaceHeld || tool === "hand") return "grab";
  if (tool === "select") return "default";
  if (tool === "text") return "text";
  return "crosshair";
}
