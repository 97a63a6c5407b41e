/**
 * The storage contract: what every RoomStorage must do, as a vitest suite. The
 * engine's own storages run it (tests/unit/storage.test.ts for the key-value
 * storage, tests/workerd/sql-storage.test.ts for SQLite in workerd); a storage
 * of your own should too:
 *
 * ```ts
 * storageContract("my storage", (use) => use(new MyStorage()));
 * ```
 *
 * `withStorage` gives each case a fresh, empty storage and runs the case inside
 * whatever context the storage needs (a Durable Object's, for SQLite).
 */
import { describe, expect, it } from "vitest";
import type { Change, ChangeSummary } from "../../shared/protocol.ts";
import type { Commit, RoomMeta, RoomStorage } from "../storage.ts";

export type WithStorage = <T>(use: (storage: RoomStorage) => Promise<T>) => Promise<T>;

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

function rect(id: string, x = 0) {
  return { id, type: "rect" as const, x, y: 0, z: 1, color: "#000000", stroke: 2, w: 10, h: 10, fill: null };
}

/** A commit that puts `ids` at `seq`, as the room would build it. */
export function commitOf(meta: RoomMeta, seq: number, ids: string[], at: number, first = seq === 1): Commit {
  const change: Change = { seq, by: "c", mid: `m${seq}`, ops: ids.map((id) => ({ op: "put" as const, rec: rect(id, seq) })) };
  return {
    meta: { ...meta, seq },
    change,
    changeJson: JSON.stringify(change),
    writes: new Map(ids.map((id) => [id, rect(id, seq)])),
    at,
    first,
  };
}

/** A commit with history on: its summary, as the room builds it. */
function withSummary(c: Commit): Commit {
  const summary: ChangeSummary = { seq: c.change.seq, at: c.at, mid: c.change.mid, by: "c", name: "Ada", puts: c.change.ops.length, patches: 0, dels: 0, ids: [] };
  return { ...c, summary };
}

/** Commit `times.length` changes (one record each), the i-th at `times[i]`. */
async function fill(storage: RoomStorage, times: number[]): Promise<RoomMeta> {
  let meta: RoomMeta = { epoch: "e1", seq: 0, logStart: 1 };
  for (const [i, at] of times.entries()) {
    const c = commitOf(meta, i + 1, [`s${i + 1}`], at);
    await storage.commit(c);
    meta = c.meta;
  }
  return meta;
}

export function storageContract(name: string, withStorage: WithStorage): void {
  describe(`storage contract: ${name}`, () => {
    it("reads a room that was never written as empty, and writes nothing doing so", async () => {
      const out = await withStorage(async (s) => ({
        loaded: await s.load(),
        mutation: (await s.findMutation("m1")) ?? null,
        log: await s.changesSince(0),
        size: s.sizeBytes(),
        again: (await s.load()).meta,
      }));
      expect(out.loaded.meta).toBeNull();
      expect(out.loaded.records.size).toBe(0);
      expect(out.loaded.logBytes).toEqual([]);
      expect(out.mutation).toBeNull();
      expect(out.log).toEqual([]);
      expect(out.size === null || out.size === 0).toBe(true);
      expect(out.again).toBeNull();
    });

    it("stores a commit atomically: meta, records, the log entry as sent, its size, the mutation id", async () => {
      const out = await withStorage(async (s) => {
        const c1 = commitOf({ epoch: "e1", seq: 0, logStart: 1 }, 1, ["a", "b"], 1_000);
        await s.commit(c1);
        const c2 = commitOf(c1.meta, 2, ["a"], 2_000);
        c2.writes.set("b", null);
        await s.commit(c2);
        const loaded = await s.load();
        return { c1, c2, loaded, log: await s.changesSince(0), tail: await s.changesSince(1), found: await s.findMutation("m2") };
      });
      expect(out.loaded.meta).toEqual({ epoch: "e1", seq: 2, logStart: 1 });
      expect([...out.loaded.records.keys()]).toEqual(["a"]);
      expect(out.loaded.recordSeq.get("a")).toBe(2);
      expect(out.log).toEqual([out.c1.changeJson, out.c2.changeJson]);
      expect(out.tail).toEqual([out.c2.changeJson]);
      expect(out.loaded.logBytes).toEqual([out.c1.changeJson.length, out.c2.changeJson.length]);
      expect(out.found).toEqual({ seq: 2 });
    });

    it("never re-seeds: a first commit over an existing room fails and changes nothing", async () => {
      const out = await withStorage(async (s) => {
        await fill(s, [1_000]);
        let failed = false;
        try {
          await s.commit(commitOf({ epoch: "other", seq: 0, logStart: 1 }, 1, ["x"], 2_000, true));
        } catch {
          failed = true;
        }
        return { failed, meta: (await s.load()).meta };
      });
      expect(out.failed).toBe(true);
      expect(out.meta?.epoch).toBe("e1");
    });

    it("erases everything: afterwards the room reads as never written, and can be written anew", async () => {
      const out = await withStorage(async (s) => {
        await fill(s, [1_000, 2_000]);
        await s.rememberReject({ mid: "x1", code: "RECORD_NOT_FOUND", message: "gone", at: 3_000 }, { before: 0, max: 10 });
        await s.erase();
        const loaded = await s.load();
        const gone = { meta: loaded.meta, records: loaded.records.size, log: await s.changesSince(0), m1: (await s.findMutation("m1")) ?? null, x1: (await s.findMutation("x1")) ?? null, size: s.sizeBytes() };
        await s.commit(commitOf({ epoch: "e2", seq: 0, logStart: 1 }, 1, ["n"], 4_000, true));
        return { gone, again: (await s.load()).meta };
      });
      expect(out.gone).toMatchObject({ meta: null, records: 0, log: [], m1: null, x1: null });
      expect(out.gone.size === null || out.gone.size === 0).toBe(true);
      expect(out.again).toEqual({ epoch: "e2", seq: 1, logStart: 1 });
    });

    it("loads more records than one listing page holds", async () => {
      const n = 1_300;
      const out = await withStorage(async (s) => {
        let meta: RoomMeta = { epoch: "e1", seq: 0, logStart: 1 };
        for (let seq = 1; seq * 100 <= n; seq++) {
          const ids = Array.from({ length: 100 }, (_, i) => `r${seq}-${i}`);
          const c = commitOf(meta, seq, ids, seq);
          await s.commit(c);
          meta = c.meta;
        }
        return (await s.load()).records.size;
      });
      expect(out).toBe(n);
    });

    it("remembers refusals, at most the newest `max` and none older than `before`", async () => {
      const out = await withStorage(async (s) => {
        const policy = { before: 0, max: 50 };
        for (let i = 0; i < 120; i++) await s.rememberReject({ mid: `x${i}`, code: "RECORD_NOT_FOUND", message: "gone", at: 1_000 + i }, policy);
        const kept: string[] = [];
        for (let i = 0; i < 120; i++) if (await s.findMutation(`x${i}`)) kept.push(`x${i}`);
        // Age: with `before` past the first 100, a new refusal pushes those out too.
        await s.rememberReject({ mid: "late", code: "ROOM_LIMIT", message: "full", at: 5_000 }, { before: 1_100, max: 50 });
        const afterAge: string[] = [];
        for (let i = 0; i < 120; i++) if (await s.findMutation(`x${i}`)) afterAge.push(`x${i}`);
        return { kept, afterAge, late: await s.findMutation("late"), size: s.sizeBytes() };
      });
      expect(out.kept).toEqual(Array.from({ length: 50 }, (_, i) => `x${70 + i}`));
      expect(out.afterAge.every((mid) => Number(mid.slice(1)) >= 100)).toBe(true);
      expect(out.late).toEqual({ code: "ROOM_LIMIT", message: "full" });
    });

    it("compaction drops the log below the new start, keeps sizes aligned, and applies the dedupe policy", async () => {
      const now = 100 * DAY;
      const out = await withStorage(async (s) => {
        const meta = await fill(s, [now - 8 * DAY, now - 3 * HOUR, now - 2 * HOUR, now - 30 * 60_000, now - 10 * 60_000]);
        await s.rememberReject({ mid: "r-old", code: "RECORD_NOT_FOUND", message: "gone", at: now - 8 * DAY }, { before: 0, max: 100 });
        await s.rememberReject({ mid: "r-new", code: "RECORD_NOT_FOUND", message: "gone", at: now - HOUR }, { before: 0, max: 100 });
        await s.compact({ ...meta, logStart: 4 }, { before: now - 7 * DAY, max: 1, floor: now - HOUR });
        const found: Record<string, unknown> = {};
        for (const mid of ["m1", "m2", "m3", "m4", "m5", "r-old", "r-new"]) found[mid] = (await s.findMutation(mid)) ?? null;
        const loaded = await s.load();
        return { found, log: (await s.changesSince(0)).map((j) => (JSON.parse(j) as Change).seq), meta: loaded.meta, logBytes: loaded.logBytes.length };
      });
      expect(out.found).toEqual({
        m1: null, // older than the retention
        m2: null, // beyond the newest 1 and older than the floor
        m3: null,
        m4: { seq: 4 }, // younger than the floor: kept although beyond max
        m5: { seq: 5 },
        "r-old": null,
        "r-new": { code: "RECORD_NOT_FOUND", message: "gone" },
      });
      expect(out.log).toEqual([4, 5]);
      expect(out.meta).toEqual({ epoch: "e1", seq: 5, logStart: 4 });
      expect(out.logBytes).toBe(2);
    });

    it("keeps every mutation id younger than the floor, however many there are", async () => {
      const now = 100 * DAY;
      const out = await withStorage(async (s) => {
        const meta = await fill(s, [now - 3 * HOUR, now - 2 * HOUR, now - 30 * 60_000, now - 20 * 60_000, now - 10 * 60_000]);
        await s.compact(meta, { before: now - 7 * DAY, max: 2, floor: now - HOUR });
        return Promise.all(["m1", "m2", "m3", "m5"].map(async (m) => (await s.findMutation(m)) ?? null));
      });
      expect(out).toEqual([null, null, { seq: 3 }, { seq: 5 }]);
    });
    it("history: keeps summaries with the log, an empty checkpoint at seq 0, and log entries longer than one value", async () => {
      const big = "x".repeat(700 * 1024) + "\u{1F600}".repeat(1000);
      const out = await withStorage(async (s) => {
        let meta: RoomMeta = { epoch: "e1", seq: 0, logStart: 1 };
        for (let seq = 1; seq <= 3; seq++) {
          const c = withSummary(commitOf(meta, seq, [`s${seq}`], seq * 1_000));
          if (seq === 2) {
            // A restore-sized entry: far over one stored value on either host.
            c.change = { ...c.change, ops: [{ op: "del", id: big }] } as Change;
            c.changeJson = JSON.stringify(c.change);
          }
          await s.commit(c);
          meta = c.meta;
        }
        const index = await s.historyIndex();
        return {
          index,
          zero: await s.readCheckpoint(0),
          page: (await s.changeSummaries(4, 2)).map((x) => [x.seq, x.name]),
          between: (await s.changesBetween(1, 2)).map((j) => j.length),
          since: (await s.changesSince(1)).map((j) => (JSON.parse(j) as Change).seq),
          expected: JSON.stringify({ ...commitOf(meta, 2, ["s2"], 2_000).change, ops: [{ op: "del", id: big }] }).length,
          wholeBig: ((JSON.parse((await s.changesBetween(1, 2))[0]!) as Change).ops[0] as { id: string }).id === big,
        };
      });
      expect(out.index.checkpoints).toEqual([{ seq: 0, at: 1_000, records: 0, bytes: 2 }]);
      expect(out.index.firstChange).toBe(1);
      expect(out.index.tail.changes).toBe(3);
      expect(out.zero).toEqual([]);
      expect(out.page).toEqual([[3, "Ada"], [2, "Ada"]]);
      expect(out.between).toEqual([out.expected]);
      expect(out.wholeBig).toBe(true);
      expect(out.since).toEqual([2, 3]);
    });

    it("history: checkpoints of any size round-trip, can be named, and pruning drops them with the log below the floor", async () => {
      const many = Array.from({ length: 3_000 }, (_, i) => ({ ...rect(`r${i}`, i), label: "é".repeat(200) }));
      const out = await withStorage(async (s) => {
        const meta = await fill(s, [1_000, 2_000, 3_000, 4_000]);
        await s.writeCheckpoint({ seq: 2, at: 5_000, records: many.length, bytes: 0 }, many as never);
        await s.writeCheckpoint({ seq: 3, at: 6_000, records: 1, bytes: 0 }, [rect("a")] as never);
        await s.nameCheckpoint(3, "v3", { by: "c", name: "Ada" });
        const before = await s.historyIndex();
        const back = await s.readCheckpoint(2);
        // Compaction with history: the window moves, nothing below the floor goes.
        await s.compact({ ...meta, logStart: 4 }, { before: 0, max: 100, floor: 0 }, 1);
        const kept = (await s.changesSince(0)).length;
        await s.pruneHistory([2], 3);
        const after = await s.historyIndex();
        return { before, back: back?.length, same: JSON.stringify(back) === JSON.stringify(many), kept, after, log: (await s.changesSince(0)).map((j) => (JSON.parse(j) as Change).seq), gone: (await s.readCheckpoint(2)) ?? null };
      });
      expect(out.before.checkpoints.map((c) => [c.seq, c.version ?? null])).toEqual([[2, null], [3, "v3"]]);
      expect(out.before.checkpoints[0]!.bytes).toBe(JSON.stringify(many).length);
      expect(out.before.tail).toEqual({ changes: 1, bytes: out.before.between[1] });
      expect(out.back).toBe(many.length);
      expect(out.same).toBe(true);
      expect(out.kept).toBe(4);
      expect(out.after.checkpoints.map((c) => c.seq)).toEqual([3]);
      expect(out.after.checkpoints[0]).toMatchObject({ version: "v3", author: { by: "c", name: "Ada" } });
      expect(out.log).toEqual([3, 4]);
      expect(out.gone).toBeNull();
    });

    it("keeps a webhook outbox: put, update, list in id order, delete", async () => {
      const out = await withStorage(async (s) => {
        await fill(s, [1_000]);
        await s.putOutbox([{ id: "b", body: "{}", attempts: 0, due: 1 }, { id: "a", body: "{\"x\":1}", attempts: 0, due: 2 }]);
        await s.putOutbox([{ id: "b", body: "{\"frozen\":1}", attempts: 3, due: 9 }]);
        const listed = await s.outbox();
        await s.deleteOutbox(["a"]);
        return { listed, after: await s.outbox() };
      });
      // An update replaces the body too (a room.changed's range is frozen at its first send).
      expect(out.listed).toEqual([{ id: "a", body: "{\"x\":1}", attempts: 0, due: 2 }, { id: "b", body: "{\"frozen\":1}", attempts: 3, due: 9 }]);
      expect(out.after.map((e) => e.id)).toEqual(["b"]);
    });

    it("keeps the room's metadata: none at first, then the last one put", async () => {
      const out = await withStorage(async (s) => {
        const none = await s.metadata();
        await s.putMetadata('{"a":1}');
        await s.putMetadata('{"b":"x"}');
        return { none, got: await s.metadata() };
      });
      expect(out.none).toBeNull();
      expect(out.got).toBe('{"b":"x"}');
    });

    it("keeps a webhook delivery log of its newest entries, in order", async () => {
      const out = await withStorage(async (s) => {
        const empty = await s.webhookLog();
        await s.appendWebhookLog(["e1", "e2"], 3);
        await s.appendWebhookLog(["e3", "e4"], 3);
        const kept = await s.webhookLog();
        await s.appendWebhookLog(["e5"], 3);
        return { empty, kept, after: await s.webhookLog() };
      });
      expect(out.empty).toEqual([]);
      expect(out.kept).toEqual(["e2", "e3", "e4"]);
      expect(out.after).toEqual(["e3", "e4", "e5"]);
    });
  });
}
