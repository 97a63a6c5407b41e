/**
 * Presence that scales (issue 18 item 3): watchers — viewers on a room's
 * relays — are counted, not announced, and the count reaches clients as the
 * `watching` message (party/shared/audience.ts), only those whose hello says
 * they read it; a relay that dies takes its editors out of presence at once
 * and its watchers out of the count within RELAY_COUNTS_MS. In memory, the
 * room core and real relays (tests/support/audience-room.ts), and a
 * RoomClient whose socket lands on a relay.
 */
import { createElement, type ReactNode } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { useWatching } from "edgeroom/react";
import type { TransportFactory } from "../../client/engine/connection.ts";
import { RoomClient } from "../../client/engine/room-client.ts";
import { TestSocket } from "../../party/engine/testing/memory-host.ts";
import { RELAY_COUNTS_MS } from "../../party/shared/limits.ts";
import type { ServerMessage } from "../../party/shared/protocol.ts";
import { AudienceRoom } from "../support/audience-room.ts";
import { type Card, cards } from "../support/cards.ts";

const watching = (s: TestSocket<Card>) => s.of("watching" as ServerMessage<Card>["type"]) as unknown as { n: number }[];
const lastWatching = (s: TestSocket<Card>) => watching(s).at(-1)?.n;

/** A RoomClient's socket, as a viewer routed by the room (to a relay once the room holds its direct members). */
function onRelay(a: AudienceRoom): TransportFactory {
  return (handlers) => {
    class Wire extends TestSocket<Card> {
      override send(frame: string): void {
        super.send(frame);
        queueMicrotask(() => handlers.message(frame));
      }
    }
    const s = a.open("viewer", undefined, new Wire());
    queueMicrotask(() => handlers.open());
    return { isOpen: true, send: (frame: string) => a.send(s, frame), reconnect: () => {}, close: () => {} };
  };
}

/** A page's line, from edgeroom/react's useWatching. */
function Watching({ client }: { client: RoomClient<Card> | null }): ReactNode {
  const n = useWatching(client);
  return createElement("p", null, n > 0 ? `${n.toLocaleString("en-US")} watching` : "nobody watching");
}

describe("watchers in an audience room", () => {
  it("are counted for every member that reads the count, never announced; a relay that dies leaves presence and the count", async () => {
    const a = new AudienceRoom({ directMax: 2, relayMax: 2, relaysMax: 6 });
    const d1 = a.join("d1", "editor", { watching: true });
    const old = a.join("old", "editor");
    const e = a.join("e", "editor", { watching: true });
    const v = [a.join("v1", "viewer", { watching: true }), a.join("v2"), a.join("v3")];
    await a.advance(RELAY_COUNTS_MS * 2, 100);
    expect([e, ...v].map((s) => a.where.get(s))).toEqual([0, 0, 1, 1]);
    // Three watchers, one editor announced.
    expect(lastWatching(d1)).toBe(3);
    expect(lastWatching(e)).toBe(3);
    expect(lastWatching(v[0]!)).toBe(2); // the others
    expect(watching(old)).toEqual([]);
    expect(watching(v[1]!)).toEqual([]);
    expect(d1.of("join").map((j) => j.peer.name)).toEqual(["old", "e"]);

    // A late joiner on a new relay hears the count with its welcome.
    const late = a.join("late", "editor", { watching: true });
    await a.settle();
    expect(a.where.get(late)).toBe(2);
    const syncAt = late.inbox.findIndex((m) => m.type === "sync");
    expect(late.inbox.slice(syncAt + 1).find((m) => (m.type as string) === "watching")).toMatchObject({ n: 3 });
    // A crowd costs each member one frame a second, whatever its size.
    const before = watching(d1).length;
    for (let i = 0; i < 6; i++) a.join(`crowd${i}`);
    await a.advance(RELAY_COUNTS_MS * 3, 100);
    expect(lastWatching(d1)).toBe(9);
    expect(watching(d1).length - before).toBeLessThanOrEqual(4);

    // Relay 0 dies (the editor e and the watcher v1): e's leave goes out in the
    // same turn, the count drops within RELAY_COUNTS_MS.
    const eConn = e.of("welcome")[0]!.self.conn;
    a.crashRelay(0);
    await a.settle();
    expect(d1.of("leave").map((l) => l.conn)).toEqual([eConn]);
    await a.advance(RELAY_COUNTS_MS, 100);
    expect(lastWatching(d1)).toBe(8);
    expect(lastWatching(late)).toBe(8);
  });

  it("a RoomClient on a relay shows the count (client.watching and the watching event)", async () => {
    const a = new AudienceRoom({ directMax: 1, relayMax: 5, relaysMax: 2 });
    a.join("d1", "editor");
    const client = new RoomClient({ schema: cards, room: a.roomId, name: "watcher", color: "#112233", transport: onRelay(a) });
    const seen: number[] = [];
    client.on("watching", (n) => seen.push(n));
    try {
      await a.settle();
      expect(a.where.get([...a.where.keys()].at(-1)!)).toBe(0);
      for (let i = 0; i < 3; i++) a.join(`v${i}`);
      await a.advance(RELAY_COUNTS_MS * 2, 100);
      expect(client.watching).toBe(3);
      expect(seen.at(-1)).toBe(3);
      expect(client.peers().size).toBe(1);
    } finally {
      client.close();
    }
  });

  it("useWatching (edgeroom/react) renders the count a client on a relay hears, and 0 with no client", async () => {
    const a = new AudienceRoom({ directMax: 1, relayMax: 5, relaysMax: 2 });
    a.join("d1", "editor");
    const client = new RoomClient({ schema: cards, room: a.roomId, name: "watcher", color: "#112233", transport: onRelay(a) });
    try {
      await a.settle();
      const page = () => renderToString(createElement(Watching, { client }));
      expect(renderToString(createElement(Watching, { client: null }))).toBe("<p>nobody watching</p>");
      expect(page()).toBe("<p>nobody watching</p>");
      for (let i = 0; i < 3; i++) a.join(`v${i}`);
      await a.advance(RELAY_COUNTS_MS * 2, 100);
      // The client watches too: it hears the 3 others.
      expect(page()).toBe("<p>3 watching</p>");
    } finally {
      client.close();
    }
  });
});
