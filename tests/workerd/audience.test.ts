/**
 * An audience room on the real host (workerd, SQLite, hibernating sockets):
 * one room object and several relay objects in one workerd (issue 18;
 * docs/ARCHITECTURE.md "One room over many objects"). The bounds are lowered
 * for this file (vitest.config.ts, project workerd-audience): 2 direct
 * members, 3 members per relay, 3 relays, 5 editors; tokens are on, so the
 * audience joins with viewer tokens as a deployment's would.
 *
 * Every client here goes through the Worker's own fetch, the path a browser
 * takes: it cannot tell whether the room or a relay answers.
 */
import { env, exports } from "cloudflare:workers";
import type { RoomEnv } from "../../party/engine/durable-object.ts";
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { LINK_HEADER, ROOM_HEADER } from "../../party/engine/headers.ts";
import { READ_ACK_EVERY_BYTES, RELAY_SILENT_MS, SOCKET_MAX_OWED_BYTES } from "../../party/shared/limits.ts";
import { CloseCode, ErrorCode, PING_FRAME, PONG_FRAME, PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import { withClockHeld } from "./held-clock.ts";
import { card, openSocket, type TestClient } from "./socket.ts";
import cardsWorker from "./worker.ts";

const roomStub = (room: string) => env.CARDS.get(env.CARDS.idFromName(room));
const relayStub = (room: string, k: number) => env.CARDS.get(env.CARDS.idFromName(`relay:${room}:${k}`));
const stats = async (room: string) => (await (await exports.default.fetch(`http://x/parties/cards/${room}/stats?token=${await token(room, "viewer")}`)).json()) as Record<string, number>;

async function token(room: string, role: "editor" | "viewer"): Promise<string> {
  const res = await exports.default.fetch(`http://x/auth/dev-token?room=${room}&role=${role}`);
  return ((await res.json()) as { token: string }).token;
}

interface Member extends TestClient {
  name: string;
}

type From = { epoch?: string | null; lastSeq?: number; reads?: true; broadcasts?: true };

async function open(room: string, name: string, role: "editor" | "viewer", from: From = {}): Promise<Member> {
  const c = await openSocket(`/parties/cards/${room}?token=${await token(room, role)}${from.broadcasts ? "&broadcasts=1" : ""}`);
  c.send({ type: "hello", v: PROTOCOL_VERSION, clientId: `c-${name}`, epoch: from.epoch ?? null, lastSeq: from.lastSeq ?? 0, name, color: "#224466", ...(from.reads ? { reads: true } : {}) });
  return Object.assign(c, { name });
}

async function join(room: string, name: string, role: "editor" | "viewer", from: From = {}): Promise<Member> {
  const c = await open(room, name, role, from);
  await c.next("sync", 0, 15_000);
  return c;
}

/** The seqs a member applied, in order: its sync's, every change's and its own acks'. */
function applied(c: TestClient, from = 0): number[] {
  const seqs: number[] = [];
  for (const m of c.inbox.slice(from)) {
    if (m.type === "sync" && m.mode === "delta") seqs.push(...m.changes.map((ch) => ch.seq));
    if (m.type === "change") seqs.push(m.seq);
    if (m.type === "ack" && !m.dup) seqs.push(m.seq);
  }
  return seqs;
}

/** The seq a member holds now: its last sync's, then what it applied since. */
function heldSeq(c: TestClient): number {
  let seq = 0;
  for (const m of c.inbox) {
    if (m.type === "sync") seq = m.seq;
    if ((m.type === "change" || (m.type === "ack" && !m.dup)) && m.seq === seq + 1) seq = m.seq;
  }
  return seq;
}

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Every member reached `seq`, having applied each seq in (from, seq] exactly once, in order. */
async function allReach(members: TestClient[], seq: number, from = 0): Promise<void> {
  await until(`all members at seq ${seq}`, () => members.every((c) => heldSeq(c) >= seq));
  for (const c of members) {
    const seqs = applied(c).filter((s) => s > from);
    expect(seqs, `${(c as Member).name} applied`).toEqual(Array.from({ length: seq - from }, (_, i) => from + i + 1));
  }
}

function mutate(c: TestClient, mid: string, id: string): void {
  c.send({ type: "mutate", mid, ops: [{ op: "put", rec: card(id) }] });
}

describe("an audience room over several relays", () => {
  it("gives every member on every relay each seq once, in order, and the room alone assigns them", async () => {
    const room = "aud-order";
    const direct = [await join(room, "d1", "editor"), await join(room, "d2", "editor")];
    const relayed: Member[] = [];
    for (const [i, role] of (["editor", "viewer", "viewer", "editor", "viewer", "viewer", "editor"] as const).entries()) relayed.push(await join(room, `r${i}`, role));
    // The relays report their counts with their next frame.
    await until("the relays' counts", async () => (await stats(room)).relayed === 7);
    const s = await stats(room);
    expect(s).toMatchObject({ connections: 2, relays: 3, relayed: 7, watching: 4 });

    // Three editors on three objects (the room, relay 0, relay 1) edit at once.
    const editors = [direct[0]!, relayed[0]!, relayed[3]!];
    for (let i = 0; i < 10; i++) for (const [e, c] of editors.entries()) mutate(c, `m-${e}-${i}`, `s-${e}-${i}`);
    await allReach([...direct, ...relayed], 30);
    const after = await stats(room);
    expect(after.seq).toBe(30);
    // The relayed editors' 20 mutations reached the room in fewer frames: a
    // relay sends one frame per tick, whatever it carries.
    expect(after.relayedFrames! - s.relayedFrames!).toBe(20);
    expect(after.linkFrames! - s.linkFrames!).toBeLessThan(20);
    // Each author got its own edits as acks, in the room's order.
    for (const c of editors) expect(c.of("ack")).toHaveLength(10);
  });

  it("applies a duplicated mid once, whichever relay or retry it comes through", async () => {
    const room = "aud-dup";
    const direct = [await join(room, "d1", "editor"), await join(room, "d2", "viewer")];
    const a = await join(room, "a", "editor");
    const b = [await join(room, "b1", "viewer"), await join(room, "b2", "viewer"), await join(room, "b3", "editor")];
    const everyone = [...direct, a, ...b];
    mutate(a, "same-mid", "once");
    mutate(a, "same-mid", "once");
    // The same mid through another relay (a client that moved, a retry).
    mutate(b[2]!, "same-mid", "once");
    await allReach(everyone, 1);
    await until("every copy answered", () => a.of("ack").length === 2 && b[2]!.of("ack").length === 1);
    // One of the three copies applied (whichever reached the room first); the
    // other two were answered with its seq, marked dup.
    const acks = [...a.of("ack"), ...b[2]!.of("ack")];
    expect(acks.map((m) => m.seq)).toEqual([1, 1, 1]);
    expect(acks.filter((m) => m.dup !== true)).toHaveLength(1);
    // A barrier edit after the repeats: nobody saw a second change.
    mutate(direct[0]!, "after", "after");
    await allReach(everyone, 2);
    expect((await stats(room)).duplicatesDropped).toBe(2);
  });

  it("counts watchers and announces editors; a viewer cannot edit", async () => {
    const room = "aud-watch";
    const d1 = await join(room, "d1", "editor");
    await join(room, "d2", "editor");
    const viewers = [await join(room, "v1", "viewer"), await join(room, "v2", "viewer"), await join(room, "v3", "viewer")];
    const e = await join(room, "e", "editor");
    await until("the relayed editor announced", () => d1.of("join").some((j) => j.peer.name === "e"));
    expect(d1.of("join").map((j) => j.peer.name)).toEqual(["d2", "e"]);
    await until("the watchers counted", async () => (await stats(room)).watching === 3);
    // A relayed member's welcome lists the active people, never a watcher.
    expect(e.of("welcome")[0]!.peers.map((p) => p.name).sort()).toEqual(["d1", "d2"]);

    mutate(viewers[0]!, "viewer-edit", "nope");
    const reject = await viewers[0]!.next("reject");
    expect(reject).toMatchObject({ mid: "viewer-edit", code: ErrorCode.FORBIDDEN });
    // A watcher's pointer stays at its relay; an editor's reaches everyone.
    viewers[1]!.send({ type: "cursor", p: [1, 1] });
    e.send({ type: "cursor", p: [2, 2] });
    await until("the editor's cursor", () => d1.of("cursors").some((f) => f.f.some(([conn]) => conn === e.of("welcome")[0]!.self.conn)));
    const viewerConns = new Set(viewers.map((v) => v.of("welcome")[0]!.self.conn));
    expect(d1.of("cursors").flatMap((f) => f.f).filter(([conn]) => viewerConns.has(conn))).toEqual([]);
    expect((await stats(room)).seq).toBe(0);
  });

  it("refuses past its bounds with ROOM_FULL, which clients retry", async () => {
    const room = "aud-caps";
    await join(room, "d1", "editor");
    await join(room, "d2", "editor");
    // Editors: 5 in all, direct and relayed.
    for (const n of ["e1", "e2", "e3"]) await join(room, n, "editor");
    const sixth = await open(room, "e4", "editor");
    expect(await sixth.next("error")).toMatchObject({ code: ErrorCode.ROOM_FULL });
    expect((await sixth.waitClosed()).code).toBe(CloseCode.ROOM_FULL);
    // Members: 2 direct + 3 relays × 3.
    for (let i = 0; i < 6; i++) await join(room, `v${i}`, "viewer");
    const over = await openSocket(`/parties/cards/${room}?token=${await token(room, "viewer")}`);
    expect((await over.waitClosed()).code).toBe(CloseCode.ROOM_FULL);
    expect(over.of("error")[0]).toMatchObject({ code: ErrorCode.ROOM_FULL });
  });
});

describe("faults in an audience room", () => {
  it("a relay evicted: its members resync through the ordinary path, nothing lost or doubled", async () => {
    const room = "aud-relay-evicted";
    const direct = [await join(room, "d1", "editor"), await join(room, "d2", "viewer")];
    const onRelay0 = [await join(room, "a1", "editor"), await join(room, "a2", "viewer"), await join(room, "a3", "viewer")];
    const onRelay1 = [await join(room, "b1", "editor"), await join(room, "b2", "viewer")];
    for (let i = 0; i < 5; i++) mutate(onRelay0[0]!, `before-${i}`, `before-${i}`);
    await allReach([...direct, ...onRelay0, ...onRelay1], 5);
    // A relay's outgoing link holds off a graceful eviction (as in production,
    // up to 15 min): it crashes instead, as an object that is reset does.
    await runInDurableObject(relayStub(room, 0), (_: unknown, state: DurableObjectState) => state.abort("relay crashed (test)")).catch(() => {});
    for (const c of onRelay0) await c.waitClosed();
    // The room let its editor go at once.
    await until("a1's leave", () => direct[0]!.of("leave").some((l) => l.conn === onRelay0[0]!.of("welcome")[0]!.self.conn));
    // Meanwhile the room goes on.
    for (let i = 0; i < 5; i++) mutate(onRelay1[0]!, `during-${i}`, `during-${i}`);
    await allReach([...direct, ...onRelay1], 10);

    // They come back with what they hold, as the client library does.
    const back: Member[] = [];
    for (const c of onRelay0) {
      const sync = c.of("sync")[0]!;
      back.push(await join(room, `${c.name}-back`, c.name === "a1" ? "editor" : "viewer", { epoch: sync.epoch, lastSeq: heldSeq(c) }));
    }
    for (const c of back) expect(c.of("sync")[0]).toMatchObject({ mode: "delta", seq: 10 });
    for (const c of back) expect(applied(c)).toEqual([6, 7, 8, 9, 10]);
    mutate(back[0]!, "after", "after");
    await allReach([...direct, ...onRelay1], 11);
    await until("the returners at 11", () => back.every((c) => heldSeq(c) === 11));
    for (const c of back) expect(applied(c)).toEqual([6, 7, 8, 9, 10, 11]);
  });

  it("the room evicted: relays resubscribe and their members go on without a gap", async () => {
    const room = "aud-room-evicted";
    await join(room, "d1", "editor");
    await join(room, "d2", "viewer");
    const relayed = [await join(room, "a1", "editor"), await join(room, "a2", "viewer"), await join(room, "a3", "viewer"), await join(room, "b1", "editor"), await join(room, "b2", "viewer")];
    for (let i = 0; i < 3; i++) mutate(relayed[3]!, `before-${i}`, `before-${i}`);
    await allReach(relayed, 3);

    await evictDurableObject(roomStub(room), { webSockets: "close" });
    // The relays' members keep their sockets; the relays subscribe again.
    await until("relays back", async () => (await stats(room)).relays === 2);
    for (let i = 0; i < 3; i++) mutate(relayed[0]!, `after-${i}`, `after-${i}`);
    await allReach(relayed, 6);
    for (const c of relayed) expect(c.closed).toBeNull();
    expect((await stats(room)).seq).toBe(6);
  });

  it("the room hibernates under live links: a relayed editor's edit reaches everyone", async () => {
    const room = "aud-room-hibernated";
    const d1 = await join(room, "d1", "editor");
    await join(room, "d2", "viewer");
    const relayed = [await join(room, "a1", "editor"), await join(room, "a2", "viewer")];
    await evictDurableObject(roomStub(room), { webSockets: "hibernate" });
    mutate(relayed[0]!, "after-wake", "after-wake");
    await allReach([d1, ...relayed], 1);
    expect((await stats(room)).relays).toBe(1);
  });
});

describe("a member on a relay that does not read", () => {
  it("is closed with SLOW_READER past SOCKET_MAX_OWED_BYTES unacknowledged; one that acknowledges, and an older client, get everything", async () => {
    const room = "aud-slow-reader";
    const writer = await join(room, "writer", "editor");
    await join(room, "d2", "viewer");
    const stalled = await join(room, "stalled", "viewer", { reads: true });
    const reader = await join(room, "reader", "viewer", { reads: true });
    const older = await join(room, "older", "viewer");
    await until("the relays' counts", async () => (await stats(room)).relayed === 3);
    const ackEvery = stalled.of("welcome")[0]!.ackEvery!;
    expect(ackEvery).toBe(READ_ACK_EVERY_BYTES);
    // The reader acknowledges what it reads, as the library does.
    let acked = 0;
    const ack = setInterval(() => {
      const read = reader.frames.reduce((n, f) => n + f.bytes, 0);
      if (read - acked >= ackEvery) {
        reader.send({ type: "read", n: read - acked });
        acked = read;
      }
    }, 5);
    try {
      // ~100 KB a change, 1.25 × the bound in all.
      const text = "x".repeat(10_000);
      const changes = Math.ceil((SOCKET_MAX_OWED_BYTES * 1.25) / 100_000);
      for (let i = 0; i < changes; i++) {
        writer.send({ type: "mutate", mid: `big-${i}`, ops: Array.from({ length: 10 }, (_, j) => ({ op: "put", rec: { ...card(`r${j}`, i), text } })) });
        await writer.next("ack", writer.inbox.length);
      }
      expect((await stalled.waitClosed(15_000)).code).toBe(CloseCode.SLOW_READER);
      expect(stalled.of("error").at(-1)).toMatchObject({ code: ErrorCode.SLOW_READER });
      await allReach([reader, older], changes);
      expect(reader.closed).toBeNull();
      expect(older.closed).toBeNull();
    } finally {
      clearInterval(ack);
    }
  });
});

describe("a link that does not read", () => {
  it("is sent at most its bound, then told to resubscribe, and its new sync catches it up; a relay that acknowledges is never behind", async () => {
    const room = "aud-link-behind";
    const bound = 1_048_576; // RELAY_LINK_OWED for this project (vitest.config.ts)
    const writer = await join(room, "writer", "editor");
    await join(room, "d2", "viewer");
    const reader = await join(room, "reader", "viewer");
    // A relay that never acknowledges: a link opened straight at the room
    // object as relay 7 (the room routes members to relays 0–2 only).
    const res = await roomStub(room).fetch("http://room/link", { headers: { Upgrade: "websocket", [ROOM_HEADER]: room, [LINK_HEADER]: "7" } });
    const ws = res.webSocket!;
    ws.accept();
    const frames: string[] = [];
    ws.addEventListener("message", (e: MessageEvent) => frames.push(e.data as string));
    ws.send(JSON.stringify({ t: "sub", epoch: null, seq: 0 }));
    await until("the link's sync", () => frames.some((f) => f.startsWith(`{"t":"sync"`)));
    const epoch = (JSON.parse((JSON.parse(frames[0]!) as { f: string }).f) as { epoch: string }).epoch;

    // ~100 KB a change, 1.5 × the bound in all.
    const text = "x".repeat(10_000);
    const changes = Math.ceil((bound * 1.5) / 100_000);
    for (let i = 0; i < changes; i++) {
      writer.send({ type: "mutate", mid: `big-${i}`, ops: Array.from({ length: 10 }, (_, j) => ({ op: "put", rec: { ...card(`r${j}`, i), text } })) });
      await writer.next("ack", writer.inbox.length);
    }
    await until("behind", () => frames.includes(`{"t":"behind"}`));
    const at = frames.indexOf(`{"t":"behind"}`);
    const items = (f: string) => ((JSON.parse(f) as { i?: { k: string; f?: string; seq?: number }[] }).i ?? []).filter((i) => i.k === "commit" || i.k === "cast");
    const before = frames.slice(0, at).flatMap(items);
    expect(before.reduce((n, i) => n + i.f!.length, 0)).toBeLessThanOrEqual(bound);
    const held = Math.max(...before.map((i) => i.seq ?? 0));
    expect(held).toBeLessThan(changes);

    // One more edit, then the link subscribes again from what it holds: the
    // sync holds everything; nothing of the room's output came in between.
    mutate(writer, "after", "after");
    await writer.next("ack", writer.inbox.length);
    ws.send(JSON.stringify({ t: "sub", epoch, seq: held }));
    await until("the new sync", () => frames.slice(at + 1).some((f) => f.startsWith(`{"t":"sync"`)));
    const syncAt = frames.findIndex((f, i) => i > at && f.startsWith(`{"t":"sync"`));
    expect(frames.slice(at + 1, syncAt).flatMap(items)).toEqual([]);
    const sync = JSON.parse((JSON.parse(frames[syncAt]!) as { f: string }).f) as { seq: number; mode: string; changes?: { seq: number }[] };
    expect(sync.seq).toBe(changes + 1);
    if (sync.mode === "delta") expect(sync.changes!.map((c) => c.seq)).toEqual(Array.from({ length: changes + 1 - held }, (_, i) => held + i + 1));
    ws.close(1000, "done");

    // The real relay acknowledged all along: its member got every seq once.
    await allReach([reader], changes + 1);
    expect(reader.closed).toBeNull();
  });
});

describe("what a direct member gets, a member on a relay gets too", () => {
  const API = "audience-api-secret-0123456789abcdef";
  const api = (path: string, method: string, body?: unknown) =>
    cardsWorker.fetch!(new Request(`http://x/parties/cards/${path}`, { method, headers: { Authorization: `Bearer ${API}` }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }) as never, { ...env, API_SECRET: API } as RoomEnv, {} as ExecutionContext);

  it("lists the watchers on request, a page at a time from the relays' members, and the relays' editors with the room's members", async () => {
    const room = "aud-watchers";
    await join(room, "d1", "editor");
    await join(room, "d2", "viewer");
    for (const [n, role] of [["e", "editor"], ["v1", "viewer"], ["v2", "viewer"], ["v3", "viewer"], ["v4", "viewer"]] as const) await join(room, n, role);
    await until("the relays' counts", async () => (await stats(room)).relayed === 5);
    const names: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const res = await api(`${room}/presence?watchers=1&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, "GET");
      expect(res.status).toBe(200);
      const page = (await res.json()) as { watchers: { name: string; role: string }[]; cursor: string | null; watching: number };
      expect(page.watchers.length).toBeLessThanOrEqual(2);
      expect(page.watching).toBe(4);
      names.push(...page.watchers.map((w) => w.name));
      cursor = page.cursor;
      if (cursor === null) break;
    }
    expect(cursor).toBeNull();
    expect(names.sort()).toEqual(["v1", "v2", "v3", "v4"]);
    const presence = (await (await api(`${room}/presence`, "GET")).json()) as { count: number; relayed: number; members: { name: string }[] };
    expect(presence.members.map((m) => m.name).sort()).toEqual(["d1", "d2", "e"]);
    expect(presence).toMatchObject({ count: 7, relayed: 5 });
    expect((await api(`${room}/presence?watchers=1&cursor=nope`, "GET")).status).toBe(400);
  });

  it("the backend's broadcast on every relay, to the members that asked for it; the room's deletion, ROOM_DELETED and 4006", async () => {
    const room = "aud-parity";
    const d = await join(room, "d", "editor", { broadcasts: true });
    const d2 = await join(room, "d2", "viewer");
    const r = [await join(room, "r0", "editor", { broadcasts: true }), await join(room, "r1", "viewer"), await join(room, "r2", "viewer", { broadcasts: true }), await join(room, "r3", "viewer", { broadcasts: true })];
    // Three on relay 0, one on relay 1; the relays report who reads broadcasts with their counts.
    await until("the relays' counts", async () => (await stats(room)).relayed === 4);
    expect((await stats(room)).relays).toBe(2);
    const res = await api(`${room}/broadcast`, "POST", { event: { kind: "notice", text: "starting" } });
    expect(await res.json()).toEqual({ sent: 4 });
    for (const c of [d, r[0]!, r[2]!, r[3]!]) expect(await c.next("broadcast" as never)).toMatchObject({ type: "broadcast", by: "api", event: { kind: "notice", text: "starting" } });
    // Not to those that did not ask: the next change is the first thing they get.
    const from = [d2.inbox.length, r[1]!.inbox.length];
    expect((await api(`${room}/mutate`, "POST", { mid: "after", ops: [{ op: "put", rec: card("after") }] })).status).toBe(200);
    await allReach([d, d2, ...r], 1);
    expect(d2.inbox.slice(from[0]).map((m) => m.type)).toEqual(["change"]);
    expect(r[1]!.inbox.slice(from[1]).map((m) => m.type)).toEqual(["change"]);

    // The room deleted: every member, direct or relayed, is told and closed 4006.
    expect((await api(room, "DELETE")).status).toBe(200);
    for (const c of [d, d2, ...r]) {
      expect((await c.waitClosed()).code, (c as Member).name).toBe(CloseCode.ROOM_DELETED);
      expect(c.of("error").at(-1)).toMatchObject({ code: ErrorCode.ROOM_DELETED });
    }
  });
});

describe("a link that goes silent", () => {
  it("is pinged without waking the room, and given up at the room's sweep past RELAY_SILENT_MS while a link that speaks is kept", async () => {
    const room = "aud-link-silent";
    /** A link opened straight at the room object as relay `k` (relays 0–2 are the room's own). */
    async function link(k: number): Promise<{ ws: WebSocket; frames: string[]; closed: Promise<number> }> {
      const res = await roomStub(room).fetch("http://room/link", { headers: { Upgrade: "websocket", [ROOM_HEADER]: room, [LINK_HEADER]: String(k) } });
      const ws = res.webSocket!;
      ws.accept();
      const frames: string[] = [];
      ws.addEventListener("message", (e: MessageEvent) => frames.push(e.data as string));
      const closed = new Promise<number>((resolve) => ws.addEventListener("close", (e: CloseEvent) => resolve(e.code)));
      ws.send(JSON.stringify({ t: "sub", epoch: null, seq: 0, inst: `test-${k}` }));
      await until(`link ${k}'s sync`, () => frames.some((f) => f.startsWith(`{"t":"sync"`)));
      return { ws, frames, closed };
    }
    await withClockHeld(async (heldAt) => {
      const speaking = await link(5);
      const silent = await link(6);
      // The runtime answers a relay's ping on its link itself, and records when.
      speaking.ws.send(PING_FRAME);
      await until("the pong", () => speaking.frames.includes(PONG_FRAME));
      const pinged = await runInDurableObject(roomStub(room), (_: unknown, state: DurableObjectState) =>
        state.getWebSockets().map((ws) => state.getWebSocketAutoResponseTimestamp(ws)).filter((t) => t !== null).length,
      );
      expect(pinged).toBe(1);
      vi.setSystemTime(heldAt + RELAY_SILENT_MS + 1_000);
      speaking.ws.send(JSON.stringify({ t: "up", i: [], members: 1, watching: 1 }));
      await until("the room heard it", async () => (await stats(room)).watching === 1);
      expect(await runDurableObjectAlarm(roomStub(room))).toBe(true);
      expect(await silent.closed).toBe(1001);
      expect((await stats(room)).relays).toBe(1);
      speaking.ws.close(1000, "done");
    });
  });
});
