/**
 * The whiteboard's image shape without a browser: its record (an asset
 * hash), its geometry (resized as a box), its SVG export (the
 * picture embedded, a placeholder without one), and the clipboard — the
 * board a copy comes from travels with it, pictures from another board are
 * brought over before the paste, and pasted picture files become images.
 */
import { describe, expect, it } from "vitest";
import { applyAccepted, planOps } from "../../party/shared/apply.ts";
import { Shape } from "../../party/whiteboard/records.ts";
import { type Op, whiteboard } from "../../party/whiteboard/schema.ts";
import { Editor, type EditTarget } from "../../client/whiteboard/editor.ts";
import { BoardClipboard } from "../../client/whiteboard/canvas/board-clipboard.ts";
import { decodeClipboard, encodeClipboard } from "../../client/whiteboard/canvas/clipboard.ts";
import { shapeSvg } from "../../client/whiteboard/canvas/export-svg.ts";
import { resizeOp, shapeBox } from "../../client/whiteboard/canvas/geometry.ts";
import { FakeClock } from "../support/fake-clock.ts";

const HASH = "ab".repeat(32);
const image = (id: string, x = 0, y = 0): Shape => ({ id, type: "image", x, y, z: 1, color: "#1e1e1e", stroke: 2, w: 300, h: 200, asset: HASH });

describe("image record", () => {
  it("names its picture by a SHA-256 hash and nothing else", () => {
    expect(Shape.safeParse(image("i")).success).toBe(true);
    expect(Shape.safeParse({ ...image("i"), asset: "https://example.com/cat.png" }).success).toBe(false);
    expect(Shape.safeParse({ ...image("i"), asset: HASH.toUpperCase() }).success).toBe(false);
  });

  it("is a box: resized by its w and h", () => {
    const s = image("i", 10, 20);
    expect(shapeBox(s)).toEqual({ minX: 10, minY: 20, maxX: 310, maxY: 220 });
    expect(resizeOp(s, shapeBox(s), { minX: 10, minY: 20, maxX: 160, maxY: 120 })).toEqual({ op: "patch", id: "i", set: { x: 10, y: 20, w: 150, h: 100 } });
  });

  it("exports to SVG with its picture embedded, or a placeholder without one", () => {
    const data = "data:image/png;base64,iVBORw0KGgo=";
    expect(shapeSvg(image("i"), new Map([[HASH, data]]))).toContain(`<image x="0" y="0" width="300" height="200" preserveAspectRatio="none" href="${data}"/>`);
    expect(shapeSvg(image("i"))).toMatch(/<rect x="0" y="0" width="300" height="200" fill="#e9ecef"/);
  });
});

class Room implements EditTarget {
  readonly state = new Map<string, Shape>();
  records() {
    return this.state;
  }
  mutate(ops: Op[]): string {
    const plan = planOps(whiteboard, this.state, ops);
    if (!plan.ok) throw new Error(`${plan.code}: ${plan.message}`);
    applyAccepted(this.state, plan.ops);
    return "m";
  }
}

function board(here: string, bringOk = true) {
  const room = new Room();
  const calls: { insert: number; bring: string[] } = { insert: 0, bring: [] };
  const clip = new BoardClipboard({
    records: () => room.state,
    selected: () => [],
    editor: new Editor(room, () => {}, new FakeClock()),
    nextZ: () => 1,
    view: () => ({ minX: 0, minY: 0, maxX: 1000, maxY: 800 }),
    select: () => {},
    recordBase: (id) => ({ id, z: 1, color: "#1e1e1e", stroke: 2 }),
    textSize: () => 28,
    images: {
      room: () => here,
      insert: async (files) => ((calls.insert += files.length), files.length),
      bring: async (_records, from) => (calls.bring.push(from ?? ""), bringOk),
    },
  });
  return { room, clip, calls };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("clipboard and pictures", () => {
  it("carries the room a copy was made in", () => {
    expect(decodeClipboard(encodeClipboard([image("i")], "room-a"), "")).toEqual({ kind: "shapes", records: [image("i")], room: "room-a" });
    const bad = JSON.stringify({ ...JSON.parse(encodeClipboard([image("i")])), room: "../x" });
    expect(decodeClipboard(bad, "")).toEqual({ kind: "shapes", records: [image("i")] });
  });

  it("a paste from another board brings its pictures over first; from this board it does not", async () => {
    const other = board("room-b");
    other.clip.pasteData(encodeClipboard([image("i")], "room-a"), "");
    await settle();
    expect(other.calls.bring).toEqual(["room-a"]);
    expect([...other.room.state.values()].map((s) => s.type)).toEqual(["image"]);

    const same = board("room-a");
    same.clip.pasteData(encodeClipboard([image("i")], "room-a"), "");
    expect(same.calls.bring).toEqual([]);
    expect(same.room.state.size).toBe(1);
  });

  it("when the pictures cannot be brought, nothing is pasted", async () => {
    const b = board("room-b", false);
    b.clip.pasteData(encodeClipboard([image("i")], "room-a"), "");
    await settle();
    expect(b.calls.bring).toEqual(["room-a"]);
    expect(b.room.state.size).toBe(0);
  });

  it("pasted picture files go to the pictures, not to the shapes", () => {
    const b = board("room-b");
    const png = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], "shot.png", { type: "image/png" });
    b.clip.pasteData("", "", [png, new File(["x"], "notes.txt", { type: "text/plain" })]);
    expect(b.calls.insert).toBe(1);
    expect(b.room.state.size).toBe(0);
  });
});
