/**
 * What an eraser stroke in progress shows: the shapes it will delete, drawn
 * faded until the release deletes them. A map of faded copies, rebuilt only
 * when the stroke takes another shape or the document changes.
 */
import type { Shape } from "../../../party/whiteboard/records.ts";

/** How shapes under an eraser stroke are drawn until it is released. */
export const ERASING_OPACITY = 0.2;

export class ErasePreview {
  private cache: { ids: ReadonlySet<string>; size: number; version: number; map: Map<string, Shape> } | null = null;

  /** The faded copies of `ids` (null: no stroke, or it has taken nothing yet). */
  get(ids: ReadonlySet<string> | null, records: ReadonlyMap<string, Shape>, version: number): ReadonlyMap<string, Shape> | null {
    if (!ids) return (this.cache = null);
    const c = this.cache;
    if (c && c.ids === ids && c.size === ids.size && c.version === version) return c.map;
    const map = new Map<string, Shape>();
    for (const id of ids) {
      const s = records.get(id);
      if (s) map.set(id, { ...s, opacity: ERASING_OPACITY });
    }
    this.cache = { ids, size: ids.size, version, map };
    return map;
  }
}
