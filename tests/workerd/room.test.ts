/**
 * The wrangler host in workerd: real WebSockets through the Worker, the SQLite
 * Durable Object, hibernation and eviction.
 */
import { env, exports } from "cloudflare:workers";
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CloseCode, ErrorCode } from "../../party/shared/protocol.ts";
import { joinRoom, openSocket, card } from "./socket.ts";

const stubFor = (room: string) => env.CARDS.get(env.CARDS.idFromName(room));

describe("two clients through the Worker", () => {
  it("acks the sender and shows the change to the other, in seq order", async () => {
    const a = await joinRoom("two", "ada");
    const b = await joinRoom("two", "bob");
    a.send({ type: "mutate", mid: "a1", ops: [{ op: "put", rec: card("s1") }] });
    expect(await a.next("ack")).toEqual({ type: "ack", mid: "a1", seq: 1 });
    const change = await b.next("change");
    expect(change).toMatchObject({ seq: 1, mid: "a1", ops: [{ op: "put", rec: { id: "s1" } }] });
    expect(b.of("join")).toHaveLength(0);
    expect((await a.next("join")).peer.name).toBe("bob");
  });

  it("answers the exact ping frame without involving the room", async () => {
    const a = await joinRoom("ping", "ada");
    const stats = async () => (await (await exports.default.fetch("http://x/parties/cards/ping/stats")).json()) as { messages: number };
    const before = await stats();
    a.send('{"type":"ping"}');
    await a.next("pong");
    const after = await stats();
    expect(after.messages).toBe(before.messages); // the runtime answered, not the room
  });

  it("refuses an invalid room id with a typed error and close code", async () => {
    const c = await openSocket("/parties/cards/no%20spaces");
    expect((await c.next("error")).code).toBe(ErrorCode.INVALID_ROOM);
    expect((await c.waitClosed()).code).toBe(CloseCode.INVALID_ROOM);
  });
});

describe("eviction", () => {
  it("keeps hibernated sockets working, loses nothing and keeps seq monotonic", async () => {
    const room = "evict-hibernate";
    const a = await joinRoom(room, "ada");
    const b = await joinRoom(room, "bob");
    for (let i = 1; i <= 3; i++) {
      a.send({ type: "mutate", mid: `a${i}`, ops: [{ op: "put", rec: card(`s${i}`, i) }] });
      await a.next("ack", a.inbox.length - 1);
    }
    // Mark the live instance; after the eviction the mark must be gone (a new
    // object was constructed and rebuilt its cache from SQLite).
    await runInDurableObject(stubFor(room), (instance: object) => void Object.assign(instance, { marked: true }));
    await evictDurableObject(stubFor(room), { webSockets: "hibernate" });

    // Same sockets, new object: the mutation after the wake gets seq 4, the
    // retried a3 is still a duplicate, and bob hears about both correctly.
    const mark = a.inbox.length;
    a.send({ type: "mutate", mid: "a4", ops: [{ op: "patch", id: "s1", set: { x: 40 } }] });
    a.send({ type: "mutate", mid: "a3", ops: [{ op: "put", rec: card("s3", 3) }] });
    const acks = [await a.next("ack", mark), await a.next("ack", mark + 1)];
    expect(acks).toEqual([
      { type: "ack", mid: "a4", seq: 4 },
      { type: "ack", mid: "a3", seq: 3, dup: true },
    ]);
    await b.next("change", b.inbox.findIndex((m) => m.type === "change" && m.seq === 3) + 1);
    expect(b.of("change").map((c) => c.seq)).toEqual([1, 2, 3, 4]);
    // Presence survived in the attachments: a new joiner sees both.
    const c = await joinRoom(room, "cyd");
    const welcome = c.inbox.find((m) => m.type === "welcome");
    expect(welcome && welcome.type === "welcome" && welcome.peers.map((p) => p.name).sort()).toEqual(["ada", "bob"]);
    const sync = c.inbox.find((m) => m.type === "sync");
    expect(sync && sync.type === "sync" && sync.mode === "snapshot" && sync.records.find((r) => r.id === "s1")?.x).toBe(40);
    expect(await runInDurableObject(stubFor(room), (instance: object) => "marked" in instance)).toBe(false);
  });

  it("keeps acknowledged state when eviction closes the sockets; the client resumes with a delta", async () => {
    const room = "evict-close";
    const a = await joinRoom(room, "ada");
    a.send({ type: "mutate", mid: "a1", ops: [{ op: "put", rec: card("s1") }] });
    await a.next("ack");
    const epoch = a.inbox.find((m) => m.type === "sync")!;
    if (epoch.type !== "sync") throw new Error("no sync");
    const b = await joinRoom(room, "bob");
    b.send({ type: "mutate", mid: "b1", ops: [{ op: "put", rec: card("s2") }] });
    await b.next("ack");
    await a.next("change");
    await evictDurableObject(stubFor(room), { webSockets: "close" });
    await a.waitClosed();

    const a2 = await joinRoom(room, "ada", { epoch: epoch.epoch, lastSeq: 2 });
    const sync2 = a2.inbox.find((m) => m.type === "sync")!;
    expect(sync2).toMatchObject({ mode: "delta", seq: 2, changes: [] });
    // And from before b1: the delta carries exactly b1.
    const a3 = await joinRoom(room, "ada", { epoch: epoch.epoch, lastSeq: 1 });
    const sync3 = a3.inbox.find((m) => m.type === "sync")!;
    expect(sync3.type === "sync" && sync3.mode === "delta" && sync3.changes.map((c) => c.mid)).toEqual(["b1"]);
    // The retried mutation is answered with its original result.
    a3.send({ type: "mutate", mid: "a1", ops: [{ op: "put", rec: card("s1") }] });
    expect(await a3.next("ack")).toEqual({ type: "ack", mid: "a1", seq: 1, dup: true });
  });
});

describe("liveness", () => {
  it("arms the sweep alarm while sockets are open, keeps fresh sockets, and re-arms", async () => {
    const room = "sweep";
    const a = await joinRoom(room, "ada");
    const alarm = await runInDurableObject(stubFor(room), (_: unknown, state: DurableObjectState) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    expect(await runDurableObjectAlarm(stubFor(room))).toBe(true);
    // Fresh socket: kept, still served, and the next sweep is scheduled.
    expect(a.closed).toBeNull();
    a.send({ type: "mutate", mid: "after-sweep", ops: [{ op: "put", rec: card("s1") }] });
    expect((await a.next("ack")).seq).toBe(1);
    const next = await runInDurableObject(stubFor(room), (_: unknown, state: DurableObjectState) => state.storage.getAlarm());
    expect(next).not.toBeNull();
  });
});

describe("observability", () => {
  it("reports per-room stats over HTTP (also for a room named 'stats')", async () => {
    const room = "stats";
    const a = await joinRoom(room, "ada");
    a.send({ type: "mutate", mid: "s-1", ops: [{ op: "put", rec: card("s1") }] });
    await a.next("ack");
    a.send({ type: "mutate", mid: "s-1", ops: [{ op: "put", rec: card("s1") }] });
    await a.next("ack", a.inbox.length);
    a.send({ type: "mutate", mid: "s-2", ops: [{ op: "del", id: "missing" }] });
    await a.next("reject");
    a.send("{broken");
    await a.next("error");
    const res = await exports.default.fetch(`http://edgeroom.test/parties/cards/${room}/stats`);
    expect(res.status).toBe(200);
    const stats = (await res.json()) as Record<string, unknown>;
    expect(stats).toMatchObject({
      room,
      connections: 1,
      seq: 1,
      records: 1,
      logSize: 1,
      mutations: 1,
      rejects: 1,
      duplicatesDropped: 1,
      badFrames: 1,
      rateLimited: 0,
    });
    expect(stats.storageBytes).toEqual(expect.any(Number));
    expect(stats.messagesPerSec).toEqual(expect.any(Number));
  });
});
