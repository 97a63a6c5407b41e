/**
 * Evictions in the middle of a mutation storm, in workerd: one that hibernates
 * the sockets and one that closes them. Whatever the room acknowledged is
 * there afterwards, seq stays gap-free, and a resent mutation is never applied twice.
 */
import { env } from "cloudflare:workers";
import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { joinRoom, card, type TestClient } from "./socket.ts";

const stubFor = (room: string) => env.CARDS.get(env.CARDS.idFromName(room));
const TOTAL = 40;

function acksOf(c: TestClient): Map<string, number> {
  return new Map(c.of("ack").map((a) => [a.mid, a.seq]));
}

async function until(check: () => boolean, what: string) {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("evictions during a mutation storm", () => {
  it("loses and doubles nothing across a hibernating eviction and a closing one", { timeout: 60_000 }, async () => {
    const room = "storm";
    let a = await joinRoom(room, "ada");
    const b = await joinRoom(room, "bob");
    const mids = Array.from({ length: TOTAL }, (_, i) => `m${i}`);
    const send = (c: TestClient, i: number) => c.send({ type: "mutate", mid: mids[i], ops: [{ op: "put", rec: card(`s${i}`, i) }] });

    // First third, then a hibernating eviction while the rest is in flight.
    for (let i = 0; i < TOTAL / 2; i++) send(a, i);
    await evictDurableObject(stubFor(room), { webSockets: "hibernate" });
    for (let i = TOTAL / 2; i < (3 * TOTAL) / 4; i++) send(a, i);
    await until(() => acksOf(a).size >= (3 * TOTAL) / 4, "acks after the hibernating eviction");

    // Now an eviction that closes the sockets, with mutations in flight.
    for (let i = (3 * TOTAL) / 4; i < TOTAL; i++) send(a, i);
    await evictDurableObject(stubFor(room), { webSockets: "close" });
    await a.waitClosed();
    const ackedBefore = acksOf(a);

    // The client comes back and resends everything it has no ack for — and,
    // to be hostile, everything else too.
    const sync = a.of("sync")[0]!;
    a = await joinRoom(room, "ada", { epoch: sync.epoch, lastSeq: 0 });
    for (let i = 0; i < TOTAL; i++) send(a, i);
    await until(() => acksOf(a).size === TOTAL, "every mutation acknowledged");
    const acks = acksOf(a);
    for (const [mid, seq] of ackedBefore) expect(acks.get(mid)).toBe(seq); // original results
    const seqs = [...acks.values()].sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1)); // gap-free, each once

    const observer = await joinRoom(room, "obs");
    const snap = observer.of("sync")[0]!;
    expect(snap.seq).toBe(TOTAL);
    expect(snap.mode === "snapshot" && snap.records.length).toBe(TOTAL);
    // Bob (hibernated through the first eviction) saw a gap-free prefix.
    const bobSeqs = b.of("change").map((c) => c.seq);
    expect(bobSeqs).toEqual(Array.from({ length: bobSeqs.length }, (_, i) => i + 1));
  });
});
