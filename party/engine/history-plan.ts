/**
 * The pure parts of retained history (history.ts runs them): what a change's
 * summary says, which ops turn one board into another, when a checkpoint is
 * due, and which checkpoints retention drops. No storage, no clock of their
 * own: everything they need is an argument, so each is table-tested
 * (tests/unit/history-plan.test.ts).
 */
import {
  HISTORY_CHECKPOINT_BYTES,
  HISTORY_CHECKPOINT_CHANGES,
  HISTORY_CHECKPOINT_MS,
  HISTORY_MAX_BYTES,
  HISTORY_MAX_CHECKPOINTS,
  HISTORY_RETENTION_MS,
  HISTORY_SUMMARY_IDS,
} from "../shared/limits.ts";
import type { Author, Change, ChangeSummary, Op, RecordBase } from "../shared/protocol.ts";

/** A record kind or field name in a summary is cut to this (the length of a record id). */
export const SUMMARY_NAME_CHARS = 64;

/** What history records about one change: who, when (committed `at`; made
 * earlier, `made`, for an edit that waited offline), how much, which ids. */
export function summarize(change: Change, author: Author, at: number, kind?: "restore" | "import", made?: number): ChangeSummary {
  let puts = 0;
  let patches = 0;
  let dels = 0;
  const ids: string[] = [];
  const types = new Map<string, number>();
  const fields: string[] = [];
  for (const op of change.ops) {
    if (op.op === "put") {
      puts++;
      const type = (op.rec as { type?: unknown }).type;
      const t = typeof type === "string" ? type.slice(0, SUMMARY_NAME_CHARS) : null;
      if (t !== null && (types.has(t) || types.size < HISTORY_SUMMARY_IDS)) types.set(t, (types.get(t) ?? 0) + 1);
    } else if (op.op === "patch") {
      patches++;
      for (const key of Object.keys(op.set)) {
        const f = key.slice(0, SUMMARY_NAME_CHARS);
        if (fields.length < HISTORY_SUMMARY_IDS && !fields.includes(f)) fields.push(f);
      }
    } else dels++;
    const id = op.op === "put" ? op.rec.id : op.id;
    if (ids.length < HISTORY_SUMMARY_IDS && !ids.includes(id)) ids.push(id);
  }
  const summary: ChangeSummary = { seq: change.seq, at, mid: change.mid, by: author.by, puts, patches, dels, ids };
  if (author.name !== undefined) summary.name = author.name;
  if (author.sub !== undefined) summary.sub = author.sub;
  if (kind) summary.kind = kind;
  if (made !== undefined && made < at) summary.made = made;
  if (change.restored !== undefined) summary.restored = change.restored;
  // fromEntries defines own properties: a record typed "__proto__" is counted, not a prototype.
  if (types.size) summary.types = Object.fromEntries(types);
  if (fields.length) summary.fields = fields;
  return summary;
}

/** JSON with object keys sorted, so two equal records compare equal whatever
 * order their fields were written in. */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
}

/** Two records are the same when their JSON is, whatever order their fields
 * were written in. The native comparison first: most records of a restored
 * board are unchanged and written in the same field order. */
function sameRecord(a: object, b: object): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b) || canonical(a) === canonical(b);
}

function fixedDiffer(fixed: readonly string[], a: object, b: object): boolean {
  return fixed.some((f) => canonical((a as Record<string, unknown>)[f]) !== canonical((b as Record<string, unknown>)[f]));
}

/**
 * A restore's diff, compared a step at a time (room/past-boards.ts runs the
 * steps outside the room's queue): each target record against the record of
 * the same id on the board as it is at that step, remembering which record
 * it compared. `finish` gives the ops against the board as it is then — in
 * the queue — comparing again only the records replaced since (records are
 * immutable objects: a record still the one compared needs no new look), so
 * the work left in the queue is a pass of lookups, not of serialising the
 * board. `finish` always equals `diffBoards(fixed, current, target)`.
 */
export class BoardDiff<R extends RecordBase> {
  private readonly fixed: readonly string[];
  private readonly target: readonly R[];
  private readonly wanted: Map<string, R>;
  /** Per target id compared: the board's record then (undefined: none). */
  private readonly compared = new Map<string, R | undefined>();
  private readonly same = new Set<string>();
  private readonly fixedChanged = new Set<string>();
  private next = 0;

  constructor(fixed: readonly string[], target: readonly R[]) {
    this.fixed = fixed;
    this.target = target;
    this.wanted = new Map(target.map((r) => [r.id, r]));
  }

  get done(): boolean {
    return this.next >= this.target.length;
  }

  /** Compare the next target records with `current`'s until about `budget`
   * characters of JSON were compared. */
  step(current: ReadonlyMap<string, R>, budget: number): void {
    let spent = 0;
    while (this.next < this.target.length && spent < budget) {
      const rec = this.target[this.next++]!;
      if (this.wanted.get(rec.id) !== rec) continue; // a repeated id: the last one counts
      const before = current.get(rec.id);
      this.compared.set(rec.id, before);
      if (!before) continue;
      if (before === rec || sameRecord(before, rec)) this.same.add(rec.id);
      else this.same.delete(rec.id);
      if (fixedDiffer(this.fixed, before, rec)) this.fixedChanged.add(rec.id);
      else this.fixedChanged.delete(rec.id);
      spent += before === rec ? 1 : 2 * JSON.stringify(rec).length;
    }
  }

  /** Was `before` the record compared for `id`? */
  private known(id: string, before: R): boolean {
    return this.compared.get(id) === before;
  }

  /**
   * The ops that turn `current` into the target: a `del` for every record the
   * target lacks, a `put` for every target record that is missing or differs.
   * A record whose `fixed` fields differ (its kind, say) gets a `del` then a
   * `put`, since no put may change a fixed field. Deletes come first, so the
   * room never holds both boards at once (its record caps stay those of the
   * larger board). Deterministic: deletes in current's order, puts in target's.
   */
  finish(current: ReadonlyMap<string, R>): Op<R>[] {
    const dels: Op<R>[] = [];
    const puts: Op<R>[] = [];
    for (const [id, rec] of current) {
      const next = this.wanted.get(id);
      if (!next) dels.push({ op: "del", id });
      else if (this.known(id, rec) ? this.fixedChanged.has(id) : fixedDiffer(this.fixed, rec, next)) dels.push({ op: "del", id });
    }
    for (const [id, rec] of this.wanted) {
      const before = current.get(id);
      if (before && (this.known(id, before) ? this.same.has(id) : sameRecord(before, rec))) continue;
      puts.push({ op: "put", rec });
    }
    return [...dels, ...puts];
  }
}

/** The ops that turn `current` into `target`, all compared now (BoardDiff). */
export function diffBoards<R extends RecordBase>(fixed: readonly string[], current: ReadonlyMap<string, R>, target: readonly R[]): Op<R>[] {
  return new BoardDiff(fixed, target).finish(current);
}

/** How often checkpoints are written; defaults from limits.ts. */
export interface CheckpointPolicy {
  changes: number;
  bytes: number;
  ms: number;
}
export const CHECKPOINT_POLICY: CheckpointPolicy = {
  changes: HISTORY_CHECKPOINT_CHANGES,
  bytes: HISTORY_CHECKPOINT_BYTES,
  ms: HISTORY_CHECKPOINT_MS,
};

/** Is a checkpoint due? `tail`: the changes since the newest checkpoint;
 * `tailSince`: when the first of them was seen (ms), null when there are none;
 * `hasCheckpoint`: false for a room whose history has not started (written
 * before history existed), which gets its first checkpoint at once. */
export function checkpointDue(
  tail: { changes: number; bytes: number },
  tailSince: number | null,
  hasCheckpoint: boolean,
  now: number,
  policy: CheckpointPolicy = CHECKPOINT_POLICY,
): boolean {
  if (!hasCheckpoint) return true;
  if (tail.changes === 0) return false;
  return tail.changes >= policy.changes || tail.bytes >= policy.bytes || (tailSince !== null && now - tailSince >= policy.ms);
}

/** What retention keeps; defaults from limits.ts. */
export interface RetentionPolicy {
  maxAgeMs: number;
  maxCheckpoints: number;
  maxBytes: number;
}
export const RETENTION_POLICY: RetentionPolicy = {
  maxAgeMs: HISTORY_RETENTION_MS,
  maxCheckpoints: HISTORY_MAX_CHECKPOINTS,
  maxBytes: HISTORY_MAX_BYTES,
};

/**
 * How many of the oldest checkpoints retention drops (with each, the changes
 * up to the next checkpoint: `between[i]` bytes). Oldest first, while
 * - the next one is older than `maxAgeMs` too (so history still reaches back
 *   `maxAgeMs` from its newest checkpoint's point of view), or
 * - more than `maxCheckpoints` remain, or
 * - history (checkpoint boards plus retained changes) holds more than `maxBytes`;
 * never the newest, so a room always keeps one board to restore from.
 * `checkpoints` oldest first; `between` aligned with them.
 */
export function retentionDrops(
  checkpoints: readonly { at: number; bytes: number }[],
  between: readonly number[],
  now: number,
  policy: RetentionPolicy = RETENTION_POLICY,
): number {
  let total = 0;
  for (let i = 0; i < checkpoints.length; i++) total += checkpoints[i]!.bytes + (between[i] ?? 0);
  let drop = 0;
  while (drop < checkpoints.length - 1) {
    const left = checkpoints.length - drop;
    const stale = now - checkpoints[drop + 1]!.at > policy.maxAgeMs;
    if (!stale && left <= policy.maxCheckpoints && total <= policy.maxBytes) break;
    total -= checkpoints[drop]!.bytes + (between[drop] ?? 0);
    drop++;
  }
  return drop;
}
