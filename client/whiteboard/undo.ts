/**
 * Undo and redo of one's own changes. Inverse ops are computed locally, before an
 * edit is applied, and undoing sends them as a new mutation — the room never
 * learns about "undo", and other people's edits made in between are kept.
 * Pure: no client, no timers.
 */
import type { Op } from "../../party/whiteboard/schema.ts";
import { optionalFieldDefault, type Shape } from "../../party/whiteboard/records.ts";

export type Records = ReadonlyMap<string, Shape>;

export interface UndoEntry {
  /** What restores the state before the edit. */
  undo: Op[];
}

/** Most undo steps remembered; older ones are forgotten. */
export const MAX_UNDO_STEPS = 200;

/**
 * The ops that undo `ops` when applied after them, computed against `records` (the
 * state `ops` are about to be applied to). A patch is undone by a patch of the
 * same fields only, so fields someone else changed meanwhile are left alone; an
 * optional field the record lacked is patched back to its default.
 */
export function inverseOps(records: Records, ops: readonly Op[]): Op[] {
  const overlay = new Map<string, Shape | null>();
  const current = (id: string): Shape | undefined => {
    const v = overlay.get(id);
    return v === null ? undefined : (v ?? records.get(id));
  };
  const inverse: Op[] = [];
  for (const op of ops) {
    if (op.op === "put") {
      const before = current(op.rec.id);
      inverse.push(before ? { op: "put", rec: before } : { op: "del", id: op.rec.id });
      overlay.set(op.rec.id, op.rec);
    } else if (op.op === "patch") {
      const before = current(op.id);
      if (!before) continue; // would be refused; nothing to undo
      const set: Record<string, unknown> = {};
      for (const key of Object.keys(op.set)) {
        if (key in before) set[key] = (before as Record<string, unknown>)[key];
        // An optional field the record did not have: back to what its absence meant.
        else if (optionalFieldDefault(before, key) !== undefined) set[key] = optionalFieldDefault(before, key);
      }
      inverse.push({ op: "patch", id: op.id, set });
      overlay.set(op.id, { ...before, ...op.set } as Shape);
    } else {
      const before = current(op.id);
      if (!before) continue;
      inverse.push({ op: "put", rec: before });
      overlay.set(op.id, null);
    }
  }
  return inverse.reverse();
}

/**
 * Drop the ops that can no longer apply to `records`: a patch or delete of a
 * record someone else deleted meanwhile. Undoing what is left is the best we can
 * do — and better than refusing the whole step.
 */
export function applicableOps(records: Records, ops: readonly Op[]): Op[] {
  const exists = new Map<string, boolean>();
  const has = (id: string) => exists.get(id) ?? records.has(id);
  const out: Op[] = [];
  for (const op of ops) {
    if (op.op === "put") {
      exists.set(op.rec.id, true);
      out.push(op);
    } else if (has(op.id)) {
      if (op.op === "del") exists.set(op.id, false);
      out.push(op);
    }
  }
  return out;
}

/** Split ops into chunks the room accepts as single mutations: at most
 * `maxPerMutation` ops, and — when `maxBytes` is given — at most that much
 * JSON (a paste of 100 long pen strokes would otherwise be one oversized
 * message). An op larger than `maxBytes` alone still gets its own chunk: the
 * room's record limit is what refuses it. */
export function chunkOps(ops: readonly Op[], maxPerMutation: number, maxBytes = Number.POSITIVE_INFINITY): Op[][] {
  const chunks: Op[][] = [];
  let chunk: Op[] = [];
  let bytes = 0;
  for (const op of ops) {
    const size = Number.isFinite(maxBytes) ? JSON.stringify(op).length : 0;
    if (chunk.length && (chunk.length >= maxPerMutation || bytes + size > maxBytes)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(op);
    bytes += size;
  }
  if (chunk.length) chunks.push(chunk);
  return chunks;
}

/** Two stacks of inverse ops. A new edit clears the redo stack. Whoever
 * shows "can undo / can redo" subscribes to `onChange` and reads the flags,
 * which are computed from the stacks: nobody has to remember to refresh them. */
export class UndoHistory {
  private undoStack: UndoEntry[] = [];
  private redoStack: UndoEntry[] = [];
  private readonly listeners = new Set<() => void>();

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }
  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  /** Call `fn` after every change of either stack; returns the unsubscribe. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Remember a new edit of one's own. */
  record(entry: UndoEntry): void {
    if (entry.undo.length === 0) return;
    this.undoStack.push(entry);
    if (this.undoStack.length > MAX_UNDO_STEPS) this.undoStack.shift();
    this.redoStack = [];
    this.changed();
  }

  popUndo(): UndoEntry | undefined {
    const entry = this.undoStack.pop();
    if (entry) this.changed();
    return entry;
  }
  popRedo(): UndoEntry | undefined {
    const entry = this.redoStack.pop();
    if (entry) this.changed();
    return entry;
  }
  /** After undoing: what re-does it. */
  pushRedo(entry: UndoEntry): void {
    if (entry.undo.length === 0) return;
    this.redoStack.push(entry);
    this.changed();
  }
  /** After redoing: what undoes it again (keeps the redo stack). */
  pushUndo(entry: UndoEntry): void {
    if (entry.undo.length === 0) return;
    this.undoStack.push(entry);
    this.changed();
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }
}
