/**
 * What a member joining at a relay finds (issue 18 item 4): the cursors and
 * live values already on the board, at once, as a direct member does
 * (room/live-frames.ts `catchUp`, relay-presence.ts) — and `room.emptied`
 * counting the members on relays, not only the room's own. In memory, the
 * room core and real relays (tests/support/audience-room.ts).
 */
import { describe, expect, it } from "vitest";
import type { WebhookEvent } from "../../party/engine/webhooks.ts";
import { WEBHOOK_DEBOUNCE_MS } from "../../party/shared/limits.ts";
import { AudienceRoom } from "../support/audience-room.ts";
import { card } from "../support/cards.ts";

describe("a member joining at a relay", () => {
  it("sees the cursors and live values already on the board, without its own", async () => {
    const a = new AudienceRoom({ directMax: 1, relayMax: 3, relaysMax: 3 });
    const d1 = a.join("d1", "editor");
    const e = a.join("e", "editor");
    await a.settle();
    a.send(d1, { type: "cursor", p: [10, 20] });
    a.send(e, { type: "cursor", p: [30, 40] });
    a.send(d1, { type: "live", key: "draft", data: card("draft-1", 5, 6) });
    await a.advance(200, 50);
    // d1 leaves the board with its pointer: no cursor for it any more.
    const late = a.join("late");
    await a.settle();
    expect(a.where.get(late)).toBe(0);
    const d1Conn = d1.of("welcome")[0]!.self.conn;
    const eConn = e.of("welcome")[0]!.self.conn;
    const catchUp = late.of("cursors")[0]!;
    expect(catchUp.f.sort()).toEqual([[d1Conn, 10, 20], [eConn, 30, 40]].sort());
    expect(catchUp.l).toEqual([[d1Conn, "draft", card("draft-1", 5, 6)]]);
    // Its own relay's editor joining later is not shown itself.
    const e2 = a.join("e2", "editor");
    await a.settle();
    expect(e2.of("cursors")[0]!.f.map(([conn]) => conn).sort()).toEqual([d1Conn, eConn].sort());
    // A member that left and a pointer that left are gone for the next
    // joiner — here at a relay that subscribes only now (the room's answer
    // carries the cursors on the board).
    a.leave(d1);
    a.send(e2, { type: "cursor", p: [1, 2] });
    await a.advance(200, 50);
    a.send(e2, { type: "cursor", p: null });
    await a.advance(200, 50);
    a.join("d2"); // the room's own place again
    const later = a.join("later");
    await a.settle();
    expect(a.where.get(later)).toBe(1);
    expect(later.of("cursors")).toEqual([{ type: "cursors", f: [[eConn, 30, 40]] }]);
    expect(later.of("welcome")[0]!.peers.map((p) => p.name).sort()).toEqual(["d2", "e", "e2"]);
  });
});

/** The events sent, but room.created (the first write's). */
const types = (got: WebhookEvent[]) => got.map((g) => g.type).filter((t) => t !== "room.created");

describe("room.emptied in an audience room", () => {
  function hooked(): { a: AudienceRoom; got: WebhookEvent[] } {
    const got: WebhookEvent[] = [];
    const fetch = (async (_url: string, init: RequestInit) => {
      got.push(JSON.parse(init.body as string) as WebhookEvent);
      return new Response(null, { status: 200 });
    }) as typeof globalThis.fetch;
    const a = new AudienceRoom({ directMax: 1, relayMax: 2, relaysMax: 3 }, { webhook: { url: "http://127.0.0.1:9/hook", secret: "whsec" }, fetch });
    return { a, got };
  }

  it("waits for the members on relays: it is sent once, when the last of them leaves", async () => {
    const { a, got } = hooked();
    const d1 = a.join("d1", "editor");
    const e = a.join("e", "editor");
    const v = [a.join("v1"), a.join("v2")];
    await a.advance(1_100, 100);
    a.send(d1, { type: "mutate", mid: "m1", ops: [{ op: "put", rec: card("c1") }] });
    await a.settle();
    // The room's own last member leaves: three remain on relays.
    a.leave(d1);
    await a.advance(WEBHOOK_DEBOUNCE_MS + 100, 100);
    expect(types(got)).toEqual(["room.changed"]);
    a.leave(e);
    a.leave(v[0]!);
    await a.advance(2_000, 100);
    expect(types(got)).toEqual(["room.changed"]);
    a.leave(v[1]!);
    await a.advance(2_000, 100);
    expect(types(got)).toEqual(["room.changed", "room.emptied"]);
    expect(got.find((g) => g.type === "room.emptied")!.data).toMatchObject({ seq: 1 });
  });

  it("is sent when a relay holding the last members dies", async () => {
    const { a, got } = hooked();
    const d1 = a.join("d1", "editor");
    a.join("v1");
    a.join("v2");
    await a.advance(1_100, 100);
    a.send(d1, { type: "mutate", mid: "m1", ops: [{ op: "put", rec: card("c1") }] });
    await a.settle();
    a.leave(d1);
    await a.advance(WEBHOOK_DEBOUNCE_MS + 100, 100);
    expect(types(got)).toEqual(["room.changed"]);
    a.crashRelay(0);
    await a.advance(1_000, 100);
    expect(types(got)).toEqual(["room.changed", "room.emptied"]);
  });
});
