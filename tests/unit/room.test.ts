import { describe, expect, it } from "vitest";
import {
  CURSOR_FRAME_MS,
  CURSOR_SEND_BURST,
  CURSOR_SENDS_PER_SEC,
  HELLO_TIMEOUT_MS,
  LOG_COMPACT_AT,
  MAX_CONNECTIONS_PER_ROOM,
  MAX_MESSAGE_BYTES,
  MAX_RECORD_BYTES,
  RESYNC_BURST,
  STALE_AFTER_MS,
  SWEEP_INTERVAL_MS,
} from "../../party/shared/limits.ts";
import { CloseCode, ErrorCode, PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import { bigCard, CardsRoomHost, card } from "../support/cards-room.ts";

const put = (mid: string, id: string, x = 0) => ({ type: "mutate", mid, ops: [{ op: "put", rec: card(id, x) }] });

describe("handshake", () => {
  it("answers hello with welcome, a snapshot and the presence of everyone else", async () => {
    const h = new CardsRoomHost();
    const a = await h.join("ada");
    await h.send(a, put("m1", "s1"));
    const b = await h.join("bob");
    const welcome = b.last("welcome")!;
    expect(welcome.self.name).toBe("bob");
    expect(welcome.peers.map((p) => p.name)).toEqual(["ada"]);
    const sync = b.last("sync")!;
    expect(sync.mode).toBe("snapshot");
    expect(sync.seq).toBe(1);
    if (sync.mode === "snapshot") expect(sync.records.map((r) => r.id)).toEqual(["s1"]);
    // Ada is told Bob joined, stamped with the room's id for him.
    expect(a.last("join")!.peer.conn).toBe(welcome.self.conn);
  });

  it("refuses another protocol version with a terminal typed error", async () => {
    const h = new CardsRoomHost();
    const s = h.connect();
    await h.send(s, { type: "hello", v: PROTOCOL_VERSION + 1, clientId: "x", epoch: null, lastSeq: 0, name: "x", color: "#000000" });
    expect(s.last("error")!.code).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(s.closed!.code).toBe(CloseCode.UNSUPPORTED_VERSION);
  });

  it("requires hello before anything else", async () => {
    const h = new CardsRoomHost();
    const s = h.connect();
    await h.send(s, put("m1", "s1"));
    expect(s.last("error")!.code).toBe(ErrorCode.HANDSHAKE_REQUIRED);
    expect(s.of("ack")).toHaveLength(0);
  });
});

describe("mutations", () => {
  it("acks the sender, broadcasts the change to others, in one seq order", async () => {
    const h = new CardsRoomHost();
    const a = await h.join("ada");
    const b = await h.join("bob");
    await h.send(a, put("a1", "s1"));
    await h.send(b, put("b1", "s2"));
    await h.send(a, { type: "mutate", mid: "a2", ops: [{ op: "patch", id: "s2", set: { x: 50 } }] });
    expect(a.of("ack").map((m) => [m.mid, m.seq])).toEqual([["a1", 1], ["a2", 3]]);
    expect(b.of("ack").map((m) => [m.mid, m.seq])).toEqual([["b1", 2]]);
    // Each side sees the other's changes, never its own.
    expect(a.of("change").map((c) => c.seq)).toEqual([2]);
    expect(b.of("change").map((c) => [c.seq, c.mid])).toEqual([[1, "a1"], [3, "a2"]]);
    expect(b.of("change")[1]!.ops).toEqual([{ op: "patch", id: "s2", set: { x: 50 } }]);
  });

  it("rejects an invalid mutation by name, applies nothing of it, broadcasts nothing", async () => {
    const h = new CardsRoomHost();
    const a = await h.join("ada");
    const b = await h.join("bob");
    await h.send(a, put("a1", "s1"));
    // Second op is invalid: the first must not be applied either (atomic).
    await h.send(a, { type: "mutate", mid: "a2", ops: [{ op: "patch", id: "s1", set: { x: 5 } }, { op: "patch", id: "s1", set: { votes: -1 } }] });
    await h.send(a, { type: "mutate", mid: "a3", ops: [{ op: "del", id: "nope" }] });
    expect(a.of("reject").map((r) => [r.mid, r.code])).toEqual([
      ["a2", ErrorCode.INVALID_MUTATION],
      ["a3", ErrorCode.RECORD_NOT_FOUND],
    ]);
    expect(b.of("change")).toHaveLength(1);
    const c = await h.join("cyd");
    const sync = c.last("sync")!;
    expect(sync.seq).toBe(1);
    if (sync.mode === "snapshot") expect(sync.records[0]!.x).toBe(0);
  });

  it("applies a retried mutation id exactly once, also after an eviction", async () => {
    const h = new CardsRoomHost();
    const a = await h.join("ada");
    const b = await h.join("bob");
    await h.send(a, put("m1", "s1"));
    await h.send(a, put("m1", "s1", 99)); // same id, even with different content
    expect(a.of("ack")).toEqual([
      { type: "ack", mid: "m1", seq: 1 },
      { type: "ack", mid: "m1", seq: 1, dup: true },
    ]);
    h.evict();
    await h.send(a, put("m1", "s1", 99));
    expect(a.last("ack")).toEqual({ type: "ack", mid: "m1", seq: 1, dup: true });
    expect(b.of("change")).toHaveLength(1);
    const stats = await h.room.stats();
    expect(stats.seq).toBe(1);
    expect(stats.duplicatesDropped).toBe(1); // counted since the eviction
  });

  it("answers a late copy of a rejected mutation with the original reject, never an apply", async () => {
    const h = new CardsRoomHost();
    const a = await h.join("ada");
    const patch = { type: "mutate", mid: "late", ops: [{ op: "patch", id: "s1", set: { x: 9 } }] };
    await h.send(a, patch); // s1 does not exist yet
    await h.send(a, put("m1", "s1"));
    h.evict();
    await h.send(a, patch); // the same mid again, now that s1 exists
    expect(a.of("reject").map((r) => [r.mid, r.code])).toEqual([
      ["late", ErrorCode.RECORD_NOT_FOUND],
      ["late", ErrorCode.RECORD_NOT_FOUND],
    ]);
    expect((await h.room.stats()).seq).toBe(1);
  });

  it("viewers cannot mutate", async () => {
    const h = new CardsRoomHost();
    const v = await h.join("vic", { role: "viewer" });
    await h.send(v, put("m1", "s1"));
    expect(v.last("reject")!.code).toBe(ErrorCode.FORBIDDEN);
  });

  it("rate-limits a mutation burst per connection while others keep editing", async () => {
    const h = new CardsRoomHost();
    const a = await h.join("ada");
    const b = await h.join("bob");
    for (let i = 0; i < 100; i++) await h.send(a, put(`a${i}`, `s${i}`));
    const limited = a.of("reject").filter((r) => r.code === ErrorCode.RATE_LIMITED);
    expect(limited.length).toBeGreaterThan(0);
    expect(a.of("ack").length + limited.length).toBe(100);
    await h.send(b, put("b1", "t1"));
    expect(b.last("ack")!.mid).toBe("b1");
  });
});

describe("sync on reconnect", () => {
  it("sends the delta since the client's seq when the log covers it", async () => {
    const h = new CardsRoomHost();
    const a = await h.join("ada");
    for (let i = 0; i < 5; i++) await h.send(a, put(`m${i}`, `s${i}`));
    const epoch = a.last("sync")!.epoch;
    const b = await h.join("bob", { epoch, lastSeq: 3 });
    const sync = b.last("sync")!;
    expect(sync.mode).toBe("delta");
    if (sync.mode === "delta") expect(sync.changes.map((c) => c.seq)).toEqual([4, 5]);
  });

  it("sends a snapshot for another epoch, or when the log no longer covers the seq", async () => {
    const h = new CardsRoomHost();
    const a = await h.join("ada");
    await h.send(a, put("m0", "s0"));
    const epoch = a.last("sync")!.epoch;
    expect((await h.join("bob", { epoch: "other", lastSeq: 1 })).last("sync")!.mode).toBe("snapshot");
    // Compaction: push the log past its window (rate limit sidestepped by time).
    for (let i = 1; i <= LOG_COMPACT_AT; i++) {
      h.clock += 100;
      await h.send(a, { type: "mutate", mid: `p${i}`, ops: [{ op: "patch", id: "s0", set: { x: i } }] });
    }
    const stats = await h.room.stats();
    expect(stats.logSize).toBeLessThan(LOG_COMPACT_AT);
    const c = await h.join("cyd", { epoch, lastSeq: 1 });
    const sync = c.last("sync")!;
    expect(sync.mode).toBe("snapshot");
    if (sync.mode === "snapshot") expect(sync.records).toEqual([expect.objectContaining({ id: "s0", x: LOG_COMPACT_AT })]);
  });

  it("answers resync with the changes the client missed", async () => {
    const h = new CardsRoomHost();
    const a = await h.join("ada");
    const b = await h.join("bob");
    await h.send(a, put("m1", "s1"));
    await h.send(a, put("m2", "s2"));
    await h.send(b, { type: "resync", epoch: b.last("sync")!.epoch, lastSeq: 1 });
    const sync = b.last("sync")!;
    expect(sync.mode === "delta" && sync.changes.map((c) => c.mid)).toEqual(["m2"]);
  });
});

describe("presence", () => {
  it("sends moves at once while the send budget lasts, then coalesces them into one shared frame; a lone mover gets no echo", async () => {
    const h = new CardsRoomHost();
    const a = await h.join("ada");
    const b = await h.join("bob");
    const c = await h.join("cyd");
    const bConn = b.last("welcome")!.self.conn;
    const aConn = a.last("welcome")!.self.conn;
    // A quiet room: the move leaves in the turn it arrived, no timer.
    await h.send(a, { type: "cursor", p: [0, 0] });
    expect(b.of("cursors")).toEqual([{ type: "cursors", f: [[aConn, 0, 0]] }]);
    expect(h.pendingTimers).toBe(0);
    // A burst in no time at all: each frame costs 3 sends (2 receivers, plus
    // the mover's own), so the burst budget lets the first ones out at once…
    const moves = 100; // more than the budget covers at 3 each, within the per-connection cursor burst
    for (let i = 1; i <= moves; i++) await h.send(a, { type: "cursor", p: [i, i * 2] });
    const atOnce = b.of("cursors").length;
    expect(atOnce).toBeGreaterThan(CURSOR_SEND_BURST / 3 - 2);
    expect(atOnce).toBeLessThan(CURSOR_SEND_BURST / 3 + 2);
    // …and the rest wait for one timer and go as one frame with the latest position.
    expect(h.pendingTimers).toBe(1);
    h.flushTimers();
    expect(b.of("cursors")).toHaveLength(atOnce + 1);
    expect(b.last("cursors")).toEqual({ type: "cursors", f: [[aConn, moves, moves * 2]] });
    // Only Ada moved: she got nothing back.
    expect(a.of("cursors")).toEqual([]);
    // Two movers in one wait: one frame for everyone (clients skip their own entry).
    await h.send(a, { type: "cursor", p: [1, 1] });
    await h.send(b, { type: "cursor", p: [7, 7] });
    h.flushTimers();
    const shared = { type: "cursors", f: [[aConn, 1, 1], [bConn, 7, 7]] };
    expect(a.last("cursors")).toEqual(shared);
    expect(b.last("cursors")).toEqual(shared);
    expect(c.last("cursors")).toEqual(shared);
    // No activity, no timer: the room can hibernate.
    h.flushTimers();
    expect(h.pendingTimers).toBe(0);
  });

  it("in a big room a move waits for the room's tick: as short as the send budget allows for its receivers, at most one frame", async () => {
    for (const [n, tick] of [[120, (120 * 1000) / CURSOR_SENDS_PER_SEC], [220, CURSOR_FRAME_MS]] as const) {
      const big = new CardsRoomHost(`big-${n}`);
      const movers = [];
      for (let i = 0; i < n; i++) movers.push(await big.join(`p${i}`));
      await big.send(movers[0]!, { type: "cursor", p: [1, 1] });
      expect(big.pendingTimers).toBe(0); // the first move after quiet left at once
      // Every move sent at once would cost a frame to everyone: past the
      // budget's burst, the next waits for the tick (and the moves of it join it).
      await big.send(movers[1]!, { type: "cursor", p: [1, 1] });
      await big.send(movers[2]!, { type: "cursor", p: [2, 2] });
      expect(big.timerDelays.at(-1)).toBeCloseTo(tick, 5);
      expect(big.pendingTimers).toBe(1);
      big.flushTimers();
      expect(movers[0]!.last("cursors")!.f).toHaveLength(2);
      // The budget refills with time: after a quiet second the move leaves at once again.
      big.clock += 1_000;
      const before = big.timerDelays.length;
      await big.send(movers[3]!, { type: "cursor", p: [3, 3] });
      expect(big.timerDelays.length).toBe(before);
      expect(movers[0]!.last("cursors")!.f).toEqual([[movers[3]!.last("welcome")!.self.conn, 3, 3]]);
    }
  });

  it("broadcasts join, presence changes and leave; stamps identity", async () => {
    const h = new CardsRoomHost();
    const a = await h.join("ada");
    const b = await h.join("bob");
    const bConn = b.last("welcome")!.self.conn;
    // A forged conn field is ignored: the room stamps the sender.
    await h.send(b, { type: "presence", name: "robert", status: "idle", conn: a.last("welcome")!.self.conn });
    expect(a.last("peer")!.peer).toMatchObject({ conn: bConn, name: "robert", status: "idle" });
    await h.disconnect(b);
    expect(a.last("leave")).toEqual({ type: "leave", conn: bConn });
  });
});

describe("bad input", () => {
  const cases: [string, unknown, string][] = [
    ["malformed JSON", "{nope", ErrorCode.BAD_MESSAGE],
    ["a JSON array", "[1,2]", ErrorCode.BAD_MESSAGE],
    ["an unknown type", { type: "teleport" }, ErrorCode.UNKNOWN_TYPE],
    ["a schema violation", { type: "cursor", p: ["a", 1] }, ErrorCode.BAD_MESSAGE],
    ["an Infinity coordinate", '{"type":"cursor","p":[1e999,0]}', ErrorCode.BAD_MESSAGE],
    ["an oversize frame", JSON.stringify({ type: "cursor", pad: "x".repeat(MAX_MESSAGE_BYTES) }), ErrorCode.TOO_LARGE],
    ["a binary frame", new Uint8Array([1, 2, 3]).buffer, ErrorCode.BAD_MESSAGE],
  ];
  for (const [name, frame, code] of cases) {
    it(`answers ${name} with ${code} and keeps serving the room`, async () => {
      const h = new CardsRoomHost();
      const a = await h.join("ada");
      const b = await h.join("bob");
      if (frame instanceof ArrayBuffer) await h.room.message(a, frame);
      else await h.send(a, frame);
      const err = a.last("error")!;
      expect(err.code).toBe(code);
      expect(err.message).not.toMatch(/at .*\.ts|Error:/); // no stack trace
      expect(a.closed).toBeNull();
      await h.send(b, put("b1", "s1"));
      expect(b.last("ack")!.seq).toBe(1);
      await h.send(a, put("a1", "s2"));
      expect(a.last("ack")!.seq).toBe(2);
    });
  }

  it("closes a connection that keeps sending garbage, and only that one", async () => {
    const h = new CardsRoomHost();
    const a = await h.join("ada");
    const b = await h.join("bob");
    for (let i = 0; i < 60; i++) await h.send(a, "garbage");
    expect(a.closed!.code).toBe(CloseCode.POLICY_VIOLATION);
    await h.send(b, put("b1", "s1"));
    expect(b.last("ack")!.seq).toBe(1);
  });

  it("refuses connections beyond the room's limit with ROOM_FULL", async () => {
    const h = new CardsRoomHost();
    for (let i = 0; i < MAX_CONNECTIONS_PER_ROOM; i++) h.connect();
    const extra = h.connect();
    await h.room.settled();
    expect(extra.last("error")!.code).toBe(ErrorCode.ROOM_FULL);
    expect(extra.closed!.code).toBe(CloseCode.ROOM_FULL);
  });
});

describe("liveness sweep (alarm, no interval timer)", () => {
  it("drops a silent (half-open) socket and broadcasts its leave; keeps pinging ones", async () => {
    const h = new CardsRoomHost();
    const a = await h.join("ada");
    const b = await h.join("bob");
    const ghost = await h.join("ghost");
    const ghostConn = ghost.last("welcome")!.self.conn;
    // Armed at the first accept, for its hello deadline (earlier than a sweep interval).
    expect(h.alarmAt).toBe(h.clock + HELLO_TIMEOUT_MS + 1);

    h.clock += STALE_AFTER_MS + 1;
    h.pings.set(a, h.clock - 1_000); // a pinged (auto-response), b sent a message
    await h.send(b, { type: "cursor", p: [1, 1] });
    await h.fireAlarm();
    expect(ghost.closed).not.toBeNull();
    expect(a.last("leave")).toEqual({ type: "leave", conn: ghostConn });
    expect(b.last("leave")).toEqual({ type: "leave", conn: ghostConn });
    expect(a.closed).toBeNull();
    expect(b.closed).toBeNull();
    // Sockets remain, all past their hello: the sweep re-arms a sweep interval ahead.
    expect(h.alarmAt).toBe(h.clock + SWEEP_INTERVAL_MS);
    // A late close event for the ghost does not announce it twice.
    await h.disconnect(ghost);
    expect(a.of("leave")).toHaveLength(1);
  });

  it("keeps sweeping when closing one stale socket throws (already closing)", async () => {
    const h = new CardsRoomHost();
    const a = await h.join("ada");
    const g1 = await h.join("ghost1");
    const g2 = await h.join("ghost2");
    g1.close = () => {
      throw new Error("close() after close()");
    };
    h.clock += STALE_AFTER_MS + 1;
    h.pings.set(a, h.clock);
    await h.fireAlarm();
    expect(a.of("leave").map((l) => l.conn).sort()).toEqual([g1.last("welcome")!.self.conn, g2.last("welcome")!.self.conn].sort());
    expect(g2.closed!.reason).toBe("no ping");
    expect(h.logs.filter((l) => l.level === "error")).toEqual([]);
  });

  it("closes a connection whose token expired (4002, reconnect with a fresh one), on its next frame or the sweep", async () => {
    const h = new CardsRoomHost();
    const watcher = await h.join("wat");
    const a = await h.join("ada", { expiresAt: h.clock + 60_000 });
    const b = await h.join("bob", { expiresAt: h.clock + 60_000 });
    await h.send(a, put("m1", "s1"));
    expect(a.last("ack")!.seq).toBe(1);
    h.clock += 60_000;
    await h.send(a, put("m2", "s2")); // not applied: it stays pending in the client
    expect(a.last("error")!.code).toBe(ErrorCode.TOKEN_EXPIRED);
    expect(a.closed!.code).toBe(CloseCode.TOKEN_EXPIRED);
    expect(a.of("ack")).toHaveLength(1);
    expect(a.of("reject")).toHaveLength(0);
    // Bob is silent: the sweep catches him.
    h.pings.set(b, h.clock);
    h.pings.set(watcher, h.clock);
    await h.fireAlarm();
    expect(b.closed!.code).toBe(CloseCode.TOKEN_EXPIRED);
    expect(watcher.closed).toBeNull();
    expect(watcher.of("leave")).toHaveLength(2);
    expect((await h.room.stats()).seq).toBe(1);
  });

  it("stops re-arming once the room is empty, so it can sleep", async () => {
    const h = new CardsRoomHost();
    const a = await h.join("ada");
    await h.disconnect(a);
    await h.fireAlarm();
    expect(h.alarmAt).toBeNull();
  });
});

describe("hardening", () => {
  it("rejects a mutation that breaks the schema by name, so the client can roll it back", async () => {
    const h = new CardsRoomHost();
    const a = await h.join("ada");
    await h.send(a, { type: "mutate", mid: "bad1", ops: [{ op: "put", rec: { id: "s1", kind: "note" } }] });
    await h.send(a, `{"type":"mutate","mid":"big1","ops":[{"op":"put","rec":${JSON.stringify({ pad: "x".repeat(MAX_MESSAGE_BYTES) })}}]}`);
    expect(a.of("reject").map((r) => [r.mid, r.code])).toEqual([
      ["bad1", ErrorCode.INVALID_MUTATION],
      ["big1", ErrorCode.TOO_LARGE],
    ]);
  });

  it("announces the leave of a connection it kicks", async () => {
    const h = new CardsRoomHost();
    const a = await h.join("ada");
    const b = await h.join("bob");
    for (let i = 0; i < 60; i++) await h.send(b, "garbage");
    expect(b.closed!.code).toBe(CloseCode.POLICY_VIOLATION);
    expect(a.last("leave")!.conn).toBe(b.last("welcome")!.self.conn);
  });

  it("drops sockets that never say hello, even if they ping", async () => {
    const h = new CardsRoomHost();
    const a = await h.join("ada");
    const mute = h.connect();
    await h.room.settled();
    h.clock += HELLO_TIMEOUT_MS + 1;
    h.pings.set(mute, h.clock);
    h.pings.set(a, h.clock);
    await h.fireAlarm();
    expect(mute.closed!.reason).toBe("no hello");
    expect(a.closed).toBeNull();
  });

  it("rate-limits resync requests (each may cost a snapshot)", async () => {
    const h = new CardsRoomHost();
    const a = await h.join("ada");
    for (let i = 0; i < 10; i++) await h.send(a, { type: "resync", epoch: null, lastSeq: 0 });
    expect(a.of("sync")).toHaveLength(1 + RESYNC_BURST);
    expect(a.of("error").filter((e) => e.code === ErrorCode.RATE_LIMITED).length).toBe(10 - RESYNC_BURST);
  });

  it("refuses growth past the room's total record bytes", async () => {
    // The production limit (MAX_ROOM_BYTES) is checked by the same code; 1 MB keeps this test fast.
    const maxRoomBytes = 1024 * 1024;
    const h = new CardsRoomHost("test-room", { maxRoomBytes });
    const a = await h.join("ada");
    // Big but valid records: cards of ~45 KB of text each.
    const big = (id: string) => bigCard(id, 45);
    const size = JSON.stringify(big("s0000")).length;
    expect(size).toBeLessThan(MAX_RECORD_BYTES);
    const fit = Math.floor(maxRoomBytes / size);
    for (let i = 0; i <= fit; i++) {
      h.clock += 1_000;
      await h.send(a, { type: "mutate", mid: `m${i}`, ops: [{ op: "put", rec: big(`s${String(i).padStart(4, "0")}`) }] });
    }
    expect(a.of("ack")).toHaveLength(fit);
    const last = a.inbox.at(-1)!;
    expect(last).toMatchObject({ type: "reject", code: ErrorCode.ROOM_LIMIT });
    // Shrinking is always allowed.
    await h.send(a, { type: "mutate", mid: "shrink", ops: [{ op: "del", id: "s0000" }] });
    expect(a.last("ack")!.mid).toBe("shrink");
  });
});
