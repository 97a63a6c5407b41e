/**
 * The room's link to a relay is bounded (issue 18 item 5): the room cannot see
 * the link's buffer, so the relay acknowledges what it handled (`r` in its up
 * frames) and the room counts what each link owes; past the bound
 * (RELAY_LINK_MAX_OWED_BYTES, lowered here) it sends that link nothing more
 * and tells it to resubscribe. The relay then catches up by one sync — its
 * members by the changes they missed — instead of an unbounded queue.
 * In memory (tests/support/audience-room.ts): the room core and real relays.
 */
import { describe, expect, it } from "vitest";
import { appliedSeqs, AudienceRoom, heldSeq } from "../support/audience-room.ts";
import { bigCard } from "../support/cards.ts";

const BOUND = 200_000;

/** Characters of commits and broadcasts in a link frame (what the room counts). */
function counted(frame: string): number {
  const msg = JSON.parse(frame) as { t: string; i?: { k: string; f?: string }[] };
  return (msg.i ?? []).filter((i) => i.k === "commit" || i.k === "cast").reduce((n, i) => n + i.f!.length, 0);
}

describe("a relay's link that does not read", () => {
  it("is sent at most its bound, then told to resubscribe; it catches up by one sync and its members' seqs stay contiguous", async () => {
    const a = new AudienceRoom({ directMax: 1, relayMax: 2, relaysMax: 3, linkOwedMax: BOUND });
    const writer = a.join("writer", "editor");
    const slow = [a.join("s1", "viewer", { reads: true }), a.join("s2")];
    const fast = a.join("f1");
    await a.advance(100);
    expect([a.where.get(writer), a.where.get(slow[0]!), a.where.get(slow[1]!), a.where.get(fast)]).toEqual([-1, 0, 0, 1]);

    // Relay 0 stops reading its link; relay 1 reads (and acknowledges) as ever.
    const link0 = a.relay(0).link!;
    const from = link0.sent.length;
    link0.hold();
    const edits = 10;
    for (let i = 0; i < edits; i++) {
      a.send(writer, { type: "mutate", mid: `m${i}`, ops: [{ op: "put", rec: bigCard(`b${i}`, 40, i) }] });
      await a.advance(60, 30);
    }
    // 400 KB went out: relay 0 was sent its bound (and the frame that found it
    // is not sent), then `behind`, then nothing of the room's output.
    const after = link0.sent.slice(from);
    const behindAt = after.indexOf(`{"t":"behind"}`);
    expect(behindAt, "relay 0 told it fell behind").toBeGreaterThan(-1);
    const owed = after.slice(0, behindAt).reduce((n, f) => n + counted(f), 0);
    expect(owed).toBeLessThanOrEqual(BOUND);
    expect(owed).toBeGreaterThan(BOUND - 45_000);
    expect(after.slice(behindAt + 1).reduce((n, f) => n + counted(f), 0)).toBe(0);
    // Relay 1 acknowledged and got everything.
    expect(a.relay(1).link!.sent).not.toContain(`{"t":"behind"}`);
    expect(appliedSeqs(fast)).toEqual(Array.from({ length: edits }, (_, i) => i + 1));

    // Relay 0 reads again: it finds `behind`, subscribes from what it holds,
    // and its members get what they missed as changes, each seq once.
    link0.release();
    await a.advance(100);
    expect(a.logs.some((l) => l.event === "relay_subscribed" && l.detail === "delta")).toBe(true);
    a.send(writer, { type: "mutate", mid: "last", ops: [{ op: "put", rec: bigCard("last", 1) }] });
    await a.advance(100);
    for (const s of [...slow, fast]) {
      expect(s.closed).toBeNull();
      expect(heldSeq(s)).toBe(edits + 1);
      expect(appliedSeqs(s)).toEqual(Array.from({ length: edits + 1 }, (_, i) => i + 1));
    }
  }, 30_000);

  it("keeps a relay that acknowledges: four times its bound, never behind", async () => {
    const a = new AudienceRoom({ directMax: 1, relayMax: 3, relaysMax: 2, linkOwedMax: BOUND });
    const writer = a.join("writer", "editor");
    const members = [a.join("v1"), a.join("v2")];
    await a.advance(100);
    const edits = 20;
    for (let i = 0; i < edits; i++) {
      a.send(writer, { type: "mutate", mid: `m${i}`, ops: [{ op: "put", rec: bigCard(`b${i}`, 40, i) }] });
      await a.advance(60, 30);
    }
    expect(a.relay(0).link!.sent).not.toContain(`{"t":"behind"}`);
    for (const s of members) expect(appliedSeqs(s)).toEqual(Array.from({ length: edits }, (_, i) => i + 1));
  }, 30_000);
});
