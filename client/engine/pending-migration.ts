/**
 * Pending edits written by older code (docs/PROTOCOL.md §2): a page that
 * reloaded because the room's record schema moved on finds mutations in its
 * durable queue that the old code wrote in the old shape. They are brought up
 * through the app's migrations under their own mutation ids — the
 * exactly-once key — so each is still applied once, never twice and never
 * dropped. A mutation without a version was written before versions existed:
 * schema 1.
 */
import { migratePatchUp, migrateUp } from "../../party/shared/migrations.ts";
import type { Op, RecordBase } from "../../party/shared/protocol.ts";
import type { RoomSchema } from "../../party/shared/schema.ts";
import type { PendingMutation } from "./pending-edits.ts";

/** `m` in the schema's current shape (itself when it already is). */
export function migratePending<R extends RecordBase>(schema: RoomSchema<R>, m: PendingMutation<R>): PendingMutation<R> {
  const from = m.schema ?? 1;
  if (from >= schema.version) return m;
  const ops = m.ops.map((op): Op<R> => {
    if (op.op === "put") return { op: "put", rec: migrateUp(schema.migrations, op.rec as Record<string, unknown>, from, schema.version) as R };
    if (op.op === "patch") return { op: "patch", id: op.id, set: migratePatchUp(schema.migrations, op.set as Record<string, unknown>, from, schema.version) as Partial<R> } as Op<R>;
    return op;
  });
  return { ...m, ops, schema: schema.version };
}
