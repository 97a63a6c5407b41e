/**
 * The key-value storage (PartyKit's, and the unit tests') against the storage
 * contract every RoomStorage passes; the SQLite storage runs the same suite in
 * workerd (tests/workerd/sql-storage.test.ts).
 */
import { describe, expect, it } from "vitest";
import { KvRoomStorage } from "../../party/engine/kv-storage.ts";
import { MemoryKv } from "../../party/engine/testing/memory-kv.ts";
import { storageContract } from "../../party/engine/testing/storage-contract.ts";

storageContract("key-value", (use) => use(new KvRoomStorage(new MemoryKv())));

describe("key-value storage", () => {
  it("pages through listings: no call returns more than one page", async () => {
    const kv = new MemoryKv();
    const storage = new KvRoomStorage(kv);
    const limits: (number | undefined)[] = [];
    const list = kv.list.bind(kv);
    kv.list = ((options?: { limit?: number }) => {
      limits.push(options?.limit);
      return list(options as never);
    }) as typeof kv.list;
    await storage.load();
    await storage.changesSince(0);
    expect(limits.length).toBeGreaterThan(0);
    expect(limits.every((l) => l !== undefined && l <= 512)).toBe(true);
  });
});
