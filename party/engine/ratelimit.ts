/**
 * A token bucket: `rate` tokens per second refill up to `burst`. Pure apart from
 * the clock passed in, so tests drive time by hand. In-memory only: after a
 * hibernation the bucket starts full again, which only forgives an idle client.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly rate: number;
  private readonly burst: number;

  constructor(rate: number, burst: number, now: number) {
    this.rate = rate;
    this.burst = burst;
    this.tokens = burst;
    this.last = now;
  }

  /** Take `cost` tokens (one by default); false, taking none, when fewer are left. */
  take(now: number, cost = 1): boolean {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.rate);
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }
}

/** Token buckets by key (an identity), at most `max` of them: past it the one
 * used longest ago is forgotten (a Map keeps insertion order; a use moves the
 * key to the end). */
export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly rate: number;
  private readonly burst: number;
  private readonly max: number;

  constructor(rate: number, burst: number, max: number) {
    this.rate = rate;
    this.burst = burst;
    this.max = max;
  }

  get size(): number {
    return this.buckets.size;
  }

  take(key: string, now: number): boolean {
    let bucket = this.buckets.get(key);
    if (bucket) this.buckets.delete(key);
    else bucket = new TokenBucket(this.rate, this.burst, now);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.max) this.buckets.delete(this.buckets.keys().next().value!);
    return bucket.take(now);
  }
}
