/**
 * The board export file: one room's records as JSON, written by the app's
 * "Export board" and read back by its "Import" (into a new room) — the same
 * document the HTTP API's `GET …/export` serves and `POST …/import` takes
 * (party/engine/export-file.ts; docs/EXPORT.md and docs/HTTP-API.md "Export
 * file"), so a file from either goes into the other. This is the browser-safe
 * reader the app needs: schema-generic (any app's records, checked against
 * that app's record schema and limits), pure, no DOM, no host.
 *
 * Reading is forgiving per record and strict per file: a file that is not an
 * export, is of a newer version or of another app is refused as a whole (with
 * a typed error); inside a good file, each record that fails the schema or a
 * limit is refused on its own and listed, and the others are kept — the person
 * decides whether a partial import is worth it.
 */
import { z } from "zod";
import { ASSET_HASH_PATTERN, ASSET_TYPES, type AssetType } from "./assets.ts";
import { MAX_ASSETS_PER_ROOM, MAX_IMPORT_BYTES, MAX_ROOM_BYTES as MAX_ROOM_BYTES_DEFAULT } from "./limits.ts";
import type { RecordBase } from "./protocol.ts";
import type { RoomSchema } from "./schema.ts";

/** The marker that tells an export from any other JSON (the same as
 * party/engine/export-file.ts writes). */
export const EXPORT_FORMAT = "edgeroom.export";
/** This format's version (`v`). A reader refuses a higher one rather than
 * guess; fields it does not know in a known version are ignored. */
export const EXPORT_VERSION = 1;
/** Refused records listed by their reason at most this often (a file of 20,000
 * bad records must not produce 20,000 sentences); the count is always exact. */
export const MAX_LISTED_REFUSALS = 50;

/** One exported room. `records` are as stored (the app's record schema). */
export interface BoardExport<R extends RecordBase = RecordBase> {
  format: typeof EXPORT_FORMAT;
  /** The format's version. */
  v: number;
  /** The app the records belong to (the engine's party name). */
  party: string;
  /** The room they were exported from (informational: an import makes a new room). */
  room: string;
  /** The room's seq the records are as of (0: a room never written). */
  seq: number;
  /** The room's epoch at that seq (null: never written). Informational. */
  epoch: string | null;
  /** The named version the records are, when one was exported. */
  version?: string;
  /** When the export was made, ISO 8601 (UTC). */
  exportedAt: string;
  records: R[];
  /** The room's assets the records name (docs/PROTOCOL.md §17), with their
   * bytes: an import stores them in the new room before its records.
   * Optional: absent, or without an asset a record names, the import has no
   * picture for it. */
  assets?: ExportedAsset[];
}

/** One asset in an export file: its hash, type and bytes (base64). The
 * importer checks the bytes against both; the file is not trusted. */
export interface ExportedAsset {
  hash: string;
  type: AssetType;
  data: string;
}

/** Why a whole file was refused. */
export const ExportErrorCode = {
  /** Larger than any room's export can be. */
  TOO_LARGE: "TOO_LARGE",
  /** Not JSON at all. */
  NOT_JSON: "NOT_JSON",
  /** JSON, but not an edgeroom export (no `"format": "edgeroom.export"`). */
  NOT_AN_EXPORT: "NOT_AN_EXPORT",
  /** An export of a newer version than this reader knows. */
  NEWER_VERSION: "NEWER_VERSION",
  /** An export of another app's records. */
  WRONG_PARTY: "WRONG_PARTY",
  /** The marker is there but the envelope is broken (no records array, bad seq…). */
  BAD_EXPORT: "BAD_EXPORT",
} as const;
export type ExportErrorCode = (typeof ExportErrorCode)[keyof typeof ExportErrorCode];

export interface ExportError {
  code: ExportErrorCode;
  /** One sentence for a person. */
  message: string;
}

/** A record of the file that was not kept, and why. */
export interface RefusedRecord {
  /** Its position in the file's `records` (0-based). */
  index: number;
  /** Its id, when it had a readable one. */
  id: string | null;
  /** Why, in a few words ("w: Number must be greater than 0"). */
  reason: string;
  /** Which check refused it: the record schema, a repeated id, the record
   * size limit, or what a room can hold (count or bytes). */
  kind: "invalid" | "duplicate" | "too-large" | "room-limit";
}

export type ParsedExport<R extends RecordBase> =
  | {
      ok: true;
      /** The file's envelope with only the records that passed, in file order
       * (possibly none: an empty board's export, or nothing valid). */
      value: BoardExport<R>;
      /** The refused records, in file order, at most MAX_LISTED_REFUSALS of them. */
      refused: RefusedRecord[];
      /** How many were refused in all (may exceed `refused.length`). */
      refusedCount: number;
    }
  | { ok: false; error: ExportError };

const Envelope = z.object({
  format: z.literal(EXPORT_FORMAT),
  v: z.literal(EXPORT_VERSION),
  party: z.string().max(64),
  room: z.string().max(64),
  seq: z.number().int().min(0),
  epoch: z.string().max(64).nullable().optional(),
  version: z.string().max(240).optional(),
  exportedAt: z.string().max(64),
  records: z.array(z.unknown()),
  assets: z.array(z.object({ hash: z.string().regex(ASSET_HASH_PATTERN), type: z.enum(ASSET_TYPES), data: z.string() })).max(MAX_ASSETS_PER_ROOM).optional(),
});

/** The export document for `records` of `schema`'s app. Records keep their
 * order; callers pass them in a stable one (the app: paint order). */
export function buildExport<R extends RecordBase>(
  schema: RoomSchema<R>,
  from: { room: string; seq: number; epoch?: string | null; version?: string; records: readonly R[]; exportedAt?: Date; assets?: readonly ExportedAsset[] },
): BoardExport<R> {
  return {
    format: EXPORT_FORMAT,
    v: EXPORT_VERSION,
    party: schema.party,
    room: from.room,
    seq: from.seq,
    epoch: from.epoch ?? null,
    ...(from.version !== undefined ? { version: from.version } : {}),
    exportedAt: (from.exportedAt ?? new Date()).toISOString(),
    records: [...from.records],
    ...(from.assets?.length ? { assets: [...from.assets] } : {}),
  };
}

/** The asset hashes `records` name: every top-level string value of a record
 * that is a SHA-256 hash (a record refers to an asset by its hash). */
export function assetsNamed(records: Iterable<RecordBase>): string[] {
  const found = new Set<string>();
  for (const r of records) for (const v of Object.values(r)) if (typeof v === "string" && ASSET_HASH_PATTERN.test(v)) found.add(v);
  return [...found];
}

/** The file's text: compact JSON (a pen stroke's points would triple in size indented). */
export function serializeExport<R extends RecordBase>(doc: BoardExport<R>): string {
  return JSON.stringify(doc);
}

/** The largest export file a reader takes (characters): the HTTP API's
 * import limit (MAX_IMPORT_BYTES), or more for an app whose rooms hold more. */
export function maxExportChars(schema: RoomSchema<RecordBase>): number {
  return Math.max(MAX_IMPORT_BYTES, schema.limits.maxRoomBytes + (MAX_IMPORT_BYTES - MAX_ROOM_BYTES_DEFAULT));
}

/**
 * Read an export file's text for `schema`'s app. Never throws. Each record is
 * checked against the record schema, the record size limit, the room's record
 * count and byte limits (what a new room could hold), and for a repeated id.
 */
export function parseExport<R extends RecordBase>(schema: RoomSchema<R>, text: string): ParsedExport<R> {
  const fail = (code: ExportErrorCode, message: string): ParsedExport<R> => ({ ok: false, error: { code, message } });
  if (text.length > maxExportChars(schema)) {
    return fail(ExportErrorCode.TOO_LARGE, `The file is ${mib(text.length)}; a board export is at most ${mib(maxExportChars(schema))}.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail(ExportErrorCode.NOT_JSON, "The file is not JSON, so it is not a board export.");
  }
  const marker = typeof json === "object" && json !== null ? (json as { format?: unknown }).format : undefined;
  if (marker !== EXPORT_FORMAT) return fail(ExportErrorCode.NOT_AN_EXPORT, `The file is JSON but not a board export (no "format": "${EXPORT_FORMAT}").`);
  const v = (json as { v?: unknown }).v;
  if (typeof v === "number" && v > EXPORT_VERSION) {
    return fail(ExportErrorCode.NEWER_VERSION, `The file is an export of version ${v}; this app reads version ${EXPORT_VERSION}. Update the app and try again.`);
  }
  const env = Envelope.safeParse(json);
  if (!env.success) {
    const issue = env.error.issues[0];
    return fail(ExportErrorCode.BAD_EXPORT, `The export is damaged: ${issue ? `${issue.path.join(".") || "file"}: ${issue.message}` : "unreadable"}.`);
  }
  if (env.data.party !== schema.party) {
    return fail(ExportErrorCode.WRONG_PARTY, `The file holds records of "${env.data.party.slice(0, 32)}", not of "${schema.party}".`);
  }

  const { maxRecordBytes, maxRecordsPerRoom, maxRoomBytes } = schema.limits;
  const kept: R[] = [];
  const seen = new Set<string>();
  const refused: RefusedRecord[] = [];
  let refusedCount = 0;
  let bytes = 0;
  const refuse = (index: number, id: string | null, kind: RefusedRecord["kind"], reason: string) => {
    refusedCount++;
    if (refused.length < MAX_LISTED_REFUSALS) refused.push({ index, id, reason, kind });
  };
  env.data.records.forEach((raw, index) => {
    const rawId = typeof raw === "object" && raw !== null ? (raw as { id?: unknown }).id : undefined;
    const id = typeof rawId === "string" ? rawId.slice(0, 64) : null;
    const parsed = schema.records.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
      return refuse(index, id, "invalid", (where + (issue?.message ?? "not a valid record")).slice(0, 160));
    }
    const rec = parsed.data;
    if (seen.has(rec.id)) return refuse(index, rec.id, "duplicate", "the same id appears earlier in the file");
    const size = JSON.stringify(rec).length;
    if (size > maxRecordBytes) return refuse(index, rec.id, "too-large", `larger than a record may be (${size} > ${maxRecordBytes} bytes)`);
    if (kept.length >= maxRecordsPerRoom) return refuse(index, rec.id, "room-limit", `a board holds at most ${maxRecordsPerRoom} records`);
    if (bytes + size > maxRoomBytes) return refuse(index, rec.id, "room-limit", `a board holds at most ${mib(maxRoomBytes)} of records`);
    seen.add(rec.id);
    bytes += size;
    kept.push(rec);
  });
  const { format, party, room, seq, exportedAt, version } = env.data;
  const value: BoardExport<R> = { format, v: EXPORT_VERSION, party, room, seq, epoch: env.data.epoch ?? null, exportedAt, records: kept };
  if (version !== undefined) value.version = version;
  if (env.data.assets?.length) value.assets = env.data.assets;
  return { ok: true, value, refused, refusedCount };
}

function mib(chars: number): string {
  return `${(chars / (1024 * 1024)).toFixed(1)} MiB`;
}
