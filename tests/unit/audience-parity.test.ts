/**
 * What a direct member of a room gets, a member on one of its relays gets too
 * (issue 18 item 1: a client cannot tell whether it is on a relay; issue 20
 * item 6: the backend's broadcasts): the backend's `broadcast` event, the
 * room's deletion (`ROOM_DELETED`, 4006), and — for the backend — a relayed
 * editor's `member.entered` as well as its `member.left`. In memory, the room
 * core and real relays (tests/support/audience-room.ts).
 */
import { describe, expect, it } from "vitest";
import type { WebhookEvent } from "../../party/engine/webhooks.ts";
import { RELAY_COUNTS_MS, WEBHOOK_DEBOUNCE_MS } from "../../party/shared/limits.ts";
import { CloseCode, ErrorCode } from "../../party/shared/protocol.ts";
import { AudienceRoom } from "../support/audience-room.ts";
import { card } from "../support/cards.ts";

type Broadcast = { type: "broadcast"; by: string; at: number; event: unknown };
const broadcasts = (s: { inbox: unknown[] }) => s.inbox.filter((m): m is Broadcast => (m as { type: string }).type === "broadcast");

describe("the backend's broadcast in an audience room", () => {
  it("reaches the members that read broadcasts on every relay, after the changes before it, as it reaches the room's own", async () => {
    const a = new AudienceRoom({ directMax: 1, relayMax: 2, relaysMax: 3 });
    const d = a.join("d", "editor", { broadcasts: true });
    const e = a.join("e", "editor", { broadcasts: true });
    const older = a.join("older"); // a client that did not ask for broadcasts
    const w = a.join("w", "viewer", { broadcasts: true });
    await a.settle();
    expect([a.where.get(d), a.where.get(e), a.where.get(older), a.where.get(w)]).toEqual([-1, 0, 0, 1]);
    // The relays report who reads broadcasts with their counts.
    await a.advance(RELAY_COUNTS_MS + 100, 100);

    a.send(d, { type: "mutate", mid: "m1", ops: [{ op: "put", rec: card("c1") }] });
    await a.settle();
    const sent = await a.room.backend.broadcast(JSON.stringify({ kind: "deploy", v: 2 }));
    await a.settle();
    expect(sent).toEqual({ sent: 3 });
    for (const s of [d, e, w]) {
      expect(broadcasts(s)).toHaveLength(1);
      expect(broadcasts(s)[0]).toMatchObject({ by: "api", event: { kind: "deploy", v: 2 } });
      // After the change the backend saw.
      const types = s.inbox.map((m) => m.type as string);
      expect(types.lastIndexOf("broadcast")).toBeGreaterThan(types.indexOf(s === d ? "ack" : "change"));
    }
    // Never to a client that did not ask; never stored, never replayed.
    expect(broadcasts(older)).toEqual([]);
    const late = a.join("late", "viewer", { broadcasts: true });
    await a.settle();
    expect(a.where.get(late)).toBe(1);
    expect(late.of("sync")).toHaveLength(1);
    expect(broadcasts(late)).toEqual([]);
  });
});

describe("an audience room deleted", () => {
  it("tells every member on every relay ROOM_DELETED and closes it 4006, as the room's own", async () => {
    const a = new AudienceRoom({ directMax: 1, relayMax: 2, relaysMax: 3 });
    const members = [a.join("d", "editor"), a.join("e", "editor"), a.join("v1"), a.join("v2")];
    await a.settle();
    a.send(members[1]!, { type: "mutate", mid: "m1", ops: [{ op: "put", rec: card("c1") }] });
    await a.advance(100, 50);
    expect(members[1]!.of("ack")).toHaveLength(1);
    // A mutation still on its way up when the room goes is not applied to the next room.
    a.send(members[1]!, { type: "mutate", mid: "m2", ops: [{ op: "put", rec: card("c2") }] });
    await a.room.erase();
    await a.settle();
    for (const s of members) {
      expect(s.of("error").at(-1), `member at ${a.where.get(s) ?? "closed"}`).toMatchObject({ code: ErrorCode.ROOM_DELETED });
      expect(s.closed?.code).toBe(CloseCode.ROOM_DELETED);
    }
    // The relays let their links go with their last members; a member who
    // comes back finds the new, empty room, wherever it lands.
    expect(a.links.size).toBe(0);
    const back = [a.join("d2", "editor"), a.join("e2", "editor")];
    await a.advance(200, 50);
    expect(a.where.get(back[1]!)).toBe(0);
    for (const s of back) expect(s.of("sync")[0]).toMatchObject({ seq: 0 });
  });
});

describe("member webhooks in an audience room", () => {
  it("sends a relayed editor's member.entered as well as its member.left", async () => {
    const got: WebhookEvent[] = [];
    const fetch = (async (_url: string, init: RequestInit) => {
      got.push(JSON.parse(init.body as string) as WebhookEvent);
      return new Response(null, { status: 200 });
    }) as typeof globalThis.fetch;
    const a = new AudienceRoom({ directMax: 1, relayMax: 2, relaysMax: 3 }, { webhook: { url: "http://127.0.0.1:9/hook", secret: "whsec", events: ["member.entered", "member.left"] }, fetch });
    const d = a.join("d", "editor");
    const e = a.join("e", "editor");
    await a.settle();
    expect(a.where.get(e)).toBe(0);
    a.leave(e);
    a.leave(d);
    await a.advance(WEBHOOK_DEBOUNCE_MS + 1_000, 100);
    const member = (type: string) => got.filter((g) => g.type === type).map((g) => (g.data as { name: string }).name).sort();
    expect(member("member.entered")).toEqual(["d", "e"]);
    expect(member("member.left")).toEqual(["d", "e"]);
  });
});
