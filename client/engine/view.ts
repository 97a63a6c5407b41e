/**
 * "Confirmed + pending = view", written once. What the board draws is a base
 * state — the room's confirmed records, or before the first sync the cached
 * snapshot — with this client's pending mutations replayed on top, in order
 * (the rebase). A pending mutation that no longer applies (its record was
 * deleted remotely) is skipped; the room will refuse it and the client rolls
 * it back.
 */
import { planOps } from "../../party/shared/apply.ts";
import type { RecordBase } from "../../party/shared/protocol.ts";
import type { RoomSchema } from "../../party/shared/schema.ts";
import type { PendingEditsView, PendingMutation } from "./pending-edits.ts";

/** Apply one pending mutation to `view` in place; skipped when it no longer
 * applies. No record-count limit: an edit the room will refuse for being over
 * its limit is still drawn until the refusal arrives. */
export function applyPending<R extends RecordBase>(schema: RoomSchema<R>, view: Map<string, R>, m: PendingMutation<R>): void {
  const plan = planOps(schema, view, m.ops, Number.POSITIVE_INFINITY);
  if (!plan.ok) return;
  for (const [id, value] of plan.writes) {
    if (value) view.set(id, value);
    else view.delete(id);
  }
}

/** `base` with `pending` replayed on top (a new map; `base` is not touched). */
export function replayPending<R extends RecordBase>(schema: RoomSchema<R>, base: ReadonlyMap<string, R>, pending: readonly PendingMutation<R>[]): Map<string, R> {
  const view = new Map(base);
  for (const m of pending) applyPending(schema, view, m);
  return view;
}

/**
 * The view over one base, cached: rebuilt when the base or the set of pending
 * edits changed, extended in place when edits were only added (a new edit
 * goes on top of the drawn view as it is: replaying every pending edit again
 * would make a long offline session quadratic).
 */
export class RebasedView<R extends RecordBase = RecordBase> {
  private cache: { base: ReadonlyMap<string, R>; baseVersion: number; removals: number; count: number; view: ReadonlyMap<string, R> } | null = null;
  private readonly schema: RoomSchema<R>;
  private readonly pending: PendingEditsView<R>;

  constructor(schema: RoomSchema<R>, pending: PendingEditsView<R>) {
    this.schema = schema;
    this.pending = pending;
  }

  /** The view over `base`; `baseVersion` must change whenever `base` is changed in place. */
  over(base: ReadonlyMap<string, R>, baseVersion = 0): ReadonlyMap<string, R> {
    const list = this.pending.list;
    const removals = this.pending.removals;
    const c = this.cache;
    if (c && c.base === base && c.baseVersion === baseVersion && c.removals === removals && c.count <= list.length) {
      if (c.count === list.length) return c.view;
      const view = c.view === base ? new Map(base) : (c.view as Map<string, R>);
      for (let i = c.count; i < list.length; i++) applyPending(this.schema, view, list[i]!);
      c.view = view;
      c.count = list.length;
      return view;
    }
    const view = list.length === 0 ? base : replayPending(this.schema, base, list);
    this.cache = { base, baseVersion, removals, count: list.length, view };
    return view;
  }
}
