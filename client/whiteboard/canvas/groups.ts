/**
 * Groups (docs/WHITEBOARD-RECORDS.md, "Groups"): a group is the set of shapes
 * whose `groups` name its id, outermost first. What the board selects when a
 * shape is clicked — its "unit": the shape's group one level inside the group
 * the person has entered (by double-click), or its outermost group, or the
 * shape alone — and the patches that group and ungroup. Pure.
 */
import type { Op } from "../../../party/whiteboard/schema.ts";
import type { Shape } from "../../../party/whiteboard/records.ts";
import { MAX_GROUP_DEPTH } from "../../../party/whiteboard/limits.ts";

type Grouped = Pick<Shape, "id" | "groups">;

/** The group `s` is selected by: the one just inside `entered` when `s` is in
 * it, else its outermost; null when `s` stands alone at that level. */
export function unitGroup(s: Grouped, entered: string | null): string | null {
  const groups = s.groups ?? [];
  const at = entered ? groups.indexOf(entered) : -1;
  return groups[at + 1] ?? null;
}

/** `ids` widened to whole units: every shape of each one's group comes along.
 * Order kept, first occurrence wins. */
export function expandToUnits(ids: readonly string[], shapes: readonly Grouped[], byId: ReadonlyMap<string, Grouped>, entered: string | null): string[] {
  const groups = new Set<string>();
  for (const id of ids) {
    const s = byId.get(id);
    const g = s ? unitGroup(s, entered) : null;
    if (g) groups.add(g);
  }
  if (!groups.size) return [...new Set(ids)];
  const out = new Set(ids);
  for (const s of shapes) if (s.groups?.some((g) => groups.has(g))) out.add(s.id);
  return [...out];
}

/** Do `a` and `b` belong to the same unit (the same group at this level, or are one shape)? */
export function sameUnit(a: Grouped, b: Grouped, entered: string | null): boolean {
  if (a.id === b.id) return true;
  const g = unitGroup(a, entered);
  return g !== null && g === unitGroup(b, entered);
}

/** How many units the selection holds (groups count once). */
export function unitCount(selected: readonly Grouped[], entered: string | null): number {
  const units = new Set<string>();
  for (const s of selected) units.add(unitGroup(s, entered) ?? `shape:${s.id}`);
  return units.size;
}

/** The patches that make the selection one group `groupId`: the new id goes
 * just inside the entered group (outermost when none is entered), so a group
 * of groups nests. Nothing for fewer than two units, or when a shape is
 * already as deep as groups go. One mutation: one undo step. */
export function groupOps(selected: readonly Shape[], groupId: string, entered: string | null): Op[] {
  if (unitCount(selected, entered) < 2) return [];
  if (selected.some((s) => (s.groups?.length ?? 0) >= MAX_GROUP_DEPTH)) return [];
  return selected.map((s) => {
    const groups = s.groups ?? [];
    const at = entered ? groups.indexOf(entered) + 1 : 0;
    return { op: "patch", id: s.id, set: { groups: [...groups.slice(0, at), groupId, ...groups.slice(at)] } };
  });
}

/** The patches that dissolve the selected units' groups (one level: a group
 * of groups comes apart into its groups). Shapes standing alone are left be. */
export function ungroupOps(selected: readonly Shape[], entered: string | null): Op[] {
  const ops: Op[] = [];
  for (const s of selected) {
    const g = unitGroup(s, entered);
    if (g) ops.push({ op: "patch", id: s.id, set: { groups: (s.groups ?? []).filter((x) => x !== g) } });
  }
  return ops;
}

/** Group ids renamed for copies (paste, duplicate): the same new id for every
 * copy of one group, so the copies group among themselves and never join the
 * originals' groups. */
export function renameGroups(records: readonly Shape[], newId: () => string): Shape[] {
  const renamed = new Map<string, string>();
  const rename = (g: string) => renamed.get(g) ?? (renamed.set(g, newId()), renamed.get(g)!);
  return records.map((s) => (s.groups?.length ? ({ ...s, groups: s.groups.map(rename) } as Shape) : s));
}
