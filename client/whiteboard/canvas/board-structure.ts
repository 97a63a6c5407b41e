/**
 * The board's structure commands and the selection rules they bring: groups
 * (a click selects a shape's whole group; a double-click enters the group),
 * locks (a locked shape is passed by), align and distribute. The pure rules
 * are groups.ts and align.ts; this holds the entered group and applies the
 * patches through the Editor, each command one edit (one undo step).
 */
import type { Op } from "../../../party/whiteboard/schema.ts";
import type { Shape } from "../../../party/whiteboard/records.ts";
import { newRecordId } from "edgeroom/client";
import type { Editor } from "../editor.ts";
import { type Alignment, alignOps, type Axis, distributeOps } from "./align.ts";
import type { BoardUiState } from "./board-ui.ts";
import { expandToUnits, groupOps, sameUnit, unitCount, unitGroup, ungroupOps } from "./groups.ts";

/** What the structure commands need from the board. */
export interface StructureHost {
  readonly editor: Editor;
  records(): ReadonlyMap<string, Shape>;
  /** Every shape in paint order. */
  shapes(): readonly Shape[];
  ui(): BoardUiState;
  setUi(patch: Partial<BoardUiState>): void;
  /** The selected shapes as committed. */
  selectedShapes(): Shape[];
  invalidate(): void;
}

export class BoardStructure {
  /** The group double-clicked into: clicks inside it select its parts. */
  private entered: string | null = null;

  constructor(private readonly host: StructureHost) {}

  /** Select `ids` as the board selects: locked shapes left out, each shape
   * with the rest of its group (one level inside the entered group). Leaving
   * the entered group (selecting outside it, or nothing) steps back out. */
  select(ids: readonly string[]): void {
    this.host.setUi({ selection: this.expand(ids) });
  }

  /** `ids` as the selection they make (see select). */
  expand(ids: readonly string[]): string[] {
    const records = this.host.records();
    const open = ids.filter((id) => {
      const s = records.get(id);
      return s !== undefined && !s.locked;
    });
    // The entered group lasts while something inside it stays selected.
    const entered = this.entered;
    if (entered && (!this.host.ui().selection.length || !open.some((id) => records.get(id)?.groups?.includes(entered)))) this.entered = null;
    return expandToUnits(open, this.host.shapes(), records, this.entered);
  }

  /** Are the shapes `a` and `b` selected together (one group at this level)? */
  together(a: string, b: string): boolean {
    const records = this.host.records();
    const sa = records.get(a);
    const sb = records.get(b);
    return sa !== undefined && sb !== undefined && sameUnit(sa, sb, this.entered);
  }

  /** A double-click on `id`: when it is part of a selected group, step into
   * that group and select the part of it `id` is in. False when there is no
   * group to enter (the board edits the shape's text instead). */
  enter(id: string): boolean {
    const s = this.host.records().get(id);
    const g = s ? unitGroup(s, this.entered) : null;
    if (!g || !this.host.ui().selection.includes(id)) return false;
    this.entered = g;
    this.select([id]);
    this.host.invalidate();
    return true;
  }

  private apply(ops: Op[], selection?: string[]): void {
    if (!ops.length || !this.host.editor.apply(ops)) return;
    if (selection) this.host.setUi({ selection });
    this.host.invalidate();
  }

  /** Ctrl+G: the selection becomes one group (inside the entered one). */
  group(): void {
    const selected = this.host.selectedShapes();
    this.apply(groupOps(selected, newRecordId(), this.entered), selected.map((s) => s.id));
  }

  /** Ctrl+Shift+G: the selected groups come apart, one level. */
  ungroup(): void {
    const selected = this.host.selectedShapes();
    this.apply(ungroupOps(selected, this.entered), selected.map((s) => s.id));
  }

  /** Ctrl+Shift+L: lock the selection; it is deselected (a locked shape cannot be selected). */
  lock(): void {
    const ops: Op[] = this.host.selectedShapes().map((s) => ({ op: "patch", id: s.id, set: { locked: true } }));
    this.apply(ops, []);
  }

  /** Unlock `ids` (the context menu on a locked shape: it and its group) and select them. */
  unlock(ids: readonly string[]): void {
    const records = this.host.records();
    const groups = new Set(ids.flatMap((id) => records.get(id)?.groups?.slice(0, 1) ?? []));
    const targets = this.host.shapes().filter((s) => s.locked && (ids.includes(s.id) || s.groups?.some((g) => groups.has(g))));
    const ops: Op[] = targets.map((s) => ({ op: "patch", id: s.id, set: { locked: false } }));
    if (!ops.length || !this.host.editor.apply(ops)) return;
    this.select(targets.map((s) => s.id));
    this.host.invalidate();
  }

  /** Unlock every locked shape on the board. */
  unlockAll(): void {
    this.unlock(this.host.shapes().filter((s) => s.locked).map((s) => s.id));
  }

  /** What the menus offer for the selection now. */
  offers(): { group: boolean; ungroup: boolean; align: boolean; distribute: boolean; unlockAll: boolean } {
    const selected = this.host.selectedShapes();
    const units = unitCount(selected, this.entered);
    const ungroup = selected.some((s) => unitGroup(s, this.entered) !== null);
    return { group: units >= 2, ungroup, align: units >= 2, distribute: units >= 3, unlockAll: this.anyLocked() };
  }

  /** Is any shape on the board locked (the menu offers "Unlock all")? */
  anyLocked(): boolean {
    return this.host.shapes().some((s) => s.locked);
  }

  align(how: Alignment): void {
    this.apply(alignOps(this.host.selectedShapes(), how, this.entered, this.host.shapes()));
  }

  distribute(axis: Axis): void {
    this.apply(distributeOps(this.host.selectedShapes(), axis, this.entered, this.host.shapes()));
  }
}
