/**
 * Commits share the cursor frames' send budget (party/engine/commit-outbox.ts):
 * a quiet room sends a change and its ack in the turn that committed; a busy
 * one batches the commits of each frame time into one frame per socket. The
 * hard part is order: every socket must see acks and changes in seq order,
 * nothing before its welcome, and no other answer may overtake a queued commit.
 */
import { describe, expect, it } from "vitest";
import type { ServerMessage, Card } from "../support/cards.ts";
import { type TestSocket, CardsRoomHost, card } from "../support/cards-room.ts";

type Sock = TestSocket<Card>;
const put = (mid: string, id: string) => ({ type: "mutate", mid, ops: [{ op: "put", rec: card(id) }] });
/** What a socket got of the room's seq stream, as "ack:mid@seq" / "change:mid@seq". */
const seqStream = (s: { inbox: ServerMessage[] }) =>
  s.inbox.flatMap((m) => (m.type === "ack" ? [`ack:${m.mid}@${m.seq}`] : m.type === "change" ? [`change:${m.mid}@${m.seq}`] : []));

/** A room of `n` whose frame budget is spent: one cursor frame to everyone overdraws it. */
async function busyRoom(n: number) {
  const h = new CardsRoomHost("busy");
  const people = [];
  for (let i = 0; i < n; i++) people.push(await h.join(`p${i}`));
  await h.send(people[n - 1]!, { type: "cursor", p: [1, 1] });
  expect(h.pendingTimers).toBe(0); // that frame left at once…
  return { h, people };
}

describe("commit batching", () => {
  it("a quiet room sends the change and the ack in the turn that committed", async () => {
    const h = new CardsRoomHost();
    const a = await h.join("ada");
    const b = await h.join("bob");
    await h.send(a, put("m1", "s1"));
    expect(h.pendingTimers).toBe(0);
    expect(seqStream(a)).toEqual(["ack:m1@1"]);
    expect(seqStream(b)).toEqual(["change:m1@1"]);
  });

  it("a busy room batches a frame time's commits into one frame per socket, each in seq order", async () => {
    const { h, people } = await busyRoom(220);
    const [a, b, c] = people as [Sock, Sock, Sock];
    const framesBefore = [a.frames, b.frames, c.frames];
    await h.send(a, put("m1", "s1"));
    await h.send(b, put("m2", "s2"));
    await h.send(a, put("m3", "s3"));
    // …so these wait for the next frame: nothing sent yet, acks included.
    expect(seqStream(a)).toEqual([]);
    expect(h.pendingTimers).toBe(1);
    h.flushTimers();
    expect(seqStream(a)).toEqual(["ack:m1@1", "change:m2@2", "ack:m3@3"]);
    expect(seqStream(b)).toEqual(["change:m1@1", "ack:m2@2", "change:m3@3"]);
    expect(seqStream(c)).toEqual(["change:m1@1", "change:m2@2", "change:m3@3"]);
    // One frame each for all three commits.
    expect([a.frames, b.frames, c.frames].map((f, i) => f - framesBefore[i]!)).toEqual([1, 1, 1]);
  });

  it("no other answer overtakes a queued commit: a repeated mid's ack comes after the first", async () => {
    const { h, people } = await busyRoom(220);
    const a = people[0]!;
    await h.send(a, put("m1", "s1"));
    await h.send(a, put("m1", "s1")); // a retry of the same mutation
    expect(a.of("ack").map((m) => [m.mid, m.seq, m.dup ?? false])).toEqual([
      ["m1", 1, false],
      ["m1", 1, true],
    ]);
  });

  it("a newcomer gets nothing queued before its welcome; its sync holds those commits", async () => {
    const { h, people } = await busyRoom(220);
    const b = people[1]!;
    await h.send(people[0]!, put("m1", "s1"));
    const late = await h.join("late");
    expect(late.inbox[0]!.type).toBe("welcome");
    const sync = late.last("sync")!;
    expect(sync.seq).toBe(1);
    expect(seqStream(late)).toEqual([]);
    // The ones already here got it, once.
    h.flushTimers();
    expect(seqStream(b)).toEqual(["change:m1@1"]);
  });

  it("a live draft the author clears with its edit never vanishes before the edit arrives", async () => {
    const { h, people } = await busyRoom(220);
    const [a, b] = people as [Sock, Sock];
    await h.send(a, { type: "live", key: "draft", data: card("s1") });
    h.flushTimers();
    const mark = b.inbox.length;
    await h.send(a, put("m1", "s1"));
    await h.send(a, { type: "live", key: "draft", data: null });
    h.flushTimers();
    const after = b.inbox.slice(mark);
    const changeAt = after.findIndex((m) => m.type === "change");
    const clearedAt = after.findIndex((m) => m.type === "cursors" && (m.l ?? []).some((e) => e[1] === "draft" && e[2] === null));
    expect(changeAt).toBeGreaterThanOrEqual(0);
    expect(clearedAt).toBeGreaterThan(changeAt);
  });
});
