/**
 * The pending count a person sees ("3 pending edits") counts the edits they
 * made, not the mutations behind them: a drag is committed several times and
 * a large paste is split to fit the room's limits, yet each is one edit. Real
 * RoomClient (offline: nothing is acknowledged) and real Editor.
 */
import { whiteboard } from "../../party/whiteboard/schema.ts";
import { describe, expect, it } from "vitest";
import type { Op } from "../../party/whiteboard/schema.ts";
import type { Shape } from "../../party/whiteboard/records.ts";
import type { TransportFactory } from "../../client/engine/connection.ts";
import { MemoryPendingStore } from "../../client/engine/pending-store.ts";
import { RoomClient } from "../../client/engine/room-client.ts";
import { DRAG_COMMIT_MS, Editor } from "../../client/whiteboard/editor.ts";
import { pendingEditsSource, roomStatsSource } from "../../client/engine/react.ts";
import { FakeClock } from "../support/fake-clock.ts";

const rect = (id: string, x = 0): Shape => ({ id, type: "rect", x, y: 0, z: 1, color: "#1e1e1e", stroke: 2, w: 10, h: 10, fill: null });
/** Never connects: every edit stays pending, as offline. */
const offline: TransportFactory = () => ({ isOpen: false, send: () => {}, reconnect: () => {}, close: () => {} });

function page(store: MemoryPendingStore) {
  const client = new RoomClient({ schema: whiteboard,  room: "count", name: "Ada", color: "#112233", pendingStore: store, transport: offline });
  const clock = new FakeClock(0);
  const editor = new Editor({ records: () => client.records(), mutate: (ops, edit) => client.mutate(ops, { edit }) }, () => {}, clock);
  return { client, editor, clock };
}

describe("pending count", () => {
  it("three actions are three pending edits, however many mutations they took — also after a reload", async () => {
    const store = new MemoryPendingStore();
    const { client, editor, clock } = page(store);
    await client.ready;

    // 1. Draw a rectangle.
    editor.apply([{ op: "put", rec: rect("a") }]);
    // 2. Drag it for a while: committed every DRAG_COMMIT_MS on the way.
    editor.beginGesture(["a"]);
    for (let x = 10; x <= 50; x += 10) {
      editor.updateGesture([{ op: "patch", id: "a", set: { x } }]);
      clock.advance(DRAG_COMMIT_MS);
    }
    editor.endGesture();
    // 3. Paste 150 shapes: more ops than one mutation may carry.
    const paste: Op[] = Array.from({ length: 150 }, (_, i) => ({ op: "put", rec: rect(`p${i}`, i * 20) }));
    editor.apply(paste);

    expect(client.pendingCount).toBeGreaterThanOrEqual(1 + 5 + 2); // the mutations behind them
    expect(client.pendingEditCount).toBe(3);
    expect(pendingEditsSource(client).getSnapshot()).toBe(3); // the status bar (edgeroom/react usePendingEdits)
    expect(roomStatsSource(client).getSnapshot()).toMatchObject({ pendingEdits: 3, pendingMutations: client.pendingCount }); // ?debug (edgeroom/react useRoomStats)

    // 4. Undo the paste: one more edit (its two chunks count once).
    editor.undo();
    expect(pendingEditsSource(client).getSnapshot()).toBe(4);
    client.close();

    // Reload while offline: the grouping is kept with the edits.
    const again = page(store).client;
    await again.ready;
    expect(again.pendingEditCount).toBe(4);
    expect(again.pendingCount).toBe(client.pendingCount);
    again.close();
  });

  it("a mutation made without an edit id counts as one edit", async () => {
    const { client } = page(new MemoryPendingStore());
    await client.ready;
    client.mutate([{ op: "put", rec: rect("a") }]);
    client.mutate([{ op: "put", rec: rect("b") }]);
    expect(client.pendingEditCount).toBe(2);
    client.close();
  });
});
