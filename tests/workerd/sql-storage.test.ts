/**
 * The SQLite storage's dedupe retention, on a real Durable Object's SQLite:
 * the same policy as the key-value storage (tests/unit/storage.test.ts).
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SqlRoomStorage } from "../../party/engine/sql-storage.ts";
import type { RoomMeta } from "../../party/engine/storage.ts";

const HOUR = 60 * 60 * 1000;

describe("dedupe retention (SQLite storage)", () => {
  it("forgets old ids beyond the newest max, keeps everything younger than the floor, remembers rejects", async () => {
    const stub = env.WHITEBOARD.get(env.WHITEBOARD.idFromName("sql-retention"));
    const now = 100 * HOUR;
    const found = await runInDurableObject(stub, async (_: unknown, state: DurableObjectState) => {
      const storage = new SqlRoomStorage(state.storage);
      let meta: RoomMeta = { epoch: "e", seq: 0, logStart: 1 };
      await storage.init(meta);
      const times = [now - 8 * 24 * HOUR, now - 3 * HOUR, now - 2 * HOUR, now - 30 * 60_000, now - 10 * 60_000];
      for (const [i, at] of times.entries()) {
        const seq = i + 1;
        meta = { ...meta, seq };
        await storage.commit({ meta, change: { seq, by: "c", mid: `m${seq}`, ops: [] }, writes: new Map(), at });
      }
      await storage.rememberReject("r-old", "RECORD_NOT_FOUND", "gone", now - 8 * 24 * HOUR);
      await storage.rememberReject("r-new", "RECORD_NOT_FOUND", "gone", now - HOUR);
      await storage.compact({ ...meta, logStart: 4 }, { before: now - 7 * 24 * HOUR, max: 1, floor: now - HOUR });
      const out: Record<string, unknown> = {};
      for (const mid of ["m1", "m2", "m3", "m4", "m5", "r-old", "r-new"]) out[mid] = (await storage.findMutation(mid)) ?? null;
      out.log = (await storage.changesSince(0)).map((c) => c.seq);
      return out;
    });
    expect(found).toEqual({
      m1: null, // older than the retention
      m2: null, // beyond the newest 1 and older than the floor
      m3: null,
      m4: { seq: 4 }, // younger than the floor: kept although beyond max
      m5: { seq: 5 },
      "r-old": null,
      "r-new": { code: "RECORD_NOT_FOUND", message: "gone" },
      log: [4, 5],
    });
  });
});
