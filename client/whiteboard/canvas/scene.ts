/**
 * The drawable scene: every record in paint order (z, then id), with the
 * queries the board needs — what is on screen (culling), what is under the
 * pointer, what a marquee covers. Rebuilt only when the document version moves;
 * re-sorting an almost-sorted array is close to linear (TimSort), so a remote
 * drag over 10,000 shapes stays cheap. Every query sees shapes as drawn: a
 * bound arrow's ends are resolved from its targets (binding.ts), the targets
 * of a drag in progress included. The on-screen and under-the-pointer
 * queries read a grid index of the shapes' painted bounds (spatial-index.ts),
 * built on first use after each version: they look at the shapes near the
 * place asked about, not at all 10,000.
 */
import type { Shape } from "../../../party/whiteboard/records.ts";
import { intersects, type Rect } from "./camera.ts";
import { resolveShape } from "./binding.ts";
import { hitTest, shapeBounds, shapeBox } from "./geometry.ts";
import { rotatedBounds, rotationOf } from "./rotate.ts";
import { GridIndex } from "./spatial-index.ts";

/** Frames first (beneath every other shape, whatever their z), then by z, then by id. */
export function paintOrder(a: Shape, b: Shape): number {
  return (a.type === "frame" ? 0 : 1) - (b.type === "frame" ? 0 : 1) || a.z - b.z || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** What the index was built from: the shapes' bounds as drawn (no preview),
 * where each id sits in paint order, and which bound arrows hang off each target. */
interface Built {
  grid: GridIndex;
  indexOf: Map<string, number>;
  arrowsOf: Map<string, number[]>;
  content: Rect | null;
}

/** Shapes hit anywhere inside their outline (not only near a stroke). */
export function isArea(s: Shape): boolean {
  return s.type === "rect" || s.type === "ellipse" || s.type === "sticky" || s.type === "text" || s.type === "image";
}

export class SceneIndex {
  private sorted: Shape[] = [];
  private builtFrom: ReadonlyMap<string, Shape> | null = null;
  private builtVersion = -1;
  private maxZ = 0;
  private built: Built | null = null;
  private readonly candidates: number[] = [];

  /** Bring the index up to date with `records` at `version` (cheap when unchanged). */
  update(records: ReadonlyMap<string, Shape>, version: number): void {
    if (records === this.builtFrom && version === this.builtVersion) return;
    const next = Array.from(records.values());
    next.sort(paintOrder);
    this.sorted = next;
    this.maxZ = next.length ? next[next.length - 1]!.z : 0;
    this.builtFrom = records;
    this.builtVersion = version;
    this.built = null;
  }

  get shapes(): readonly Shape[] {
    return this.sorted;
  }

  /** The document version the index holds (bumped by every update that changed it). */
  get version(): number {
    return this.builtVersion;
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

  /** The painted bounds of every shape as drawn (no preview), or null for an empty board. */
  contentBounds(): Rect | null {
    return this.index().content;
  }

  private index(): Built {
    if (this.built) return this.built;
    const indexOf = new Map<string, number>();
    const arrowsOf = new Map<string, number[]>();
    let content: Rect | null = null;
    const bounds = this.sorted.map((base, i) => {
      indexOf.set(base.id, i);
      if (base.type === "line") {
        for (const end of [base.start, base.end]) {
          if (!end) continue;
          const list = arrowsOf.get(end.id);
          if (list) list.push(i);
          else arrowsOf.set(end.id, [i]);
        }
      }
      const b = shapeBounds(this.resolved(base));
      content = content ? { minX: Math.min(content.minX, b.minX), minY: Math.min(content.minY, b.minY), maxX: Math.max(content.maxX, b.maxX), maxY: Math.max(content.maxY, b.maxY) } : { ...b };
      return b;
    });
    this.built = { grid: new GridIndex(bounds), indexOf, arrowsOf, content };
    return this.built;
  }

  /** Indices (paint order, ascending) that may meet `r` as drawn with
   * `overrides`: the grid's, plus every overridden shape and the arrows bound
   * to one (a drag moves them away from where the grid has them). */
  private candidatesIn(r: Rect, overrides: ReadonlyMap<string, Shape> | null): number[] {
    const built = this.index();
    const out = built.grid.query(r, this.candidates);
    if (!overrides?.size) return out;
    const extra = new Set(out);
    for (const id of overrides.keys()) {
      const i = built.indexOf.get(id);
      if (i !== undefined) extra.add(i);
      for (const a of built.arrowsOf.get(id) ?? []) extra.add(a);
    }
    if (extra.size === out.length) return out;
    out.length = 0;
    for (const i of extra) out.push(i);
    return out.sort((a, b) => a - b);
  }

  /** Shapes whose painted bounds meet `view`, in paint order. */
  visible(view: Rect, overrides: ReadonlyMap<string, Shape> | null, out: Shape[] = []): Shape[] {
    out.length = 0;
    for (const i of this.candidatesIn(view, overrides)) {
      const base = this.sorted[i]!;
      const s = this.resolved(overrides?.get(base.id) ?? base, overrides);
      if (intersects(shapeBounds(s), view)) out.push(s);
    }
    return out;
  }

  /** The topmost shape under a world point that `accept` takes (by default:
   * any not locked). A filled area (rectangle, ellipse, sticky, text,
   * picture) the point is inside wins over one above it that is only within
   * `tolerance`: zoomed out, the slop of a few screen pixels spans the
   * neighbours of a small shape, and a click inside a shape means that
   * shape. Thin shapes (lines, strokes, frame borders) take the tolerance
   * first; an area is taken within it only when nothing holds the point. */
  topmostAt(x: number, y: number, tolerance: number, overrides: ReadonlyMap<string, Shape> | null = null, accept?: (s: Shape) => boolean): Shape | null {
    const near = this.candidatesIn({ minX: x - tolerance, minY: y - tolerance, maxX: x + tolerance, maxY: y + tolerance }, overrides);
    let nearest: Shape | null = null;
    for (let k = near.length - 1; k >= 0; k--) {
      const base = this.sorted[near[k]!]!;
      const s = this.resolved(overrides?.get(base.id) ?? base, overrides);
      if (!(accept ? accept(s) : !s.locked) || !hitTest(s, x, y, tolerance)) continue;
      if (!isArea(s) || hitTest(s, x, y, 0)) return s;
      nearest ??= s;
    }
    return nearest;
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
