/**
 * What undoes a restore. The room computes a restore's ops itself (PROTOCOL.md
 * §15), so the editor cannot invert them the way it inverts its own edits;
 * but it knows both ends: the board as it was when the person chose Restore,
 * and the version restored. The undo step is the ops that turn the second
 * back into the first — sent, like every undo, as an ordinary edit that
 * leaves alone what others changed since on records the restore did not
 * touch. Pure.
 */
import type { Op } from "../../party/whiteboard/schema.ts";
import type { Shape } from "../../party/whiteboard/records.ts";
import { whiteboard } from "../../party/whiteboard/schema.ts";

/** JSON with sorted keys: two equal records compare equal whatever their field order. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
}

/**
 * The ops that turn the restored board (`restored`) back into `before`:
 * delete what the restore brought back, put back what it deleted or changed.
 * A record whose fixed fields (its kind) differ is deleted and put again, as
 * no put may change a fixed field. Deletes first, like the room's own diff.
 */
export function undoOfRestore(before: ReadonlyMap<string, Shape>, restored: ReadonlyMap<string, Shape>, fixed: readonly string[] = whiteboard.fixed): Op[] {
  const dels: Op[] = [];
  const puts: Op[] = [];
  for (const id of restored.keys()) if (!before.has(id)) dels.push({ op: "del", id });
  for (const [id, was] of before) {
    const now = restored.get(id);
    if (now && canonical(now) === canonical(was)) continue;
    const r = now as Record<string, unknown> | undefined;
    if (r && fixed.some((f) => canonical(r[f]) !== canonical((was as Record<string, unknown>)[f]))) dels.push({ op: "del", id });
    puts.push({ op: "put", rec: was });
  }
  return [...dels, ...puts];
}
