/**
 * History work bounded in time (issue 23, SECURITY.md §3.9): a past board is
 * charged before it is built, built outside the room's queue in steps, and
 * shared by every request for the same point (party/engine/room/past-boards.ts).
 * The bystander's ack latency under preview and restore floods on the real
 * host: tests/workerd/history-flood.test.ts.
 */
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../party/shared/protocol.ts";
import { bigCard, card, CardsRoomHost } from "../support/cards-room.ts";

const putMany = (mid: string, from: number, n: number, x = 0) => ({ type: "mutate", mid, ops: Array.from({ length: n }, (_, i) => ({ op: "put", rec: card(`s${from + i}`, x) })) });
const ids = (records: { id: string }[]) => records.map((r) => r.id).sort();
const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("past boards", () => {
  it("N identical previews asked at once by many members cost one build; a repeat later comes from the cache", async () => {
    const h = new CardsRoomHost();
    const members = [];
    for (let i = 0; i < 8; i++) members.push(await h.join(`m${i}`));
    for (let i = 0; i < 10; i++) await h.send(members[0]!, putMany(`p${i}`, i * 10, 10, i));
    const asks = members.flatMap((m, i) => [0, 1, 2].map((k) => h.send(m, { type: "preview", rid: `r${i}-${k}`, seq: 6 })));
    await Promise.all(asks);
    expect(h.room.pastBoards.builds).toBe(1);
    const boards = members.flatMap((m) => m.of("preview"));
    expect(boards).toHaveLength(24);
    const expected = Array.from({ length: 60 }, (_, i) => `s${i}`).sort();
    for (const b of boards) expect(ids(b.records)).toEqual(expected);
    // Later, the same point again: no build. Another point: one more.
    await h.send(members[1]!, { type: "preview", rid: "again", seq: 6 });
    expect(members[1]!.last("preview")).toMatchObject({ rid: "again", seq: 6 });
    expect(h.room.pastBoards.builds).toBe(1);
    await h.send(members[1]!, { type: "preview", rid: "other", seq: 3 });
    expect(ids(members[1]!.last("preview")!.records)).toHaveLength(30);
    expect(h.room.pastBoards.builds).toBe(2);
  });

  it("charges a build to the room's history work budget before reading anything: past it a preview or restore is refused and nothing is built", async () => {
    const h = new CardsRoomHost("work", { pastBoards: { workBytesBurst: 8_000, workBytesPerSec: 1_000 } });
    const ada = await h.join("ada");
    const bob = await h.join("bob");
    for (let i = 0; i < 3; i++) await h.send(ada, putMany(`p${i}`, i * 20, 20, i));
    // Every past seq here replays the one interval after checkpoint 0 (~6 KB of changes): one build fits the 8 KB burst, not two.
    await h.send(ada, { type: "preview", rid: "a", seq: 1 });
    expect(ada.last("preview")!.records).toHaveLength(20);
    await h.send(bob, { type: "preview", rid: "b", seq: 2 });
    expect(bob.last("error")).toMatchObject({ code: ErrorCode.RATE_LIMITED, ref: "preview", rid: "b" });
    await h.send(bob, { type: "restore", mid: "r1", seq: 2 });
    expect(bob.last("reject")).toMatchObject({ mid: "r1", code: ErrorCode.RATE_LIMITED });
    expect(h.room.pastBoards.builds).toBe(1);
    expect((await h.room.snapshot()).seq).toBe(3);
    // The built point costs no work; the budget refills with time.
    await h.send(bob, { type: "preview", rid: "c", seq: 1 });
    expect(bob.last("preview")).toMatchObject({ rid: "c", seq: 1 });
    h.clock += 10_000;
    await h.send(bob, { type: "restore", mid: "r1", seq: 2 });
    expect(bob.last("ack")).toMatchObject({ mid: "r1", seq: 4 });
    expect(ids((await h.room.snapshot()).records)).toHaveLength(40);
    expect(h.room.pastBoards.builds).toBe(2);
  });

  it("a commit sent while a past board is being built is acknowledged before the preview is answered", async () => {
    const h = new CardsRoomHost("steps", { pastBoards: { stepBytes: 16 * 1024 } });
    const ada = await h.join("ada");
    const bob = await h.join("bob");
    // ~2 MB of changes after checkpoint 0, in 100 commits: the build replays them in ~120 steps.
    for (let i = 0; i < 100; i++) {
      h.clock += 100; // within the mutation rate
      await h.send(ada, { type: "mutate", mid: `m${i}`, ops: Array.from({ length: 20 }, (_, k) => ({ op: "put", rec: bigCard(`t${k + (i % 50) * 20}`, 1, i) })) });
    }
    const asked = h.send(ada, { type: "preview", rid: "big", seq: 99 });
    await nextTurn(); // the build is under way
    await nextTurn();
    await h.room.message(bob, JSON.stringify({ type: "mutate", mid: "b1", ops: [{ op: "put", rec: card("mine") }] }));
    expect(bob.last("ack")).toMatchObject({ mid: "b1", seq: 101 });
    expect(ada.of("preview")).toHaveLength(0);
    await asked;
    expect(ada.last("preview")).toMatchObject({ rid: "big", seq: 99 });
    expect(ada.last("preview")!.records).toHaveLength(1_000);
  });

  it("a restore's diff against a large board is compared outside the queue: a commit sent meanwhile is acked first, and the restore still reverts it", async () => {
    const h = new CardsRoomHost("diff", { pastBoards: { stepBytes: 16 * 1024 } });
    const ada = await h.join("ada");
    const bob = await h.join("bob");
    // ~1 MB of cards in 50 commits (the restore's target, seq 50), then a vote on ten of them.
    for (let i = 0; i < 50; i++) {
      h.clock += 100; // within the mutation rate
      await h.send(ada, { type: "mutate", mid: `m${i}`, ops: Array.from({ length: 20 }, (_, k) => ({ op: "put", rec: bigCard(`t${i * 20 + k}`, 1) })) });
    }
    await h.send(ada, { type: "mutate", mid: "votes", ops: Array.from({ length: 10 }, (_, k) => ({ op: "patch", id: `t${k}`, set: { votes: 1 } })) });
    // The target board is built already (a preview of it): what is left of the restore is its diff.
    await h.send(ada, { type: "preview", rid: "look", seq: 50 });
    expect(ada.last("preview")!.records).toHaveLength(1_000);
    const restored = h.send(ada, { type: "restore", mid: "back", seq: 50 });
    await nextTurn(); // the diff is under way
    await nextTurn();
    // Bob votes on a card the diff has compared as unchanged, and adds one.
    await h.room.message(bob, JSON.stringify({ type: "mutate", mid: "b1", ops: [{ op: "patch", id: "t999", set: { votes: 3 } }, { op: "put", rec: card("mine") }] }));
    expect(bob.last("ack")).toMatchObject({ mid: "b1", seq: 52 });
    expect(ada.of("ack").some((a) => a.mid === "back")).toBe(false);
    await restored;
    expect(ada.of("ack").find((a) => a.mid === "back")).toMatchObject({ seq: 53 });
    // The board is the one at seq 50: the votes of both undone, bob's card gone.
    const now = await h.room.snapshot();
    expect(now.records).toHaveLength(1_000);
    expect(now.records.filter((r) => r.votes !== 0)).toEqual([]);
  });
});
