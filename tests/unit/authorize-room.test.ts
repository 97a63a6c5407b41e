/**
 * `authorize` can read the room (issue 20 item 5): besides the record an op
 * changes, `room.get(id)` reads any record as the op sees it — the mutation's
 * earlier ops applied — so a rule like "only members of a column may add
 * cards to it" can be written. On the engine's cards schema: a column is a
 * card whose text lists its members' client ids; a card whose text is
 * `in:<column>` is in that column.
 */
import { describe, expect, it } from "vitest";
import type { RoomHooks } from "../../party/engine/room.ts";
import { ErrorCode } from "edgeroom/schema";
import { type Card, CardsRoomHost, card } from "../support/cards-room.ts";

const hooks: RoomHooks<Card> = {
  authorize: (actor, op, before, room) => {
    if (op.op !== "put" || before || !op.rec.text.startsWith("in:")) return true;
    const column = room.get(op.rec.text.slice(3));
    if (!column) return "no such column";
    return column.text.split(" ").includes(actor.clientId) || `only members of ${column.id} may add cards to it`;
  },
};

const put = (rec: Card) => ({ op: "put", rec });

describe("authorize reads the room", () => {
  it("a rule over another record: members add cards to their column, others are refused, and a column made in the same mutation counts", async () => {
    const h = new CardsRoomHost("board", { hooks });
    const ada = await h.join("ada", { clientId: "ada" });
    const cy = await h.join("cy", { clientId: "cy" });
    await h.send(ada, { type: "mutate", mid: "m1", ops: [put({ ...card("todo"), text: "ada bo" })] });
    expect(ada.last("ack")?.mid).toBe("m1");

    await h.send(ada, { type: "mutate", mid: "m2", ops: [put({ ...card("t1"), text: "in:todo" })] });
    expect(ada.last("ack")?.mid).toBe("m2");
    await h.send(cy, { type: "mutate", mid: "m3", ops: [put({ ...card("t2"), text: "in:todo" })] });
    expect(cy.last("reject")).toMatchObject({ mid: "m3", code: ErrorCode.FORBIDDEN, message: "only members of todo may add cards to it" });
    await h.send(cy, { type: "mutate", mid: "m4", ops: [put({ ...card("t3"), text: "in:doing" })] });
    expect(cy.last("reject")).toMatchObject({ mid: "m4", code: ErrorCode.FORBIDDEN, message: "no such column" });
    // The rule reads the column as the mutation leaves it before this op: made here, by cy, for cy.
    await h.send(cy, { type: "mutate", mid: "m5", ops: [put({ ...card("mine"), text: "cy" }), put({ ...card("t4"), text: "in:mine" })] });
    expect(cy.last("ack")?.mid).toBe("m5");

    const bo = await h.join("bo", { clientId: "bo" });
    const sync = bo.last("sync");
    const ids = sync?.mode === "snapshot" ? sync.records.map((r) => r.id).sort() : [];
    expect(ids).toEqual(["mine", "t1", "t4", "todo"]);
  });

  it("the test kit's join sets the token subject hooks see (actor.subject)", async () => {
    const seen: (string | null)[] = [];
    const h = new CardsRoomHost("subjects", { hooks: { authorize: (actor) => (seen.push(actor.subject), actor.subject === "ada@example.com" || "only ada") } });
    const ada = await h.join("ada", { subject: "ada@example.com" });
    const anon = await h.join("anon");
    await h.send(ada, { type: "mutate", mid: "s1", ops: [put(card("a"))] });
    await h.send(anon, { type: "mutate", mid: "s2", ops: [put(card("b"))] });
    expect(seen).toEqual(["ada@example.com", null]);
    expect(ada.last("ack")?.mid).toBe("s1");
    expect(anon.last("reject")).toMatchObject({ mid: "s2", code: ErrorCode.FORBIDDEN, message: "only ada" });
  });
});
