/**
 * The room's side of version skew (docs/PROTOCOL.md §2): which clients it
 * speaks to, and how it reads records that older code stored. Pure functions;
 * room.ts calls them at hello and at load.
 *
 * - **Protocol:** the room speaks PROTOCOL_VERSION (N) and N−1
 *   (MIN_PROTOCOL_VERSION): their frames differ only by optional fields an
 *   older parser ignores. Older or newer clients are refused with
 *   UNSUPPORTED_VERSION carrying the room's `v` and `schema`, so the client
 *   can tell who is behind: an older client reloads (when idle), a newer one
 *   waits and retries while the deploy reaches this room.
 * - **Record schema:** the room cannot translate every frame into an older
 *   record shape, so a client must write the room's schema version. An older
 *   one reloads (its pending edits are migrated after the reload, client
 *   side); a newer one waits, like a newer protocol.
 * - **Stored records:** read through the app's migrations on load
 *   (migrations.ts `readCurrent`); the room keeps them migrated in memory and
 *   writes them in the new shape the next time each is written. A record no
 *   migration makes valid is kept as stored (and logged), never dropped.
 */
import { readCurrent } from "../shared/migrations.ts";
import { MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, type RecordBase } from "../shared/protocol.ts";
import type { RoomSchema } from "../shared/schema.ts";

/** Why a hello is refused, or null when the room speaks its version. */
export function versionRefusal(hello: { v: number; schema?: number | undefined }, roomSchema: number): string | null {
  const schema = hello.schema ?? 1;
  if (hello.v > PROTOCOL_VERSION) return `this room speaks protocol ${MIN_PROTOCOL_VERSION}-${PROTOCOL_VERSION}, the client ${hello.v}; retry once the room is updated`;
  if (hello.v < MIN_PROTOCOL_VERSION) return `this room speaks protocol ${MIN_PROTOCOL_VERSION}-${PROTOCOL_VERSION}, the client ${hello.v}; reload to update`;
  if (schema > roomSchema) return `this room holds records of schema ${roomSchema}, the client writes ${schema}; retry once the room is updated`;
  if (schema < roomSchema) return `this room holds records of schema ${roomSchema}, the client writes ${schema}; reload to update`;
  return null;
}

/** Stored records as the current schema reads them; how many were migrated
 * and the ids of those nothing could make valid. */
export function migrateStored<R extends RecordBase>(schema: RoomSchema<R>, records: Map<string, R>): { migrated: number; unreadable: string[] } {
  let migrated = 0;
  const unreadable: string[] = [];
  // Nothing to do when no step changes a record (each only widens the schema):
  // reading 10,000 records through the schema costs ~0.1 s of every wake.
  if (schema.version === 1 || schema.migrations.every((m) => !m.up)) return { migrated, unreadable };
  for (const [id, stored] of records) {
    const read = readCurrent(schema.records, schema.migrations, schema.version, stored);
    if (!read) unreadable.push(id);
    else if (read.migratedFrom !== null) {
      records.set(id, read.record);
      migrated++;
    }
  }
  return { migrated, unreadable };
}
