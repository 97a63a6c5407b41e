/**
 * An application's contract with the engine: its party name, its record
 * schema and the limits of its records. Built once with `defineRoom` in a
 * module both sides import (the whiteboard's is party/whiteboard/schema.ts),
 * and handed to the server (`createRoomServer`) and to every `RoomClient`.
 * Browser-safe: imports nothing host-specific.
 *
 * ```ts
 * import { z } from "zod";
 * import { defineRoom } from "edgeroom/schema";
 *
 * export const Item = z.object({ id: z.string(), text: z.string().max(200), done: z.boolean() });
 * export const checklist = defineRoom({ party: "checklist", records: Item });
 * ```
 */
import type { z } from "zod";
import { LIVE_KEY_PATTERN, MAX_OPS_PER_MUTATION, MAX_RECORD_BYTES, MAX_RECORDS_PER_ROOM, MAX_ROOM_BYTES } from "./limits.ts";
import { checkMigrations, type RecordMigration } from "./migrations.ts";
import { type Protocol, protocolFor, type RecordBase } from "./protocol.ts";
import type { LiveSchemas } from "./typed-ops.ts";

/** Limits on an app's records; each has a default in limits.ts. */
export interface RecordLimits {
  /** Largest serialized record (JSON, UTF-16 code units). */
  maxRecordBytes: number;
  /** Records per room. */
  maxRecordsPerRoom: number;
  /** Serialized records per room, in total. */
  maxRoomBytes: number;
  /** Ops in one mutation. */
  maxOpsPerMutation: number;
}

/** `F`: the fixed fields' names and `L`: the live keys' schemas, inferred by
 * `defineRoom` so the client's `mutate` and `setLive` are typed by them. */
export interface RoomDefinition<R extends RecordBase, F extends string = string, L extends LiveSchemas = LiveSchemas> {
  /** The party name: rooms live at `/parties/<party>/<roomId>` on both hosts. */
  party: string;
  /** What a record is. Every record must have a string `id`. The room
   * validates every put, and every patched result, against it. */
  records: z.ZodType<R>;
  /** Fields fixed for a record's life besides `id` (no patch may touch them,
   * no put may change them), e.g. a discriminating `type`. */
  fixed?: readonly F[];
  limits?: Partial<RecordLimits>;
  /** Ephemeral per-connection state the app sends with `RoomClient.setLive`:
   * a schema per key. Keys not listed here are refused. */
  live?: L;
  /** Keep retained history (checkpoints and the changes between them, for
   * preview and restore; docs/PROTOCOL.md §15). Default true; `false` keeps
   * only the op log's reconnect window (the server option `history` overrides it). */
  history?: boolean;
  /** The records' schema version (default 1). Raise it when records change
   * shape, with one migration per step (party/shared/migrations.ts): rooms
   * read stored records through them on load, clients their pending edits,
   * and a client of another version is told so at hello (docs/PROTOCOL.md §2). */
  version?: number;
  /** The steps to versions 2…`version`, each with `up` (and `down`,
   * `upPatch` where they apply). */
  migrations?: readonly RecordMigration[];
}

/** A room's schema. `F` (fixed fields) and `L` (live keys) are as `defineRoom`
 * inferred them; a schema typed by hand as `RoomSchema<R>` has any. */
export interface RoomSchema<R extends RecordBase, F extends string = string, L extends LiveSchemas = LiveSchemas> {
  readonly party: string;
  readonly records: z.ZodType<R>;
  readonly fixed: readonly F[];
  readonly limits: RecordLimits;
  readonly protocol: Protocol<R>;
  readonly live: Readonly<L>;
  readonly history: boolean;
  /** The records' schema version (1 unless the app raised it). */
  readonly version: number;
  /** The steps to versions 2…`version`, in order. */
  readonly migrations: readonly RecordMigration[];
}

/** The record type of a schema: `RecordOf<typeof checklist>`. */
export type RecordOf<S> = S extends RoomSchema<infer R, string, LiveSchemas> ? R : never;

const PARTY_PATTERN = /^[a-z0-9-]{1,32}$/;

/** Check an app's definition once and build its protocol. */
export function defineRoom<R extends RecordBase, F extends string = never, L extends LiveSchemas = {}>(definition: RoomDefinition<R, F, L>): RoomSchema<R, F, L> {
  if (!PARTY_PATTERN.test(definition.party)) throw new Error(`party names are 1-32 of a-z 0-9 -; got ${JSON.stringify(definition.party)}`);
  for (const key of Object.keys(definition.live ?? {})) {
    if (!LIVE_KEY_PATTERN.test(key)) throw new Error(`live keys are 1-32 of a-z 0-9 -, starting with a letter; got ${JSON.stringify(key)}`);
  }
  const limits: RecordLimits = {
    maxRecordBytes: MAX_RECORD_BYTES,
    maxRecordsPerRoom: MAX_RECORDS_PER_ROOM,
    maxRoomBytes: MAX_ROOM_BYTES,
    maxOpsPerMutation: MAX_OPS_PER_MUTATION,
    ...definition.limits,
  };
  return {
    party: definition.party,
    records: definition.records,
    fixed: definition.fixed ?? [],
    limits,
    protocol: protocolFor(definition.records, limits.maxOpsPerMutation),
    live: { ...definition.live } as L,
    history: definition.history ?? true,
    version: definition.version ?? 1,
    migrations: checkMigrations(definition.version ?? 1, definition.migrations ?? []),
  };
}
