/**
 * Live-state bytes out of a room are bounded (issue 23, SECURITY.md §3.9):
 * each live value in a frame counts once per receiver against
 * LIVE_BYTES_OUT_PER_SEC (burst LIVE_BYTES_OUT_BURST); past it live values
 * wait in the room, the latest per member and key winning, and go out when
 * the budget is back (room/fanout.ts, room/live-frames.ts). A small room's
 * live state is not delayed.
 */
import { describe, expect, it } from "vitest";
import { CURSOR_FRAME_MS, LIVE_BYTES_OUT_BURST, LIVE_BYTES_OUT_PER_SEC, MAX_LIVE_BYTES } from "../../party/shared/limits.ts";
import { bigCard, card, type Card, CardsRoomHost, type TestSocket } from "../support/cards-room.ts";

type Live = [string, string, Card | null];

/** The latest live value per member (`conn`) a socket has received. */
function latestDrafts(s: TestSocket<Card>): Map<string, Card | null> {
  const seen = new Map<string, Card | null>();
  for (const m of s.of("cursors")) for (const [conn, key, value] of ((m as { l?: Live[] }).l ?? [])) if (key === "draft") seen.set(conn, value);
  return seen;
}

describe("live state out of a room", () => {
  // 140 members' floods in one process: seconds of work on a loaded machine (the assertions are on bytes, not time).
  it("140 members flooding 14 KB drafts: bytes out stay within the budget over the window, and each member's latest draft still arrives", { timeout: 60_000 }, async () => {
    const h = new CardsRoomHost("live-flood");
    const members: TestSocket<Card>[] = [];
    for (let i = 0; i < 140; i++) members.push(await h.join(`m${i}`));
    const conns = members.map((m) => m.last("welcome")!.self.conn);
    // Count every live frame's characters as it leaves; the first member also keeps what it is sent.
    let out = 0;
    for (const [i, m] of members.entries()) {
      const keep = m.send.bind(m);
      m.send = (frame: string) => {
        if (frame.startsWith('{"type":"cursors"')) out += frame.length;
        if (i === 0) keep(frame);
      };
    }
    const windowMs = 3_000;
    const last = new Map<string, Card>();
    for (let t = 0; t < windowMs; t += CURSOR_FRAME_MS) {
      h.clock += CURSOR_FRAME_MS;
      for (const [i, m] of members.entries()) {
        const draft = bigCard(`d${i}`, 14, t);
        last.set(conns[i]!, draft);
        await h.send(m, { type: "live", key: "draft", data: draft });
      }
      h.flushTimers();
      await h.room.settled();
    }
    // Unbounded, this was ~140 × 14 KB × 140 receivers every frame: ~16 GB in 3 s.
    const bound = LIVE_BYTES_OUT_BURST + (LIVE_BYTES_OUT_PER_SEC * windowMs) / 1000 + MAX_LIVE_BYTES * 140;
    expect(out).toBeLessThanOrEqual(bound);
    expect(out).toBeGreaterThan(bound / 2); // the budget is used, not live state dropped

    // The flood stops: within the time the budget needs, every member's latest draft reaches the others.
    for (let t = 0; t < 20_000 && h.pendingTimers > 0; t += CURSOR_FRAME_MS) {
      h.clock += CURSOR_FRAME_MS;
      h.flushTimers();
      await h.room.settled();
    }
    const seen = latestDrafts(members[0]!);
    for (const [i, conn] of conns.entries()) if (i > 0) expect(seen.get(conn)?.text, `member ${i}'s latest draft`).toBe(last.get(conn)!.text);
  });

  it("a small room's live state goes out in the frame it arrives in, every value", async () => {
    const h = new CardsRoomHost("live-small");
    const members: TestSocket<Card>[] = [];
    for (let i = 0; i < 6; i++) members.push(await h.join(`s${i}`));
    const conns = members.map((m) => m.last("welcome")!.self.conn);
    for (let t = 0; t < 3_000; t += CURSOR_FRAME_MS) {
      h.clock += CURSOR_FRAME_MS;
      const sent = [bigCard("a", 2, t), { ...card("b", t, t), text: `${t}` }];
      await h.send(members[0]!, { type: "live", key: "draft", data: sent[0] });
      await h.send(members[1]!, { type: "live", key: "draft", data: sent[1] });
      h.flushTimers();
      await h.room.settled();
      for (const m of members.slice(2)) {
        const seen = latestDrafts(m);
        expect(seen.get(conns[0]!)).toEqual(sent[0]);
        expect(seen.get(conns[1]!)).toEqual(sent[1]);
      }
    }
    // Every value, not only the latest: 60 frames each carried both drafters' values.
    const values = members[2]!.of("cursors").flatMap((m) => (m as { l?: Live[] }).l ?? []);
    expect(values).toHaveLength(120);
  });
});
