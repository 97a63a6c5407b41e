/**
 * Tabs of one browser sharing one connection (client/engine/tab-leader.ts,
 * tab-channel.ts, tab-router.ts), in Node, which has the two browser APIs it
 * takes (Web Locks, BroadcastChannel): each "tab" is a RoomClient with
 * `shareTabs`, all over one pending store (the browser's IndexedDB), the
 * leader's socket a wire onto the real room core in memory.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MemoryPendingStore, type PendingStore } from "../../client/engine/pending-store.ts";
import { RoomClient } from "../../client/engine/room-client.ts";
import type { RoomSchema } from "../../party/shared/schema.ts";
import { type Card, cards } from "../support/cards.ts";
import { roomWire, type WireOptions } from "../support/room-wire.ts";
import { card, CardsRoomHost } from "../support/cards-room.ts";
import { waitFor } from "../support/wait.ts";

const clients: RoomClient<Card>[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

let rooms = 0;
/** A room of its own per test: the tab channel and the lock are named after it. */
const newHost = () => new CardsRoomHost(`tabs-${process.pid}-${++rooms}`);

/** One tab of the browser whose IndexedDB is `store`. `wire` sees its socket (used while it leads). */
function tab(host: CardsRoomHost, store: PendingStore, wire: WireOptions = {}, schema: RoomSchema<Card> = cards): RoomClient<Card> {
  const c = new RoomClient({ schema, room: host.roomId, name: "Ada", color: "#3366ff", pendingStore: store, shareTabs: true, transport: roomWire(host, wire) });
  clients.push(c);
  return c;
}

/** Someone in another browser, with a connection of their own. */
function other(host: CardsRoomHost): RoomClient<Card> {
  const c = new RoomClient({ schema: cards, room: host.roomId, name: "Bob", color: "#2f9e44", shareTabs: false, transport: roomWire(host) });
  clients.push(c);
  return c;
}

const live = (c: RoomClient<Card>) => c.connection.status === "live";
const ids = (c: RoomClient<Card>) => [...c.records().keys()].sort();

describe("tabs sharing one connection", () => {
  it("the leader tab closes with edits pending from a follower (one applied, its ack lost; one never sent) and its own: the new leader sends them, each applied once", async () => {
    const host = newHost();
    const store = new MemoryPendingStore();
    const bob = other(host);
    let lostAck = "";
    const a = tab(host, store, { drop: (f) => lostAck !== "" && f.includes('"type":"ack"') && f.includes(lostAck) });
    await waitFor(() => live(a) && a.tabRole === "leader", 5000, "A leads");
    const b = tab(host, store);
    const c = tab(host, store);
    await waitFor(() => live(b) && live(c), 5000, "B and C live through A");
    expect([b.tabRole, c.tabRole]).toEqual(["follower", "follower"]);
    await waitFor(() => live(bob));
    expect(host.sockets.size).toBe(2); // three tabs, one connection; and Bob's

    // B's first edit reaches the room through A; its ack is lost on the way back.
    lostAck = b.mutate([{ op: "put", rec: card("b1") }]);
    await waitFor(() => bob.records().has("b1"), 5000, "b1 applied");
    expect(b.pendingCount).toBe(1);
    // A's socket drops; before it is back A makes an edit, B another, and A's tab closes.
    a.reconnect();
    a.mutate([{ op: "put", rec: card("a1") }]);
    b.mutate([{ op: "put", rec: card("b2") }]);
    a.close();

    await waitFor(() => b.tabRole === "leader" && live(b) && live(c), 5000, "B leads, C follows it");
    await waitFor(() => ["a1", "b1", "b2"].every((id) => bob.records().has(id)), 5000, "every edit reached the room");
    for (const t of [b, c]) await waitFor(() => ids(t).join() === "a1,b1,b2" && t.pendingCount === 0, 5000, "the tabs converge");
    // A barrier: one more edit is the next seq — nothing was applied twice.
    c.mutate([{ op: "put", rec: card("c1") }]);
    await waitFor(() => bob.records().has("c1") && b.records().has("c1"), 5000, "c1");
    expect(bob.seq).toBe(4);
    expect(ids(bob)).toEqual(["a1", "b1", "b2", "c1"]);
    await waitFor(() => c.pendingCount === 0, 5000, "C's edit acknowledged");
    expect(await store.load()).toEqual([]);
    expect(host.sockets.size).toBe(2); // still one connection for the browser (its client id A's)
    expect(b.self?.clientId).toBe(a.self?.clientId);
  });

  it("each tab runs one client and parses each room frame once", async () => {
    const host = newHost();
    const store = new MemoryPendingStore();
    const parses = new Map<string, number>();
    /** The cards schema, counting the room frames `who` parses. */
    const counting = (who: string): RoomSchema<Card> => ({
      ...cards,
      protocol: {
        ...cards.protocol,
        parseServerFrame: (data: string) => {
          parses.set(who, (parses.get(who) ?? 0) + 1);
          return cards.protocol.parseServerFrame(data);
        },
      },
    });
    const received: string[] = [];
    const a = tab(host, store, { received }, counting("leader"));
    await waitFor(() => live(a) && a.tabRole === "leader", 5000, "A leads");
    const b = tab(host, store, {}, counting("follower"));
    await waitFor(() => live(b), 5000, "B live");
    const bob = other(host);
    await waitFor(() => live(bob) && a.peers().size === 1 && b.peers().size === 1, 5000, "Bob seen by both tabs");

    const frames0 = received.length;
    const leader0 = parses.get("leader") ?? 0;
    const follower0 = parses.get("follower") ?? 0;
    // Bob edits and moves; each tab makes an edit of its own.
    for (let i = 0; i < 5; i++) bob.mutate([{ op: "put", rec: card(`bob${i}`) }]);
    bob.moveCursor(10, 20);
    a.mutate([{ op: "put", rec: card("fromA") }]);
    b.mutate([{ op: "put", rec: card("fromB") }]);
    const all = ["bob0", "bob1", "bob2", "bob3", "bob4", "fromA", "fromB"];
    for (const t of [a, b]) await waitFor(() => all.every((id) => t.records().has(id)) && t.pendingCount === 0 && t.cursors().size === 1, 5000, "both tabs see everything");
    await waitFor(() => parses.get("follower")! - follower0 === received.length - frames0, 2000, "the follower parsed as many frames as the socket got");

    const frames = received.length - frames0;
    expect(frames).toBeGreaterThanOrEqual(8); // 5 + 2 changes or acks, a cursor frame
    expect(parses.get("leader")! - leader0).toBe(frames); // once in the leader tab, not once per client
    expect(parses.get("follower")! - follower0).toBe(frames); // once in the follower tab
    expect(ids(a)).toEqual(ids(b));
  });

  it("two tabs are one person: the most present status of any tab, the cursor of the tab that moved last", async () => {
    const host = newHost();
    const store = new MemoryPendingStore();
    const a = tab(host, store);
    await waitFor(() => live(a) && a.tabRole === "leader", 5000, "A leads");
    const b = tab(host, store);
    await waitFor(() => live(b), 5000, "B live");
    const bob = other(host);
    await waitFor(() => live(bob) && bob.peers().size === 1, 5000, "Bob sees one person");
    const ada = () => [...bob.peers().values()][0]!;

    a.setPresence({ status: "away" }); // B is still in use
    b.setPresence({ status: "idle" });
    await waitFor(() => ada().status === "idle", 5000, "idle: the most present tab");
    b.setPresence({ status: "active" });
    await waitFor(() => ada().status === "active", 5000, "active again");

    b.moveCursor(5, 5);
    await waitFor(() => [...bob.cursors().values()].some((c) => c.x === 5), 5000, "B's cursor");
    a.hideCursor(); // A did not move last: its hide does not hide B's cursor
    // A barrier: A's next presence change reaches Bob after anything the hide could have.
    a.setPresence({ name: "Ada L" });
    await waitFor(() => ada().name === "Ada L", 5000, "A's new name");
    expect([...bob.cursors().values()].map((c) => [c.x, c.y])).toEqual([[5, 5]]);
    b.hideCursor();
    await waitFor(() => bob.cursors().size === 0, 5000, "hidden by the tab that moved last");
    expect(bob.peers().size).toBe(1);
    expect(host.sockets.size).toBe(2);
  });
});
