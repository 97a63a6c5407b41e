/**
 * The React hooks of `edgeroom/react` re-render a component when, and only
 * when, what it shows changed: useSyncExternalStore re-renders on a new
 * snapshot identity, and loops forever if getSnapshot returns a new object
 * every call. Their subscribe/getSnapshot pairs are tested here in Node, over a
 * real RoomClient fed by a scripted room, with a schema of this test's own.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { TransportFactory, TransportHandlers } from "../../client/engine/connection.ts";
import { connectionSource, cursorsSource, peersSource, pendingEditsSource, recordsSource, selfSource } from "../../client/engine/react.ts";
import { RoomClient } from "../../client/engine/room-client.ts";
import { PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import { defineRoom } from "../../party/shared/schema.ts";

const Vote = z.object({ id: z.string(), option: z.string().max(40), count: z.number().int().min(0) });
const poll = defineRoom({ party: "poll", records: Vote });

const peer = (conn: string, name: string) => ({ conn, clientId: `c-${conn}`, name, color: "#112233", status: "active", role: "editor" });

/** A room that welcomes the client with one record, then says what the test tells it to. */
function scriptedRoom() {
  let handlers: TransportHandlers | null = null;
  const sent: string[] = [];
  const transport: TransportFactory = (h) => {
    handlers = h;
    queueMicrotask(() => h.open());
    return {
      isOpen: true,
      send(frame) {
        sent.push(frame);
        if (JSON.parse(frame).type === "hello") {
          h.message(JSON.stringify({ type: "welcome", v: PROTOCOL_VERSION, room: "r", self: peer("me", "Me"), peers: [] }));
          h.message(JSON.stringify({ type: "sync", mode: "snapshot", epoch: "e", seq: 1, records: [{ id: "a", option: "tea", count: 0 }] }));
        }
      },
      reconnect() {},
      close() {},
    };
  };
  return { transport, sent, say: (msg: object) => handlers!.message(JSON.stringify(msg)) };
}

async function connected() {
  const room = scriptedRoom();
  const client = new RoomClient({ schema: poll, room: "r", name: "Me", color: "#112233", transport: room.transport });
  await client.ready;
  await new Promise((r) => setTimeout(r, 0));
  expect(client.connection.status).toBe("live");
  return { client, room };
}

/** Count the notifications a subscriber gets. */
function listen(source: { subscribe(fn: () => void): () => void }) {
  const seen = { count: 0 };
  const stop = source.subscribe(() => seen.count++);
  return { seen, stop };
}

describe("React sources: snapshots keep identity until something changed", () => {
  it("records: same map while nothing changed, a new one on a local edit, a remote change, a rollback", async () => {
    const { client, room } = await connected();
    const source = recordsSource(client);
    expect(recordsSource(client)).toBe(source); // one source per client, shared by every component
    const { seen, stop } = listen(source);

    const first = source.getSnapshot();
    expect([...first.values()]).toEqual([{ id: "a", option: "tea", count: 0 }]);
    expect(source.getSnapshot()).toBe(first);

    // Someone joins: the client says "change", but no record changed.
    room.say({ type: "join", peer: peer("p2", "Bo") });
    expect(seen.count).toBeGreaterThan(0);
    expect(source.getSnapshot()).toBe(first);

    // A local, optimistic edit.
    const mid = client.mutate([{ op: "patch", id: "a", set: { count: 1 } }]);
    const second = source.getSnapshot();
    expect(second).not.toBe(first);
    expect(second.get("a")?.count).toBe(1);
    expect(first.get("a")?.count).toBe(0); // a snapshot never changes under a component
    expect(source.getSnapshot()).toBe(second);

    // Acknowledged: the record shown is the same, so is the snapshot.
    room.say({ type: "ack", mid, seq: 2 });
    expect(source.getSnapshot()).toBe(second);

    // A remote change.
    room.say({ type: "change", seq: 3, by: "p2", mid: "m-remote", ops: [{ op: "put", rec: { id: "b", option: "coffee", count: 0 } }] });
    const third = source.getSnapshot();
    expect([...third.keys()].sort()).toEqual(["a", "b"]);

    // A local edit the room refuses is rolled back: the view is as before it.
    const refused = client.mutate([{ op: "del", id: "b" }]);
    expect(source.getSnapshot().has("b")).toBe(false);
    room.say({ type: "reject", mid: refused, code: "FORBIDDEN", message: "no" });
    const fifth = source.getSnapshot();
    expect(fifth.has("b")).toBe(true);
    expect(source.getSnapshot()).toBe(fifth);

    const before = seen.count;
    stop();
    room.say({ type: "change", seq: 4, by: "p2", mid: "m-2", ops: [{ op: "del", id: "b" }] });
    expect(seen.count).toBe(before); // unsubscribed
    client.close();
  });

  it("peers: same map until someone joins, changes presence or leaves", async () => {
    const { client, room } = await connected();
    const source = peersSource(client);
    const empty = source.getSnapshot();
    expect(empty.size).toBe(0);
    room.say({ type: "change", seq: 2, by: "x", mid: "m1", ops: [{ op: "put", rec: { id: "z", option: "x", count: 0 } }] });
    expect(source.getSnapshot()).toBe(empty); // a record change is not a peer change

    room.say({ type: "join", peer: peer("p2", "Bo") });
    const one = source.getSnapshot();
    expect(one).not.toBe(empty);
    expect(one.get("p2")?.name).toBe("Bo");
    expect(source.getSnapshot()).toBe(one);

    room.say({ type: "peer", peer: { ...peer("p2", "Bo"), status: "away" } });
    const away = source.getSnapshot();
    expect(away).not.toBe(one);
    expect(away.get("p2")?.status).toBe("away");
    client.close();
  });

  it("self and pending edits: the room's welcome, and the edits not yet acknowledged (one edit however many mutations)", async () => {
    const { client, room } = await connected();
    const self = selfSource(client);
    const me = self.getSnapshot();
    expect(me).toMatchObject({ conn: "me", name: "Me" });
    room.say({ type: "join", peer: peer("p2", "Bo") });
    expect(self.getSnapshot()).toBe(me); // someone else joining is not a change of self

    const pending = pendingEditsSource(client);
    const { seen, stop } = listen(pending);
    expect(pending.getSnapshot()).toBe(0);
    const m1 = client.mutate([{ op: "patch", id: "a", set: { count: 1 } }], { edit: "drag" });
    const m2 = client.mutate([{ op: "patch", id: "a", set: { count: 2 } }], { edit: "drag" });
    expect(pending.getSnapshot()).toBe(1);
    expect(seen.count).toBeGreaterThan(0);
    room.say({ type: "ack", mid: m1, seq: 2 });
    expect(pending.getSnapshot()).toBe(1);
    room.say({ type: "ack", mid: m2, seq: 3 });
    expect(pending.getSnapshot()).toBe(0);
    stop();
    client.close();
  });

  it("connection: same object while the state is the same, a new one when it moves", async () => {
    const { client } = await connected();
    const source = connectionSource(client);
    const { seen, stop } = listen(source);
    const live = source.getSnapshot();
    expect(live.status).toBe("live");
    expect(source.getSnapshot()).toBe(live);
    client.close();
    const closed = source.getSnapshot();
    expect(closed).not.toBe(live);
    expect(closed.status).toBe(client.connection.status);
    expect(seen.count).toBeGreaterThan(0);
    stop();
  });

  it("cursors: a new map when a cursor moves or hides, the same one between frames", async () => {
    const { client, room } = await connected();
    room.say({ type: "join", peer: peer("p2", "Bo") });
    const source = cursorsSource(client);
    const { seen, stop } = listen(source);
    const none = source.getSnapshot();
    expect(none.size).toBe(0);

    room.say({ type: "cursors", f: [["p2", 10, 20]] });
    expect(seen.count).toBe(1);
    const at = source.getSnapshot();
    expect(at).not.toBe(none);
    expect(at.get("p2")).toMatchObject({ x: 10, y: 20 });
    expect(source.getSnapshot()).toBe(at);

    room.say({ type: "cursors", f: [["p2", 30, 20]] });
    const moved = source.getSnapshot();
    expect(moved).not.toBe(at);
    expect(moved.get("p2")).toMatchObject({ x: 30 });
    expect(at.get("p2")).toMatchObject({ x: 10 }); // the old snapshot is untouched

    room.say({ type: "cursors", f: [["p2"]] });
    expect(source.getSnapshot().has("p2")).toBe(false);
    stop();
    client.close();
  });
});
