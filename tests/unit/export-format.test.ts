/**
 * The board export file (party/shared/export-format.ts, docs/EXPORT.md):
 * export → parse gives back identical records, for every kind of record
 * (the engine's test schema, tests/support/cards.ts);
 * a file that is not an export, is newer or of another app is refused whole
 * with a typed error; bad records inside a good file are refused one by one,
 * each listed with its place and reason, and the rest kept.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { buildExport, EXPORT_FORMAT, EXPORT_VERSION, ExportErrorCode, MAX_LISTED_REFUSALS, maxExportChars, parseExport, serializeExport } from "../../party/shared/export-format.ts";
import { defineRoom } from "../../party/shared/schema.ts";
import { type Card, cards } from "../support/cards.ts";
import * as serverFile from "../../party/engine/export-file.ts";

const base = { x: 10, y: -20, color: "#1e1e1e" };
const board: Card[] = [
  { ...base, id: "n1", kind: "note", votes: 0, text: "" },
  { ...base, id: "n2", kind: "note", x: 0.25, votes: 7, text: "héllo — 👋\nsecond line", pinned: true },
  { ...base, id: "t1", kind: "task", votes: 1, text: "review", done: false },
  { ...base, id: "t2", kind: "task", y: 1e6, votes: 1_000, text: "ship it", done: true, pinned: false },
];

const exportOf = (records: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ format: EXPORT_FORMAT, v: EXPORT_VERSION, party: "cards", room: "r", seq: 3, epoch: "x7k2", exportedAt: "2026-12-01T00:00:00.000Z", records, ...extra });

describe("board export format", () => {
  it("round-trips: export → file text → parse gives identical records and envelope", () => {
    const exportedAt = new Date("2026-12-01T14:02:00Z");
    const doc = buildExport(cards, { room: "design-review", seq: 58, epoch: "x7k2m9p0", version: "before the review", records: board, exportedAt });
    const parsed = parseExport(cards, serializeExport(doc));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value).toEqual({
      format: "edgeroom.export",
      v: 1,
      party: "cards",
      room: "design-review",
      seq: 58,
      epoch: "x7k2m9p0",
      version: "before the review",
      exportedAt: "2026-12-01T14:02:00.000Z",
      records: board,
    });
    expect(parsed.refused).toEqual([]);
    expect(parsed.refusedCount).toBe(0);
  });

  it("is the HTTP API's import file: the server takes the app's file whole, records identical", () => {
    const fromApp = serializeExport(buildExport(cards, { room: "design-review", seq: 58, epoch: "x7k2m9p0", records: board }));
    const byServer = serverFile.parseImport(cards, fromApp);
    expect(byServer.ok && byServer.file.records).toEqual(board);
    // …and refuses it whole where the app would import the rest.
    const damaged = serializeExport(buildExport(cards, { room: "design-review", seq: 58, records: [...board, { id: "x", kind: "blob" } as never] }));
    expect(parseExport(cards, damaged)).toMatchObject({ ok: true, refusedCount: 1 });
    expect(serverFile.parseImport(cards, damaged)).toMatchObject({ ok: false, code: "INVALID_MUTATION" });
  });

  it("an empty board's export parses with no records (the app decides what that means)", () => {
    const parsed = parseExport(cards, serializeExport(buildExport(cards, { room: "r", seq: 0, records: [] })));
    expect(parsed.ok && parsed.value.records).toEqual([]);
  });

  it.each<{ name: string; text: string; code: ExportErrorCode }>([
    { name: "not JSON", text: "hello, world", code: ExportErrorCode.NOT_JSON },
    { name: "JSON that is not an export", text: '{"records":[]}', code: ExportErrorCode.NOT_AN_EXPORT },
    { name: "another format carrying records is not an export", text: JSON.stringify({ kind: "edgeroom/shapes", version: 1, party: "cards", records: board }), code: ExportErrorCode.NOT_AN_EXPORT },
    { name: "a JSON array", text: "[]", code: ExportErrorCode.NOT_AN_EXPORT },
    { name: "a newer version is not guessed at", text: exportOf(board, { v: EXPORT_VERSION + 1 }), code: ExportErrorCode.NEWER_VERSION },
    { name: "a version that never existed", text: exportOf(board, { v: 0 }), code: ExportErrorCode.BAD_EXPORT },
    { name: "another app's records", text: exportOf(board, { party: "checklist" }), code: ExportErrorCode.WRONG_PARTY },
    { name: "records not an array", text: exportOf([], { records: { a: 1 } }), code: ExportErrorCode.BAD_EXPORT },
    { name: "a negative seq", text: exportOf(board, { seq: -1 }), code: ExportErrorCode.BAD_EXPORT },
  ])("refuses the whole file: $name", ({ text, code }) => {
    const parsed = parseExport(cards, text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.code).toBe(code);
    expect(parsed.error.message.length).toBeGreaterThan(10);
  });

  it("refuses a file larger than any room's export before parsing it", () => {
    const parsed = parseExport(cards, " ".repeat(maxExportChars(cards) + 1));
    expect(!parsed.ok && parsed.error.code).toBe(ExportErrorCode.TOO_LARGE);
  });

  it("keeps the good records and lists each refused one with its place, id and reason", () => {
    const text = exportOf([
      board[0],
      { ...board[0], id: "bad-votes", votes: -5 },
      "not a record",
      { ...board[1], kind: "hexagon" },
      board[2],
      { ...board[2] }, // the same id again
      { ...board[3], id: "bad id!" },
    ]);
    const parsed = parseExport(cards, text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.records).toEqual([board[0], board[2]]);
    expect(parsed.refusedCount).toBe(5);
    expect(parsed.refused.map((r) => [r.index, r.id])).toEqual([
      [1, "bad-votes"],
      [2, null],
      [3, "n2"],
      [5, "t1"],
      [6, "bad id!"],
    ]);
    expect(parsed.refused[0]!.reason).toMatch(/^votes: /);
    expect(parsed.refused[3]!.reason).toMatch(/same id/);
    expect(parsed.refused[4]!.reason).toMatch(/^id: /);
  });

  it("refuses records past the app's limits: record size, records per room, room bytes", () => {
    const Item = z.object({ id: z.string(), text: z.string() });
    const tiny = defineRoom({ party: "tiny", records: Item, limits: { maxRecordBytes: 40, maxRecordsPerRoom: 2, maxRoomBytes: 1000 } });
    const rec = (id: string, text = "") => ({ id, text });
    const text = JSON.stringify(buildExport(tiny, { room: "r", seq: 1, records: [rec("a"), rec("big", "x".repeat(50)), rec("b"), rec("c")] }));
    const parsed = parseExport(tiny, text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.records).toEqual([rec("a"), rec("b")]);
    expect(parsed.refused.map((r) => [r.id, r.reason])).toEqual([
      ["big", expect.stringMatching(/larger than a record may be/)],
      ["c", expect.stringMatching(/at most 2 records/)],
    ]);
    const bytes = defineRoom({ party: "tiny", records: Item, limits: { maxRoomBytes: 50 } });
    const third = parseExport(bytes, JSON.stringify(buildExport(bytes, { room: "r", seq: 1, records: [rec("a", "x".repeat(15)), rec("b", "y".repeat(15))] })));
    expect(third.ok && third.refused.map((r) => r.id)).toEqual(["b"]);
  });

  it("lists at most MAX_LISTED_REFUSALS refusals but counts them all", () => {
    const bad = Array.from({ length: MAX_LISTED_REFUSALS + 25 }, (_, i) => ({ id: `x${i}`, kind: "note" }));
    const parsed = parseExport(cards, exportOf([board[0], ...bad]));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.refused).toHaveLength(MAX_LISTED_REFUSALS);
    expect(parsed.refusedCount).toBe(MAX_LISTED_REFUSALS + 25);
    expect(parsed.value.records).toEqual([board[0]]);
  });

  it("ignores envelope fields it does not know (a newer writer of the same version)", () => {
    const parsed = parseExport(cards, exportOf(board, { generator: "something" }));
    expect(parsed.ok && parsed.value.records).toEqual(board);
  });
});
