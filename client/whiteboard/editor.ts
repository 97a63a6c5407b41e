/**
 * The whiteboard's editing layer on top of a room client: every local edit goes
 * through here so it is split into mutations the room accepts, recorded for
 * undo, and — during a drag — committed at a bounded rate instead of once per
 * pointer event. Knows nothing of React, canvas or sockets.
 */
import { whiteboard } from "../../party/whiteboard/schema.ts";
import { planOps, MAX_MESSAGE_BYTES, MAX_OPS_PER_MUTATION } from "edgeroom/schema";
import type { Op } from "../../party/whiteboard/schema.ts";
import type { Shape } from "../../party/whiteboard/records.ts";
import { type Clock, realClock, newShortId } from "edgeroom/client";
import { applicableOps, chunkOps, inverseOps, type Records, UndoHistory } from "./undo.ts";

/** During a drag, commit at most once per this interval (ms): 12.5 mutations/s,
 * well under the room's 30/s budget (burst 60) with room for other edits, while
 * other people still see the drag move ~12 times a second. The local preview
 * follows the pointer at full frame rate regardless. */
export const DRAG_COMMIT_MS = 80;

/** The ops of one mutation stay under this much JSON: the room's message limit
 * less room for the envelope (type, ids, base seq) — a quarter is generous. */
export const MAX_MUTATION_OPS_BYTES = Math.floor(MAX_MESSAGE_BYTES * 0.75);

/** What the editor needs from a room: RoomClient satisfies it. */
export interface EditTarget {
  records(): Records;
  /** Apply optimistically and send; throws when the ops are invalid. `edit`
   * is the same for every mutation of one undo step (a drag, a large edit
   * split in chunks): the person made one edit, however many mutations. */
  mutate(ops: Op[], edit: string): string;
}


interface Gesture {
  /** The one edit every commit of this drag (and its cancel) belongs to. */
  edit: string;
  /** The touched records as they were when the gesture began. */
  before: Map<string, Shape>;
  /** The newest ops the pointer asked for, not yet committed. */
  latest: Op[] | null;
  /** The last ops committed (what the room will end up with). */
  committed: Op[] | null;
  /** Records as the latest ops make them: drawn at pointer rate. */
  preview: Map<string, Shape>;
  lastCommitAt: number;
  timer: unknown;
}

export class Editor {
  readonly history = new UndoHistory();
  private gesture: Gesture | null = null;
  private readonly listeners = new Set<() => void>();
  /** Set while the board shows something that is not the live board (a past
   * version): every edit, undo and redo is refused with this sentence, and the
   * undo history is kept as it is for when the live board is back. */
  private lockedBecause: string | null = null;

  constructor(
    private readonly target: EditTarget,
    /** Called when an edit was refused locally (e.g. the shape was deleted meanwhile). */
    private readonly onRefused: (message: string) => void = () => {},
    private readonly clock: Clock = realClock,
  ) {}

  /** Preview overrides changed (drawn records during a gesture). */
  onPreview(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Records a gesture in progress shows ahead of its next commit. */
  preview(): ReadonlyMap<string, Shape> | null {
    return this.gesture && this.gesture.preview.size ? this.gesture.preview : null;
  }

  get inGesture(): boolean {
    return this.gesture !== null;
  }

  /** Refuse every edit with `reason` (null: edit again). A drag in progress is cancelled. */
  lock(reason: string | null): void {
    if (reason !== null) this.cancelGesture();
    this.lockedBecause = reason;
  }

  get locked(): boolean {
    return this.lockedBecause !== null;
  }

  /** True (and the person told why) when edits are refused right now. */
  private refusedByLock(): boolean {
    if (this.lockedBecause === null) return false;
    this.onRefused(this.lockedBecause);
    return true;
  }

  /** Apply `ops` as one undoable step. False when they were refused. */
  apply(ops: Op[]): boolean {
    if (ops.length === 0) return true;
    if (this.refusedByLock()) return false;
    const undo = inverseOps(this.target.records(), ops);
    if (!this.send(ops, newShortId())) return false;
    this.history.record({ undo });
    return true;
  }

  undo(): boolean {
    if (this.refusedByLock()) return false;
    this.endGesture();
    for (let entry = this.history.popUndo(); entry; entry = this.history.popUndo()) {
      const records = this.target.records();
      const ops = applicableOps(records, entry.undo);
      if (ops.length === 0) continue; // everything it touched is gone: try the step before
      const redo = inverseOps(records, ops);
      if (this.send(ops, newShortId())) this.history.pushRedo({ undo: redo });
      return true;
    }
    return false;
  }

  redo(): boolean {
    if (this.refusedByLock()) return false;
    this.endGesture();
    for (let entry = this.history.popRedo(); entry; entry = this.history.popRedo()) {
      const records = this.target.records();
      const ops = applicableOps(records, entry.undo);
      if (ops.length === 0) continue;
      const undo = inverseOps(records, ops);
      if (this.send(ops, newShortId())) this.history.pushUndo({ undo });
      return true;
    }
    return false;
  }

  /** Start a drag over the records `ids` (move, resize). */
  beginGesture(ids: Iterable<string>): void {
    this.endGesture();
    if (this.refusedByLock()) return;
    const records = this.target.records();
    const before = new Map<string, Shape>();
    for (const id of ids) {
      const r = records.get(id);
      if (r) before.set(id, r);
    }
    this.gesture = { edit: newShortId(), before, latest: null, committed: null, preview: new Map(), lastCommitAt: Number.NEGATIVE_INFINITY, timer: null };
  }

  /** The pointer moved: `ops` (absolute values, e.g. patches of x/y) are where the
   * records should be now. Drawn at once; committed at most every DRAG_COMMIT_MS. */
  updateGesture(ops: Op[]): void {
    const g = this.gesture;
    if (!g) return;
    g.latest = ops;
    const plan = planOps(whiteboard, this.target.records(), ops);
    g.preview = new Map();
    if (plan.ok) for (const [id, value] of plan.writes) if (value) g.preview.set(id, value);
    this.emitPreview();
    if (g.timer !== null) return;
    const wait = DRAG_COMMIT_MS - (this.clock.now() - g.lastCommitAt);
    if (wait <= 0) this.commitGesture();
    else g.timer = this.clock.setTimeout(() => this.commitGesture(), wait);
  }

  /** Pointer up: commit what is left and remember the whole drag as one undo step. */
  endGesture(): void {
    const g = this.gesture;
    if (!g) return;
    if (g.timer !== null) this.clock.clearTimeout(g.timer);
    g.timer = null;
    if (g.latest) this.commitGesture();
    this.gesture = null;
    if (g.committed) this.history.record({ undo: inverseOps(g.before, g.committed) });
    this.emitPreview();
  }

  /** Escape during a drag: put everything back where it was, remember nothing. */
  cancelGesture(): void {
    const g = this.gesture;
    if (!g) return;
    if (g.timer !== null) this.clock.clearTimeout(g.timer);
    this.gesture = null;
    if (g.committed) {
      const back = applicableOps(this.target.records(), inverseOps(g.before, g.committed));
      this.send(back, g.edit);
    }
    this.emitPreview();
  }

  private commitGesture(): void {
    const g = this.gesture;
    if (!g) return;
    g.timer = null;
    const ops = g.latest;
    if (!ops) return;
    g.latest = null;
    g.lastCommitAt = this.clock.now();
    if (this.send(ops, g.edit)) {
      g.committed = ops;
    } else {
      // Refused (someone deleted a dragged shape): stop dragging it.
      if (g.timer !== null) this.clock.clearTimeout(g.timer);
      this.gesture = null;
      if (g.committed) this.history.record({ undo: inverseOps(g.before, g.committed) });
      this.emitPreview();
    }
  }

  private send(ops: Op[], edit: string): boolean {
    for (const chunk of chunkOps(ops, MAX_OPS_PER_MUTATION, MAX_MUTATION_OPS_BYTES)) {
      try {
        this.target.mutate(chunk, edit);
      } catch (e) {
        this.onRefused(describeRefusal(e));
        return false;
      }
    }
    return true;
  }

  private emitPreview(): void {
    for (const fn of this.listeners) fn();
  }
}

/** A short sentence for a person, from a local refusal ("CODE: detail"). */
function describeRefusal(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  if (text.startsWith("RECORD_NOT_FOUND")) return "That shape was deleted by someone else.";
  if (text.startsWith("ROOM_LIMIT")) return "This board is full: no more shapes fit.";
  if (text.startsWith("RECORD_TOO_LARGE")) return "That shape is too large to save.";
  return `That edit could not be made (${text.slice(0, 80)}).`;
}
