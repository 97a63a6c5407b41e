/**
 * examples/checklist has the engine's offline snapshot: its terminal client
 * keeps the last list it saw in files (file-snapshot-store.ts), so a client
 * started without a connection — a new process, as the next run of
 * `node client.ts` is — shows that list until the room answers. The example's
 * own schema and store; the real RoomClient and room core (in memory).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { OfflineSnapshot, RoomClient } from "edgeroom/client";
import { MemoryRoomHost } from "edgeroom/testing";
import { fileSnapshotStore } from "../../examples/checklist/file-snapshot-store.ts";
import { checklist, type Item } from "../../examples/checklist/schema.ts";
import { offlineWire } from "../support/offline-wire.ts";
import { waitFor } from "../support/wait.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const listed = (records: ReadonlyMap<string, Item>) => [...records.values()].sort((a, b) => a.order - b.order).map((i) => `${i.done ? "[x]" : "[ ]"} ${i.text}`);

describe("the checklist's offline snapshot", () => {
  it("a client started offline prints the list from its last run, then the room's once it connects", async () => {
    const dir = mkdtempSync(join(tmpdir(), "checklist-cache-"));
    dirs.push(dir);
    const host = new MemoryRoomHost(checklist, "groceries");
    const start = () => {
      const w = offlineWire(host);
      const client = new RoomClient({ schema: checklist, room: "groceries", name: "terminal", color: "#3366ff", transport: w.transport });
      return { client, offline: new OfflineSnapshot(client, { store: fileSnapshotStore(dir) }), online: w.online };
    };

    const run1 = start();
    run1.online();
    await waitFor(() => run1.client.connection.status === "live", 2_000, "first run online");
    run1.client.mutate([{ op: "put", rec: { id: "milk", text: "buy milk", done: false, order: 1 } }]);
    run1.client.mutate([{ op: "put", rec: { id: "bread", text: "buy bread", done: true, order: 2 } }]);
    await waitFor(() => run1.client.pendingCount === 0, 2_000, "confirmed");
    await run1.offline.close(); // Ctrl+C
    run1.client.close();
    // Someone else adds an item while this terminal is away.
    const other = await host.join("phone");
    await host.send(other, { type: "mutate", mid: "phone-1", ops: [{ op: "put", rec: { id: "eggs", text: "buy eggs", done: false, order: 3 } }] });

    const run2 = start();
    await run2.offline.loaded;
    expect(listed(run2.offline.records())).toEqual(["[ ] buy milk", "[x] buy bread"]);
    expect(run2.offline.cachedAt).not.toBeNull();

    run2.online();
    await waitFor(() => run2.client.connection.status === "live", 2_000, "second run online");
    expect(run2.offline.cachedAt).toBeNull();
    expect(listed(run2.offline.records())).toEqual(["[ ] buy milk", "[x] buy bread", "[ ] buy eggs"]);
    await run2.offline.close();
    run2.client.close();
  });

  it("an unreadable cache file is no snapshot, not a crash", async () => {
    const dir = mkdtempSync(join(tmpdir(), "checklist-cache-"));
    dirs.push(dir);
    writeFileSync(join(dir, "groceries.json"), "{ half a snap");
    expect(await fileSnapshotStore(dir).load("groceries")).toBeNull();
    expect(await fileSnapshotStore(dir).load("never-saved")).toBeNull();
  });
});
