/**
 * Align and distribute a selection. Each unit (a group, or a shape on its
 * own: groups.ts) moves as one, by its box as drawn (a turned shape's turned
 * box). Pure: the patches come out, the caller applies them as one edit.
 */
import type { Op } from "../../../party/whiteboard/schema.ts";
import type { Shape } from "../../../party/whiteboard/records.ts";
import type { Rect } from "./camera.ts";
import { moveOps } from "./binding.ts";
import { withFrameContents } from "./frames.ts";
import { shapeBox, unionRects } from "./geometry.ts";
import { unitGroup } from "./groups.ts";
import { rotatedBounds, rotationOf } from "./rotate.ts";

export type Alignment = "left" | "centre" | "right" | "top" | "middle" | "bottom";
export type Axis = "horizontal" | "vertical";

interface Unit {
  shapes: Shape[];
  box: Rect;
  /** What moves with it: its shapes, and what its frames hold. */
  moving: Shape[];
}

/** The selection's units, each with its box; `all`: every shape on the board (a frame's contents move with it). */
export function unitsOf(selected: readonly Shape[], entered: string | null, all: readonly Shape[] = []): Unit[] {
  const byKey = new Map<string, Shape[]>();
  // A selected shape inside a selected frame moves as itself, not with the frame too.
  const chosen = new Set(selected.map((s) => s.id));
  for (const s of selected) {
    const key = unitGroup(s, entered) ?? `shape:${s.id}`;
    const list = byKey.get(key);
    if (list) list.push(s);
    else byKey.set(key, [s]);
  }
  return [...byKey.values()].map((shapes) => ({ shapes, box: unionRects(shapes.map((s) => rotatedBounds(shapeBox(s), rotationOf(s))))!, moving: withFrameContents(shapes, all).filter((s) => shapes.includes(s) || !chosen.has(s.id)) }));
}

function moveUnit(u: Unit, dx: number, dy: number): Op[] {
  return Math.abs(dx) < 1e-9 && Math.abs(dy) < 1e-9 ? [] : moveOps(u.moving, dx, dy);
}

/** The patches that line the units up on the selection's box: its left edge,
 * centre, right edge, top, middle or bottom. Nothing for fewer than two units. */
export function alignOps(selected: readonly Shape[], how: Alignment, entered: string | null = null, board: readonly Shape[] = []): Op[] {
  const units = unitsOf(selected, entered, board);
  if (units.length < 2) return [];
  const all = unionRects(units.map((u) => u.box))!;
  return units.flatMap((u) => {
    const b = u.box;
    switch (how) {
      case "left":
        return moveUnit(u, all.minX - b.minX, 0);
      case "right":
        return moveUnit(u, all.maxX - b.maxX, 0);
      case "centre":
        return moveUnit(u, (all.minX + all.maxX) / 2 - (b.minX + b.maxX) / 2, 0);
      case "top":
        return moveUnit(u, 0, all.minY - b.minY);
      case "bottom":
        return moveUnit(u, 0, all.maxY - b.maxY);
      case "middle":
        return moveUnit(u, 0, (all.minY + all.maxY) / 2 - (b.minY + b.maxY) / 2);
    }
  });
}

/** The patches that space the units evenly along an axis: the outermost two
 * stay, the others move so the gaps between neighbouring boxes are equal (in
 * the order of their centres). Nothing for fewer than three units. */
export function distributeOps(selected: readonly Shape[], axis: Axis, entered: string | null = null, all: readonly Shape[] = []): Op[] {
  const units = unitsOf(selected, entered, all);
  if (units.length < 3) return [];
  const lo = (r: Rect) => (axis === "horizontal" ? r.minX : r.minY);
  const hi = (r: Rect) => (axis === "horizontal" ? r.maxX : r.maxY);
  units.sort((a, b) => lo(a.box) + hi(a.box) - (lo(b.box) + hi(b.box)));
  const first = units[0]!;
  const last = units[units.length - 1]!;
  const sizes = units.reduce((sum, u) => sum + hi(u.box) - lo(u.box), 0);
  const gap = (hi(last.box) - lo(first.box) - sizes) / (units.length - 1);
  let at = hi(first.box) + gap;
  const ops: Op[] = [];
  for (const u of units.slice(1, -1)) {
    const d = at - lo(u.box);
    ops.push(...(axis === "horizontal" ? moveUnit(u, d, 0) : moveUnit(u, 0, d)));
    at += hi(u.box) - lo(u.box) + gap;
  }
  return ops;
}
