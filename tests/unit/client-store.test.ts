/**
 * DocumentStore over PendingEdits: confirmed state + pending local mutations.
 * Applying room changes in seq order, replaying (rebasing) pending edits on top
 * when the room moves, confirming on ack, rolling back on reject.
 */
import { describe, expect, it } from "vitest";
import { type Card, type Change, type Op, card, cards } from "../support/cards.ts";
import type { PendingMutation } from "../../client/engine/pending-edits.ts";
import { DocumentStore } from "../../client/engine/store.ts";

const change = (seq: number, ops: Op[], mid = `m${seq}`): Change => ({ seq, by: "other", mid, ops });
const pending = (mid: string, ops: Op[]): PendingMutation<Card> => ({ mid, ops, createdAt: 0 });
const xOf = (s: DocumentStore<Card>, id: string) => (s.view().get(id) as { x: number } | undefined)?.x;

function storeWith(records: Card[], seq = 1): DocumentStore<Card> {
  const s = new DocumentStore(cards);
  s.applySnapshot("e1", seq, records);
  return s;
}

describe("applying room changes", () => {
  it.each([
    { name: "next seq applies", seq: 2, outcome: "applied", x: 5 },
    { name: "an old seq is a duplicate and changes nothing", seq: 1, outcome: "duplicate", x: 0 },
    { name: "a skipped seq is a gap and changes nothing", seq: 3, outcome: "gap", x: 0 },
  ])("$name", ({ seq, outcome, x }) => {
    const s = storeWith([card("a")]);
    expect(s.applyChange(change(seq, [{ op: "patch", id: "a", set: { x: 5 } }]))).toBe(outcome);
    expect(xOf(s, "a")).toBe(x);
    expect(s.seq).toBe(outcome === "applied" ? 2 : 1);
  });
});

describe("pending edits", () => {
  it("are drawn on top of the confirmed state at once", () => {
    const s = storeWith([card("a")]);
    s.pending.add(pending("p1", [{ op: "patch", id: "a", set: { x: 50 } }]));
    expect(xOf(s, "a")).toBe(50);
    expect(s.confirmedRecords().get("a")?.x).toBe(0);
    expect(s.pending.ids()).toEqual(new Set(["a"]));
  });

  it("are replayed over remote changes (rebase): both edits show", () => {
    const s = storeWith([card("a"), card("b")]);
    s.pending.add(pending("p1", [{ op: "patch", id: "a", set: { x: 50 } }]));
    expect(s.applyChange(change(2, [{ op: "patch", id: "a", set: { y: 7 } }, { op: "patch", id: "b", set: { x: 9 } }]))).toBe("applied");
    expect(s.view().get("a")).toMatchObject({ x: 50, y: 7 });
    expect(xOf(s, "b")).toBe(9);
  });

  it("win over a remote change of the same field until the room orders them", () => {
    const s = storeWith([card("a")]);
    s.pending.add(pending("p1", [{ op: "patch", id: "a", set: { x: 50 } }]));
    s.applyChange(change(2, [{ op: "patch", id: "a", set: { x: 20 } }]));
    expect(xOf(s, "a")).toBe(50);
    // The room applied ours after theirs: ours is the result.
    expect(s.ack("p1", 3)).toBe("applied");
    expect(xOf(s, "a")).toBe(50);
    expect(s.pending.list).toHaveLength(0);
  });

  it("on a record deleted remotely are skipped in the view (the room will reject them)", () => {
    const s = storeWith([card("a")]);
    s.pending.add(pending("p1", [{ op: "patch", id: "a", set: { x: 50 } }]));
    s.applyChange(change(2, [{ op: "del", id: "a" }]));
    expect(s.view().has("a")).toBe(false);
    expect(s.pending.list).toHaveLength(1);
  });

  it("are confirmed by an ack and move the seq", () => {
    const s = storeWith([]);
    s.pending.add(pending("p1", [{ op: "put", rec: card("n", 3) }]));
    expect(s.ack("p1", 2)).toBe("applied");
    expect(s.seq).toBe(2);
    expect(s.confirmedRecords().get("n")?.x).toBe(3);
    expect(s.pending.ids().size).toBe(0);
  });

  it("seen as our own change in a delta (after a reconnect) are confirmed, not applied twice", () => {
    const s = storeWith([]);
    s.pending.add(pending("p1", [{ op: "put", rec: card("n", 3) }]));
    expect(s.applyChange(change(2, [{ op: "put", rec: card("n", 3) }], "p1"))).toBe("applied");
    expect(s.pending.list).toHaveLength(0);
    expect(s.view().size).toBe(1);
  });

  it("are rolled back on reject: the view is the confirmed state again", () => {
    const s = storeWith([card("a")]);
    s.pending.add(pending("p1", [{ op: "patch", id: "a", set: { x: 50 } }, { op: "put", rec: card("b") }]));
    expect(s.view().size).toBe(2);
    expect(s.reject("p1")?.mid).toBe("p1");
    expect(xOf(s, "a")).toBe(0);
    expect(s.view().has("b")).toBe(false);
    expect(s.reject("p1")).toBeUndefined();
  });

  it("roll back only the rejected one of several", () => {
    const s = storeWith([card("a")]);
    s.pending.add(pending("p1", [{ op: "patch", id: "a", set: { x: 10 } }]));
    s.pending.add(pending("p2", [{ op: "patch", id: "a", set: { y: 20 } }]));
    s.reject("p1");
    expect(s.view().get("a")).toMatchObject({ x: 0, y: 20 });
  });

  it("survive a snapshot (they are resent; the room dedupes)", () => {
    const s = storeWith([card("a")]);
    s.pending.add(pending("p1", [{ op: "patch", id: "a", set: { x: 50 } }]));
    s.applySnapshot("e2", 10, [card("a", 1, 1), card("c")]);
    expect(s.view().get("a")).toMatchObject({ x: 50, y: 1 });
    expect(s.view().has("c")).toBe(true);
    expect(s.epoch).toBe("e2");
  });
});
