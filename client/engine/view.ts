/**
 * "Confirmed + pending = view", written once. What the board draws is a base
 * state — the room's confirmed records, or before the first sync the cached
 * snapshot — with this client's pending mutations replayed on top, in order
 * (the rebase). A pending mutation that no longer applies (its record was
 * deleted remotely) is skipped; the room will refuse it and the client rolls
 * it back.
 *
 * The cache (RebasedView) is generic over the record type; replaying one
 * mutation is planOps' job (party/shared/apply.ts), so `applyPending` works on
 * the record type planOps works on — `DocRecord`, taken from apply.ts rather
 * than from any application's schema.
 */
import { planOps, type Records } from "../../party/shared/apply.ts";
import type { PendingEditsView, PendingMutation } from "./pending-edits.ts";

/** The record type the shared mutation planner works on. */
export type DocRecord = Records extends ReadonlyMap<string, infer R> ? R : never;

/** Applies one pending mutation to a view in place (skipping it when it no longer applies). */
export type ApplyPending<R> = (view: Map<string, R>, m: PendingMutation) => void;

/** Apply one pending mutation to `view` in place; skipped when it no longer
 * applies. No record-count limit: an edit the room will refuse for being over
 * its limit is still drawn until the refusal arrives. */
export const applyPending: ApplyPending<DocRecord> = (view, m) => {
  const plan = planOps(view, m.ops, Number.POSITIVE_INFINITY);
  if (!plan.ok) return;
  for (const [id, value] of plan.writes) {
    if (value) view.set(id, value);
    else view.delete(id);
  }
};

/** `base` with `pending` replayed on top (a new map; `base` is not touched). */
export function replayPending<R>(base: ReadonlyMap<string, R>, pending: readonly PendingMutation[], apply: ApplyPending<R>): Map<string, R> {
  const view = new Map(base);
  for (const m of pending) apply(view, m);
  return view;
}

/**
 * The view over one base, cached: rebuilt when the base or the set of pending
 * edits changed, extended in place when edits were only added (a new edit
 * goes on top of the drawn view as it is: replaying every pending edit again
 * would make a long offline session quadratic).
 */
export class RebasedView<R extends { id: string }> {
  private cache: { base: ReadonlyMap<string, R>; baseVersion: number; removals: number; count: number; view: ReadonlyMap<string, R> } | null = null;

  private readonly pending: PendingEditsView;
  private readonly apply: ApplyPending<R>;

  constructor(pending: PendingEditsView, apply: ApplyPending<R>) {
    this.pending = pending;
    this.apply = apply;
  }

  /** The view over `base`; `baseVersion` must change whenever `base` is changed in place. */
  over(base: ReadonlyMap<string, R>, baseVersion = 0): ReadonlyMap<string, R> {
    const list = this.pending.list;
    const removals = this.pending.removals;
    const c = this.cache;
    if (c && c.base === base && c.baseVersion === baseVersion && c.removals === removals && c.count <= list.length) {
      if (c.count === list.length) return c.view;
      const view = c.view === base ? new Map(base) : (c.view as Map<string, R>);
      for (let i = c.count; i < list.length; i++) this.apply(view, list[i]!);
      c.view = view;
      c.count = list.length;
      return view;
    }
    const view = list.length === 0 ? base : replayPending(base, list, this.apply);
    this.cache = { base, baseVersion, removals, count: list.length, view };
    return view;
  }
}
