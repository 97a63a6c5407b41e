/**
 * The client notices a half-open connection by itself: pings go out, nothing
 * comes back, and after PONG_TIMEOUT_MS it reconnects instead of staying "live".
 */
import { cards } from "../support/cards.ts";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { TransportFactory, TransportHandlers } from "../../client/engine/connection.ts";
import { RoomClient } from "../../client/engine/room-client.ts";
import { PING_INTERVAL_MS, PONG_TIMEOUT_MS } from "../../party/shared/limits.ts";
import { PING_FRAME, PROTOCOL_VERSION } from "../../party/shared/protocol.ts";

const peer = { conn: "me", clientId: "c", name: "ada", color: "#112233", status: "active", role: "editor" };

/** A room that welcomes the client, answers pings only while `answering`, and counts reconnects. */
function fakeRoom() {
  const state = { answering: true, pings: 0, reconnects: 0, handlers: null as TransportHandlers | null };
  const factory: TransportFactory = (handlers) => {
    state.handlers = handlers;
    queueMicrotask(() => handlers.open());
    return {
      isOpen: true,
      send(frame) {
        if (frame === PING_FRAME) {
          state.pings++;
          if (state.answering) queueMicrotask(() => handlers.message('{"type":"pong"}'));
          return;
        }
        if (JSON.parse(frame).type === "hello") {
          queueMicrotask(() => {
            handlers.message(JSON.stringify({ type: "welcome", v: PROTOCOL_VERSION, room: "r", self: peer, peers: [] }));
            handlers.message(JSON.stringify({ type: "sync", mode: "snapshot", epoch: "e", seq: 0, records: [] }));
          });
        }
      },
      reconnect() {
        state.reconnects++;
      },
      close() {},
    };
  };
  return { state, factory };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("client liveness", () => {
  it("keeps a connection that answers pings, and drops one that stopped answering", async () => {
    vi.useFakeTimers();
    const room = fakeRoom();
    const client = new RoomClient({ schema: cards,  room: "r", name: "ada", color: "#112233", transport: room.factory });
    await vi.advanceTimersByTimeAsync(10);
    expect(client.connection.status).toBe("live");

    await vi.advanceTimersByTimeAsync(PONG_TIMEOUT_MS * 3);
    expect(room.state.pings).toBeGreaterThan(3);
    expect(room.state.reconnects).toBe(0);

    room.state.answering = false; // the network silently drops everything now
    await vi.advanceTimersByTimeAsync(PONG_TIMEOUT_MS + 2 * PING_INTERVAL_MS);
    expect(room.state.reconnects).toBe(1);
    client.close();
  });
});
