/**
 * The library's connect timeout (client/engine/connection.ts; PROTOCOL.md
 * §11 "Reconnect backoff"): an attempt that has not opened in time is closed
 * — so the server sees it go — and retried after the backoff; each attempt
 * that timed out doubles the next one's timeout, to MAX_CONNECT_TIMEOUT_MS,
 * and an attempt that opens resets it. When upgrades are slow (a server in a
 * reconnect storm took 13–50 s each, issue 23), a fixed 5 s timeout made
 * every client abandon an accepted upgrade and open another every ~6–15 s:
 * the server held several sockets per client. Real partysocket, its timers
 * on a fake clock, a fake WebSocket that never opens until told to.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CONNECT_TIMEOUT_MS, MAX_CONNECT_TIMEOUT_MS, partySocketTransport, type Transport } from "../../client/engine/connection.ts";

/** A WebSocket whose upgrade is as slow as the test says. */
class SlowSocket extends EventTarget {
  static made: SlowSocket[] = [];
  readyState = 0;
  binaryType = "blob";
  readonly openedAt: number;
  /** When `close()` was called while it was still connecting (null: never). */
  abandonedAt: number | null = null;
  closedAt: number | null = null;
  constructor(readonly url: string) {
    super();
    this.openedAt = Date.now();
    SlowSocket.made.push(this);
  }
  /** The upgrade completes. */
  open(): void {
    this.readyState = 1;
    this.dispatchEvent(new Event("open"));
  }
  send(): void {}
  close(): void {
    if (this.readyState >= 2) return;
    if (this.readyState === 0) this.abandonedAt = Date.now();
    this.readyState = 3;
    this.closedAt = Date.now();
    // As a browser fails a connecting socket: error, then close (1006).
    this.dispatchEvent(new Event("error"));
    const close = new Event("close") as Event & { code: number; reason: string };
    close.code = 1006;
    close.reason = "";
    this.dispatchEvent(close);
  }
}

let transport: Transport | undefined;
const connect = () => {
  transport = partySocketTransport({ host: "127.0.0.1:1", party: "cards", room: "r", WebSocket: SlowSocket })({ open: () => {}, message: () => {}, close: () => {} });
};

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
  SlowSocket.made = [];
});
afterEach(() => {
  transport?.close();
  transport = undefined;
  vi.useRealTimers();
});

describe("the connect timeout", () => {
  it("closes an attempt that has not opened after CONNECT_TIMEOUT_MS, so the server sees it go, then retries", async () => {
    connect();
    await vi.advanceTimersByTimeAsync(0);
    expect(SlowSocket.made).toHaveLength(1);
    const first = SlowSocket.made[0]!;
    await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS - 1);
    expect(first.abandonedAt).toBeNull();
    await vi.advanceTimersByTimeAsync(1);
    expect(first.abandonedAt).toBe(first.openedAt + CONNECT_TIMEOUT_MS);
    // The next attempt comes after the backoff (and the library's jitter): never two at once.
    await vi.advanceTimersByTimeAsync(2_000);
    expect(SlowSocket.made).toHaveLength(2);
    expect(SlowSocket.made[1]!.openedAt).toBeGreaterThan(first.closedAt!);
  });

  it("doubles with every attempt that timed out, to MAX_CONNECT_TIMEOUT_MS, and starts over once one opens", async () => {
    connect();
    await vi.advanceTimersByTimeAsync(0);
    // Upgrades that never complete: each attempt is given twice the last one's time.
    while (SlowSocket.made.length < 6) await vi.advanceTimersByTimeAsync(1_000);
    const given = SlowSocket.made.slice(0, 5).map((s) => s.abandonedAt! - s.openedAt);
    expect(given).toEqual([5_000, 10_000, 20_000, 30_000, 30_000].map((ms) => Math.min(ms, MAX_CONNECT_TIMEOUT_MS)));
    // Never more than one attempt open at a time: each began after the one before was closed.
    for (let i = 1; i < SlowSocket.made.length; i++) expect(SlowSocket.made[i]!.openedAt).toBeGreaterThanOrEqual(SlowSocket.made[i - 1]!.closedAt!);
    // The sixth opens; when that connection drops, the next attempt has CONNECT_TIMEOUT_MS again.
    SlowSocket.made[5]!.open();
    await vi.advanceTimersByTimeAsync(100);
    SlowSocket.made[5]!.close();
    while (SlowSocket.made.length < 7) await vi.advanceTimersByTimeAsync(100);
    const seventh = SlowSocket.made[6]!;
    await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS);
    expect(seventh.abandonedAt).toBe(seventh.openedAt + CONNECT_TIMEOUT_MS);
  });

  it("gets through when every upgrade takes 25 s, with a handful of sockets", async () => {
    connect();
    await vi.advanceTimersByTimeAsync(0);
    // Each upgrade completes 25 s after it began, if the client still waits for it.
    for (let t = 0; t < 120_000 && !SlowSocket.made.some((s) => s.readyState === 1); t += 250) {
      for (const s of SlowSocket.made) if (s.readyState === 0 && Date.now() - s.openedAt >= 25_000) s.open();
      await vi.advanceTimersByTimeAsync(250);
    }
    const opened = SlowSocket.made.filter((s) => s.readyState === 1);
    expect(opened).toHaveLength(1);
    // 5, 10 and 20 s were given up (each closed), the 30 s attempt got through.
    expect(SlowSocket.made).toHaveLength(4);
    expect(SlowSocket.made.slice(0, 3).every((s) => s.abandonedAt !== null && s.closedAt !== null)).toBe(true);
  });
});
