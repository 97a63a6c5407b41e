/**
 * The write path as an app's code sees it, typed from its schema: what
 * `RoomClient.mutate` takes (`EditOp`), what a patch may set (`PatchSet`),
 * the live state `defineRoom({ live })` declares (`LiveSchemas`, `LiveEntries`)
 * and the codes a refused edit carries (`RejectCode`). Types only: the wire's
 * own `Op` (protocol.ts) stays as loose as JSON, and the room checks every op
 * against the schema at run time whatever the compiler saw.
 */
import type { z } from "zod";
import type { AssetErrorCode } from "./assets.ts";
import type { ErrorCode, RecordBase } from "./protocol.ts";

/** The fixed fields to leave out of a patch: `F` as `defineRoom({ fixed })`
 * declared them; none when unknown (`string`: a schema typed by hand). */
type FixedOf<F extends string> = string extends F ? never : F;

/**
 * What `{ op: "patch", set }` may set on a record of type `R`: any of its
 * fields but `id` and the schema's fixed fields `F`, each with its own type.
 * Over a union of record kinds it is the fields of any one kind (a patch names
 * a record by id, so which kind it is cannot be known here; the room refuses a
 * field the record's kind does not have). An unknown field or a wrong type is
 * a compile error.
 */
export type PatchSet<R extends RecordBase, F extends string = never> = R extends unknown
  ? { [K in Exclude<keyof R, "id" | FixedOf<F>>]?: R[K] }
  : never;

/** One edit as `RoomClient.mutate` takes it: the wire's `Op` with `set` typed. */
export type EditOp<R extends RecordBase, F extends string = never> =
  /** Create or replace a whole record. */
  | { op: "put"; rec: R }
  /** Change some fields of an existing record; the result must still be a valid record. */
  | { op: "patch"; id: string; set: PatchSet<R, F> }
  /** Delete an existing record. */
  | { op: "del"; id: string };

/** `defineRoom({ live })`: a zod schema per live-state key. */
export type LiveSchemas = Record<string, z.ZodType>;

/** One connection's live state, by key, typed from the schema's `live`: a
 * Map at run time, whose `get(key)` gives that key's type. */
export interface LiveEntries<L extends LiveSchemas = LiveSchemas> extends ReadonlyMap<string, unknown> {
  get<K extends keyof L & string>(key: K): z.output<L[K]> | undefined;
}

/** What a `reject` event's `code` can be: a protocol code, or an asset's
 * (a mutation that waited for an upload the room refused). */
export type RejectCode = ErrorCode | AssetErrorCode;
