/**
 * mulberry32: a tiny seeded PRNG. The fuzz draws every decision from one of
 * these, so a seed replays the same run exactly (Math.random never decides
 * anything that changes control flow).
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[this.int(items.length)]!;
  }

  /** Pick a key by weight; zero-weight keys are never chosen. */
  weighted<K extends string>(weights: Record<K, number>): K {
    let total = 0;
    for (const k in weights) total += weights[k];
    let r = this.next() * total;
    let last: K | undefined;
    for (const k in weights) {
      if (weights[k] <= 0) continue;
      last = k;
      r -= weights[k];
      if (r < 0) return k;
    }
    if (last === undefined) throw new Error("every weight is zero");
    return last;
  }
}
