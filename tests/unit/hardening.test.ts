/**
 * Bounds and input rules of the room core that need no real host (the workerd
 * tier, tests/workerd/bounds.test.ts, covers storage, frames and hibernation):
 * the room-wide sync budget, records whose kind is fixed for life, display
 * names that cannot hide or reorder text, token lifetimes, and the client
 * retrying a full room instead of giving up.
 */
import { cards } from "../support/cards.ts";
import { SignJWT } from "jose";
import { describe, expect, it, vi } from "vitest";
import type { TransportFactory } from "../../client/engine/connection.ts";
import { RoomClient } from "../../client/engine/room-client.ts";
import { authorize, MAX_TOKEN_LIFETIME_SECONDS } from "../../party/engine/auth.ts";
import { CardsRoomHost, card } from "../support/cards-room.ts";
import { CloseCode, ErrorCode, isTerminalClose, PROTOCOL_VERSION, TRY_AGAIN_LATER } from "../../party/shared/protocol.ts";

describe("room-wide sync budget", () => {
  it("closes a hello over the budget with 1013 (try again later) and serves it once the budget refills", async () => {
    const h = new CardsRoomHost("busy", { syncBytesPerSec: 2_000, syncBytesBurst: 8_000 });
    const a = await h.join("ada");
    const ops = Array.from({ length: 20 }, (_, i) => ({ op: "put", rec: { ...card(`s${i}`, i), text: "a few words on the card, some forty chars" } }));
    await h.send(a, { type: "mutate", mid: "m1", ops });
    // Each joiner costs one snapshot (~3 KB): the burst holds two more.
    const joiners = [];
    for (let i = 0; i < 4; i++) joiners.push(await h.join(`j${i}`));
    const served = joiners.filter((j) => j.last("sync"));
    const busy = joiners.filter((j) => j.closed?.code === TRY_AGAIN_LATER);
    expect(served.length).toBeGreaterThanOrEqual(1);
    expect(busy.length).toBeGreaterThanOrEqual(1);
    expect(busy[0]!.last("error")).toMatchObject({ code: ErrorCode.RATE_LIMITED });
    // The others in the room never heard of the refused ones.
    expect(a.of("join")).toHaveLength(served.length);
    expect(isTerminalClose(TRY_AGAIN_LATER)).toBe(false);
    h.clock += 5_000;
    const later = await h.join("later");
    expect(later.last("sync")?.seq).toBe(1);
  });

  it("charges resyncs to the same budget", async () => {
    const h = new CardsRoomHost("busy2", { syncBytesPerSec: 1, syncBytesBurst: 4_000 });
    const a = await h.join("ada");
    await h.send(a, { type: "mutate", mid: "m1", ops: Array.from({ length: 20 }, (_, i) => ({ op: "put", rec: card(`s${i}`) })) });
    for (let i = 0; i < 3; i++) await h.send(a, { type: "resync", epoch: null, lastSeq: 0 });
    expect(a.of("error").some((e) => e.code === ErrorCode.RATE_LIMITED && e.ref === "resync")).toBe(true);
  });
});

describe("records", () => {
  it("refuses a put that would change an existing record's fixed kind, and remembers the refusal", async () => {
    const h = new CardsRoomHost();
    const a = await h.join("ada");
    await h.send(a, { type: "mutate", mid: "m1", ops: [{ op: "put", rec: card("s1") }] });
    const task = { ...card("s1"), kind: "task", done: false };
    await h.send(a, { type: "mutate", mid: "m2", ops: [{ op: "put", rec: task }] });
    expect(a.last("reject")).toMatchObject({ mid: "m2", code: ErrorCode.INVALID_MUTATION });
    expect(a.last("reject")!.message).toMatch(/kind/);
    // A replacement of the same type is fine, and so is a new record after a delete.
    await h.send(a, { type: "mutate", mid: "m3", ops: [{ op: "put", rec: card("s1", 5) }] });
    await h.send(a, { type: "mutate", mid: "m4", ops: [{ op: "del", id: "s1" }, { op: "put", rec: task }] });
    expect(a.of("ack").map((m) => m.mid)).toEqual(["m1", "m3", "m4"]);
  });
});

describe("display names", () => {
  it("strips bidi overrides, zero-width and control characters from names the room publishes", async () => {
    const h = new CardsRoomHost();
    const a = await h.join("ada");
    const b = h.connect();
    await h.send(b, { type: "hello", v: PROTOCOL_VERSION, clientId: "c-b", epoch: null, lastSeq: 0, name: "\u202Enimda\u202C b\u200Bo\u200Db\u0007", color: "#112233" });
    expect(b.last("welcome")!.self.name).toBe("nimda bob");
    expect(a.last("join")!.peer.name).toBe("nimda bob");
    await h.send(b, { type: "presence", name: "\u2066\u200B\u2069" });
    expect(b.last("error")).toMatchObject({ code: ErrorCode.BAD_MESSAGE, ref: "presence" });
  });
});

describe("token lifetime", () => {
  it("refuses a token that lives longer than MAX_TOKEN_LIFETIME_SECONDS, however it was signed", async () => {
    const secret = "test-secret-of-reasonable-length";
    const key = new TextEncoder().encode(secret);
    const forever = await new SignJWT({ room: "r1", role: "editor" }).setProtectedHeader({ alg: "HS256" }).setIssuedAt().setExpirationTime("100y").sign(key);
    expect(await authorize(secret, "r1", forever)).toMatchObject({ ok: false, code: ErrorCode.UNAUTHORIZED });
    const day = await new SignJWT({ room: "r1", role: "editor" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuedAt()
      .setExpirationTime(`${MAX_TOKEN_LIFETIME_SECONDS - 60}s`)
      .sign(key);
    expect(await authorize(secret, "r1", day)).toMatchObject({ ok: true });
  });
});

describe("a full room is not the end", () => {
  it("the client keeps reconnecting after ROOM_FULL or TOO_MANY_CONNECTIONS, and gives up on a terminal close", async () => {
    vi.useFakeTimers();
    try {
      for (const [code, error, expected] of [
        [CloseCode.ROOM_FULL, ErrorCode.ROOM_FULL, "reconnecting"],
        [CloseCode.TOO_MANY_CONNECTIONS, ErrorCode.TOO_MANY_CONNECTIONS, "reconnecting"],
        [CloseCode.UNAUTHORIZED, ErrorCode.UNAUTHORIZED, "error"],
      ] as const) {
        const factory: TransportFactory = (handlers) => {
          queueMicrotask(() => {
            handlers.open();
            handlers.message(JSON.stringify({ type: "error", code: error, message: "no room for you" }));
            handlers.close(code, "refused");
          });
          return { isOpen: true, send() {}, reconnect() {}, close() {} };
        };
        const client = new RoomClient({ schema: cards,  room: "r", name: "ada", color: "#112233", transport: factory });
        await vi.advanceTimersByTimeAsync(10);
        expect(client.connection.status, `after close ${code}`).toBe(expected);
        client.close();
      }
    } finally {
      vi.useRealTimers();
    }
  });
});
