/**
 * A member that stops reading must not cost the room without bound (issue 23:
 * > 100 MiB owed to a stalled WebSocket reader, never closed). A client whose
 * hello says `reads` acknowledges what it has read; the room counts what it
 * sent it since, and past SOCKET_MAX_OWED_BYTES stops sending and closes it
 * with SLOW_READER (4009, not final: it resyncs). A client from before (no
 * `reads`) is never cut. The end-to-end half (a real stalled socket, its
 * resync) is tests/workerd/slow-reader.test.ts.
 */
import { describe, expect, it } from "vitest";
import { RoomClient } from "../../client/engine/room-client.ts";
import { READ_ACK_EVERY_BYTES, SOCKET_MAX_OWED_BYTES } from "../../party/shared/limits.ts";
import { CloseCode, ErrorCode, isTerminalClose, PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import { type Card, cards } from "../support/cards.ts";
import { roomWire } from "../support/room-wire.ts";
import { waitFor } from "../support/wait.ts";
import { card, type TestSocket, CardsRoomHost } from "../support/cards-room.ts";

/** About 100 KB of change frame per mutation: 10 cards of 10,000 characters, rewritten each time. */
const TEXT = "x".repeat(10_000);
const CHANGE_CHARS = 100_000;
const BIG_OPS = (i: number) => Array.from({ length: 10 }, (_, j) => ({ op: "put", rec: { ...card(`r${j}`, i, j), text: TEXT } }));
/** Enough mutations to send well over the bound to a member who reads none. */
const MUTATIONS = Math.ceil((SOCKET_MAX_OWED_BYTES * 1.5) / CHANGE_CHARS);

async function hello(h: CardsRoomHost, name: string, reads: boolean): Promise<TestSocket<Card>> {
  const s = h.connect();
  await h.send(s, { type: "hello", v: PROTOCOL_VERSION, clientId: `c-${name}`, epoch: null, lastSeq: 0, name, color: "#112233", ...(reads ? { reads: true } : {}) });
  return s;
}

/** The writer commits MUTATIONS big changes; `each` runs after every one. */
async function write(h: CardsRoomHost, writer: TestSocket<Card>, each: () => Promise<void> = async () => {}): Promise<void> {
  for (let i = 0; i < MUTATIONS; i++) {
    h.clock += 100; // within the mutation budget
    await h.send(writer, { type: "mutate", mid: `m${i}`, ops: BIG_OPS(i) });
    h.flushTimers();
    await h.room.settled();
    await each();
  }
}

describe("a member that stops reading is cut at SOCKET_MAX_OWED_BYTES", { timeout: 60_000 }, () => {
  it("a reader that never acknowledges is closed at the bound, and the room stops sending to it", async () => {
    const h = new CardsRoomHost();
    const writer = await h.join("writer");
    const stalled = await hello(h, "stalled", true);
    expect(stalled.last("welcome")?.ackEvery).toBe(READ_ACK_EVERY_BYTES);
    const atWelcome = stalled.chars;
    let charsAtCut = -1;
    await write(h, writer, async () => {
      if (stalled.closed && charsAtCut < 0) charsAtCut = stalled.chars;
    });
    expect(stalled.closed).toEqual({ code: CloseCode.SLOW_READER, reason: "slow reader" });
    expect(isTerminalClose(CloseCode.SLOW_READER)).toBe(false);
    expect(stalled.last("error")?.code).toBe(ErrorCode.SLOW_READER);
    // What it was sent after its sync: the bound, plus the error that says why.
    expect(stalled.chars - atWelcome).toBeLessThanOrEqual(SOCKET_MAX_OWED_BYTES + 200);
    expect(stalled.chars - atWelcome).toBeGreaterThan(SOCKET_MAX_OWED_BYTES - 2 * CHANGE_CHARS);
    // Nothing after the cut: the rest of the writes went elsewhere.
    expect(stalled.chars).toBe(charsAtCut);
    expect(writer.of("ack")).toHaveLength(MUTATIONS);
    expect(writer.last("leave")?.conn).toBe(stalled.getState()?.conn);
    expect(h.logs.filter((l) => l.event === "slow_reader")).toHaveLength(1);
  });

  it("a reader that acknowledges what it reads gets everything and stays", async () => {
    const h = new CardsRoomHost();
    const writer = await h.join("writer");
    const reader = await hello(h, "reader", true);
    let unacked = 0;
    let seen = reader.chars;
    await write(h, writer, async () => {
      unacked += reader.chars - seen;
      seen = reader.chars;
      if (unacked >= READ_ACK_EVERY_BYTES) {
        await h.send(reader, { type: "read", n: unacked });
        unacked = 0;
      }
    });
    expect(reader.closed).toBeNull();
    expect(reader.of("change").at(-1)?.seq).toBe(MUTATIONS);
    expect(reader.chars).toBeGreaterThan(SOCKET_MAX_OWED_BYTES);
  });

  it("a client from before (no `reads` in its hello) is never cut, and is not asked to acknowledge", async () => {
    const h = new CardsRoomHost();
    const writer = await h.join("writer");
    const old = await hello(h, "old", false);
    expect(old.last("welcome")?.ackEvery).toBeUndefined();
    await write(h, writer);
    expect(old.closed).toBeNull();
    expect(old.of("change").at(-1)?.seq).toBe(MUTATIONS);
  });

  it("acknowledging ahead buys no credit, and a wake does not lift the bound", async () => {
    const h = new CardsRoomHost();
    const writer = await h.join("writer");
    const stalled = await hello(h, "stalled", true);
    await h.send(stalled, { type: "read", n: 2 ** 31 });
    h.evict(); // hibernation: the room object is new, the attachment says `reads`
    await write(h, writer);
    expect(stalled.closed?.code).toBe(CloseCode.SLOW_READER);
  });

  it("`read` from a connection that did not say `reads` is a bad frame", async () => {
    const h = new CardsRoomHost();
    const old = await hello(h, "old", false);
    await h.send(old, { type: "read", n: 100 });
    expect(old.last("error")).toMatchObject({ code: ErrorCode.BAD_MESSAGE, ref: "read" });
  });
});

describe("the library acknowledges what it reads", { timeout: 60_000 }, () => {
  it("says `reads` in its hello, sends one `read` per READ_ACK_EVERY_BYTES received, and is never cut", async () => {
    const h = new CardsRoomHost();
    const sent: string[] = [];
    const received: string[] = [];
    const c = new RoomClient({ schema: cards, room: h.roomId, clientId: "lib", name: "lib", color: "#3366ff", transport: roomWire(h, { sent, received }) });
    try {
      await waitFor(() => c.connection.status === "live");
      expect(JSON.parse(sent[0]!)).toMatchObject({ type: "hello", reads: true });
      const writer = await h.join("writer");
      await write(h, writer);
      await waitFor(() => c.seq === MUTATIONS);
      expect(c.connection.status).toBe("live");
      const chars = received.reduce((n, f) => n + f.length, 0);
      const reads = sent.map((f) => JSON.parse(f) as { type: string; n?: number }).filter((m) => m.type === "read");
      // Never per frame: one per READ_ACK_EVERY_BYTES, each covering at least that.
      // Never per frame: each covers at least READ_ACK_EVERY_BYTES, and all
      // but the last < READ_ACK_EVERY_BYTES read were acknowledged.
      for (const r of reads) expect(r.n).toBeGreaterThanOrEqual(READ_ACK_EVERY_BYTES);
      expect(reads.length).toBeLessThanOrEqual(chars / READ_ACK_EVERY_BYTES);
      const acked = reads.reduce((n, r) => n + r.n!, 0);
      expect(chars - acked).toBeGreaterThanOrEqual(0);
      expect(chars - acked).toBeLessThan(READ_ACK_EVERY_BYTES);
      expect(chars).toBeGreaterThan(SOCKET_MAX_OWED_BYTES);
    } finally {
      c.close();
    }
  });
});
