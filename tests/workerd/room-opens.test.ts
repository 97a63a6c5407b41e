/**
 * Room creation per identity at the Worker (docs/SECURITY.md §3.9): a room's
 * object is created by its first socket or fallback stream, so the Worker
 * counts those opens per identity (the `ROOM_OPENS` rate-limiting binding,
 * which Miniflare runs here) and refuses the one over ROOM_OPENS_PER_MINUTE
 * with a typed, retryable error — before any room is woken.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ROOM_OPENS_PER_MINUTE } from "../../party/shared/limits.ts";
import { ErrorCode, PROTOCOL_VERSION, TRY_AGAIN_LATER } from "../../party/shared/protocol.ts";
import { openSocket } from "./socket.ts";

const BASE = "http://edgeroom.test/parties/cards";

/** The binding counts in windows aligned to the wall clock's minutes: start
 * early in one, so the whole test falls in it. */
async function startOfAWindow(): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 35_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 200));
}

describe("room opens per identity per minute", () => {
  it(`refuses room opens over ROOM_OPENS_PER_MINUTE (${ROOM_OPENS_PER_MINUTE}) in a minute from one address, typed and retryable; others still get in`, async () => {
    await startOfAWindow();
    const ip = { "CF-Connecting-IP": "192.0.2.61" };
    // One open per fresh room id: each would create a room.
    for (let i = 0; i < ROOM_OPENS_PER_MINUTE - 1; i++) {
      const c = await openSocket(`/parties/cards/opens-${i}`, ip);
      c.ws.close();
    }
    // The last one allowed is a working room connection.
    const last = await openSocket(`/parties/cards/opens-last`, ip);
    last.send({ type: "hello", v: PROTOCOL_VERSION, clientId: "opener", epoch: null, lastSeq: 0, name: "o", color: "#000000" });
    await last.next("sync", 0, 15_000);
    last.ws.close();

    const over = await openSocket(`/parties/cards/opens-over`, ip);
    expect(over.inbox[0] ?? (await over.next("error"))).toMatchObject({ type: "error", code: ErrorCode.RATE_LIMITED });
    expect((await over.waitClosed()).code).toBe(TRY_AGAIN_LATER);
    // A fallback stream is a room open too: 429, typed.
    const stream = await exports.default.fetch(`${BASE}/opens-stream/events`, { headers: ip });
    expect(stream.status).toBe(429);
    expect(((await stream.json()) as { code: string }).code).toBe(ErrorCode.RATE_LIMITED);
    // Nothing was created for the refused room.
    const stats = (await (await exports.default.fetch(`${BASE}/opens-over/stats`)).json()) as { seq: number; connections: number };
    expect(stats.connections).toBe(0);

    // Someone else is not affected.
    const other = await openSocket(`/parties/cards/opens-over`, { "CF-Connecting-IP": "192.0.2.62" });
    other.send({ type: "hello", v: PROTOCOL_VERSION, clientId: "other", epoch: null, lastSeq: 0, name: "x", color: "#000000" });
    await other.next("sync", 0, 15_000);
    other.ws.close();
  }, 120_000);
});
