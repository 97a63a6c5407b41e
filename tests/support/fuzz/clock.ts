/**
 * Virtual time for the fuzz, on vitest's fake timers: the room's clock (rate
 * limits, alarms), the clients' Date.now and their timers (mutation retries,
 * pings, presence linger) all read one fake clock, and nothing fires unless the
 * harness advances it. Wall-clock time never reaches a decision, so a seed
 * replays exactly however slow the machine is.
 *
 * Fake timers rather than an injected clock because RoomClient calls the global
 * setTimeout/setInterval/Date.now directly; if it ever takes a clock option,
 * this file becomes a plain class and the harness stops needing vitest.
 */
import { vi } from "vitest";

export const FUZZ_EPOCH_MS = 1_700_000_000_000;

export class FuzzClock {
  install(): void {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"], now: FUZZ_EPOCH_MS });
  }

  uninstall(): void {
    vi.clearAllTimers();
    vi.useRealTimers();
  }

  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, ms: number): void {
    setTimeout(fn, ms);
  }

  /** Move time forward by `ms`, running every timer that falls due on the way. */
  advance(ms: number): void {
    vi.advanceTimersByTime(ms);
  }

  /** Jump to the next timer and run it. */
  advanceToNextTimer(): void {
    vi.advanceTimersToNextTimer();
  }

  get pendingTimers(): number {
    return vi.getTimerCount();
  }
}
