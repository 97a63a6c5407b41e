/**
 * Protocol conformance, written from docs/PROTOCOL.md alone (the wire format,
 * not this repo's client): a raw WebSocket speaks to `wrangler dev` and to
 * `partykit dev`, and each host must answer every check the same way —
 * handshake, frames, mutations and exactly-once, fan-out, presence, cursors,
 * errors and close codes, room ids. Each check names the section it comes from.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type DevServer, startDevServer } from "../support/dev-server.ts";
import { WHITEBOARD_SCHEMA_VERSION } from "../../party/whiteboard/schema.ts";

/** §2: the protocol version this document describes. */
const V = 2;
/** §12: MAX_MESSAGE_BYTES. */
const MAX_MESSAGE_BYTES = 262_144;

type Msg = { type: string; [k: string]: unknown };

/** A raw client: every message received (batched frames, §9, flattened), and the close. */
class Raw {
  readonly ws: WebSocket;
  readonly inbox: Msg[] = [];
  closed: { code: number; reason: string; at: number } | null = null;
  httpStatus: number | null = null;
  private readonly opened: Promise<boolean>;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on("message", (d, binary) => {
      if (binary) return;
      const parsed = JSON.parse(String(d)) as Msg | Msg[];
      this.inbox.push(...(Array.isArray(parsed) ? parsed : [parsed]));
    });
    this.ws.on("close", (code, reason) => (this.closed = { code, reason: String(reason), at: Date.now() }));
    this.ws.on("unexpected-response", (_req, res) => {
      this.httpStatus = res.statusCode ?? null;
      this.ws.terminate();
    });
    this.ws.on("error", () => {});
    this.opened = new Promise((resolve) => {
      this.ws.once("open", () => resolve(true));
      this.ws.once("close", () => resolve(false));
    });
  }
  open(): Promise<boolean> {
    return this.opened;
  }
  send(msg: unknown): void {
    this.ws.send(typeof msg === "string" ? msg : JSON.stringify(msg));
  }
  of(type: string): Msg[] {
    return this.inbox.filter((m) => m.type === type);
  }
  /** The first message of `type` from inbox index `from` on that matches. */
  async next(type: string, from = 0, pred: (m: Msg) => boolean = () => true, ms = 10_000): Promise<Msg> {
    const end = Date.now() + ms;
    for (;;) {
      const m = this.inbox.slice(from).find((x) => x.type === type && pred(x));
      if (m) return m;
      if (Date.now() > end) throw new Error(`no ${type} within ${ms} ms; got ${this.inbox.map((x) => x.type).join(",")}${this.closed ? ` (closed ${this.closed.code})` : ""}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  async waitClosed(ms = 10_000): Promise<{ code: number; reason: string; at: number }> {
    const end = Date.now() + ms;
    while (!this.closed) {
      if (Date.now() > end) throw new Error("not closed");
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.closed;
  }
  /** No message of `type` from inbox index `from` on. A barrier, not a sleep:
   * the room answers a resync (§7) after every message it queued for this
   * client before it, so one sent would be in the inbox before that sync. */
  async none(type: string, from: number): Promise<void> {
    const mark = this.inbox.length;
    this.send({ type: "resync", epoch: null, lastSeq: 0 });
    const sync = await this.next("sync", mark);
    expect(this.inbox.slice(from, this.inbox.indexOf(sync)).filter((m) => m.type === type)).toEqual([]);
  }
}

const hello = (clientId: string, extra: Record<string, unknown> = {}) => ({ type: "hello", v: V, schema: WHITEBOARD_SCHEMA_VERSION, clientId, epoch: null, lastSeq: 0, name: clientId, color: "#3366ff", ...extra });
const rect = (id: string, x = 0) => ({ id, type: "rect", x, y: 0, z: 1, color: "#000000", stroke: 2, w: 10, h: 10, fill: null });

for (const kind of ["wrangler", "partykit"] as const) {
  describe(`protocol conformance on ${kind} dev (docs/PROTOCOL.md)`, () => {
    let server: DevServer;
    const sockets: Raw[] = [];
    let n = 0;
    const room = (name: string) => `cf-${name}-${Date.now().toString(36)}-${n++}`;
    const raw = (path: string) => {
      const c = new Raw(`ws://${server.host}${path}`);
      sockets.push(c);
      return c;
    };
    const socket = (id: string) => raw(`/parties/whiteboard/${id}`);
    /** §3: open, hello, wait for the sync. */
    const join = async (id: string, clientId: string, extra: Record<string, unknown> = {}) => {
      const c = socket(id);
      await c.open();
      c.send(hello(clientId, extra));
      await c.next("sync");
      return c;
    };

    beforeAll(async () => {
      server = await startDevServer(kind);
    });
    afterAll(async () => {
      for (const s of sockets) s.ws.terminate();
      await server?.stop();
    });

    it("§3: hello is answered by welcome, then sync — a new room's snapshot at seq 0", async () => {
      const c = await join(room("hello"), "c1");
      const types = c.inbox.map((m) => m.type).filter((t) => t !== "cursors");
      expect(types.slice(0, 2)).toEqual(["welcome", "sync"]);
      expect(c.of("sync")[0]).toMatchObject({ mode: "snapshot", seq: 0, records: [] });
      expect(typeof c.of("sync")[0]!.epoch).toBe("string");
    });

    it("§8 welcome: v, room, self (conn of 8 base-36 characters, clientId, name, color, status, role) and peers", async () => {
      const id = room("welcome");
      const a = await join(id, "alice");
      const b = await join(id, "bob");
      const w = b.of("welcome")[0]!;
      expect(w).toMatchObject({ v: V, room: id, self: { clientId: "bob", name: "bob", color: "#3366ff", status: "active", role: "editor" } });
      expect((w.self as { conn: string }).conn).toMatch(/^[a-z0-9]{8}$/);
      expect((w.peers as { clientId: string }[]).map((p) => p.clientId)).toEqual(["alice"]);
      expect((w.peers as { conn: string }[])[0]!.conn).toBe((a.of("welcome")[0]!.self as { conn: string }).conn);
    });

    it("§1: a trailing slash names the same room", async () => {
      const id = room("slash");
      const a = await join(id, "a");
      const c = raw(`/parties/whiteboard/${id}/`);
      await c.open();
      c.send(hello("b"));
      await a.next("join", 0, (m) => (m.peer as { clientId: string }).clientId === "b");
    });

    it("§1/§11: an invalid room id gets error INVALID_ROOM, then close 4004", async () => {
      const c = raw(`/parties/whiteboard/${"x".repeat(65)}`);
      expect((await c.waitClosed()).code).toBe(4004);
      expect(c.inbox[0]).toMatchObject({ type: "error", code: "INVALID_ROOM" });
    });

    it("§1: a room id is the path segment as is — a percent-encoded id is not decoded, and is invalid", async () => {
      const c = raw(`/parties/whiteboard/%41b-${Date.now()}`);
      expect((await c.waitClosed()).code).toBe(4004);
      expect(c.inbox[0]).toMatchObject({ type: "error", code: "INVALID_ROOM" });
    });

    it("§13: a plain request to a room is 426 with {code, message}", async () => {
      const res = await fetch(`http://${server.host}/parties/whiteboard/${room("plain")}`);
      expect(res.status).toBe(426);
      expect(await res.json()).toMatchObject({ code: "BAD_MESSAGE", message: expect.any(String) });
    });

    it("§13: stats of a never-written room: epoch null, no connections, seq 0", async () => {
      const res = await fetch(`http://${server.host}/parties/whiteboard/${room("stats")}/stats`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ epoch: null, connections: 0, seq: 0 });
    });

    it("§7 ping: answered with exactly {\"type\":\"pong\"}, before and after hello", async () => {
      const c = socket(room("ping"));
      await c.open();
      const frames: string[] = [];
      c.ws.on("message", (d) => frames.push(String(d)));
      c.send('{"type":"ping"}');
      await c.next("pong");
      c.send(hello("p"));
      await c.next("sync");
      c.send('{"type":"ping"}');
      await c.next("pong", c.inbox.findIndex((m) => m.type === "sync"));
      expect(frames.filter((f) => f.includes("pong"))).toEqual(['{"type":"pong"}', '{"type":"pong"}']);
    });

    it("§1 frames: a frame that is not JSON gets error BAD_MESSAGE", async () => {
      const c = await join(room("garbage"), "g");
      c.send("not json");
      await c.next("error", 0, (m) => m.code === "BAD_MESSAGE");
    });

    it("§1 frames: a binary frame gets error BAD_MESSAGE", async () => {
      const c = await join(room("binary"), "b");
      c.ws.send(Buffer.from([1, 2, 3]));
      await c.next("error", 0, (m) => m.code === "BAD_MESSAGE");
    });

    it("§11: a message of a type the protocol does not have gets UNKNOWN_TYPE", async () => {
      const c = await join(room("unknown"), "u");
      c.send({ type: "teleport" });
      await c.next("error", 0, (m) => m.code === "UNKNOWN_TYPE");
    });

    it("§3: a message other than hello or ping before hello gets HANDSHAKE_REQUIRED, and is not handled", async () => {
      const id = room("handshake");
      const c = socket(id);
      await c.open();
      c.send({ type: "mutate", mid: "early", ops: [{ op: "put", rec: rect("e") }] });
      await c.next("error", 0, (m) => m.code === "HANDSHAKE_REQUIRED");
      c.send(hello("late"));
      expect(await c.next("sync")).toMatchObject({ seq: 0 });
    });

    it("§12: a frame over MAX_MESSAGE_BYTES gets TOO_LARGE", async () => {
      const c = await join(room("large"), "l");
      c.send({ type: "presence", name: "x".repeat(MAX_MESSAGE_BYTES) });
      await c.next("error", 0, (m) => m.code === "TOO_LARGE");
    });

    it("§2/§11: a hello with a version the room does not speak gets UNSUPPORTED_VERSION, then close 4000", async () => {
      const c = socket(room("version"));
      await c.open();
      c.send(hello("old", { v: 0 }));
      expect((await c.waitClosed()).code).toBe(4000);
      expect(c.of("error")[0]).toMatchObject({ code: "UNSUPPORTED_VERSION" });
    });

    it("§7/§9 mutate: acked with the next seq, one per applied mutation", async () => {
      const c = await join(room("mutate"), "m");
      c.send({ type: "mutate", mid: "m1", ops: [{ op: "put", rec: rect("r1") }] });
      c.send({ type: "mutate", mid: "m2", ops: [{ op: "patch", id: "r1", set: { x: 5 } }] });
      expect(await c.next("ack", 0, (m) => m.mid === "m1")).toEqual({ type: "ack", mid: "m1", seq: 1 });
      expect(await c.next("ack", 0, (m) => m.mid === "m2")).toEqual({ type: "ack", mid: "m2", seq: 2 });
    });

    it("§9 exactly once: the same mid again gets ack dup:true with its original seq, and nobody sees a second change", async () => {
      const id = room("dup");
      const a = await join(id, "a");
      const b = await join(id, "b");
      a.send({ type: "mutate", mid: "once", ops: [{ op: "put", rec: rect("d1") }] });
      await a.next("ack");
      const mark = b.inbox.length;
      a.send({ type: "mutate", mid: "once", ops: [{ op: "put", rec: rect("d1", 99) }] });
      expect(await a.next("ack", 0, (m) => m.dup === true)).toEqual({ type: "ack", mid: "once", seq: 1, dup: true });
      await b.none("change", mark);
      b.send({ type: "resync", epoch: null, lastSeq: 0 });
      const sync = await b.next("sync", mark);
      expect(sync).toMatchObject({ seq: 1, records: [rect("d1")] });
    });

    it("§8 reject: a patch of a missing record gets RECORD_NOT_FOUND, consumes no seq, and the same mid gets the same reject", async () => {
      const c = await join(room("reject"), "r");
      c.send({ type: "mutate", mid: "bad", ops: [{ op: "patch", id: "ghost", set: { x: 1 } }] });
      const first = await c.next("reject");
      expect(first).toMatchObject({ mid: "bad", code: "RECORD_NOT_FOUND", message: expect.any(String) });
      c.send({ type: "mutate", mid: "bad", ops: [{ op: "put", rec: rect("ghost") }] });
      expect((await c.next("reject", c.inbox.indexOf(first) + 1))).toEqual(first);
      c.send({ type: "mutate", mid: "good", ops: [{ op: "put", rec: rect("fine") }] });
      expect(await c.next("ack")).toMatchObject({ mid: "good", seq: 1 });
    });

    it("§11: a mutate that fails the schema but has a valid mid gets reject INVALID_MUTATION", async () => {
      const c = await join(room("invalid"), "i");
      c.send({ type: "mutate", mid: "shape", ops: [{ op: "put", rec: { id: "x", type: "rect" } }] });
      expect(await c.next("reject")).toMatchObject({ mid: "shape", code: "INVALID_MUTATION" });
    });

    it("§8 change: others get {seq, by: the author's conn, mid, ops}; the author gets ack instead", async () => {
      const id = room("fanout");
      const a = await join(id, "a");
      const b = await join(id, "b");
      const aConn = (a.of("welcome")[0]!.self as { conn: string }).conn;
      a.send({ type: "mutate", mid: "f1", ops: [{ op: "put", rec: rect("s1", 3) }] });
      const change = await b.next("change");
      expect(change).toMatchObject({ seq: 1, by: aConn, mid: "f1" });
      expect(change.ops).toEqual([{ op: "put", rec: rect("s1", 3) }]);
      await a.next("ack");
      await a.none("change", 0);
    });

    it("§9: a hello with the epoch and lastSeq it had gets a delta of exactly the changes it missed (smaller than the board)", async () => {
      const id = room("resume");
      const a = await join(id, "a");
      a.send({ type: "mutate", mid: "board", ops: Array.from({ length: 20 }, (_, i) => ({ op: "put", rec: rect(`k${i}`) })) });
      a.send({ type: "mutate", mid: "p1", ops: [{ op: "patch", id: "k1", set: { x: 1 } }] });
      a.send({ type: "mutate", mid: "p2", ops: [{ op: "patch", id: "k2", set: { x: 2 } }] });
      await a.next("ack", 0, (m) => m.mid === "p2");
      const epoch = a.of("sync")[0]!.epoch;
      const b = await join(id, "b", { epoch, lastSeq: 1 });
      const sync = b.of("sync")[0]!;
      expect(sync).toMatchObject({ mode: "delta", epoch, seq: 3 });
      expect((sync.changes as { seq: number; mid: string }[]).map((c) => [c.seq, c.mid])).toEqual([[2, "p1"], [3, "p2"]]);
      // Up to date: an empty delta.
      const c = await join(id, "c", { epoch, lastSeq: 3 });
      expect(c.of("sync")[0]).toMatchObject({ mode: "delta", seq: 3, changes: [] });
    });

    it("§7 resync: answered with a sync; epoch null forces a snapshot", async () => {
      const c = await join(room("resync"), "r");
      c.send({ type: "mutate", mid: "x", ops: [{ op: "put", rec: rect("q") }] });
      await c.next("ack");
      const mark = c.inbox.length;
      c.send({ type: "resync", epoch: null, lastSeq: 0 });
      expect(await c.next("sync", mark)).toMatchObject({ mode: "snapshot", seq: 1, records: [rect("q")] });
    });

    it("§8 join: others get the newcomer's peer once its hello is accepted", async () => {
      const id = room("join");
      const a = await join(id, "a");
      const b = await join(id, "b");
      const joined = await a.next("join");
      expect(joined.peer).toEqual(b.of("welcome")[0]!.self);
    });

    it("§7 presence: a name or status change reaches the others as peer", async () => {
      const id = room("presence");
      const a = await join(id, "a");
      const b = await join(id, "b");
      b.send({ type: "presence", name: "Bea", status: "away" });
      const p = await a.next("peer");
      expect(p.peer).toMatchObject({ conn: (b.of("welcome")[0]!.self as { conn: string }).conn, name: "Bea", status: "away", color: "#3366ff" });
    });

    it("§7/§8 cursor: the others get a cursors frame with [conn, x, y] rounded to 0.1, and [conn] when it is hidden", async () => {
      const id = room("cursor");
      const a = await join(id, "a");
      const b = await join(id, "b");
      const bConn = (b.of("welcome")[0]!.self as { conn: string }).conn;
      b.send({ type: "cursor", p: [200.27, 140.5] });
      const moved = await a.next("cursors", 0, (m) => (m.f as unknown[][]).some((e) => e[0] === bConn && e.length === 3));
      expect((moved.f as unknown[][]).find((e) => e[0] === bConn)).toEqual([bConn, 200.3, 140.5]);
      b.send({ type: "cursor", p: null });
      await a.next("cursors", 0, (m) => (m.f as unknown[][]).some((e) => e[0] === bConn && e.length === 1));
    });

    it("§8 leave: when a connection closes, the others get leave with its conn", async () => {
      const id = room("leave");
      const a = await join(id, "a");
      const b = await join(id, "b");
      const bConn = (b.of("welcome")[0]!.self as { conn: string }).conn;
      b.ws.close(1000, "bye");
      expect(await a.next("leave")).toEqual({ type: "leave", conn: bConn });
    });

    // Left to time out, ws ends the close after its 30 s closeTimeout, with
    // 1006: the code and a bound far under that tell the two apart, with room
    // for a loaded machine (2 s was within reach of a stall).
    it("§11: a client's close is completed by the host (1000) at once, not left to time out", async () => {
      const c = await join(room("close"), "c");
      const at = Date.now();
      c.ws.close(1000, "client closed");
      const closed = await c.waitClosed(10_000);
      expect(closed.code).toBe(1000);
      expect(closed.at - at).toBeLessThan(10_000);
    });

    it("§11: a close without a code is completed with 1000 (1005 cannot be sent back)", async () => {
      const c = await join(room("close-nocode"), "c");
      const at = Date.now();
      c.ws.close();
      const closed = await c.waitClosed(10_000);
      expect([1000, 1005]).toContain(closed.code);
      expect(closed.at - at).toBeLessThan(10_000);
    });

    it("§3: a second hello on an accepted connection gets BAD_MESSAGE", async () => {
      const c = await join(room("hello2"), "h");
      c.send(hello("h"));
      await c.next("error", 0, (m) => m.code === "BAD_MESSAGE");
    });
  });
}
