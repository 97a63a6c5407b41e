/**
 * Applying ops to records: the one pure function both sides share.
 *
 * The room runs `planOps` to validate a mutation and learn its effective writes;
 * the client runs the very same function to draw its pending edits and to apply
 * its own acknowledged mutation, so both compute identical records without the
 * room echoing them back. Nothing here mutates its inputs.
 */
import { ErrorCode, type Op, type RecordBase } from "./protocol.ts";
import type { RoomSchema } from "./schema.ts";

export type Records<R extends RecordBase = RecordBase> = ReadonlyMap<string, R>;

export type Plan<R extends RecordBase = RecordBase> =
  | {
      ok: true;
      /** Final value per touched id; null means deleted. Insertion order = first touch. */
      writes: Map<string, R | null>;
      /** The ops as the room applies them (patch fields normalised by the schema). */
      ops: Op<R>[];
      /** Serialized size of each written record (MAX_ROOM_BYTES accounting). */
      sizes: Map<string, number>;
    }
  | { ok: false; code: ErrorCode; message: string };

function fail(code: ErrorCode, message: string): { ok: false; code: ErrorCode; message: string } {
  return { ok: false, code, message };
}

/**
 * Validate `ops` against `records` and compute their effect, atomically: either
 * every op is valid in sequence or nothing is. A patch must leave a valid
 * record and may not touch `id` or the schema's fixed fields; a put may not
 * change an existing record's fixed fields; a patch or delete of a missing
 * record fails with RECORD_NOT_FOUND.
 */
export function planOps<R extends RecordBase>(
  schema: RoomSchema<R>,
  records: Records<R>,
  ops: readonly Op<R>[],
  /** The client draws pending edits with no record-count limit (the room judges that). */
  maxRecords = schema.limits.maxRecordsPerRoom,
): Plan<R> {
  const { maxRecordBytes } = schema.limits;
  const writes = new Map<string, R | null>();
  const sizes = new Map<string, number>();
  const effective: Op<R>[] = [];
  const current = (id: string): R | undefined => {
    const w = writes.get(id);
    if (w === null) return undefined;
    return w ?? records.get(id);
  };
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.op === "put") {
      const existing = current(op.rec.id) as Record<string, unknown> | undefined;
      const changed = existing && schema.fixed.find((f) => existing[f] !== (op.rec as unknown as Record<string, unknown>)[f]);
      if (changed) {
        // Fixed fields (a kind, say) are fixed for life, as a patch cannot change
        // them: a receiver holding the old record may be mid-edit of fields the
        // new kind does not have. Delete it and create a new one instead.
        const was = JSON.stringify(existing[changed]);
        const now = JSON.stringify((op.rec as unknown as Record<string, unknown>)[changed]);
        return fail(ErrorCode.INVALID_MUTATION, `ops.${i}: a put may not change record ${op.rec.id}'s ${changed} (${was} to ${now})`.slice(0, 200));
      }
      const size = JSON.stringify(op.rec).length;
      if (size > maxRecordBytes) {
        return fail(ErrorCode.RECORD_TOO_LARGE, `ops.${i}: record ${op.rec.id} exceeds ${maxRecordBytes} bytes`);
      }
      writes.set(op.rec.id, op.rec);
      sizes.set(op.rec.id, size);
      effective.push(op);
    } else if (op.op === "patch") {
      const touched = schema.fixed.find((f) => f in op.set);
      if (touched) return fail(ErrorCode.INVALID_MUTATION, `ops.${i}: a patch may not change ${touched}`);
      const base = current(op.id);
      if (!base) return fail(ErrorCode.RECORD_NOT_FOUND, `ops.${i}: record ${op.id} does not exist`);
      const parsed = schema.records.safeParse({ ...base, ...op.set });
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? issue.path.join(".") + ": " : "";
        return fail(ErrorCode.INVALID_MUTATION, `ops.${i}: ${where}${issue?.message ?? "invalid patch"}`.slice(0, 200));
      }
      const next = parsed.data;
      const size = JSON.stringify(next).length;
      if (size > maxRecordBytes) {
        return fail(ErrorCode.RECORD_TOO_LARGE, `ops.${i}: record ${op.id} would exceed ${maxRecordBytes} bytes`);
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
export function applyAccepted<R extends RecordBase>(records: Map<string, R>, ops: readonly Op<R>[]): void {
  for (const op of ops) {
    if (op.op === "put") records.set(op.rec.id, op.rec);
    else if (op.op === "del") records.delete(op.id);
    else {
      const base = records.get(op.id);
      if (base) records.set(op.id, { ...base, ...op.set } as R);
    }
  }
}
