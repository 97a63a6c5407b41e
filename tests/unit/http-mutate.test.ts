/**
 * The room core's host-free HTTP mutation (`Room.apiMutate`): one event queue
 * and one exactly-once path with the sockets, and the app's authorization hook
 * sees the API's actor.
 */
import { describe, expect, it } from "vitest";
import { API_ACTOR, type Actor } from "../../party/engine/room.ts";
import { ErrorCode } from "../../party/shared/protocol.ts";
import { CardsRoomHost, card } from "../support/cards-room.ts";

describe("Room.apiMutate", () => {
  it("runs the authorization hook with the API actor, inside the exactly-once path", async () => {
    const actors: Actor[] = [];
    const h = new CardsRoomHost("hooks", {
      hooks: { authorize: (actor, op) => (actors.push(actor), op.op !== "del" || "nobody deletes here") },
    });
    expect(await h.room.apiMutate("a1", [{ op: "put", rec: card("s1") }])).toEqual({ type: "ack", mid: "a1", seq: 1 });
    expect(actors).toEqual([API_ACTOR]);
    const refused = await h.room.apiMutate("a2", [{ op: "del", id: "s1" }]);
    expect(refused).toEqual({ type: "reject", mid: "a2", code: ErrorCode.FORBIDDEN, message: "nobody deletes here" });
    expect((await h.room.snapshot()).records.map((r) => r.id)).toEqual(["s1"]);
  });

  it("shares one order with socket mutations queued around it", async () => {
    const h = new CardsRoomHost();
    const ada = await h.join("ada");
    const before = h.send(ada, { type: "mutate", mid: "s-1", ops: [{ op: "put", rec: card("a") }] });
    const api = h.room.apiMutate("api-1", [{ op: "patch", id: "a", set: { x: 3 } }]);
    const after = h.send(ada, { type: "mutate", mid: "s-2", ops: [{ op: "del", id: "a" }] });
    await Promise.all([before, after]);
    expect(await api).toEqual({ type: "ack", mid: "api-1", seq: 2 });
    expect(ada.of("ack").map((a) => [a.mid, a.seq])).toEqual([["s-1", 1], ["s-2", 3]]);
    expect(ada.of("change").map((c) => [c.by, c.seq])).toEqual([["api", 2]]);
    // A socket may not claim an API mid's result, nor the API a socket's.
    expect(await h.room.apiMutate("s-1", [{ op: "put", rec: card("b") }])).toEqual({ type: "ack", mid: "s-1", seq: 1, dup: true });
  });

  it("erase forgets everything, also after a restart", async () => {
    const h = new CardsRoomHost();
    await h.room.apiMutate("e1", [{ op: "put", rec: card("x") }]);
    await h.room.erase();
    expect(h.kv.bytes()).toBe(0);
    h.evict();
    expect(await h.room.snapshot()).toEqual({ seq: 0, epoch: null, records: [] });
  });
});
