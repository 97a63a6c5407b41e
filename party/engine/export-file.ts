/**
 * The HTTP API's reading of the export file (`POST …/import`, `POST …/fork`;
 * docs/HTTP-API.md "Export file"). The format itself — its envelope, version
 * rule and per-record checks — is defined once, in party/shared/export-format.ts,
 * which the app's "Import board" reads with too; this file only adds the
 * server's rule: an import is taken whole or not at all (a backend job that
 * sent a damaged file must hear so, not get half a board), answered in the
 * room's own error codes.
 */
import { MAX_IMPORT_BYTES } from "../shared/limits.ts";
import { type BoardExport, ExportErrorCode, parseExport as readExport, type RefusedRecord } from "../shared/export-format.ts";
import { ErrorCode, type RecordBase } from "../shared/protocol.ts";
import type { RoomSchema } from "../shared/schema.ts";

export type ParsedImport<R extends RecordBase> = { ok: true; file: BoardExport<R> } | { ok: false; code: ErrorCode; message: string };

/** The room's error code for a refused record, by the check that refused it. */
const RECORD_CODE: Record<RefusedRecord["kind"], ErrorCode> = {
  invalid: ErrorCode.INVALID_MUTATION,
  duplicate: ErrorCode.INVALID_MUTATION,
  "too-large": ErrorCode.RECORD_TOO_LARGE,
  "room-limit": ErrorCode.ROOM_LIMIT,
};

/** Read an export file for an import into one of `schema`'s rooms: refused
 * whole if the file is not a readable export of this app, or if any record
 * fails the schema or a limit (the first such record is named). */
export function parseImport<R extends RecordBase>(schema: RoomSchema<R>, text: string): ParsedImport<R> {
  const fail = (code: ErrorCode, message: string): ParsedImport<R> => ({ ok: false, code, message: message.slice(0, 200) });
  if (text.length > MAX_IMPORT_BYTES) return fail(ErrorCode.TOO_LARGE, `an export of ${text.length} bytes exceeds ${MAX_IMPORT_BYTES}`);
  const read = readExport(schema, text);
  if (!read.ok) return fail(read.error.code === ExportErrorCode.TOO_LARGE ? ErrorCode.TOO_LARGE : ErrorCode.BAD_MESSAGE, read.error.message);
  const first = read.refused[0];
  if (first) return fail(RECORD_CODE[first.kind], `records.${first.index}${first.id ? ` (${first.id})` : ""}: ${first.reason}${read.refusedCount > 1 ? ` (and ${read.refusedCount - 1} more)` : ""}`);
  return { ok: true, file: read.value };
}
