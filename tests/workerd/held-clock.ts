/**
 * A held clock for bounds that depend on time. The rooms read `Date.now()`
 * (party/engine/durable-object.ts), and the test Worker's Durable Objects run
 * in the tests' own isolate, so faking `Date` here holds the rooms' clock too.
 * While it is held a rate bucket refills by nothing: what it admits is exactly
 * its burst, however fast or slow the machine — no wall-clock slack in the
 * bound, no assertion that only runs when the machine is fast. Timers stay
 * real, so sockets and streams still deliver.
 */
import { vi } from "vitest";

export async function withClockHeld<T>(fn: (heldAt: number) => Promise<T>): Promise<T> {
  const heldAt = Date.now();
  vi.useFakeTimers({ toFake: ["Date"], now: heldAt });
  try {
    return await fn(heldAt);
  } finally {
    vi.useRealTimers();
  }
}
