/** The offline backdrop: cached records with pending edits replayed on top. */
import { describe, expect, it } from "vitest";
import type { Shape } from "../../party/whiteboard/records.ts";
import { viewOverSnapshot } from "../../client/engine/snapshot-cache.ts";

const rect = (id: string, x = 0): Shape => ({ id, type: "rect", x, y: 0, z: 1, color: "#000000", stroke: 2, w: 10, h: 10, fill: null });

describe("viewOverSnapshot", () => {
  it("shows cached records with pending puts, patches and deletes applied in order", () => {
    const view = viewOverSnapshot(
      [rect("a"), rect("b"), rect("c")],
      [
        { mid: "1", createdAt: 1, ops: [{ op: "patch", id: "a", set: { x: 5 } }] },
        { mid: "2", createdAt: 2, ops: [{ op: "del", id: "b" }, { op: "put", rec: rect("n", 9) }] },
        { mid: "3", createdAt: 3, ops: [{ op: "patch", id: "a", set: { x: 7 } }] },
      ],
    );
    expect([...view.keys()].sort()).toEqual(["a", "c", "n"]);
    expect(view.get("a")?.x).toBe(7);
    expect(view.get("n")?.x).toBe(9);
  });

  it("skips a pending edit that does not apply to the cached state, keeps the rest", () => {
    const view = viewOverSnapshot(
      [rect("a")],
      [
        { mid: "1", createdAt: 1, ops: [{ op: "patch", id: "gone", set: { x: 5 } }] },
        { mid: "2", createdAt: 2, ops: [{ op: "patch", id: "a", set: { x: 3 } }] },
      ],
    );
    expect(view.get("a")?.x).toBe(3);
    expect(view.size).toBe(1);
  });
});
