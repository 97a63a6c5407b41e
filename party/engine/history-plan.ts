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

/** What history records about one change: who, when, how much, which ids. */
export function summarize(change: Change, author: Author, at: number, kind?: "restore" | "import"): ChangeSummary {
  let puts = 0;
  let patches = 0;
  let dels = 0;
  const ids: string[] = [];
  for (const op of change.ops) {
    if (op.op === "put") puts++;
    else if (op.op === "patch") patches++;
    else dels++;
    const id = op.op === "put" ? op.rec.id : op.id;
    if (ids.length < HISTORY_SUMMARY_IDS && !ids.includes(id)) ids.push(id);
  }
  const summary: ChangeSummary = { seq: change.seq, at, mid: change.mid, by: author.by, puts, patches, dels, ids };
  if (author.name !== undefined) summary.name = author.name;
  if (author.sub !== undefined) summary.sub = author.sub;
  if (kind) summary.kind = kind;
  if (change.restored !== undefined) summary.restored = change.restored;
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

/**
 * The ops that turn `current` into `target`: a `del` for every record the
 * target lacks, a `put` for every target record that is missing or differs.
 * A record whose `fixed` fields differ (its kind, say) gets a `del` then a
 * `put`, since no put may change a fixed field. Deletes come first, so the
 * room never holds both boards at once (its record caps stay those of the
 * larger board). Deterministic: deletes in current's order, puts in target's.
 */
export function diffBoards<R extends RecordBase>(fixed: readonly string[], current: ReadonlyMap<string, R>, target: readonly R[]): Op<R>[] {
  const wanted = new Map(target.map((r) => [r.id, r]));
  const dels: Op<R>[] = [];
  const puts: Op<R>[] = [];
  for (const [id, rec] of current) {
    const next = wanted.get(id);
    if (!next) {
      dels.push({ op: "del", id });
      continue;
    }
    const a = rec as unknown as Record<string, unknown>;
    const b = next as unknown as Record<string, unknown>;
    if (fixed.some((f) => canonical(a[f]) !== canonical(b[f]))) dels.push({ op: "del", id });
  }
  for (const rec of target) {
    const before = current.get(rec.id);
    // The native comparison first: most records of a restored board are
    // unchanged and written in the same field order.
    if (before && (before === rec || JSON.stringify(before) === JSON.stringify(rec) || canonical(before) === canonical(rec))) continue;
    puts.push({ op: "put", rec });
  }
  return [...dels, ...puts];
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
