/**
 * Groups (docs/WHITEBOARD-RECORDS.md "Groups"): concurrent groupings of
 * overlapping sets converge (two RoomClients on the room core), and on the
 * board a group selects, moves, resizes, deletes and undoes as one; a
 * double-click steps into it; copies get groups of their own.
 */
import { describe, expect, it } from "vitest";
import type { Shape } from "../../party/whiteboard/records.ts";
import { MAX_GROUP_DEPTH } from "../../party/whiteboard/limits.ts";
import { expandToUnits, groupOps, renameGroups, ungroupOps, unitGroup } from "../../client/whiteboard/canvas/groups.ts";
import { pastedRecords } from "../../client/whiteboard/canvas/paste.ts";
import { waitFor } from "../support/wait.ts";
import { Board, rect } from "./input-board.ts";
import { person, WhiteboardHost } from "./whiteboard-wire.ts";

const byId = (m: ReadonlyMap<string, Shape>) => new Map([...m].map(([id, s]) => [id, s]));
const sorted = (m: ReadonlyMap<string, Shape>) => [...m.values()].sort((a, b) => a.id.localeCompare(b.id));

describe("two people grouping overlapping sets at once", () => {
  for (const first of ["ada", "grace"] as const) {
    it(`converge: every client and the room agree, the later grouping has the shared shape (${first}'s arrives first)`, async () => {
      const host = new WhiteboardHost(`converge-${first}`);
      const ada = person(host, "ada");
      const grace = person(host, "grace");
      await waitFor(() => ada.client.connection.status === "live" && grace.client.connection.status === "live");
      ada.client.mutate(["a", "b", "c", "d"].map((id, i) => ({ op: "put", rec: rect(id, i * 200, 0) })));
      await waitFor(() => ada.client.pendingCount === 0 && grace.client.records().size === 4);

      // Both group from the same board, before either hears of the other.
      ada.hold();
      grace.hold();
      const pick = (c: typeof ada, ids: string[]) => ids.map((id) => c.client.records().get(id)!);
      ada.client.mutate(groupOps(pick(ada, ["a", "b", "c"]), "gAda", null));
      grace.client.mutate(groupOps(pick(grace, ["c", "d"]), "gGrace", null));
      const [p, q] = first === "ada" ? [ada, grace] : [grace, ada];
      await p.release();
      await q.release();
      await waitFor(() => ada.client.pendingCount === 0 && grace.client.pendingCount === 0);
      await waitFor(() => JSON.stringify(sorted(ada.client.records())) === JSON.stringify(sorted(grace.client.records())), 5_000, "the two boards to agree");

      const room = new Map((await host.room.snapshot()).records.map((r) => [r.id, r]));
      expect(sorted(ada.client.records())).toEqual(sorted(room));
      const later = first === "ada" ? "gGrace" : "gAda";
      expect(room.get("c")!.groups).toEqual([later]);
      // Whoever's grouping came last holds the shared shape; the groups are still a partition.
      const records = byId(room);
      const shapes = [...room.values()];
      const units = ["a", "b", "c", "d"].map((id) => expandToUnits([id], shapes, records, null).sort().join(","));
      if (later === "gGrace") expect(units).toEqual(["a,b", "a,b", "c,d", "c,d"]);
      else expect(units).toEqual(["a,b,c", "a,b,c", "a,b,c", "d"]);
    });
  }
});

describe("group and ungroup on the board", () => {
  const board = () => new Board([rect("a", 0, 0), rect("b", 200, 0), rect("c", 400, 0)]);

  it("Ctrl+G makes one edit; a click on any member then selects the whole group, and one undo takes it apart", () => {
    const b = board();
    b.selection = ["a", "b"];
    b.structure.group();
    expect(b.mutations).toHaveLength(1);
    const g = b.records.get("a")!.groups![0]!;
    expect(b.records.get("b")!.groups).toEqual([g]);
    expect(b.records.get("c")!.groups).toBeUndefined();

    b.gesture([[450, 50]]); // click c: alone
    expect(b.selection).toEqual(["c"]);
    b.gesture([[250, 50]]); // click b: a comes along
    expect([...b.selection].sort()).toEqual(["a", "b"]);

    b.editor.undo();
    expect(b.records.get("a")!.groups).toEqual([]);
    b.gesture([[250, 50]]);
    expect(b.selection).toEqual(["b"]);
  });

  it("a group moves as one (one drag, one undo step) and resizes as one", () => {
    const b = board();
    b.selection = ["a", "b"];
    b.structure.group();
    b.selection = [];
    b.gesture([[50, 50], [60, 80], [80, 150]]); // drag a: b moves with it
    expect([b.records.get("a")!.x, b.records.get("a")!.y]).toEqual([30, 100]);
    expect([b.records.get("b")!.x, b.records.get("b")!.y]).toEqual([230, 100]);
    expect(b.records.get("c")!.x).toBe(400);
    b.editor.undo();
    expect([b.records.get("a")!.x, b.records.get("b")!.x]).toEqual([0, 200]);

    // The selection's bottom-right corner (300, 100) dragged to (600, 100): both double in width.
    b.gesture([[50, 50]]);
    b.gesture([[300, 100], [450, 100], [600, 100]]);
    expect(b.records.get("a")).toMatchObject({ w: 200 });
    expect(b.records.get("b")!.x).toBe(400);
  });

  it("a marquee over one member takes its whole group", () => {
    const b = board();
    b.selection = ["a", "b"];
    b.structure.group();
    b.selection = [];
    b.gesture([[190, -20], [260, 120]]); // marquee over b only
    expect([...b.selection].sort()).toEqual(["a", "b"]);
  });

  it("shift-click on a selected group's member deselects the whole group", () => {
    const b = board();
    b.selection = ["a", "b"];
    b.structure.group();
    b.selection = [];
    b.gesture([[450, 50]]);
    b.gesture([[50, 50]], { shift: true });
    expect([...b.selection].sort()).toEqual(["a", "b", "c"]);
    b.gesture([[250, 50]], { shift: true });
    expect(b.selection).toEqual(["c"]);
  });

  it("groups nest: a group of a group and a shape; a double-click enters the outer one; ungroup comes apart one level", () => {
    const b = board();
    b.selection = ["a", "b"];
    b.structure.group();
    const inner = b.records.get("a")!.groups![0]!;
    b.selection = ["a", "b", "c"];
    b.structure.group();
    const outer = b.records.get("c")!.groups![0]!;
    expect(b.records.get("a")!.groups).toEqual([outer, inner]);

    b.selection = [];
    b.gesture([[50, 50]]);
    expect([...b.selection].sort()).toEqual(["a", "b", "c"]);
    expect(b.structure.enter("a")).toBe(true); // double-click on a
    expect([...b.selection].sort()).toEqual(["a", "b"]);
    expect(b.structure.enter("a")).toBe(true);
    expect(b.selection).toEqual(["a"]);
    expect(b.structure.enter("a")).toBe(false); // a shape alone: the board edits its text
    b.gesture([[700, 700]]); // click the empty board: back out
    b.gesture([[50, 50]]);
    expect([...b.selection].sort()).toEqual(["a", "b", "c"]);

    b.structure.ungroup();
    expect(b.records.get("a")!.groups).toEqual([inner]);
    expect(b.records.get("c")!.groups).toEqual([]);
  });

  it("fewer than two units, or groups as deep as they go: nothing to group", () => {
    const a = rect("a", 0, 0);
    expect(groupOps([a], "g", null)).toEqual([]);
    expect(groupOps([{ ...a, groups: ["g"] }, { ...rect("b", 1, 1), groups: ["g"] }], "h", null)).toEqual([]);
    const deep = { ...a, groups: Array.from({ length: MAX_GROUP_DEPTH }, (_, i) => `g${i}`) };
    expect(groupOps([deep, rect("b", 1, 1)], "h", null)).toEqual([]);
    expect(ungroupOps([a], null)).toEqual([]);
    expect(unitGroup({ id: "x", groups: ["o", "i"] }, "o")).toBe("i");
  });

  it("copies of a group form a new group of their own, never joining the original", () => {
    const recs = [{ ...rect("a", 0, 0), groups: ["g"] }, { ...rect("b", 200, 0), groups: ["g"] }, rect("c", 400, 0)];
    let n = 0;
    const copies = pastedRecords(recs, { dx: 10, dy: 10 }, 5, () => `n${n++}`);
    const gs = copies.map((s) => s.groups?.[0]);
    expect(gs[0]).toBe(gs[1]);
    expect(gs[0]).not.toBe("g");
    expect(gs[2]).toBeUndefined();
    expect(renameGroups([rect("x", 0, 0)], () => "never")).toEqual([rect("x", 0, 0)]);
  });
});
