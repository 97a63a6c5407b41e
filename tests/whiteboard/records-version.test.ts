/**
 * The whiteboard's record schema version (party/whiteboard/schema.ts):
 * images (issue 21), groups, locks and frames (issue 22) raised it to 2, text
 * styles and sketchy shapes (issue 22) to 3, so a
 * page of code from before them is refused at hello and reloads, instead of
 * meeting a record it cannot parse and freezing. Records written before stay
 * valid as they are; the new fields are bounded like every other.
 */
import { describe, expect, it } from "vitest";
import { MemoryRoomHost } from "../../party/engine/testing/memory-host.ts";
import { migrateStored } from "../../party/engine/version-skew.ts";
import { defineRoom } from "../../party/shared/schema.ts";
import { CloseCode, ErrorCode, PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import { MAX_FRAME_NAME_CHARS, MAX_GROUP_DEPTH } from "../../party/whiteboard/limits.ts";
import { Shape } from "../../party/whiteboard/records.ts";
import { WHITEBOARD_SCHEMA_VERSION, whiteboard } from "../../party/whiteboard/schema.ts";

const rect = (id: string, extra: Record<string, unknown> = {}) => ({ id, type: "rect", x: 0, y: 0, z: 1, color: "#1e1e1e", stroke: 2, w: 10, h: 10, fill: null, ...extra });
const image = (id: string) => ({ id, type: "image", x: 0, y: 0, z: 2, color: "#1e1e1e", stroke: 2, w: 30, h: 20, asset: "ab".repeat(32) });
const frame = (id: string, name = "Sprint") => ({ id, type: "frame", x: -50, y: -50, z: 0, color: "#1e1e1e", stroke: 1, w: 400, h: 300, name });

/** The whiteboard as the code from before images shipped it: no version (1). */
const before = defineRoom({ party: "whiteboard", records: Shape, fixed: ["type"] });

describe("the whiteboard's record schema version", () => {
  it("is 3 since text styles and sketchy shapes (2 since images, groups, locks and frames)", () => {
    expect(whiteboard.version).toBe(3);
    expect(WHITEBOARD_SCHEMA_VERSION).toBe(whiteboard.version);
  });

  it("a page from before images is told to reload at hello, and is sent none of the records it cannot read", async () => {
    const host = new MemoryRoomHost(whiteboard, "skew-images");
    const now = await host.join("now", { schema: WHITEBOARD_SCHEMA_VERSION });
    await host.send(now, { type: "mutate", mid: "m1", ops: [{ op: "put", rec: image("pic") }, { op: "put", rec: rect("r", { groups: ["g1"], locked: true }) }] });
    expect(now.last("ack")).toMatchObject({ mid: "m1" });

    // The old code's hello names schema 1 (RoomClient always sends its version).
    const old = host.connect();
    await host.send(old, { type: "hello", v: PROTOCOL_VERSION, schema: 1, clientId: "old", epoch: null, lastSeq: 0, name: "Old", color: "#112233" });
    expect(old.last("error")).toMatchObject({ code: ErrorCode.UNSUPPORTED_VERSION, schema: WHITEBOARD_SCHEMA_VERSION });
    expect(old.last("error")?.message).toMatch(/reload to update/);
    expect(old.closed?.code).toBe(CloseCode.UNSUPPORTED_VERSION);
    expect(old.of("sync")).toEqual([]);
  });

  it("records stored by the version-1 room read unchanged after the deploy", async () => {
    const host = new MemoryRoomHost(before, "skew-deploy");
    const old = await host.join("old");
    await host.send(old, { type: "mutate", mid: "m1", ops: [{ op: "put", rec: rect("a") }] });
    await host.deploy(whiteboard);
    const fresh = await host.join("new", { schema: WHITEBOARD_SCHEMA_VERSION });
    expect(fresh.last("sync")).toMatchObject({ mode: "snapshot", records: [rect("a")] });
  });
});

describe("stored records on load", () => {
  it("are not read through the schema: the steps to 2 and 3 have no up, so a wake costs no parse of every record", () => {
    expect(whiteboard.migrations.map((m) => m.up)).toEqual([undefined, undefined]);
    // A record the schema would refuse shows whether they were parsed: kept as stored, counted nowhere.
    const odd = { id: "odd", type: "rect", x: "not a number" } as unknown as Shape;
    const records = new Map([["a", rect("a") as unknown as Shape], ["odd", odd]]);
    expect(migrateStored(whiteboard, records)).toEqual({ migrated: 0, unreadable: [] });
    expect(records.get("odd")).toBe(odd);
    // A step with an up does read them: the same record is reported unreadable.
    const reading = defineRoom({ party: "whiteboard", records: Shape, fixed: ["type"], version: 2, migrations: [{ version: 2, up: (r) => r }] });
    expect(migrateStored(reading, new Map(records)).unreadable).toEqual(["odd"]);
  });
});

describe("the fields of issue 22", () => {
  it("groups: group ids, outermost first, at most MAX_GROUP_DEPTH", () => {
    expect(Shape.safeParse(rect("r", { groups: ["outer", "inner"] })).success).toBe(true);
    expect(Shape.safeParse(rect("r", { groups: Array.from({ length: MAX_GROUP_DEPTH }, (_, i) => `g${i}`) })).success).toBe(true);
    expect(Shape.safeParse(rect("r", { groups: Array.from({ length: MAX_GROUP_DEPTH + 1 }, (_, i) => `g${i}`) })).success).toBe(false);
    expect(Shape.safeParse(rect("r", { groups: ["no spaces"] })).success).toBe(false);
  });

  it("locked: a boolean", () => {
    expect(Shape.safeParse(rect("r", { locked: true })).success).toBe(true);
    expect(Shape.safeParse(rect("r", { locked: "yes" })).success).toBe(false);
  });

  it("frame: a named box, its name at most MAX_FRAME_NAME_CHARS", () => {
    expect(Shape.safeParse(frame("f")).success).toBe(true);
    expect(Shape.safeParse(frame("f", "x".repeat(MAX_FRAME_NAME_CHARS))).success).toBe(true);
    expect(Shape.safeParse(frame("f", "x".repeat(MAX_FRAME_NAME_CHARS + 1))).success).toBe(false);
    expect(Shape.safeParse({ ...frame("f"), w: -1 }).success).toBe(false);
  });
});
