/**
 * The engine's offline snapshot (client/engine/offline-snapshot.ts): a client
 * that starts without a connection shows the room as it last saw it, with the
 * edits made meanwhile on top; the first sync replaces the backdrop, and the
 * offline edit reaches the room exactly once. Real RoomClient, real room core
 * in memory (MemoryRoomHost), a schema of this test's own; the connection is
 * opened by the test, as a network coming back would.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MemorySnapshotStore, OfflineSnapshot } from "../../client/engine/offline-snapshot.ts";
import { MemoryPendingStore } from "../../client/engine/pending-store.ts";
import { RoomClient } from "../../client/engine/room-client.ts";
import { MemoryRoomHost } from "../../party/engine/testing/memory-host.ts";
import { defineRoom } from "../../party/shared/schema.ts";
import { FakeClock } from "../support/fake-clock.ts";
import { offlineWire } from "../support/offline-wire.ts";
import { waitFor } from "../support/wait.ts";

const Note = z.object({ id: z.string(), text: z.string().max(100) });
const notes = defineRoom({ party: "notes", records: Note });
type Note = z.infer<typeof Note>;

const texts = (records: ReadonlyMap<string, Note>) => [...records.values()].map((n) => n.text).sort();

describe("offline snapshot", () => {
  it("a client opened offline shows the last board it saw with its new edits on top, then the room's board once synced", async () => {
    const host = new MemoryRoomHost(notes, "plans");
    const store = new MemorySnapshotStore<Note>();
    const pendingStore = new MemoryPendingStore();

    // Yesterday: online, two notes written and confirmed, then the page closed.
    const first = offlineWire(host);
    const day1 = new RoomClient({ schema: notes, room: "plans", name: "Ada", color: "#112233", transport: first.transport, pendingStore });
    const cache1 = new OfflineSnapshot(day1, { store, now: () => 1_000 });
    first.online();
    await waitFor(() => day1.connection.status === "live", 2_000, "online");
    day1.mutate([{ op: "put", rec: { id: "a", text: "milk" } }]);
    day1.mutate([{ op: "put", rec: { id: "b", text: "bread" } }]);
    await waitFor(() => day1.pendingCount === 0, 2_000, "both confirmed");
    await cache1.close();
    day1.close();
    expect(store.snapshots.get("plans")).toMatchObject({ room: "plans", seq: 2, savedAt: 1_000 });

    // Meanwhile someone else changes the board.
    const bo = await host.join("bo");
    await host.send(bo, { type: "mutate", mid: "bo-1", ops: [{ op: "put", rec: { id: "c", text: "eggs" } }] });

    // Today: no connection. The client alone shows nothing; the snapshot shows yesterday's board.
    const second = offlineWire(host);
    const day2 = new RoomClient({ schema: notes, room: "plans", name: "Ada", color: "#112233", transport: second.transport, pendingStore });
    const cache2 = new OfflineSnapshot(day2, { store });
    const seen: number[] = [];
    cache2.subscribe(() => seen.push(cache2.records().size));
    await cache2.loaded;
    expect(day2.records().size).toBe(0);
    expect(texts(cache2.records())).toEqual(["bread", "milk"]);
    expect(cache2.cachedAt).toBe(1_000);
    expect(seen.length).toBeGreaterThan(0); // a subscriber learns the backdrop arrived

    // A note added offline is drawn over the backdrop. (The backdrop is for
    // showing: an edit of a cached note waits for the room, the client checks
    // edits against what the room confirmed to it.)
    day2.mutate([{ op: "put", rec: { id: "d", text: "jam" } }]);
    expect(texts(cache2.records())).toEqual(["bread", "jam", "milk"]);
    expect(() => day2.mutate([{ op: "patch", id: "a", set: { text: "oat milk" } }])).toThrow(/RECORD_NOT_FOUND/);

    // The network is back: the room's board replaces the backdrop, with the edit applied once.
    second.online();
    await waitFor(() => day2.connection.status === "live" && day2.pendingCount === 0, 2_000, "synced and confirmed");
    expect(cache2.cachedAt).toBeNull();
    expect(texts(cache2.records())).toEqual(["bread", "eggs", "jam", "milk"]);
    expect(cache2.records()).toBe(day2.records());
    expect(day2.seq).toBe(4); // yesterday's two, Bo's, and the offline edit: once
    await cache2.close();
    day2.close();
  });

  it("saves at most once per delay while the board keeps changing, and never before the first sync", async () => {
    const host = new MemoryRoomHost(notes, "busy");
    const store = new MemorySnapshotStore<Note>();
    const saves: number[] = [];
    const counting = { load: (room: string) => store.load(room), save: (s: Parameters<typeof store.save>[0]) => (saves.push(s.seq), store.save(s)) };
    const clock = new FakeClock(0);
    const w = offlineWire(host);
    const client = new RoomClient({ schema: notes, room: "busy", name: "Ada", color: "#112233", transport: w.transport });
    const cache = new OfflineSnapshot(client, { store: counting, clock, saveDelayMs: 2_000 });
    client.mutate([{ op: "put", rec: { id: "x0", text: "before the sync" } }]);
    clock.advance(5_000);
    expect(saves).toEqual([]); // nothing confirmed yet: nothing to save
    expect(cache.savedSeq).toBeNull();

    w.online();
    await waitFor(() => client.connection.status === "live" && client.pendingCount === 0, 2_000, "synced");
    for (let i = 1; i <= 5; i++) {
      client.mutate([{ op: "put", rec: { id: `x${i}`, text: `note ${i}` } }]);
      await waitFor(() => client.pendingCount === 0, 2_000, "confirmed");
      clock.advance(500); // a change every 500 ms: the save is not postponed by them
    }
    expect(saves.length).toBe(1);
    clock.advance(2_000);
    expect(saves.length).toBe(2);
    expect(saves.at(-1)).toBe(6); // the newest confirmed state
    // What a page waits for before it may go offline: the store has taken seq 6.
    await waitFor(() => cache.savedSeq === 6, 2_000, "savedSeq");
    expect(client.seq).toBe(6);
    await cache.close();
    client.close();
  });
});
