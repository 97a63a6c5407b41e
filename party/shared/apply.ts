/**
 * Applying ops to records: the one pure function both sides share.
 *
 * The room runs `planOps` to validate a mutation and learn its effective writes;
 * the client runs the very same function to draw its pending edits and to apply
 * its own acknowledged mutation, so both compute identical records without the
 * room echoing them back. Nothing here mutates its inputs.
 */
import { MAX_RECORD_BYTES, MAX_RECORDS_PER_ROOM } from "./limits.ts";
import { ErrorCode, type Op } from "./protocol.ts";
import { Shape } from "../whiteboard/records.ts";

export type Records = ReadonlyMap<string, Shape>;

export type Plan =
  | {
      ok: true;
      /** Final value per touched id; null means deleted. Insertion order = first touch. */
      writes: Map<string, Shape | null>;
      /** The ops as the room applies them (patch fields normalised by the schema). */
      ops: Op[];
      /** Serialized size of each written record (MAX_ROOM_BYTES accounting). */
      sizes: Map<string, number>;
    }
  | { ok: false; code: ErrorCode; message: string };

function fail(code: ErrorCode, message: string): Plan {
  return { ok: false, code, message };
}

/**
 * Validate `ops` against `records` and compute their effect, atomically: either
 * every op is valid in sequence or nothing is. A patch must leave a valid shape;
 * a patch or delete of a missing record fails with RECORD_NOT_FOUND.
 */
export function planOps(records: Records, ops: readonly Op[], maxRecords = MAX_RECORDS_PER_ROOM): Plan {
  const writes = new Map<string, Shape | null>();
  const sizes = new Map<string, number>();
  const effective: Op[] = [];
  const current = (id: string): Shape | undefined => {
    const w = writes.get(id);
    if (w === null) return undefined;
    return w ?? records.get(id);
  };
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.op === "put") {
      const existing = current(op.rec.id);
      if (existing && existing.type !== op.rec.type) {
        // A record's kind is fixed for life (as a patch cannot change it): a
        // receiver holding the old record may be mid-edit of fields the new
        // kind does not have. Delete it and create a new one instead.
        return fail(ErrorCode.INVALID_MUTATION, `ops.${i}: a put may not change record ${op.rec.id}'s type (${existing.type} to ${op.rec.type})`);
      }
      const size = JSON.stringify(op.rec).length;
      if (size > MAX_RECORD_BYTES) {
        return fail(ErrorCode.RECORD_TOO_LARGE, `ops.${i}: record ${op.rec.id} exceeds ${MAX_RECORD_BYTES} bytes`);
      }
      writes.set(op.rec.id, op.rec);
      sizes.set(op.rec.id, size);
      effective.push(op);
    } else if (op.op === "patch") {
      const base = current(op.id);
      if (!base) return fail(ErrorCode.RECORD_NOT_FOUND, `ops.${i}: record ${op.id} does not exist`);
      const parsed = Shape.safeParse({ ...base, ...op.set });
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? issue.path.join(".") + ": " : "";
        return fail(ErrorCode.INVALID_MUTATION, `ops.${i}: ${where}${issue?.message ?? "invalid patch"}`.slice(0, 200));
      }
      const next = parsed.data;
      const size = JSON.stringify(next).length;
      if (size > MAX_RECORD_BYTES) {
        return fail(ErrorCode.RECORD_TOO_LARGE, `ops.${i}: record ${op.id} would exceed ${MAX_RECORD_BYTES} bytes`);
      }
      sizes.set(op.id, size);
      // Keep only fields the schema kept, with the values it produced, so every
      // receiver applying this op gets exactly `next`.
      const set: Record<string, unknown> = {};
      for (const key of Object.keys(op.set)) {
        if (key in next) set[key] = (next as Record<string, unknown>)[key];
      }
      writes.set(op.id, next);
      effective.push({ op: "patch", id: op.id, set });
    } else {
      if (!current(op.id)) return fail(ErrorCode.RECORD_NOT_FOUND, `ops.${i}: record ${op.id} does not exist`);
      writes.set(op.id, null);
      sizes.delete(op.id);
      effective.push(op);
    }
  }
  let size = records.size;
  for (const [id, value] of writes) {
    const existed = records.has(id);
    if (value && !existed) size++;
    else if (!value && existed) size--;
  }
  if (size > maxRecords && size > records.size) {
    return fail(ErrorCode.ROOM_LIMIT, `the room would hold ${size} records; the limit is ${maxRecords}`);
  }
  return { ok: true, writes, ops: effective, sizes };
}

/**
 * Apply ops the room already accepted (a broadcast or a delta entry) to a mutable
 * map. No validation: the room's planOps produced them. A patch of a missing
 * record is skipped rather than thrown on — it can only mean a bug elsewhere,
 * and the seq check will resync the client.
 */
export function applyAccepted(records: Map<string, Shape>, ops: readonly Op[]): void {
  for (const op of ops) {
    if (op.op === "put") records.set(op.rec.id, op.rec);
    else if (op.op === "del") records.delete(op.id);
    else {
      const base = records.get(op.id);
      if (base) records.set(op.id, { ...base, ...op.set } as Shape);
    }
  }
}
