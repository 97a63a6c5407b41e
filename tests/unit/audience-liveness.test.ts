/**
 * A relay's link that stops carrying frames without closing (issue 18 item 5;
 * docs/PROTOCOL.md §16, SECURITY.md §3.9): the room evicted without its close
 * reaching the relay, or a relay that hangs. The relay pings its link every
 * RELAY_PING_MS (answered by the room's runtime without waking the room);
 * the relay gives a link up once the room has been silent past
 * RELAY_ROOM_SILENT_MS, the room once the relay has been past RELAY_SILENT_MS.
 * In memory with a fake clock: the room core and real relays
 * (tests/support/audience-room.ts), a link `sever`ed (nothing passes, no close
 * comes) or a relay `hung` (its timers stop).
 */
import { describe, expect, it } from "vitest";
import { RELAY_PING_MS, RELAY_ROOM_SILENT_MS, RELAY_SILENT_MS, SWEEP_INTERVAL_MS } from "../../party/shared/limits.ts";
import { PING_FRAME } from "../../party/shared/protocol.ts";
import type { TestSocket } from "../../party/engine/testing/memory-host.ts";
import { AudienceRoom, appliedSeqs, heldSeq } from "../support/audience-room.ts";
import { bigCard, card, type Card } from "../support/cards.ts";

/** Move the clock by `ms` while `members` keep pinging, as the library does. */
async function alive(a: AudienceRoom, members: TestSocket<Card>[], ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 5_000) {
    for (const s of members) a.send(s, PING_FRAME);
    await a.advance(Math.min(5_000, ms - t), 1_000);
  }
}

const mutate = (a: AudienceRoom, s: TestSocket<Card>, mid: string) => a.send(s, { type: "mutate", mid, ops: [{ op: "put", rec: card(mid) }] });

describe("a relay whose link went silent", () => {
  it("gives it up within RELAY_ROOM_SILENT_MS + RELAY_PING_MS, subscribes on a new one, and its members go on with every seq once", { timeout: 30_000 }, async () => {
    const a = new AudienceRoom({ directMax: 1, relayMax: 3, relaysMax: 3 });
    const d = a.join("d", "editor");
    const e = a.join("e", "editor");
    const v = a.join("v");
    const everyone = [d, e, v];
    await a.settle();
    // A board larger than the changes a dead link loses: the relay's new sync is a delta.
    a.send(d, { type: "mutate", mid: "m1", ops: [{ op: "put", rec: bigCard("big", 20) }] });
    await a.settle();
    expect(everyone.map(heldSeq)).toEqual([1, 1, 1]);
    // A quiet link is not a silent one: the pings (answered by the room's
    // runtime) keep it, on both sides.
    const old = a.relay(0).link!;
    await alive(a, everyone, RELAY_SILENT_MS + SWEEP_INTERVAL_MS);
    expect(a.relay(0).link).toBe(old);
    expect(old.closed).toBe(false);
    expect((await a.room.stats()).relays).toBe(1);

    old.sever();
    mutate(a, d, "m2");
    mutate(a, d, "m3");
    await a.settle();
    expect([heldSeq(e), heldSeq(v)]).toEqual([1, 1]);
    await alive(a, everyone, RELAY_ROOM_SILENT_MS + RELAY_PING_MS + 1_000);
    const next = a.relay(0).link!;
    expect(next).not.toBe(old);
    expect(a.logs.some((l) => l.event === "relay_link_silent")).toBe(true);
    // The new link's sync brought what the dead one lost: no gap, no double.
    expect([heldSeq(e), heldSeq(v)]).toEqual([3, 3]);
    expect(appliedSeqs(v)).toEqual([1, 2, 3]);
    expect(e.closed).toBeNull();
    mutate(a, e, "m4");
    await a.settle();
    expect(everyone.map(heldSeq)).toEqual([4, 4, 4]);
    // Then the room gives the old link up too; the relay's members stay (the
    // same relay holds them on its new link): nobody saw e leave.
    await alive(a, everyone, RELAY_SILENT_MS + SWEEP_INTERVAL_MS);
    expect(old.closed).toBe(true);
    expect(d.of("leave")).toEqual([]);
    expect((await a.room.stats()).relays).toBe(1);
  });
});

describe("a room whose relay went silent", () => {
  it("takes the relay's editors out of presence and its watchers out of the count within RELAY_SILENT_MS + SWEEP_INTERVAL_MS", { timeout: 30_000 }, async () => {
    // No direct members: the room's sweep is armed by its links alone.
    const a = new AudienceRoom({ directMax: 0, relayMax: 2, relaysMax: 3 });
    const e = a.join("e", "editor");
    const v = a.join("v", "viewer");
    const f = a.join("f", "editor", { watching: true });
    const w = a.join("w", "viewer");
    await a.settle();
    expect([e, v, f, w].map((s) => a.where.get(s))).toEqual([0, 0, 1, 1]);
    await alive(a, [e, v, f, w], 2_000);
    expect(f.of("watching").at(-1)).toMatchObject({ n: 2 });
    const eConn = e.of("welcome")[0]!.self.conn;
    expect(f.of("welcome")[0]!.peers.map((p) => p.conn)).toContain(eConn);

    // Relay 0 hangs: no frame, no ping, and its link never closes. Its last
    // ping was at most RELAY_PING_MS ago.
    a.relay(0).hung = true;
    await alive(a, [f, w], RELAY_SILENT_MS - RELAY_PING_MS - 2_000);
    expect(await a.room.stats()).toMatchObject({ relays: 2, watching: 2 });
    await alive(a, [f, w], RELAY_PING_MS + SWEEP_INTERVAL_MS + 3_000);
    expect(f.of("leave").map((l) => l.conn)).toEqual([eConn]);
    expect(f.of("watching").at(-1)).toMatchObject({ n: 1 });
    expect(await a.room.stats()).toMatchObject({ relays: 1, relayed: 2, watching: 1 });
    expect(a.relay(0).link!.closed).toBe(true);
    expect(a.logs.some((l) => l.event === "relay_silent")).toBe(true);
  });
});
