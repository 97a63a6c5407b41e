/**
 * Record schema versions: an app's records change shape over time (a field
 * renamed, split, given a default), and rooms, clients' pending edits and
 * cached boards written by older code must be read by newer code. An app
 * gives `defineRoom` its current `version` and one migration per step; this
 * module runs them. Pure: no storage, no sockets.
 *
 * A migration from version n−1 to n has `up` (an old record to a new one),
 * optionally `down` (the reverse, where it loses nothing) and `upPatch` (a
 * pending patch's `set` written by old code, to the new fields; without it a
 * pending patch is sent as it was written).
 *
 * The rule the room relies on: a record that the current schema accepts is
 * current. So a step must change what the schema accepts (a renamed required
 * field does), or need no migration at all (an added optional field needs
 * none: old records stay valid).
 */
import type { z } from "zod";

export interface RecordMigration {
  /** The version this step produces (from `version - 1`). */
  version: number;
  /** An old record to a new one. Absent: the step only widens what the
   * schema accepts (a new kind of record, a new optional field), so every
   * record of `version - 1` is one of `version` as it is; a room whose steps
   * all lack `up` does not read its stored records through them on load. */
  up?(record: Record<string, unknown>): Record<string, unknown>;
  down?(record: Record<string, unknown>): Record<string, unknown>;
  upPatch?(set: Record<string, unknown>): Record<string, unknown>;
}

/** Check the steps once (defineRoom): 2…version, each exactly once. */
export function checkMigrations(version: number, migrations: readonly RecordMigration[]): RecordMigration[] {
  if (!Number.isInteger(version) || version < 1) throw new Error(`version is an integer ≥ 1; got ${version}`);
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 2 || m.version > version) throw new Error(`migrations must be the steps to versions 2…${version}, once each; got ${sorted.map((x) => x.version).join(", ")}`);
  });
  if (sorted.length !== version - 1) throw new Error(`version ${version} needs ${version - 1} migrations (to versions 2…${version}); got ${sorted.length}`);
  return sorted;
}

/** `record`, written at version `from`, brought up to `to`. */
export function migrateUp(migrations: readonly RecordMigration[], record: Record<string, unknown>, from: number, to: number): Record<string, unknown> {
  let r = record;
  for (const m of migrations) if (m.version > from && m.version <= to && m.up) r = m.up(r);
  return r;
}

/** A pending patch's `set`, written at version `from`, brought up to `to`. */
export function migratePatchUp(migrations: readonly RecordMigration[], set: Record<string, unknown>, from: number, to: number): Record<string, unknown> {
  let s = set;
  for (const m of migrations) if (m.version > from && m.version <= to && m.upPatch) s = m.upPatch(s);
  return s;
}

/** `record` at version `from` brought down to `to`, or null when a step has no `down`. */
export function migrateDown(migrations: readonly RecordMigration[], record: Record<string, unknown>, from: number, to: number): Record<string, unknown> | null {
  let r: Record<string, unknown> | null = record;
  for (const m of [...migrations].reverse()) {
    if (m.version <= from && m.version > to) {
      if (!m.down) return null;
      r = m.down(r);
    }
  }
  return r;
}

/**
 * A stored record as the current schema reads it: as it is when the schema
 * accepts it, else migrated from the newest older version whose migration
 * makes it acceptable (N−1, then N−2, …). null when nothing does: the caller
 * keeps the record as stored and says so, never drops it.
 */
export function readCurrent<R>(records: z.ZodType<R>, migrations: readonly RecordMigration[], version: number, stored: unknown): { record: R; migratedFrom: number | null } | null {
  const now = records.safeParse(stored);
  if (now.success) return { record: now.data, migratedFrom: null };
  if (typeof stored !== "object" || stored === null) return null;
  for (let from = version - 1; from >= 1; from--) {
    let up: unknown;
    try {
      up = migrateUp(migrations, stored as Record<string, unknown>, from, version);
    } catch {
      continue; // this step does not apply to this shape
    }
    const parsed = records.safeParse(up);
    if (parsed.success) return { record: parsed.data, migratedFrom: from };
  }
  return null;
}
