/**
 * Retained history through the room core (in memory, key-value storage):
 * list, preview (the asker only), restore as one exactly-once mutation that
 * others receive as a marked change, named versions, viewers, checkpoints and
 * retention. The same behaviour on SQLite in workerd: tests/workerd/history.test.ts.
 */
import { describe, expect, it } from "vitest";
import { HISTORY_BURST, HISTORY_CHECKPOINT_CHANGES, HISTORY_CHECKPOINT_MS, HISTORY_MAX_CHECKPOINTS, HISTORY_MAX_VERSIONS, LOG_COMPACT_AT, MUTATION_AGE_MAX_MS } from "../../party/shared/limits.ts";
import { ErrorCode } from "../../party/shared/protocol.ts";
import { CardsRoomHost, card } from "../support/cards-room.ts";

const put = (mid: string, id: string, x = 0) => ({ type: "mutate", mid, ops: [{ op: "put", rec: card(id, x) }] });
const del = (mid: string, id: string) => ({ type: "mutate", mid, ops: [{ op: "del", id }] });
const ids = (records: { id: string }[]) => records.map((r) => r.id).sort();

describe("history through the room", () => {
  it("lists who changed what, newest first, paged", async () => {
    const h = new CardsRoomHost();
    const ada = await h.join("ada");
    for (let i = 1; i <= 5; i++) await h.send(ada, put(`m${i}`, `s${i}`));
    await h.send(ada, del("m6", "s1"));
    await h.send(ada, { type: "history", rid: "h1", limit: 4 });
    const page = ada.last("history")!;
    expect(page).toMatchObject({ rid: "h1", head: 6, floor: 0, more: true });
    expect(page.changes.map((c) => c.seq)).toEqual([6, 5, 4, 3]);
    expect(page.changes[0]).toMatchObject({ mid: "m6", name: "ada", puts: 0, dels: 1, ids: ["s1"], by: ada.last("welcome")!.self.conn });
    expect(page.checkpoints.map((c) => c.seq)).toEqual([0]);
    await h.send(ada, { type: "history", before: 3 });
    expect(ada.last("history")!.changes.map((c) => c.seq)).toEqual([2, 1]);
    expect(ada.last("history")!.more).toBe(false);
  });

  it("dates a change by the age its mutation says, clamped to MUTATION_AGE_MAX_MS before its arrival", async () => {
    const h = new CardsRoomHost();
    const ada = await h.join("ada");
    const arrival = h.clock;
    await h.send(ada, { ...put("m1", "s1"), age: 10 * 60_000 });
    await h.send(ada, { ...put("m2", "s2"), age: 30 * 24 * 60 * 60 * 1000 }); // a lying clock: a month
    await h.send(ada, put("m3", "s3")); // an older client: no age
    await h.send(ada, { ...put("m4", "s4"), age: 0 });
    await h.send(ada, { type: "history", rid: "h1" });
    const made = ada.last("history")!.changes.map((c) => [c.mid, c.at, c.made]);
    expect(made).toEqual([
      ["m4", arrival, undefined],
      ["m3", arrival, undefined],
      ["m2", arrival, arrival - MUTATION_AGE_MAX_MS],
      ["m1", arrival, arrival - 10 * 60_000],
    ]);
    // A negative or fractional age is no age: the frame is refused by its mid.
    await h.send(ada, { ...put("m5", "s5"), age: -5 });
    expect(ada.last("reject")).toMatchObject({ mid: "m5", code: ErrorCode.INVALID_MUTATION });
  });

  it("previews a past board to the asker only", async () => {
    const h = new CardsRoomHost();
    const ada = await h.join("ada");
    const bob = await h.join("bob");
    for (let i = 1; i <= 3; i++) await h.send(ada, put(`m${i}`, `s${i}`));
    await h.send(ada, del("m4", "s2"));
    bob.clear();
    await h.send(ada, { type: "preview", rid: "p1", seq: 2 });
    expect(ada.last("preview")).toMatchObject({ rid: "p1", seq: 2 });
    expect(ids(ada.last("preview")!.records)).toEqual(["s1", "s2"]);
    expect(bob.inbox).toEqual([]);
    // The board itself did not move.
    expect((await h.room.snapshot()).seq).toBe(4);
    await h.send(ada, { type: "preview", rid: "p2", seq: 9 });
    expect(ada.last("error")).toMatchObject({ code: ErrorCode.HISTORY_UNAVAILABLE, ref: "preview", rid: "p2" });
  });

  it("restores as one exactly-once mutation, broadcast as a marked change and recorded", async () => {
    const h = new CardsRoomHost();
    const ada = await h.join("ada");
    const bob = await h.join("bob");
    await h.send(ada, put("m1", "s1", 1));
    await h.send(ada, put("m2", "s2", 2));
    await h.send(bob, { type: "mutate", mid: "b1", ops: [{ op: "del", id: "s1" }, { op: "patch", id: "s2", set: { x: 50 } }] });
    await h.send(bob, put("b2", "s3"));
    bob.clear();
    ada.clear();
    await h.send(ada, { type: "restore", mid: "r1", seq: 2 });
    expect(ada.last("ack")).toEqual({ type: "ack", mid: "r1", seq: 5 });
    expect(ada.inbox.map((m) => m.type)).toEqual(["change", "ack"]);
    const change = bob.last("change")!;
    expect(change).toMatchObject({ seq: 5, mid: "r1", restored: 2 });
    const board = new Map((await h.room.snapshot()).records.map((r) => [r.id, r]));
    expect([...board.keys()].sort()).toEqual(["s1", "s2"]);
    expect(board.get("s2")!.x).toBe(2);
    // The same mid again: the original result, nothing applied, nothing broadcast.
    bob.clear();
    await h.send(ada, { type: "restore", mid: "r1", seq: 4 });
    expect(ada.last("ack")).toEqual({ type: "ack", mid: "r1", seq: 5, dup: true });
    expect(bob.inbox).toEqual([]);
    expect((await h.room.snapshot()).seq).toBe(5);
    await h.send(ada, { type: "history", limit: 1 });
    expect(ada.last("history")!.changes[0]).toMatchObject({ seq: 5, kind: "restore", restored: 2, name: "ada" });
    // And a restore is undone by restoring the seq before it.
    await h.send(ada, { type: "restore", mid: "r2", seq: 4 });
    expect(ids((await h.room.snapshot()).records)).toEqual(["s2", "s3"]);
  });

  it("names versions, refuses a taken name, and previews and restores by name", async () => {
    const h = new CardsRoomHost();
    const ada = await h.join("ada");
    await h.send(ada, put("m1", "s1"));
    await h.send(ada, { type: "version", rid: "v1", name: " before the review " });
    expect(ada.last("version")).toMatchObject({ rid: "v1", version: "before the review", seq: 1 });
    await h.send(ada, { type: "version", name: "before the review" });
    expect(ada.last("error")).toMatchObject({ code: ErrorCode.VERSION_EXISTS, ref: "version" });
    // One name per point: the same board cannot be named twice.
    await h.send(ada, { type: "version", name: "another name" });
    expect(ada.last("error")).toMatchObject({ code: ErrorCode.VERSION_EXISTS, message: expect.stringContaining("already the version") });
    await h.send(ada, put("m2", "s2"));
    await h.send(ada, { type: "version", name: "the start", seq: 0 });
    expect(ada.last("version")).toMatchObject({ version: "the start", seq: 0 });
    await h.send(ada, { type: "history" });
    expect(ada.last("history")!.versions.map((v) => [v.version, v.seq, v.name])).toEqual([
      ["the start", 0, "ada"],
      ["before the review", 1, "ada"],
    ]);
    await h.send(ada, { type: "preview", version: "before the review" });
    expect(ids(ada.last("preview")!.records)).toEqual(["s1"]);
    await h.send(ada, { type: "restore", mid: "r1", version: "the start" });
    expect(ada.last("ack")!.seq).toBe(3);
    expect((await h.room.snapshot()).records).toEqual([]);
  });

  it("lets viewers list and preview, but not restore or name", async () => {
    const h = new CardsRoomHost();
    const ada = await h.join("ada");
    await h.send(ada, put("m1", "s1"));
    const vic = await h.join("vic", { role: "viewer" });
    await h.send(vic, { type: "history" });
    expect(vic.last("history")!.changes).toHaveLength(1);
    await h.send(vic, { type: "preview", seq: 0 });
    expect(vic.last("preview")!.records).toEqual([]);
    await h.send(vic, { type: "restore", mid: "r1", seq: 0 });
    expect(vic.last("reject")).toMatchObject({ mid: "r1", code: ErrorCode.FORBIDDEN });
    await h.send(vic, { type: "version", name: "mine" });
    expect(vic.last("error")).toMatchObject({ code: ErrorCode.FORBIDDEN, ref: "version" });
    expect((await h.room.snapshot()).records).toHaveLength(1);
  });

  it("keeps history beyond the op log window, checkpointing every HISTORY_CHECKPOINT_CHANGES", async () => {
    const h = new CardsRoomHost();
    const ada = await h.join("ada");
    const n = LOG_COMPACT_AT + 100;
    for (let i = 1; i <= n; i++) {
      h.clock += 50; // under the mutation rate limit
      h.pings.set(ada, h.clock);
      await h.send(ada, { type: "mutate", mid: `m${i}`, ops: [{ op: "put", rec: card(`s${i % 7}`, i) }] });
    }
    const stats = await h.room.stats();
    expect(stats.logSize).toBeLessThan(n); // the reconnect window was compacted
    await h.send(ada, { type: "history", limit: 1 });
    const page = ada.last("history")!;
    expect(page.floor).toBe(0);
    expect(page.checkpoints.map((c) => c.seq)).toEqual([0, ...Array.from({ length: Math.floor(n / HISTORY_CHECKPOINT_CHANGES) }, (_, i) => (i + 1) * HISTORY_CHECKPOINT_CHANGES)]);
    // seq 3 is long out of the op log window, and still previewable.
    await h.send(ada, { type: "preview", seq: 3 });
    expect(ada.last("preview")!.records.map((r) => [r.id, r.x]).sort()).toEqual([["s1", 1], ["s2", 2], ["s3", 3]]);
  });

  it("checkpoints a burst of edits HISTORY_CHECKPOINT_MS later, from the alarm", async () => {
    const h = new CardsRoomHost();
    const ada = await h.join("ada");
    await h.send(ada, put("m1", "s1"));
    h.clock += HISTORY_CHECKPOINT_MS + 1;
    h.pings.set(ada, h.clock);
    await h.fireAlarm();
    await h.send(ada, { type: "history" });
    expect(ada.last("history")!.checkpoints.map((c) => c.seq)).toEqual([0, 1]);
  });

  it("retention keeps at most HISTORY_MAX_CHECKPOINTS, dropping the oldest and the changes they needed", async () => {
    const h = new CardsRoomHost();
    const ada = await h.join("ada");
    // Each edit ten minutes after the last: the second edit after a
    // checkpoint is due the next (the clock runs from the first one after it).
    const total = 2 * (HISTORY_MAX_CHECKPOINTS + 5);
    for (let i = 1; i <= total; i++) {
      await h.send(ada, put(`m${i}`, "s1", i));
      h.clock += HISTORY_CHECKPOINT_MS + 1;
      h.pings.set(ada, h.clock);
    }
    await h.send(ada, { type: "history", limit: 200 });
    const page = ada.last("history")!;
    expect(page.checkpoints).toHaveLength(HISTORY_MAX_CHECKPOINTS);
    expect(page.floor).toBe(page.checkpoints[0]!.seq);
    expect(page.checkpoints.at(-1)!.seq).toBe(total);
    await h.send(ada, { type: "preview", seq: 1 });
    expect(ada.last("error")!.code).toBe(ErrorCode.HISTORY_UNAVAILABLE);
    // The dropped checkpoints' boards are gone from storage, not just unlisted.
    const keys = [...h.kv.data.keys()];
    expect(keys.filter((k) => k.startsWith("c:"))).toHaveLength(HISTORY_MAX_CHECKPOINTS);
    expect(keys.filter((k) => k.startsWith("cp:"))).toHaveLength(HISTORY_MAX_CHECKPOINTS);
  });

  it("keeps nothing beyond the op log with history off", async () => {
    const h = new CardsRoomHost("off", { history: false });
    const ada = await h.join("ada");
    await h.send(ada, put("m1", "s1"));
    await h.send(ada, { type: "history" });
    expect(ada.last("history")).toMatchObject({ floor: null, changes: [], checkpoints: [] });
    await h.send(ada, { type: "restore", mid: "r1", seq: 0 });
    expect(ada.last("reject")!.code).toBe(ErrorCode.HISTORY_UNAVAILABLE);
    expect([...h.kv.data.keys()].some((k) => k.startsWith("c:") || k.startsWith("i:"))).toBe(false);
  });

  it("bounds what history requests cost: a per-connection bucket, previews charged to the sync budget, versions capped", async () => {
    const h = new CardsRoomHost("costly", { syncBytesBurst: 4_000, syncBytesPerSec: 1 });
    const ada = await h.join("ada");
    const bob = await h.join("bob");
    await h.send(ada, { type: "mutate", mid: "m1", ops: Array.from({ length: 30 }, (_, i) => ({ op: "put", rec: card(`s${i}`) })) });
    // Previews of a ~3 KB board: the room-wide budget (4 KB, hardly refilling) serves one.
    await h.send(ada, { type: "preview", rid: "p1", seq: 1 });
    await h.send(bob, { type: "preview", rid: "p2", seq: 1 });
    expect(ada.last("preview")!.records).toHaveLength(30);
    expect(bob.last("error")).toMatchObject({ code: ErrorCode.RATE_LIMITED, ref: "preview", rid: "p2" });
    // A restore's change is charged the same way: refused (not remembered), nothing applied.
    await h.send(ada, { type: "mutate", mid: "m2", ops: Array.from({ length: 30 }, (_, i) => ({ op: "del", id: `s${i}` })) });
    await h.send(ada, { type: "restore", mid: "r1", seq: 1 });
    expect(ada.last("reject")).toMatchObject({ mid: "r1", code: ErrorCode.RATE_LIMITED });
    expect((await h.room.snapshot()).records).toHaveLength(0);
    // A flood of history requests from one connection is cut off at its burst.
    ada.clear();
    for (let i = 0; i < HISTORY_BURST + 10; i++) await h.send(ada, { type: "history", limit: 1 });
    expect(ada.of("history")).toHaveLength(HISTORY_BURST - 2); // a preview and a restore spent two

    expect(ada.of("error").every((e) => e.code === ErrorCode.RATE_LIMITED)).toBe(true);
    // Named versions are capped per room.
    const h2 = new CardsRoomHost("versions");
    const eve = await h2.join("eve");
    await h2.send(eve, put("m1", "s1"));
    for (let i = 0; i <= HISTORY_MAX_VERSIONS; i++) {
      h2.clock += 1_000;
      await h2.send(eve, put(`e${i}`, `s${i}`));
      await h2.send(eve, { type: "version", name: `v${i}` });
    }
    expect(eve.of("version")).toHaveLength(HISTORY_MAX_VERSIONS);
    expect(eve.last("error")).toMatchObject({ code: ErrorCode.ROOM_LIMIT, ref: "version" });
  });

  it("rebuilds its index from storage after an eviction: nothing of history lives only in memory", async () => {
    const h = new CardsRoomHost();
    const ada = await h.join("ada");
    for (let i = 1; i <= 4; i++) await h.send(ada, put(`m${i}`, `s${i}`));
    await h.send(ada, { type: "version", name: "four" });
    h.evict();
    await h.send(ada, { type: "history" });
    const page = ada.last("history")!;
    expect(page.versions.map((v) => [v.version, v.seq])).toEqual([["four", 4]]);
    expect(page.changes.map((c) => c.seq)).toEqual([4, 3, 2, 1]);
    await h.send(ada, { type: "restore", mid: "r1", seq: 2 });
    expect(ada.last("ack")!.seq).toBe(5);
    expect(ids((await h.room.snapshot()).records)).toEqual(["s1", "s2"]);
  });
});
