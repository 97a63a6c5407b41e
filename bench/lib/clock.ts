/**
 * One clock for every thread of the load generator. `performance.now()` is
 * relative to each thread's own time origin; adding `timeOrigin` gives an
 * absolute, sub-millisecond wall clock that worker threads agree on, so a
 * timestamp written by a sender thread can be subtracted in a receiver thread.
 */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Cursor and edit payloads carry their send time as a coordinate: milliseconds
 * since the run's epoch, to 0.1 ms — the precision edgeroom's room keeps
 * (it rounds coordinates to one decimal). Coordinates must stay under ±1e7,
 * which a run of under 2.7 hours does.
 */
export function stampSince(epochMs: number): number {
  return Math.round((wallMs() - epochMs) * 10) / 10;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolve when `check()` is true, polling; reject after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs: number, what: string, stepMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(stepMs);
  }
}
