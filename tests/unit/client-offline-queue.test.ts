/**
 * The offline queue, end to end through the PendingStore interface: a real
 * RoomClient over the real room core (in memory), behind the online-aware
 * transport with a fake `navigator.onLine`. Edits made offline survive a
 * "reload" (a new client over the same pending store) and reach the room
 * exactly once when the network returns — even when an ack is lost and the edit
 * is sent again.
 */
import { type Card, cards } from "../support/cards.ts";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type NetworkEvents, onlineAwareTransport } from "../../client/engine/offline-transport.ts";
import { MemoryPendingStore, type PendingStore } from "../../client/engine/pending-store.ts";
import { RoomClient } from "../../client/engine/room-client.ts";
import type { PendingMutation } from "../../client/engine/pending-edits.ts";
import { roomWire } from "../support/room-wire.ts";
import { CardsRoomHost, card } from "../support/cards-room.ts";
import { FakeClock } from "../support/fake-clock.ts";
import type { Clock } from "../../client/engine/clock.ts";
import { waitFor } from "../support/wait.ts";

/** A fake `window` for online/offline events. It also sets `navigator.onLine`,
 * which RoomClient reads to tell "offline" from "reconnecting". */
class FakeNetwork implements NetworkEvents {
  private online = true;
  private readonly fns = { online: new Set<() => void>(), offline: new Set<() => void>() };
  constructor(online: boolean) {
    this.onLine = online;
  }
  get onLine() {
    return this.online;
  }
  set onLine(v: boolean) {
    this.online = v;
    vi.stubGlobal("navigator", { onLine: v });
  }
  addEventListener(type: "online" | "offline", fn: () => void) {
    this.fns[type].add(fn);
  }
  removeEventListener(type: "online" | "offline", fn: () => void) {
    this.fns[type].delete(fn);
  }
  set(online: boolean) {
    this.onLine = online;
    for (const fn of this.fns[online ? "online" : "offline"]) fn();
  }
}

interface WireOptions {
  /** Lose acks on the way back. */
  dropAcks: boolean;
  /** Every frame the client handed to the wire, for assertions. */
  sent?: string[];
  /** The client's clock (default: the real one). */
  clock?: Clock;
}

/** A PendingStore that counts what went through it. */
class CountingStore implements PendingStore {
  readonly inner = new MemoryPendingStore();
  adds = 0;
  loads = 0;
  load(): Promise<PendingMutation[]> {
    this.loads++;
    return this.inner.load();
  }
  add(m: PendingMutation): Promise<void> {
    this.adds++;
    return this.inner.add(m);
  }
  remove(mid: string): Promise<void> {
    return this.inner.remove(mid);
  }
}

const clients: RoomClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  vi.unstubAllGlobals();
});

function client(host: CardsRoomHost, network: FakeNetwork, store: PendingStore, opts: WireOptions = { dropAcks: false }, clientId = "tab-1"): RoomClient<Card> {
  const c = new RoomClient({ schema: cards,
    room: host.roomId,
    clientId,
    name: "Bea",
    color: "#2f9e44",
    pendingStore: store,
    ...(opts.clock ? { clock: opts.clock } : {}),
    transport: onlineAwareTransport(roomWire(host, { drop: (f) => opts.dropAcks && f.includes('"type":"ack"'), ...(opts.sent ? { sent: opts.sent } : {}) }), network),
  });
  clients.push(c);
  return c;
}

describe("offline queue", () => {
  it("keeps edits made offline across a reload and sends them exactly once when back online", async () => {
    const host = new CardsRoomHost("offline-room");
    const observer = client(host, new FakeNetwork(true), new MemoryPendingStore(), undefined, "observer");
    await waitFor(() => observer.connection.status === "live", 2000, "observer live");

    const network = new FakeNetwork(false);
    const store = new CountingStore();
    const before = client(host, network, store);
    await before.ready;
    await waitFor(() => before.connection.status === "offline", 2000, "offline badge");
    before.mutate([{ op: "put", rec: card("note") }]);
    expect(before.pendingCount).toBe(1);
    expect(await store.inner.load()).toHaveLength(1);

    // Reload while offline: the page (and its client) is gone, the store is not.
    before.close();
    const after = client(host, network, store);
    await after.ready;
    expect(after.pendingCount).toBe(1);
    expect(after.records().has("note")).toBe(true); // still drawn, as pending
    expect(after.pendingIds()).toEqual(new Set(["note"]));

    network.set(true);
    await waitFor(() => after.connection.status === "live" && after.pendingCount === 0, 2000, "sent and acknowledged");
    await waitFor(() => observer.records().has("note"), 2000, "observer sees the note");
    expect(await store.inner.load()).toHaveLength(0);
    expect(observer.records().size).toBe(1);
    expect(observer.seq).toBe(1); // one mutation applied: not two
    expect(store.adds).toBe(1);
    // Read once per page load, never again after a sync: memory is the truth.
    expect(store.loads).toBe(2);
  });

  it("a resend after a lost ack is deduplicated by the room", async () => {
    const host = new CardsRoomHost("lost-ack-room");
    const observer = client(host, new FakeNetwork(true), new MemoryPendingStore(), undefined, "observer");
    await waitFor(() => observer.connection.status === "live", 2000, "observer live");
    const network = new FakeNetwork(true);
    const store = new MemoryPendingStore();
    const opts = { dropAcks: true };
    const c = client(host, network, store, opts);
    await waitFor(() => c.connection.status === "live", 2000, "live");
    c.mutate([{ op: "put", rec: card("x") }]);
    await waitFor(() => observer.records().has("x"), 2000, "observer sees it");
    expect(c.pendingCount).toBe(1); // the ack never arrived

    network.set(false);
    await waitFor(() => c.connection.status === "offline", 2000, "offline");
    opts.dropAcks = false;
    network.set(true);
    await waitFor(() => c.connection.status === "live" && c.pendingCount === 0, 2000, "confirmed after reconnect");
    expect(await store.load()).toHaveLength(0);
    expect(observer.seq).toBe(1);
    expect(observer.records().size).toBe(1);
  });

  it("dates edits made offline when they were made: a burst made at t and delivered at t + 10 min is in history at t", async () => {
    const t = 1_800_000_000_000;
    // The client's wall clock (when an edit is made, how long it waited) and
    // the room's clock, held by hand: only Date is faked, timers stay real.
    vi.useFakeTimers({ toFake: ["Date"], now: t });
    try {
      const host = new CardsRoomHost("made-offline-room");
      host.clock = t;
      const network = new FakeNetwork(false);
      const c = client(host, network, new MemoryPendingStore());
      await c.ready;
      await waitFor(() => c.connection.status === "offline", 2000, "offline");
      c.mutate([{ op: "put", rec: card("a") }]);
      vi.setSystemTime(t + 2_000);
      c.mutate([{ op: "put", rec: card("b") }]);
      c.mutate([{ op: "patch", id: "a", set: { x: 40 } }]);

      vi.setSystemTime(t + 10 * 60_000);
      host.clock = t + 10 * 60_000;
      network.set(true);
      await waitFor(() => c.connection.status === "live" && c.pendingCount === 0, 2000, "delivered");
      const page = await c.history();
      // Newest first: committed on arrival, in the order they were made, each dated when it was made.
      expect(page.changes.map((x) => [x.ids[0], x.at, x.made])).toEqual([
        ["a", t + 10 * 60_000, t + 2_000],
        ["b", t + 10 * 60_000, t + 2_000],
        ["a", t + 10 * 60_000, t],
      ]);
      // Made and sent at once: no `made`, the commit time is the time.
      c.mutate([{ op: "put", rec: card("c") }]);
      await waitFor(() => c.pendingCount === 0, 2000, "live edit acknowledged");
      expect((await c.history({ limit: 1 })).changes[0]).toMatchObject({ ids: ["c"], at: t + 10 * 60_000 });
      expect((await c.history({ limit: 1 })).changes[0]!.made).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it("shows offline at once when the device goes offline and drops cursor moves instead of queueing them", async () => {
    const host = new CardsRoomHost("cursor-room");
    const network = new FakeNetwork(true);
    const sent: string[] = [];
    const clock = new FakeClock();
    const c = client(host, network, new MemoryPendingStore(), { dropAcks: false, sent, clock });
    await waitFor(() => c.connection.status === "live", 2000, "live");
    c.moveCursor(1, 1);
    expect(sent.filter((f) => f.includes('"type":"cursor"'))).toHaveLength(1);
    network.set(false);
    expect(c.connection.status).toBe("offline");
    const sentWhileOffline = sent.length;
    c.moveCursor(10, 10);
    c.moveCursor(20, 20);
    clock.advance(200); // past the throttle interval
    expect(sent.length).toBe(sentWhileOffline);
    network.set(true);
    await waitFor(() => c.connection.status === "live", 2000, "live again");
    clock.advance(200);
    // A barrier: a move made now goes out — and before it, on the new
    // connection, only the hello and what the client decides after it, never
    // the moves made while offline.
    c.moveCursor(30, 30);
    clock.advance(200);
    const after = sent.slice(sentWhileOffline);
    expect(after.filter((f) => f.includes('"type":"cursor"'))).toEqual([JSON.stringify({ type: "cursor", p: [30, 30] })]);
  });
});
