/**
 * Where pasted and duplicated shapes land and what they become: fresh ids (a
 * paste never overwrites the shapes it was copied from, in this room or
 * another), the same layout shifted as one group, stacked above everything in
 * their old relative order. Pure, table-tested.
 */
import type { Shape } from "../../../party/whiteboard/records.ts";
import { type Rect } from "./camera.ts";
import { round2, shapeBounds, unionRects } from "./geometry.ts";
import { renameGroups } from "./groups.ts";
import { paintOrder } from "./scene.ts";

/** Each repeated paste or duplicate lands this far (world units) right of and
 * below the one before, so the copies never hide each other. */
export const PASTE_OFFSET = 24;

export interface PastePlace {
  /** Copies already pasted from this clipboard here (0 for the first). */
  repeat: number;
  /** Whether the copied shapes are themselves on this board (copied here, not in another room). */
  originalsHere: boolean;
  /** The visible part of the board (world units). */
  view: Rect;
}

/** How far to move the copied group. A copy from this board lands one step
 * further per repeat; shapes from elsewhere keep their place if it is on
 * screen (a board of the same layout lines up), else come to the middle of
 * the view, where the person is looking. */
export function pasteShift(records: readonly Shape[], place: PastePlace): { dx: number; dy: number } {
  const bounds = unionRects(records.map((s) => shapeBounds(s)));
  if (!bounds) return { dx: 0, dy: 0 };
  const cx = (bounds.minX + bounds.maxX) / 2;
  const cy = (bounds.minY + bounds.maxY) / 2;
  const v = place.view;
  const onScreen = cx >= v.minX && cx <= v.maxX && cy >= v.minY && cy <= v.maxY;
  const step = (place.originalsHere ? 1 : 0) + place.repeat;
  if (onScreen) return { dx: step * PASTE_OFFSET, dy: step * PASTE_OFFSET };
  return { dx: round2((v.minX + v.maxX) / 2 - cx) + place.repeat * PASTE_OFFSET, dy: round2((v.minY + v.maxY) / 2 - cy) + place.repeat * PASTE_OFFSET };
}

/** The records a paste puts: new ids from `newId`, moved by (dx, dy), z from
 * `baseZ` up in the copied paint order. An arrow bound to a shape pasted with
 * it binds to that shape's copy; bound to one left behind, it is pasted free
 * (at the place it was drawn when copied), never tied to the original. The
 * copies of a group form a new group of their own (groups.ts renameGroups). */
export function pastedRecords(records: readonly Shape[], shift: { dx: number; dy: number }, baseZ: number, newId: () => string): Shape[] {
  const ordered = [...records].sort(paintOrder);
  const ids = new Map(ordered.map((s) => [s.id, newId()]));
  const copies = ordered.map((s, i) => {
    const out: Shape = { ...s, id: ids.get(s.id)!, x: round2(s.x + shift.dx), y: round2(s.y + shift.dy), z: baseZ + i };
    if (out.type === "line") {
      for (const end of ["start", "end"] as const) {
        const bind = out[end];
        const copy = bind ? ids.get(bind.id) : undefined;
        if (bind && copy) out[end] = { ...bind, id: copy };
        else delete out[end];
      }
    }
    return out;
  });
  return renameGroups(copies, newId);
}
