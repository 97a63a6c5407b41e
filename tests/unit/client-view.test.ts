/**
 * "Confirmed + pending = view" (client/engine/view.ts): a base state — the
 * confirmed records or the offline backdrop — with pending edits replayed on
 * top, and the cached view the store and the room session both use.
 */
import { z } from "zod";
import { defineRoom, type RecordOf } from "../../party/shared/schema.ts";
import { describe, expect, it } from "vitest";
import { type Card, card, cards } from "../support/cards.ts";
import { PendingEdits } from "../../client/engine/pending-edits.ts";
import { RebasedView, replayPending } from "../../client/engine/view.ts";

const records = (...list: Card[]) => new Map(list.map((s) => [s.id, s]));

describe("replayPending", () => {
  it("shows base records with pending puts, patches and deletes applied in order", () => {
    const base = records(card("a"), card("b"), card("c"));
    const view = replayPending(cards, base, [
      { mid: "1", createdAt: 1, ops: [{ op: "patch", id: "a", set: { x: 5 } }] },
      { mid: "2", createdAt: 2, ops: [{ op: "del", id: "b" }, { op: "put", rec: card("n", 9) }] },
      { mid: "3", createdAt: 3, ops: [{ op: "patch", id: "a", set: { x: 7 } }] },
    ]);
    expect([...view.keys()].sort()).toEqual(["a", "c", "n"]);
    expect(view.get("a")?.x).toBe(7);
    expect(view.get("n")?.x).toBe(9);
    expect(base.size).toBe(3); // the base is not touched
  });

  it("skips a pending edit that does not apply to the base, keeps the rest", () => {
    const view = replayPending(cards, records(card("a")), [
      { mid: "1", createdAt: 1, ops: [{ op: "patch", id: "gone", set: { x: 5 } }] },
      { mid: "2", createdAt: 2, ops: [{ op: "patch", id: "a", set: { x: 3 } }] },
    ]);
    expect(view.get("a")?.x).toBe(3);
    expect(view.size).toBe(1);
  });
});

describe("RebasedView", () => {
  it("is the base itself while nothing is pending, and follows edits as they are added and settled", () => {
    const pending = new PendingEdits<Card>();
    const view = new RebasedView(cards, pending);
    const base = records(card("a"));
    expect(view.over(base)).toBe(base);
    pending.add({ mid: "1", createdAt: 1, ops: [{ op: "patch", id: "a", set: { x: 5 } }] });
    expect(view.over(base).get("a")?.x).toBe(5);
    pending.add({ mid: "2", createdAt: 2, ops: [{ op: "put", rec: card("b", 1) }] });
    expect([...view.over(base).keys()]).toEqual(["a", "b"]);
    pending.remove("1");
    expect(view.over(base).get("a")?.x).toBe(0);
    expect(view.over(base).has("b")).toBe(true);
    pending.remove("2");
    expect(view.over(base)).toBe(base);
  });

  it("is rebuilt when the base changed in place (a new version)", () => {
    const pending = new PendingEdits<Card>();
    pending.add({ mid: "1", createdAt: 1, ops: [{ op: "patch", id: "a", set: { x: 5 } }] });
    const view = new RebasedView(cards, pending);
    const base = records(card("a"));
    expect(view.over(base, 1).get("a")).toMatchObject({ x: 5, y: 0 });
    base.set("a", { ...card("a"), y: 9 });
    expect(view.over(base, 1).get("a")?.y).toBe(0); // same version: cached
    expect(view.over(base, 2).get("a")).toMatchObject({ x: 5, y: 9 });
  });

  it("a removal and an addition of the same count still rebuild", () => {
    const pending = new PendingEdits<Card>();
    const view = new RebasedView(cards, pending);
    const base = records(card("a"));
    pending.add({ mid: "1", createdAt: 1, ops: [{ op: "patch", id: "a", set: { x: 5 } }] });
    expect(view.over(base).get("a")?.x).toBe(5);
    pending.remove("1");
    pending.add({ mid: "2", createdAt: 2, ops: [{ op: "patch", id: "a", set: { x: 8 } }] });
    expect(view.over(base).get("a")?.x).toBe(8);
  });
});

describe("RebasedView over another app's records", () => {
  /** A checklist: nothing like a card, with its own schema. */
  const checklist = defineRoom({ party: "checklist", records: z.object({ id: z.string(), text: z.string(), done: z.boolean() }) });

  it("needs nothing from the test schema: the app's schema is all it takes", () => {
    const pending = new PendingEdits<RecordOf<typeof checklist>>();
    const view = new RebasedView(checklist, pending);
    const base = new Map([["milk", { id: "milk", text: "milk", done: false }]]);
    pending.add({ mid: "1", createdAt: 1, ops: [{ op: "patch", id: "milk", set: { done: true } }] });
    expect(view.over(base).get("milk")?.done).toBe(true);
    expect(base.get("milk")?.done).toBe(false);
    // A patch the schema refuses is skipped in the view, as the room would refuse it.
    pending.add({ mid: "2", createdAt: 2, ops: [{ op: "patch", id: "milk", set: { done: "yes" } }] });
    expect(view.over(base).get("milk")?.done).toBe(true);
  });
});
