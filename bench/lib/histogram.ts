/**
 * A fixed-bucket latency histogram: constant memory however many samples a
 * workload delivers (W1 at high N delivers millions), and mergeable across
 * worker threads by adding the bucket arrays.
 *
 * Resolution: 0.1 ms up to 200 ms (where the targets are), 1 ms up to 2 s,
 * 100 ms up to 60 s, then one overflow bucket.
 */
const FINE_MS = 200;
const FINE_STEP = 0.1;
const MID_MS = 2_000;
const MID_STEP = 1;
const COARSE_MS = 60_000;
const COARSE_STEP = 100;
const FINE_N = FINE_MS / FINE_STEP;
const MID_N = (MID_MS - FINE_MS) / MID_STEP;
const COARSE_N = (COARSE_MS - MID_MS) / COARSE_STEP;
export const BUCKETS = FINE_N + MID_N + COARSE_N + 1;

function bucketOf(ms: number): number {
  if (ms < 0) ms = 0;
  if (ms < FINE_MS) return Math.floor(ms / FINE_STEP);
  if (ms < MID_MS) return FINE_N + Math.floor((ms - FINE_MS) / MID_STEP);
  if (ms < COARSE_MS) return FINE_N + MID_N + Math.floor((ms - MID_MS) / COARSE_STEP);
  return BUCKETS - 1;
}

/** Upper edge of a bucket: quantiles are reported conservatively (never low). */
function upperEdge(b: number): number {
  if (b < FINE_N) return (b + 1) * FINE_STEP;
  if (b < FINE_N + MID_N) return FINE_MS + (b - FINE_N + 1) * MID_STEP;
  if (b < BUCKETS - 1) return MID_MS + (b - FINE_N - MID_N + 1) * COARSE_STEP;
  return Number.POSITIVE_INFINITY;
}

export class Histogram {
  readonly counts: Uint32Array;
  count = 0;
  sum = 0;
  max = 0;

  constructor(counts?: ArrayLike<number>) {
    this.counts = new Uint32Array(BUCKETS);
    if (counts) {
      for (let i = 0; i < BUCKETS; i++) {
        const c = counts[i] ?? 0;
        this.counts[i] = c;
        this.count += c;
      }
    }
  }

  add(ms: number): void {
    this.counts[bucketOf(ms)]!++;
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  merge(other: { counts: ArrayLike<number>; count: number; sum: number; max: number }): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i] ?? 0;
    this.count += other.count;
    this.sum += other.sum;
    if (other.max > this.max) this.max = other.max;
  }

  /** The q-quantile (0..1) in ms, rounded to 0.1 ms; NaN without samples. */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b]!;
      if (seen >= rank) return Math.round(Math.min(upperEdge(b), this.max) * 10) / 10;
    }
    return this.max;
  }

  /** Plain data for postMessage between threads. */
  toJSON(): { counts: number[]; count: number; sum: number; max: number } {
    return { counts: Array.from(this.counts), count: this.count, sum: this.sum, max: this.max };
  }
}
