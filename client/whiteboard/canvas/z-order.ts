/**
 * Bring to front and send to back: the patches of `z` that put the selected
 * shapes above (or below) every other shape, keeping their order among
 * themselves. Only `z` is patched, so a concurrent move or recolour of the
 * same shape by someone else is kept. Pure, table-tested.
 */
import type { Op } from "../../../party/whiteboard/schema.ts";
import type { Shape } from "../../../party/whiteboard/records.ts";

/** `all` is the board in paint order (SceneIndex.shapes); `ids` the selection. */
export function toFrontOps(all: readonly Shape[], ids: ReadonlySet<string>): Op[] {
  const picked = all.filter((s) => ids.has(s.id));
  if (picked.length === 0) return [];
  // Already the top of the stack, in this order: nothing to do.
  if (all.slice(all.length - picked.length).every((s) => ids.has(s.id))) return [];
  const top = Math.floor(all[all.length - 1]!.z) + 1;
  return picked.map((s, i) => ({ op: "patch", id: s.id, set: { z: top + i } }));
}

export function toBackOps(all: readonly Shape[], ids: ReadonlySet<string>): Op[] {
  const picked = all.filter((s) => ids.has(s.id));
  if (picked.length === 0) return [];
  if (all.slice(0, picked.length).every((s) => ids.has(s.id))) return [];
  const bottom = Math.ceil(all[0]!.z) - picked.length;
  return picked.map((s, i) => ({ op: "patch", id: s.id, set: { z: bottom + i } }));
}
