/**
 * The client's document store: the room's confirmed state (as of `seq`), and
 * what is drawn — `view()`, the confirmed state with the pending edits
 * replayed on top (view.ts), so a pending edit stays visible while remote
 * changes move the state under it. The pending edits themselves are owned by
 * PendingEdits; the store settles them (ack, own change, reject) there.
 * Pure data: no sockets, no timers.
 */
import { applyAccepted, planOps } from "../../party/shared/apply.ts";
import type { Change } from "../../party/shared/protocol.ts";
import { PendingEdits } from "./pending-edits.ts";
import { applyPending, type DocRecord, RebasedView } from "./view.ts";

export type { PendingMutation } from "./pending-edits.ts";

/** What applying a room message did to the store. `gap` means the store missed a
 * seq and must resync; it never guesses. */
export type ApplyOutcome = "applied" | "duplicate" | "gap" | "unknown";

export class DocumentStore {
  private confirmed = new Map<string, DocRecord>();
  /** Bumped whenever `confirmed` changes in place (the view's cache key). */
  private confirmedVersion = 0;
  private readonly rebased: RebasedView<DocRecord>;
  /** Seq of the last room change applied to `confirmed` (0: none). */
  seq = 0;
  /** The room epoch `seq` belongs to (null: never synced). */
  epoch: string | null = null;

  /** This client's pending edits (in memory only, unless given a durable one). */
  readonly pending: PendingEdits;

  constructor(pending: PendingEdits = new PendingEdits()) {
    this.pending = pending;
    this.rebased = new RebasedView(pending, applyPending);
  }

  /** Confirmed records only (what the room has acknowledged). */
  confirmedRecords(): ReadonlyMap<string, DocRecord> {
    return this.confirmed;
  }

  /** Confirmed state with every pending mutation replayed on top, in order. */
  view(): ReadonlyMap<string, DocRecord> {
    return this.rebased.over(this.confirmed, this.confirmedVersion);
  }

  /** Replace the confirmed state wholesale. Pending mutations stay: they are
   * resent, and the room's dedupe answers those it already applied. */
  applySnapshot(epoch: string, seq: number, records: readonly DocRecord[]): void {
    this.confirmed = new Map(records.map((r) => [r.id, r]));
    this.confirmedVersion++;
    this.seq = seq;
    this.epoch = epoch;
  }

  /** Apply one room change in seq order. */
  applyChange(change: Change): ApplyOutcome {
    if (change.seq <= this.seq) return "duplicate";
    if (change.seq !== this.seq + 1) return "gap";
    applyAccepted(this.confirmed, change.ops);
    this.confirmedVersion++;
    this.seq = change.seq;
    // Our own edit, seen as a change (a delta after a reconnect, or sent by
    // this room's earlier page before a reload): it is confirmed.
    this.pending.remove(change.mid);
    return "applied";
  }

  /** The room applied our mutation `mid` at `seq`. */
  ack(mid: string, seq: number): ApplyOutcome {
    const m = this.pending.get(mid);
    // Not pending (rolled back after a reject, or never ours): a repeat of an
    // old result is nothing new, but an ack past our seq means the room applied
    // it after all — a late copy judged again — and the room never broadcasts
    // an edit to its author, so the only way to get that change is a resync.
    if (!m) return seq > this.seq ? "gap" : "unknown";
    this.pending.remove(mid);
    // Already part of confirmed state (it came in a snapshot or delta).
    if (seq <= this.seq) return "duplicate";
    // It is applied, but we missed something before it: the resync brings both.
    if (seq !== this.seq + 1) return "gap";
    const plan = planOps(this.confirmed, m.ops, Number.POSITIVE_INFINITY);
    if (!plan.ok) return "gap";
    applyAccepted(this.confirmed, plan.ops);
    this.confirmedVersion++;
    this.seq = seq;
    return "applied";
  }

  /** The room refused `mid`: roll it back. Returns the mutation, if it was pending. */
  reject(mid: string): ReturnType<PendingEdits["remove"]> {
    return this.pending.remove(mid);
  }
}
