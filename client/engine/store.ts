/**
 * The client's document store: the room's confirmed state (as of `seq`) plus the
 * local mutations the room has not acknowledged yet. What is drawn — `view()` —
 * is the confirmed state with the pending mutations replayed on top, so a
 * pending edit stays visible while remote changes move the state under it
 * (that replay is the "rebase"). Pure data: no sockets, no timers.
 */
import { applyAccepted, planOps } from "../../party/shared/apply.ts";
import type { Change, Op } from "../../party/shared/protocol.ts";
import type { Shape } from "../../party/whiteboard/records.ts";

export interface PendingMutation {
  /** Client-chosen, globally unique mutation id. */
  mid: string;
  ops: Op[];
  /** Wall-clock ms when the user made the edit. */
  createdAt: number;
}

/** What applying a room message did to the store. `gap` means the store missed a
 * seq and must resync; it never guesses. */
export type ApplyOutcome = "applied" | "duplicate" | "gap" | "unknown";

/** Apply one pending mutation to a view in place; skipped if it no longer applies. */
function applyPlan(view: Map<string, Shape>, m: PendingMutation): void {
  const plan = planOps(view, m.ops, Number.POSITIVE_INFINITY);
  if (!plan.ok) return;
  for (const [id, value] of plan.writes) {
    if (value) view.set(id, value);
    else view.delete(id);
  }
}

export class DocumentStore {
  private confirmed = new Map<string, Shape>();
  private pendingList: PendingMutation[] = [];
  private cachedView: Map<string, Shape> | null = null;
  /** Seq of the last room change applied to `confirmed` (0: none). */
  seq = 0;
  /** The room epoch `seq` belongs to (null: never synced). */
  epoch: string | null = null;

  get pending(): readonly PendingMutation[] {
    return this.pendingList;
  }

  /** Confirmed records only (what the room has acknowledged). */
  confirmedRecords(): ReadonlyMap<string, Shape> {
    return this.confirmed;
  }

  /** Confirmed state with every pending mutation replayed on top, in order. A
   * pending mutation that no longer applies (its record was deleted remotely) is
   * skipped here; the room will reject it and the client rolls it back. */
  view(): ReadonlyMap<string, Shape> {
    if (this.cachedView) return this.cachedView;
    if (this.pendingList.length === 0) return (this.cachedView = this.confirmed);
    const view = new Map(this.confirmed);
    for (const m of this.pendingList) applyPlan(view, m);
    return (this.cachedView = view);
  }

  /** Ids touched by pending mutations (drawn as "pending" in the UI). */
  pendingIds(): Set<string> {
    const ids = new Set<string>();
    for (const m of this.pendingList) for (const op of m.ops) ids.add(op.op === "put" ? op.rec.id : op.id);
    return ids;
  }

  addPending(m: PendingMutation): void {
    this.pendingList.push(m);
    // A new edit goes on top of the drawn view as it is: replaying every pending
    // edit again would make a long offline session quadratic.
    if (this.cachedView && this.cachedView !== this.confirmed) applyPlan(this.cachedView, m);
    else this.cachedView = null;
  }

  /** Replace the confirmed state wholesale. Pending mutations stay: they are
   * resent, and the room's dedupe answers those it already applied. */
  applySnapshot(epoch: string, seq: number, records: readonly Shape[]): void {
    this.confirmed = new Map(records.map((r) => [r.id, r]));
    this.seq = seq;
    this.epoch = epoch;
    this.cachedView = null;
  }

  /** Apply one room change in seq order. */
  applyChange(change: Change): ApplyOutcome {
    if (change.seq <= this.seq) return "duplicate";
    if (change.seq !== this.seq + 1) return "gap";
    applyAccepted(this.confirmed, change.ops);
    this.seq = change.seq;
    // Our own edit, seen as a change (a delta after a reconnect): it is confirmed.
    this.dropPending(change.mid);
    this.cachedView = null;
    return "applied";
  }

  /** The room applied our mutation `mid` at `seq`. */
  ack(mid: string, seq: number): ApplyOutcome {
    const m = this.pendingList.find((p) => p.mid === mid);
    // Not pending (rolled back after a reject, or never ours): a repeat of an
    // old result is nothing new, but an ack past our seq means the room applied
    // it after all — a late copy judged again — and the room never broadcasts
    // an edit to its author, so the only way to get that change is a resync.
    if (!m) return seq > this.seq ? "gap" : "unknown";
    if (seq <= this.seq) {
      // Already part of confirmed state (it came in a snapshot or delta).
      this.dropPending(mid);
      return "duplicate";
    }
    if (seq !== this.seq + 1) {
      // It is applied, but we missed something before it: the resync brings both.
      this.dropPending(mid);
      return "gap";
    }
    const plan = planOps(this.confirmed, m.ops, Number.POSITIVE_INFINITY);
    if (!plan.ok) {
      this.dropPending(mid);
      return "gap";
    }
    applyAccepted(this.confirmed, plan.ops);
    this.seq = seq;
    this.dropPending(mid);
    return "applied";
  }

  /** The room refused `mid`: roll it back. Returns the mutation, if it was pending. */
  reject(mid: string): PendingMutation | undefined {
    const m = this.pendingList.find((p) => p.mid === mid);
    if (m) this.dropPending(mid);
    return m;
  }

  private dropPending(mid: string): void {
    const i = this.pendingList.findIndex((p) => p.mid === mid);
    if (i >= 0) {
      this.pendingList.splice(i, 1);
      this.cachedView = null;
    }
  }
}
