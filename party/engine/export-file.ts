/**
 * The export file: a board as a JSON document a person can keep, mail and
 * import into a new room (HTTP API `GET …/export`, `POST …/import`,
 * `POST …/fork`; docs/HTTP-API.md "Export file"). Versioned: `v` is bumped on
 * any change an older importer would misread, and an importer refuses a `v`
 * it does not know. It names its party, so a whiteboard is never imported
 * into another app's room.
 *
 * ```json
 * { "format": "edgeroom.export", "v": 1, "party": "whiteboard", "room": "design-review",
 *   "seq": 58, "epoch": "x7k2m9p0", "exportedAt": "2026-12-01T23:00:00.000Z",
 *   "records": [ { "id": "s1", "type": "rect", … } ] }
 * ```
 */
import { z } from "zod";
import { MAX_IMPORT_BYTES } from "../shared/limits.ts";
import { ErrorCode, type RecordBase } from "../shared/protocol.ts";
import type { RoomSchema } from "../shared/schema.ts";

export const EXPORT_FORMAT = "edgeroom.export";
export const EXPORT_VERSION = 1;

export interface ExportFile<R extends RecordBase = RecordBase> {
  format: typeof EXPORT_FORMAT;
  v: typeof EXPORT_VERSION;
  party: string;
  room: string;
  /** The seq the board was exported at, in its room. */
  seq: number;
  epoch: string | null;
  /** The named version it was exported from, if any. */
  version?: string;
  /** ISO 8601. */
  exportedAt: string;
  records: R[];
}

/** The export of `board` from room `room` of `party`. */
export function buildExport<R extends RecordBase>(party: string, room: string, board: { seq: number; epoch: string | null; version?: string; records: R[] }, now: number): ExportFile<R> {
  return {
    format: EXPORT_FORMAT,
    v: EXPORT_VERSION,
    party,
    room,
    seq: board.seq,
    epoch: board.epoch,
    ...(board.version !== undefined ? { version: board.version } : {}),
    exportedAt: new Date(now).toISOString(),
    records: board.records,
  };
}

const Header = z.object({
  format: z.literal(EXPORT_FORMAT),
  v: z.number().int(),
  party: z.string(),
  records: z.array(z.unknown()),
});

export type ParsedExport<R extends RecordBase> = { ok: true; file: ExportFile<R> } | { ok: false; code: ErrorCode; message: string };

/** Parse and check an export file for `schema`'s rooms: its format, version
 * and party, and every record against the schema and the room's limits. */
export function parseExport<R extends RecordBase>(schema: RoomSchema<R>, text: string): ParsedExport<R> {
  const fail = (code: ErrorCode, message: string): ParsedExport<R> => ({ ok: false, code, message: message.slice(0, 200) });
  if (text.length > MAX_IMPORT_BYTES) return fail(ErrorCode.TOO_LARGE, `an export of ${text.length} bytes exceeds ${MAX_IMPORT_BYTES}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail(ErrorCode.BAD_MESSAGE, "the export file is not valid JSON");
  }
  const header = Header.safeParse(json);
  if (!header.success) return fail(ErrorCode.BAD_MESSAGE, `not an edgeroom export file (format "${EXPORT_FORMAT}", v, party, records)`);
  if (header.data.v !== EXPORT_VERSION) return fail(ErrorCode.BAD_MESSAGE, `export file version ${header.data.v}; this server reads version ${EXPORT_VERSION}`);
  if (header.data.party !== schema.party) return fail(ErrorCode.BAD_MESSAGE, `an export of a ${header.data.party} room cannot go into a ${schema.party} room`);
  const { maxRecordsPerRoom, maxRecordBytes, maxRoomBytes } = schema.limits;
  if (header.data.records.length > maxRecordsPerRoom) return fail(ErrorCode.ROOM_LIMIT, `${header.data.records.length} records; a room holds at most ${maxRecordsPerRoom}`);
  const records: R[] = [];
  const ids = new Set<string>();
  let bytes = 0;
  for (const [i, raw] of header.data.records.entries()) {
    const parsed = schema.records.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return fail(ErrorCode.INVALID_MUTATION, `records.${i}: ${issue?.path.join(".") ?? ""} ${issue?.message ?? "invalid record"}`);
    }
    if (ids.has(parsed.data.id)) return fail(ErrorCode.INVALID_MUTATION, `records.${i}: a second record ${parsed.data.id}`);
    ids.add(parsed.data.id);
    const size = JSON.stringify(parsed.data).length;
    if (size > maxRecordBytes) return fail(ErrorCode.RECORD_TOO_LARGE, `records.${i}: record ${parsed.data.id} exceeds ${maxRecordBytes} bytes`);
    bytes += size;
    records.push(parsed.data);
  }
  if (bytes > maxRoomBytes) return fail(ErrorCode.ROOM_LIMIT, `the records hold ${bytes} bytes; a room holds at most ${maxRoomBytes}`);
  const file = json as ExportFile<R>;
  return { ok: true, file: { ...file, records } };
}
