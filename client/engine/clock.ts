/**
 * Time, injectable: the cursor throttle and the editor's drag commits read the
 * clock and set one-shot timers through this, so unit tests drive them with a
 * fake clock (tests/support/fake-clock.ts) instead of waiting.
 */
export interface Clock {
  /** Milliseconds, monotonic (only differences are used). */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
