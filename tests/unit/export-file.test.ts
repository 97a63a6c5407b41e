/**
 * The export file (party/engine/export-file.ts): what an export holds, and
 * what an import refuses before anything reaches a room. The round trip
 * through real rooms: tests/workerd/http-api.test.ts "exports a board…".
 */
import { describe, expect, it } from "vitest";
import { buildExport, EXPORT_VERSION, parseExport } from "../../party/engine/export-file.ts";
import { ErrorCode } from "../../party/shared/protocol.ts";
import { whiteboard } from "../../party/whiteboard/schema.ts";
import { rect } from "../support/whiteboard-room.ts";

const board = { seq: 7, epoch: "e1", records: [rect("a", 1), rect("b", 2)] };
const file = () => buildExport("whiteboard", "room-1", board, Date.UTC(2026, 11, 1));

describe("export file", () => {
  it("round-trips: parse(build(board)) gives the same records and header", () => {
    const parsed = parseExport(whiteboard, JSON.stringify(file()));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.file).toEqual({ format: "edgeroom.export", v: EXPORT_VERSION, party: "whiteboard", room: "room-1", seq: 7, epoch: "e1", exportedAt: "2026-12-01T00:00:00.000Z", records: board.records });
  });

  const refusals: [string, (f: Record<string, unknown>) => unknown, ErrorCode][] = [
    ["not JSON", () => "{", ErrorCode.BAD_MESSAGE],
    ["another format", (f) => ({ ...f, format: "tldraw" }), ErrorCode.BAD_MESSAGE],
    ["a newer version", (f) => ({ ...f, v: EXPORT_VERSION + 1 }), ErrorCode.BAD_MESSAGE],
    ["another app's party", (f) => ({ ...f, party: "checklist" }), ErrorCode.BAD_MESSAGE],
    ["a record the schema refuses", (f) => ({ ...f, records: [{ id: "x", type: "blob" }] }), ErrorCode.INVALID_MUTATION],
    ["the same id twice", (f) => ({ ...f, records: [rect("a"), rect("a")] }), ErrorCode.INVALID_MUTATION],
    ["more records than a room holds", (f) => ({ ...f, records: Array.from({ length: whiteboard.limits.maxRecordsPerRoom + 1 }, (_, i) => rect(`r${i}`)) }), ErrorCode.ROOM_LIMIT],
  ];
  for (const [name, mangle, code] of refusals) {
    it(`refuses ${name}`, () => {
      const input = mangle(file() as unknown as Record<string, unknown>);
      const parsed = parseExport(whiteboard, typeof input === "string" ? input : JSON.stringify(input));
      expect(parsed).toMatchObject({ ok: false, code });
    });
  }
});
