/**
 * Dedupe retention in the key-value storage (PartyKit's, and the unit tests'):
 * compaction forgets a mutation id only when it is older than the retention, or
 * beyond the newest `max` ids *and* older than the floor — never a recent one.
 */
import { describe, expect, it } from "vitest";
import { KvRoomStorage, MemoryKv, type RoomMeta } from "../../party/engine/storage.ts";

const HOUR = 60 * 60 * 1000;

async function roomWith(times: number[]) {
  const storage = new KvRoomStorage(new MemoryKv());
  let meta: RoomMeta = { epoch: "e", seq: 0, logStart: 1 };
  await storage.init(meta);
  for (const [i, at] of times.entries()) {
    const seq = i + 1;
    meta = { ...meta, seq };
    await storage.commit({ meta, change: { seq, by: "c", mid: `m${seq}`, ops: [] }, writes: new Map(), at });
  }
  return { storage, meta };
}

describe("dedupe retention (KV storage)", () => {
  it("keeps every id younger than the floor, however many there are", async () => {
    const now = 100 * HOUR;
    const { storage, meta } = await roomWith([now - 3 * HOUR, now - 2 * HOUR, now - 30 * 60_000, now - 20 * 60_000, now - 10 * 60_000]);
    await storage.compact(meta, { before: now - 7 * 24 * HOUR, max: 2, floor: now - HOUR });
    // Beyond the newest 2 and older than an hour: forgotten. Younger than an hour: kept.
    expect(await storage.findMutation("m1")).toBeUndefined();
    expect(await storage.findMutation("m2")).toBeUndefined();
    expect(await storage.findMutation("m3")).toEqual({ seq: 3 });
    expect(await storage.findMutation("m5")).toEqual({ seq: 5 });
  });

  it("forgets ids older than the retention even within the newest max", async () => {
    const now = 100 * HOUR;
    const { storage, meta } = await roomWith([now - 9 * 24 * HOUR, now - 8 * 24 * HOUR, now - HOUR / 2]);
    await storage.compact(meta, { before: now - 7 * 24 * HOUR, max: 100, floor: now - HOUR });
    expect(await storage.findMutation("m1")).toBeUndefined();
    expect(await storage.findMutation("m2")).toBeUndefined();
    expect(await storage.findMutation("m3")).toEqual({ seq: 3 });
  });
});
