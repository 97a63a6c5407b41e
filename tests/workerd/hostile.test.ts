/**
 * The hostile-input corpus, through the real Worker and Durable Object: every
 * class of bad input gets its documented typed error, reject or close code, and
 * a bystander in the same room keeps editing throughout — after every attack it
 * commits a mutation, gets its ack, and a watcher sees the change at that seq.
 * docs/SECURITY.md carries the same table. That the rest of a flood costs the
 * room nothing once it closed the connection is checked in the room core, where
 * the counters cannot be reset by a hibernation mid-test
 * (tests/unit/flood.test.ts).
 */
import { describe, expect, it, onTestFinished } from "vitest";
import {
  CURSOR_BURST,
  MAX_BAD_FRAMES,
  MAX_MESSAGE_BYTES,
  MUTATION_BURST,
  PING_INTERVAL_MS,
} from "../../party/shared/limits.ts";
import { CloseCode, ErrorCode, MIN_PROTOCOL_VERSION, PING_FRAME, PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import { MAX_CARD_TEXT_CHARS, type ServerMessage } from "../support/cards.ts";
import { withClockHeld } from "./held-clock.ts";
import { card, joinRoom, openSocket, type TestClient } from "./socket.ts";

const hello = (extra: Record<string, unknown> = {}) => ({
  type: "hello",
  v: PROTOCOL_VERSION,
  clientId: "c-mallory",
  epoch: null,
  lastSeq: 0,
  name: "mallory",
  color: "#ff0000",
  ...extra,
});

/** One room with an honest bystander (who edits) and a watcher (who should see
 * those edits), plus helpers to attack it and to prove it still serves. */
async function arena(name: string) {
  const room = `hostile-${name}`;
  const bystander = await joinRoom(room, "bystander");
  const watcher = await joinRoom(room, "watcher");
  // Honest clients ping like RoomClient does, so the liveness sweep keeps them
  // however long an attack keeps the room busy.
  const pinger = setInterval(() => {
    for (const c of [bystander, watcher]) if (!c.closed) c.ws.send(PING_FRAME);
  }, PING_INTERVAL_MS);
  onTestFinished(() => clearInterval(pinger));
  let n = 0;
  return {
    room,
    bystander,
    watcher,
    /** A fresh attacker socket, handshake done unless `raw`. */
    async attacker(raw = false): Promise<TestClient> {
      if (!raw) return joinRoom(room, `mallory`);
      return openSocket(`/parties/cards/${room}`);
    },
    /** The room still serves honest clients: an edit is acked and broadcast in order. */
    async stillServes(): Promise<void> {
      const mid = `honest-${++n}`;
      const bMark = bystander.inbox.length;
      const wMark = watcher.inbox.length;
      bystander.send({ type: "mutate", mid, ops: [{ op: "put", rec: card(`honest${n}`, n) }] });
      const ack = await bystander.next("ack", bMark, 10_000);
      expect(ack.mid).toBe(mid);
      const change = await watcher.next("change", wMark, 10_000);
      expect(change).toMatchObject({ mid, seq: ack.seq });
      expect(bystander.closed).toBeNull();
      expect(watcher.closed).toBeNull();
    },
  };
}

/** Send one frame and return the next message of `type` it provoked. */
async function answerTo<T extends ServerMessage["type"]>(c: TestClient, frame: unknown, type: T) {
  const mark = c.inbox.length;
  if (frame instanceof Uint8Array || typeof frame === "string") c.ws.send(frame);
  else c.send(frame);
  return c.next(type, mark, 10_000);
}

const deep = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

describe("frames the room cannot accept get a typed error, and the connection stays usable", () => {
  // [class, frame, expected code, expected ref]
  const cases: [string, unknown, ErrorCode, string | undefined][] = [
    ["malformed JSON", "{nope", ErrorCode.BAD_MESSAGE, undefined],
    ["NaN (not JSON)", '{"type":"cursor","p":[NaN,1]}', ErrorCode.BAD_MESSAGE, undefined],
    ["a JSON array", "[1,2]", ErrorCode.BAD_MESSAGE, undefined],
    ["a JSON number", "42", ErrorCode.BAD_MESSAGE, undefined],
    ["JSON null", "null", ErrorCode.BAD_MESSAGE, undefined],
    ["an unknown type", { type: "teleport", to: "admin" }, ErrorCode.UNKNOWN_TYPE, undefined],
    ["a missing type", { mid: "x" }, ErrorCode.UNKNOWN_TYPE, undefined],
    ["a non-string type", { type: 7 }, ErrorCode.UNKNOWN_TYPE, undefined],
    ["a prototype-ish type", { type: "__proto__" }, ErrorCode.UNKNOWN_TYPE, undefined],
    ["wrong field types in a mutation", { type: "mutate", mid: 42, ops: "everything" }, ErrorCode.BAD_MESSAGE, "mutate"],
    ["an op of an unknown kind", { type: "mutate", mid: "m-kind", ops: [{ op: "drop_table", id: "a" }] }, ErrorCode.INVALID_MUTATION, "m-kind"],
    ["a patch that changes a record's fixed kind", { type: "mutate", mid: "m-type", ops: [{ op: "patch", id: "a", set: { kind: "idea" } }] }, ErrorCode.INVALID_MUTATION, "m-type"],
    ["an empty mutation", { type: "mutate", mid: "m-empty", ops: [] }, ErrorCode.INVALID_MUTATION, "m-empty"],
    ["a mutation id outside the alphabet", { type: "mutate", mid: "../../etc", ops: [{ op: "del", id: "a" }] }, ErrorCode.BAD_MESSAGE, "mutate"],
    ["a huge string in a record", { type: "mutate", mid: "m-huge", ops: [{ op: "put", rec: { ...card("t"), text: "x".repeat(MAX_CARD_TEXT_CHARS + 1) } }] }, ErrorCode.INVALID_MUTATION, "m-huge"],
    ["a huge display name", { type: "presence", name: "x".repeat(100_000) }, ErrorCode.BAD_MESSAGE, "presence"],
    ["a frame over MAX_MESSAGE_BYTES", JSON.stringify({ type: "cursor", p: [1, 1], pad: "x".repeat(MAX_MESSAGE_BYTES) }), ErrorCode.TOO_LARGE, undefined],
    ["a 2 MiB frame", JSON.stringify({ type: "cursor", p: [1, 1], pad: "x".repeat(2 * 1024 * 1024) }), ErrorCode.TOO_LARGE, undefined],
    ["a binary frame", new Uint8Array([0x7b, 0x7d, 0, 255]), ErrorCode.BAD_MESSAGE, undefined],
    ["deep nesting (100,000 levels)", `{"type":"presence","name":${deep(100_000)}}`, ErrorCode.BAD_MESSAGE, undefined],
    ["deep nesting in ops", `{"type":"mutate","mid":"m-deep","ops":${deep(50_000)}}`, ErrorCode.INVALID_MUTATION, "m-deep"],
    ["an Infinity coordinate (1e999) in a cursor", '{"type":"cursor","p":[1e999,0]}', ErrorCode.BAD_MESSAGE, "cursor"],
    ["a -Infinity coordinate in a record", `{"type":"mutate","mid":"m-inf","ops":[{"op":"put","rec":${JSON.stringify(card("inf")).replace('"x":0', '"x":-1e999')}}]}`, ErrorCode.INVALID_MUTATION, "m-inf"],
    ["a coordinate beyond MAX_COORD", { type: "cursor", p: [1e12, 0] }, ErrorCode.BAD_MESSAGE, "cursor"],
    ["a second hello", hello(), ErrorCode.BAD_MESSAGE, "hello"],
  ];

  // A frame that is recognisably a mutation (it has a valid mid) is answered with
  // a reject naming that mid (ref holds it), so the client can roll it back.
  it.each(cases)("%s", async (what, frame, code, ref) => {
    const a = await arena(what.replace(/[^A-Za-z0-9]+/g, "-").slice(0, 40));
    const mallory = await a.attacker();
    const error = code === ErrorCode.INVALID_MUTATION ? await answerTo(mallory, frame, "reject") : await answerTo(mallory, frame, "error");
    expect(error.code).toBe(code);
    if (ref) expect("mid" in error ? error.mid : error.ref).toBe(ref);
    // No stack trace, no echo of the payload.
    expect(error.message).not.toMatch(/\n\s+at |Error:/);
    expect(error.message.length).toBeLessThanOrEqual(200);
    // One bad frame is not abuse: the attacker's connection still works too.
    expect(mallory.closed).toBeNull();
    expect((await answerTo(mallory, { type: "mutate", mid: "m-after", ops: [{ op: "put", rec: card("mallory") }] }, "ack")).mid).toBe("m-after");
    await a.stillServes();
  });
});

describe("mutations that break the data model get a reject naming the mutation", () => {
  const cases: [string, unknown[], ErrorCode][] = [
    ["a patch of a record that does not exist", [{ op: "patch", id: "ghost", set: { x: 1 } }], ErrorCode.RECORD_NOT_FOUND],
    ["a delete of a record that does not exist", [{ op: "del", id: "ghost" }], ErrorCode.RECORD_NOT_FOUND],
    ["a patch that leaves an invalid record (atomic: its valid first op is not applied)", [{ op: "patch", id: "mine", set: { x: 2 } }, { op: "patch", id: "mine", set: { votes: -5 } }], ErrorCode.INVALID_MUTATION],
    ["a patch to Infinity (1e999)", [{ op: "patch", id: "mine", set: { x: "INF" } }], ErrorCode.INVALID_MUTATION],
    ["a patch with deeply nested values", [{ op: "patch", id: "mine", set: { x: "DEEP" } }], ErrorCode.INVALID_MUTATION],
  ];

  it.each(cases)("%s", async (what, ops, code) => {
    const a = await arena(`reject-${what.replace(/[^A-Za-z0-9]+/g, "-").slice(0, 30)}`);
    const mallory = await a.attacker();
    await answerTo(mallory, { type: "mutate", mid: "m-setup", ops: [{ op: "put", rec: card("mine") }] }, "ack");
    // Values JSON.stringify cannot produce are spliced in as raw JSON.
    const frame = JSON.stringify({ type: "mutate", mid: "m-bad", ops })
      .replace('"INF"', "1e999")
      .replace('"DEEP"', deep(10_000));
    const reject = await answerTo(mallory, frame, "reject");
    expect(reject).toMatchObject({ mid: "m-bad", code });
    // Atomic: nothing of it was applied or broadcast.
    await a.stillServes();
    expect(a.watcher.of("change").map((c) => c.mid)).not.toContain("m-bad");
  });
});

describe("identity is stamped by the room", () => {
  it("ignores a forged conn in presence and cursor messages and a forged author in a mutation", async () => {
    const a = await arena("forged");
    const victim = a.bystander.inbox.find((m) => m.type === "welcome");
    if (victim?.type !== "welcome") throw new Error("no welcome");
    const mallory = await a.attacker();
    const self = mallory.inbox.find((m) => m.type === "welcome");
    if (self?.type !== "welcome") throw new Error("no welcome");
    const real = self.self.conn;
    const forged = victim.self.conn;

    let mark = a.watcher.inbox.length;
    mallory.send({ type: "presence", name: "bystander", conn: forged, clientId: "c-bystander", role: "editor" });
    const peer = await a.watcher.next("peer", mark);
    expect(peer.peer).toMatchObject({ conn: real, name: "bystander", clientId: "c-mallory", role: "editor" });

    mark = a.watcher.inbox.length;
    mallory.send({ type: "cursor", p: [5, 5], conn: forged });
    const frame = await a.watcher.next("cursors", mark);
    expect(frame.f).toEqual([[real, 5, 5]]);

    mark = a.watcher.inbox.length;
    mallory.send({ type: "mutate", mid: "m-forged", by: forged, seq: 1, ops: [{ op: "put", rec: card("forged") }] });
    const change = await a.watcher.next("change", mark);
    expect(change).toMatchObject({ mid: "m-forged", by: real });
    await a.stillServes();
  });
});

describe("handshake", () => {
  for (const [what, v] of [["a protocol version older than the room's window (N−1)", MIN_PROTOCOL_VERSION - 1], ["a future protocol version", PROTOCOL_VERSION + 1]] as const) {
    it(`refuses ${what} with a terminal UNSUPPORTED_VERSION`, async () => {
      const a = await arena(`version-${v}`);
      const mallory = await a.attacker(true);
      const error = await answerTo(mallory, hello({ v }), "error");
      expect(error.code).toBe(ErrorCode.UNSUPPORTED_VERSION);
      expect((await mallory.waitClosed()).code).toBe(CloseCode.UNSUPPORTED_VERSION);
      await a.stillServes();
    });
  }

  it("refuses a non-integer version as a bad hello", async () => {
    const a = await arena("version-float");
    const mallory = await a.attacker(true);
    expect(await answerTo(mallory, hello({ v: 1.5 }), "error")).toMatchObject({ code: ErrorCode.BAD_MESSAGE, ref: "hello" });
    await a.stillServes();
  });

  it("requires the hello before anything else", async () => {
    const a = await arena("no-hello");
    const mallory = await a.attacker(true);
    const error = await answerTo(mallory, { type: "mutate", mid: "m-early", ops: [{ op: "put", rec: card("early") }] }, "error");
    expect(error).toMatchObject({ code: ErrorCode.HANDSHAKE_REQUIRED, ref: "mutate" });
    await a.stillServes();
    expect(a.watcher.of("change").map((c) => c.mid)).not.toContain("m-early");
  });

  const badRooms = ["no%20spaces", "x".repeat(65), "..%2F..%2Fetc", "%E0%A4%A", "caf%C3%A9"];
  it.each(badRooms.map((id, i) => [id, i] as const))("refuses the room id %s with INVALID_ROOM and close 4004", async (id, i) => {
    const a = await arena(`invalid-room-${i}`);
    const mallory = await openSocket(`/parties/cards/${id}`);
    expect((await mallory.next("error")).code).toBe(ErrorCode.INVALID_ROOM);
    expect((await mallory.waitClosed()).code).toBe(CloseCode.INVALID_ROOM);
    await a.stillServes();
  });
});

describe("floods: 10,000 frames at once from one connection", () => {
  const FLOOD = 10_000;

  it("cursor flood: rate-limited (RATE_LIMITED, at most one notice a second), then closed as POLICY_VIOLATION", async () => {
    const a = await arena("cursor-flood");
    const mallory = await a.attacker();
    // The room's clock held through the flood: its cursor bucket refills by
    // nothing, so the bound below is the burst itself.
    const closed = await withClockHeld(async () => {
      for (let i = 0; i < FLOOD; i++) mallory.send({ type: "cursor", p: [i % 1000, i % 700] });
      return mallory.waitClosed(30_000);
    });
    expect(closed.code).toBe(CloseCode.POLICY_VIOLATION);
    const errors = mallory.of("error").map((e) => e.code);
    expect(errors).toContain(ErrorCode.RATE_LIMITED);
    expect(errors.at(-1)).toBe(ErrorCode.POLICY_VIOLATION);
    // Notices are throttled, not one per dropped frame.
    expect(errors.filter((c) => c === ErrorCode.RATE_LIMITED).length).toBeLessThan(10);
    // The watcher got at most the moves the connection's budget admits, not
    // thousands of relayed moves.
    const relayed = a.watcher.of("cursors").length;
    expect(relayed).toBeGreaterThan(0);
    expect(relayed).toBeLessThanOrEqual(CURSOR_BURST);
    await a.stillServes();
  }, 60_000);

  it("mutation flood: a burst is applied, the rest rejected by name as RATE_LIMITED, then closed as POLICY_VIOLATION", async () => {
    const a = await arena("mutation-flood");
    const mallory = await a.attacker();
    // The room's clock held through the flood: the mutation bucket refills by
    // nothing, so the bound below is the burst itself.
    const closed = await withClockHeld(async () => {
      for (let i = 0; i < FLOOD; i++) mallory.send({ type: "mutate", mid: `flood-${i}`, ops: [{ op: "put", rec: card(`f${i % 50}`, i) }] });
      // The bystander edits in the middle of the flood.
      const bMark = a.bystander.inbox.length;
      a.bystander.send({ type: "mutate", mid: "during-flood", ops: [{ op: "put", rec: card("during") }] });
      const ack = await a.bystander.next("ack", bMark, 30_000);
      expect(ack.mid).toBe("during-flood");
      return mallory.waitClosed(30_000);
    });
    expect(closed.code).toBe(CloseCode.POLICY_VIOLATION);
    const acks = mallory.of("ack");
    const rejects = mallory.of("reject");
    expect(acks.length).toBeGreaterThan(0);
    // The bucket's burst: nothing refilled while the clock was held.
    expect(acks.length).toBeLessThanOrEqual(MUTATION_BURST);
    expect(rejects.length).toBeGreaterThan(1000);
    expect(new Set(rejects.map((r) => r.code))).toEqual(new Set([ErrorCode.RATE_LIMITED]));
    expect(rejects.every((r) => r.mid.startsWith("flood-"))).toBe(true);
    await a.stillServes();
  }, 60_000);

  it("garbage flood: closed as POLICY_VIOLATION after MAX_BAD_FRAMES unparseable frames", async () => {
    const a = await arena("garbage-flood");
    const mallory = await a.attacker();
    for (let i = 0; i < FLOOD; i++) mallory.ws.send(`garbage ${i}`);
    expect((await mallory.waitClosed(30_000)).code).toBe(CloseCode.POLICY_VIOLATION);
    const errors = mallory.of("error");
    expect(errors.filter((e) => e.code === ErrorCode.BAD_MESSAGE).length).toBeGreaterThan(MAX_BAD_FRAMES);
    expect(errors.at(-1)!.code).toBe(ErrorCode.POLICY_VIOLATION);
    await a.stillServes();
  }, 60_000);
});
