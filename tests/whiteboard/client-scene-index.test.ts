/**
 * The scene's spatial index (client/whiteboard/canvas/scene.ts over
 * spatial-index.ts): what is on screen and what is under the pointer come
 * from a grid, and must be exactly what looking at every shape would give —
 * in paint order, with a drag's preview and bound arrows resolved, for huge
 * shapes and far-away ones.
 */
import { describe, expect, it } from "vitest";
import type { Shape } from "../../party/whiteboard/records.ts";
import { intersects, type Rect } from "../../client/whiteboard/canvas/camera.ts";
import { hitTest, shapeBounds } from "../../client/whiteboard/canvas/geometry.ts";
import { isArea, paintOrder, SceneIndex } from "../../client/whiteboard/canvas/scene.ts";

function board(n: number): Shape[] {
  let seed = 7;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const out: Shape[] = [];
  for (let i = 0; i < n; i++) {
    const base = { id: `s${i}`, x: Math.round(rnd() * 5000 - 1000), y: Math.round(rnd() * 3000 - 500), z: Math.floor(rnd() * 50), color: "#1e1e1e", stroke: 2 };
    const k = i % 4;
    if (k === 0) out.push({ ...base, type: "rect", w: 20 + rnd() * 200, h: 20 + rnd() * 100, fill: null });
    else if (k === 1) out.push({ ...base, type: "ellipse", w: 20 + rnd() * 100, h: 20 + rnd() * 100, fill: null });
    else if (k === 2) {
      // Every other line is an arrow bound from the rectangle two back to the ellipse one back.
      const bound = i % 8 === 2;
      out.push({ ...base, type: "line", pts: [[0, 0], [rnd() * 300 - 150, rnd() * 300 - 150]], arrow: bound, ...(bound ? { start: { id: `s${i - 2}`, x: 0.5, y: 0.5 }, end: { id: `s${i - 1}`, x: 0.5, y: 0.5 } } : {}) });
    } else out.push({ ...base, type: "pen", pts: [[0, 0], [30, 10], [60, -5], [90, 20]] });
  }
  // A huge shape (the grid keeps it apart) and one far away.
  out.push({ id: "huge", type: "rect", x: -20_000, y: -20_000, w: 40_000, h: 40_000, z: -1, color: "#1e1e1e", stroke: 2, fill: null });
  out.push({ id: "far", type: "rect", x: 1e7, y: -1e7, w: 50, h: 50, z: 3, color: "#1e1e1e", stroke: 2, fill: null });
  return out;
}

/** The answers by looking at every shape, as the scene did before it had an
 * index (the topmost: the first shape holding the point, else the first within the tolerance). */
function bruteVisible(scene: SceneIndex, view: Rect, overrides: ReadonlyMap<string, Shape> | null): string[] {
  return [...scene.shapes]
    .sort(paintOrder)
    .map((b) => scene.resolved(overrides?.get(b.id) ?? b, overrides))
    .filter((s) => intersects(shapeBounds(s), view))
    .map((s) => s.id);
}
function bruteTopmost(all: readonly Shape[], scene: SceneIndex, x: number, y: number, tol: number, overrides: ReadonlyMap<string, Shape> | null): string | null {
  let nearest: string | null = null;
  for (let i = all.length - 1; i >= 0; i--) {
    const s = scene.resolved(overrides?.get(all[i]!.id) ?? all[i]!, overrides);
    if (s.locked || !hitTest(s, x, y, tol)) continue;
    if (!isArea(s) || hitTest(s, x, y, 0)) return s.id;
    nearest ??= s.id;
  }
  return nearest;
}

describe("the scene's spatial index", () => {
  const shapes = board(3000);
  const scene = new SceneIndex();
  scene.update(new Map(shapes.map((s) => [s.id, s])), 1);
  const views: Rect[] = [
    { minX: 0, minY: 0, maxX: 1280, maxY: 800 },
    { minX: 2000, minY: 1000, maxX: 2100, maxY: 1040 },
    { minX: -1e6, minY: -1e6, maxX: 1e6, maxY: 1e6 },
    { minX: 1e7 - 10, minY: -1e7 - 10, maxX: 1e7 + 10, maxY: -1e7 + 10 },
  ];

  it("finds exactly the shapes in a rectangle, in paint order", () => {
    for (const v of views) expect(scene.visible(v, null).map((s) => s.id)).toEqual(bruteVisible(scene, v, null));
  });

  it("finds a shape moved by a drag's preview at its new place (and the arrows bound to it), not at its old one", () => {
    const moved = shapes[0]!; // a rectangle with arrows bound to it
    const preview = new Map<string, Shape>([[moved.id, { ...moved, x: 9000, y: 9000 }]]);
    const around = (x: number, y: number): Rect => ({ minX: x - 400, minY: y - 400, maxX: x + 400, maxY: y + 400 });
    for (const v of [around(9000, 9000), around(moved.x, moved.y), ...views]) expect(scene.visible(v, preview).map((s) => s.id)).toEqual(bruteVisible(scene, v, preview));
    expect(scene.visible(around(9000, 9000), preview).map((s) => s.id)).toContain(moved.id);
  });

  // A brute-force scan per point: seconds on a loaded machine, so it gets 30 s (not a timing test).
  it("picks the same topmost shape under the pointer as a scan of every shape", { timeout: 30_000 }, () => {
    const all = [...scene.shapes].sort(paintOrder);
    let checked = 0;
    for (let x = -900; x < 4000; x += 97) {
      for (let y = -400; y < 2500; y += 89) {
        expect(scene.topmostAt(x, y, 6)?.id ?? null).toBe(bruteTopmost(all, scene, x, y, 6, null));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
    expect(scene.topmostAt(1e7 + 25, -1e7 + 25, 1)?.id).toBe("far");
  });

  it("zoomed out, a point inside a small rectangle picks it, not the one above it within the slop", () => {
    const grid = new SceneIndex();
    const cells: Shape[] = [0, 1].map((row) => ({ id: `r${row}`, type: "rect", x: 0, y: row * 40, w: 40, h: 24, z: row + 1, color: "#1e1e1e", stroke: 2, fill: "#1e1e1e" }));
    grid.update(new Map(cells.map((s) => [s.id, s])), 1);
    const slop = 6 / 0.18; // 6 screen px at fit-all zoom: 33 world units, past the 16-unit gap
    expect(grid.topmostAt(20, 12, slop)?.id).toBe("r0");
    expect(grid.topmostAt(20, 52, slop)?.id).toBe("r1");
    expect(grid.topmostAt(20, 32, slop)?.id).toBe("r1"); // in the gap: the nearest within the slop, topmost first
  });

  it("has the bounds of everything drawn", () => {
    const b = scene.contentBounds()!;
    expect(b.minX).toBeLessThanOrEqual(-20_000);
    expect(b.maxX).toBeGreaterThanOrEqual(1e7 + 50);
  });
});
