/**
 * The HTTP API's import of an export file (party/engine/export-file.ts over
 * party/shared/export-format.ts): what an export holds, and what an import
 * refuses — whole — before anything reaches a room. The round trip
 * through real rooms: tests/workerd/http-api.test.ts "exports a board…".
 */
import { describe, expect, it } from "vitest";
import { parseImport as parseExport } from "../../party/engine/export-file.ts";
import { buildExport, EXPORT_VERSION } from "../../party/shared/export-format.ts";
import { ErrorCode } from "../../party/shared/protocol.ts";
import { card, cards } from "../support/cards.ts";

const board = { seq: 7, epoch: "e1", records: [card("a", 1), card("b", 2)] };
const file = () => buildExport(cards, { room: "room-1", ...board, exportedAt: new Date(Date.UTC(2026, 11, 1)) });

describe("export file", () => {
  it("round-trips: parse(build(board)) gives the same records and header", () => {
    const parsed = parseExport(cards, JSON.stringify(file()));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.file).toEqual({ format: "edgeroom.export", v: EXPORT_VERSION, party: "cards", room: "room-1", seq: 7, epoch: "e1", exportedAt: "2026-12-01T00:00:00.000Z", records: board.records });
  });

  const refusals: [string, (f: Record<string, unknown>) => unknown, ErrorCode][] = [
    ["not JSON", () => "{", ErrorCode.BAD_MESSAGE],
    ["another format", (f) => ({ ...f, format: "tldraw" }), ErrorCode.BAD_MESSAGE],
    ["a newer version", (f) => ({ ...f, v: EXPORT_VERSION + 1 }), ErrorCode.BAD_MESSAGE],
    ["another app's party", (f) => ({ ...f, party: "checklist" }), ErrorCode.BAD_MESSAGE],
    ["a record the schema refuses", (f) => ({ ...f, records: [{ id: "x", type: "blob" }] }), ErrorCode.INVALID_MUTATION],
    ["the same id twice", (f) => ({ ...f, records: [card("a"), card("a")] }), ErrorCode.INVALID_MUTATION],
    ["more records than a room holds", (f) => ({ ...f, records: Array.from({ length: cards.limits.maxRecordsPerRoom + 1 }, (_, i) => card(`r${i}`)) }), ErrorCode.ROOM_LIMIT],
  ];
  for (const [name, mangle, code] of refusals) {
    it(`refuses ${name}`, () => {
      const input = mangle(file() as unknown as Record<string, unknown>);
      const parsed = parseExport(cards, typeof input === "string" ? input : JSON.stringify(input));
      expect(parsed).toMatchObject({ ok: false, code });
    });
  }
});
