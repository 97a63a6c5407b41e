/**
 * Time, injectable: the cursor throttle, the editor's drag commits and the
 * room client (retries, pings, presence linger, history timeouts) read the
 * clock and set one-shot timers through this, so unit tests drive them with a
 * fake clock (tests/support/fake-clock.ts) instead of waiting. Wall-clock
 * stamps (when an edit was made, when the client last synced) are not
 * durations and stay `Date.now()`.
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

/** The same timers, timed by `Date.now`: the room client's default, so an
 * environment that fakes Date and the timers together (vitest's fake timers,
 * as the fuzz uses them) moves all of the client's time at once. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
