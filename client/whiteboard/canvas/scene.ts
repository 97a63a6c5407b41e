/**
 * The drawable scene: every record in paint order (z, then id), with the
 * queries the board needs — what is on screen (culling), what is under the
 * pointer, what a marquee covers. Rebuilt only when the document version moves;
 * re-sorting an almost-sorted array is close to linear (TimSort), so a remote
 * drag over 10,000 shapes stays cheap. Every query sees shapes as drawn: a
 * bound arrow's ends are resolved from its targets (binding.ts), the targets
 * of a drag in progress included.
 */
import type { Shape } from "../../../party/whiteboard/records.ts";
import { intersects, type Rect } from "./camera.ts";
import { resolveShape } from "./binding.ts";
import { hitTest, shapeBounds, shapeBox } from "./geometry.ts";
import { rotatedBounds, rotationOf } from "./rotate.ts";

/** Frames first (beneath every other shape, whatever their z), then by z, then by id. */
export function paintOrder(a: Shape, b: Shape): number {
  return (a.type === "frame" ? 0 : 1) - (b.type === "frame" ? 0 : 1) || a.z - b.z || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export class SceneIndex {
  private sorted: Shape[] = [];
  private builtFrom: ReadonlyMap<string, Shape> | null = null;
  private builtVersion = -1;
  private maxZ = 0;

  /** Bring the index up to date with `records` at `version` (cheap when unchanged). */
  update(records: ReadonlyMap<string, Shape>, version: number): void {
    if (records === this.builtFrom && version === this.builtVersion) return;
    const next = Array.from(records.values());
    next.sort(paintOrder);
    this.sorted = next;
    this.maxZ = next.length ? next[next.length - 1]!.z : 0;
    this.builtFrom = records;
    this.builtVersion = version;
  }

  get shapes(): readonly Shape[] {
    return this.sorted;
  }

  /** z for a new shape: above everything. */
  nextZ(): number {
    return Math.floor(this.maxZ) + 1;
  }

  /** `s` as drawn: a bound arrow's ends placed from its targets (those in
   * `overrides`, a drag's preview, first). O(1): a lookup per bound end. */
  resolved(s: Shape, overrides: ReadonlyMap<string, Shape> | null = null): Shape {
    if (s.type !== "line" || (!s.start && !s.end)) return s;
    const records = this.builtFrom;
    return resolveShape(s, (id) => overrides?.get(id) ?? records?.get(id));
  }

  /** Shapes whose painted bounds meet `view`, in paint order. */
  visible(view: Rect, overrides: ReadonlyMap<string, Shape> | null, out: Shape[] = []): Shape[] {
    out.length = 0;
    for (const base of this.sorted) {
      const s = this.resolved(overrides?.get(base.id) ?? base, overrides);
      if (intersects(shapeBounds(s), view)) out.push(s);
    }
    return out;
  }

  /** The topmost shape under a world point that `accept` takes (by default: any not locked). */
  topmostAt(x: number, y: number, tolerance: number, overrides: ReadonlyMap<string, Shape> | null = null, accept?: (s: Shape) => boolean): Shape | null {
    for (let i = this.sorted.length - 1; i >= 0; i--) {
      const s = this.resolved(overrides?.get(this.sorted[i]!.id) ?? this.sorted[i]!, overrides);
      if ((accept ? accept(s) : !s.locked) && hitTest(s, x, y, tolerance)) return s;
    }
    return null;
  }

  /** Shapes whose box meets the marquee rectangle (locked ones left out; a
   * frame only when the marquee takes all of it: a marquee drawn inside a
   * frame selects what it holds). */
  within(r: Rect): Shape[] {
    return this.sorted.filter((s) => {
      if (s.locked) return false;
      const b = rotatedBounds(shapeBox(this.resolved(s)), rotationOf(s));
      return s.type === "frame" ? b.minX >= r.minX && b.maxX <= r.maxX && b.minY >= r.minY && b.maxY <= r.maxY : intersects(b, r);
    });
  }
}
