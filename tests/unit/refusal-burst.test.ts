/**
 * The stored-refusal budget (REFUSAL_RATE_PER_SEC, burst REFUSAL_BURST) is
 * kept per identity, not per connection: before, a reconnect gave a fresh
 * burst of 50 stored refusals (issue 23). Identity is the token subject, else
 * the address, else the client id — as the connection caps count them — and
 * the room keeps at most REFUSAL_IDENTITIES_MAX such buckets.
 */
import { describe, expect, it } from "vitest";
import { KeyedBuckets } from "../../party/engine/ratelimit.ts";
import { REFUSAL_BURST, REFUSAL_IDENTITIES_MAX } from "../../party/shared/limits.ts";
import { ErrorCode, PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import type { Card } from "../support/cards.ts";
import { TestSocket, CardsRoomHost } from "../support/cards-room.ts";

/** `n` refused deletes (of a record that does not exist); the codes they got. */
async function refuse(h: CardsRoomHost, s: TestSocket<Card>, tag: string, n: number): Promise<string[]> {
  const before = s.of("reject").length;
  for (let i = 0; i < n; i++) await h.send(s, { type: "mutate", mid: `${tag}-${i}`, ops: [{ op: "del", id: "missing" }] });
  return s.of("reject").slice(before).map((r) => r.code);
}

async function joinAs(h: CardsRoomHost, clientId: string, subject: string | null): Promise<TestSocket<Card>> {
  const s = new TestSocket<Card>();
  h.sockets.add(s);
  void h.room.connect(s, { ok: true, role: "editor", subject });
  await h.send(s, { type: "hello", v: PROTOCOL_VERSION, clientId, epoch: null, lastSeq: 0, name: clientId, color: "#112233" });
  return s;
}

describe("the refusal burst is not refreshed by reconnecting", () => {
  it("a client that spent its burst and reconnects gets RATE_LIMITED, not a fresh burst", async () => {
    const h = new CardsRoomHost();
    const first = await h.join("mallory");
    expect(await refuse(h, first, "a", REFUSAL_BURST)).toEqual(Array(REFUSAL_BURST).fill(ErrorCode.RECORD_NOT_FOUND));
    await h.disconnect(first);
    const again = await h.join("mallory"); // same client id, new connection
    expect(await refuse(h, again, "b", 5)).toEqual(Array(5).fill(ErrorCode.RATE_LIMITED));
    // Someone else still has theirs.
    const other = await h.join("ada");
    expect(await refuse(h, other, "c", 1)).toEqual([ErrorCode.RECORD_NOT_FOUND]);
  });

  it("one token subject shares one burst across client ids and connections", async () => {
    const h = new CardsRoomHost();
    const a = await joinAs(h, "tab-1", "alice");
    expect(await refuse(h, a, "a", REFUSAL_BURST)).toEqual(Array(REFUSAL_BURST).fill(ErrorCode.RECORD_NOT_FOUND));
    const b = await joinAs(h, "tab-2", "alice");
    expect(await refuse(h, b, "b", 3)).toEqual(Array(3).fill(ErrorCode.RATE_LIMITED));
    const bob = await joinAs(h, "tab-3", "bob");
    expect(await refuse(h, bob, "c", 1)).toEqual([ErrorCode.RECORD_NOT_FOUND]);
  });

  it("keeps at most REFUSAL_IDENTITIES_MAX buckets, forgetting the one used longest ago", () => {
    const buckets = new KeyedBuckets(0, 1, REFUSAL_IDENTITIES_MAX);
    expect(buckets.take("first", 0)).toBe(true);
    expect(buckets.take("first", 0)).toBe(false); // spent, no refill (rate 0)
    for (let i = 0; i < REFUSAL_IDENTITIES_MAX - 1; i++) buckets.take(`k${i}`, 0);
    expect(buckets.take("first", 0)).toBe(false); // still remembered: used more recently than k0…
    buckets.take("one-more", 0);
    expect(buckets.size).toBe(REFUSAL_IDENTITIES_MAX);
    expect(buckets.take("k0", 0)).toBe(true); // k0 was forgotten, then made afresh
    expect(buckets.size).toBe(REFUSAL_IDENTITIES_MAX);
  });
});
