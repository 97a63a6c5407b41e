/**
 * A uniform grid over the board: which shapes (by their index in paint order)
 * have painted bounds meeting a rectangle, without looking at the others. The
 * scene (scene.ts) builds one per document version and answers what is on
 * screen, what a cached region holds (scene-cache.ts) and what is under the
 * pointer from it: at 10,000 shapes a hover or a strip of the screen looks at
 * tens of shapes, not all of them.
 *
 * A shape covering more than MAX_CELLS cells (a huge frame, a long stroke)
 * is kept in one list every query reads, so no query walks thousands of cells.
 * Pure: no DOM.
 */
import type { Rect } from "./camera.ts";

/** Cell size (world units): a few typical shapes wide. */
export const CELL = 256;
/** Cells one shape may occupy before it goes in the always-read list. */
const MAX_CELLS = 64;
/** Cell coordinates are clamped to ±2^20 (any board fits; the key stays an exact integer). */
const LIMIT = 1 << 20;

const cellOf = (v: number) => Math.max(-LIMIT, Math.min(LIMIT, Math.floor(v / CELL)));
const keyOf = (cx: number, cy: number) => (cx + LIMIT) * (2 * LIMIT + 1) + (cy + LIMIT);

export class GridIndex {
  private readonly cells = new Map<number, number[]>();
  private readonly big: number[] = [];
  /** A visit stamp per entry, so a query reports each index once. */
  private stamps = new Uint32Array(0);
  private stamp = 0;

  /** An index over `bounds[i]` for i in 0…count−1. */
  constructor(bounds: readonly Rect[]) {
    this.stamps = new Uint32Array(bounds.length);
    bounds.forEach((b, i) => {
      const x0 = cellOf(b.minX);
      const x1 = cellOf(b.maxX);
      const y0 = cellOf(b.minY);
      const y1 = cellOf(b.maxY);
      if ((x1 - x0 + 1) * (y1 - y0 + 1) > MAX_CELLS) {
        this.big.push(i);
        return;
      }
      for (let cx = x0; cx <= x1; cx++) {
        for (let cy = y0; cy <= y1; cy++) {
          const key = keyOf(cx, cy);
          const list = this.cells.get(key);
          if (list) list.push(i);
          else this.cells.set(key, [i]);
        }
      }
    });
  }

  /** Indices whose cells meet `r`, ascending (paint order), each once. A
   * superset: the caller tests each against its own bounds. */
  query(r: Rect, out: number[] = []): number[] {
    out.length = 0;
    if (++this.stamp === 0xffffffff) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
    const stamp = this.stamp;
    const x0 = cellOf(r.minX);
    const x1 = cellOf(r.maxX);
    const y0 = cellOf(r.minY);
    const y1 = cellOf(r.maxY);
    if ((x1 - x0 + 1) * (y1 - y0 + 1) > this.cells.size) {
      // A rectangle wider than the board: read every cell once instead.
      for (const list of this.cells.values()) this.take(list, stamp, out);
    } else {
      for (let cx = x0; cx <= x1; cx++) {
        for (let cy = y0; cy <= y1; cy++) {
          const list = this.cells.get(keyOf(cx, cy));
          if (list) this.take(list, stamp, out);
        }
      }
    }
    this.take(this.big, stamp, out);
    return out.sort((a, b) => a - b);
  }

  private take(list: readonly number[], stamp: number, out: number[]): void {
    for (const i of list) {
      if (this.stamps[i] === stamp) continue;
      this.stamps[i] = stamp;
      out.push(i);
    }
  }
}
