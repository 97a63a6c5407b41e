/**
 * The history panel's pure parts, without a browser: the undo step of a
 * restore turns the restored board back into the one before it (also when a
 * shape changed kind); the timeline reads "who did what, when", newest first,
 * a named version above the change it names; a preview shows the version,
 * sends nothing of this person to the others, and locks the editor — whose
 * undo history survives the preview untouched.
 */
import { describe, expect, it } from "vitest";
import { applyAccepted, planOps } from "../../party/shared/apply.ts";
import type { ChangeSummary, HistoryPageMessage } from "../../party/shared/protocol.ts";
import type { Shape } from "../../party/whiteboard/records.ts";
import { whiteboard } from "../../party/whiteboard/schema.ts";
import type { BoardRoom } from "../../client/whiteboard/canvas/board-controller.ts";
import { Editor } from "../../client/whiteboard/editor.ts";
import { undoOfRestore } from "../../client/whiteboard/restore-undo.ts";
import { BoardPreview, PREVIEW_LOCK_MESSAGE } from "../../client/whiteboard/app/board-preview.ts";
import { describeChange, formatTime, mergePage, timeline } from "../../client/whiteboard/app/history-timeline.ts";
import { BURST_GAP_MS, bursts, burstWords } from "../../client/whiteboard/app/history-bursts.ts";

const rect = (id: string, x = 0): Shape => ({ id, type: "rect", x, y: 0, z: 1, color: "#1e1e1e", stroke: 2, w: 10, h: 10, fill: null });
const note = (id: string): Shape => ({ id, type: "sticky", x: 0, y: 0, z: 2, color: "#1e1e1e", stroke: 2, w: 200, h: 200, text: "hi", fill: "#ffec99" });
const board = (...shapes: Shape[]) => new Map(shapes.map((s) => [s.id, s]));

describe("the undo step of a restore", () => {
  it.each<{ name: string; before: Shape[]; restored: Shape[] }>([
    { name: "brings back deleted shapes and removes restored ones", before: [rect("a"), rect("b")], restored: [rect("c")] },
    { name: "puts back shapes the restore moved", before: [rect("a", 50)], restored: [rect("a", 0)] },
    { name: "a shape whose kind differs is deleted and put again", before: [note("a")], restored: [rect("a")] },
    { name: "nothing for a restore that changed nothing", before: [rect("a")], restored: [rect("a")] },
  ])("$name", ({ before, restored }) => {
    const ops = undoOfRestore(board(...before), board(...restored));
    // Applied to the restored board through the room's own planner, the ops give back the board before.
    const plan = planOps(whiteboard, board(...restored), ops);
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    const after = board(...restored);
    applyAccepted(after, plan.ops);
    expect([...after.values()].sort((p, q) => p.id.localeCompare(q.id))).toEqual([...before].sort((p, q) => p.id.localeCompare(q.id)));
    if (JSON.stringify(before) === JSON.stringify(restored)) expect(ops).toEqual([]);
  });
});

const at = Date.UTC(2026, 11, 1, 14, 2, 7);
const change = (seq: number, extra: Partial<ChangeSummary> = {}): ChangeSummary => ({ seq, at: at + seq * 1000, mid: `m${seq}`, by: "c1", name: "Ada", puts: 0, patches: 0, dels: 0, ids: [], ...extra });
const page = (changes: ChangeSummary[], more = false): HistoryPageMessage => ({
  type: "history",
  head: changes[0]?.seq ?? 0,
  floor: 0,
  checkpoints: [{ seq: 0, at, records: 0, bytes: 0 }],
  versions: [{ version: "before the review", seq: 2, at: at + 5000, by: "c2", name: "Bob" }],
  changes,
  more,
});

describe("the timeline", () => {
  it.each<{ c: ChangeSummary; words: string }>([
    { c: change(1, { puts: 2 }), words: "Ada added 2 shapes" },
    { c: change(1, { puts: 3, types: { sticky: 2, rect: 1 } }), words: "Ada added 2 stickies and 1 rectangle" },
    { c: change(1, { patches: 2, fields: ["x", "y"], ids: ["a", "b"] }), words: "Ada moved 2 shapes" },
    { c: change(1, { patches: 1, fields: ["color"], ids: ["a"] }), words: "Ada restyled 1 shape" },
    { c: change(1, { patches: 1, dels: 40 }), words: "Ada changed 1 shape and deleted 40 shapes" },
    { c: change(1, { puts: 1, patches: 2, dels: 3 }), words: "Ada added 1 shape, changed 2 shapes and deleted 3 shapes" },
    { c: change(1, { by: "api", name: undefined, puts: 1 }), words: "The HTTP API added 1 shape" },
    { c: change(1, { kind: "import", puts: 12 }), words: "Ada imported 12 shapes" },
  ])("says $words", ({ c, words }) => {
    expect(describeChange(c, () => undefined)).toBe(words);
  });

  it("names the board a restore went back to by its time", () => {
    const c = change(9, { kind: "restore", restored: 2, dels: 3 });
    expect(describeChange(c, (seq) => (seq === 2 ? at : undefined), at)).toBe(`Ada restored the board of ${formatTime(at, at)}`);
  });

  it("is newest first; a named version sits above the change it names; the empty start is last", () => {
    const entries = timeline(mergePage(null, page([change(3, { dels: 1 }), change(2, { puts: 1 }), change(1, { puts: 1 })]), false), at);
    // Ada's three changes are one burst, cut at the named version: 3 alone, then 2 with 1.
    expect(entries.map((e) => [e.kind, e.seq])).toEqual([
      ["change", 3],
      ["version", 2],
      ["change", 2],
      ["checkpoint", 0],
    ]);
    expect(entries[2]!.title).toBe("Ada added 2 shapes");
    expect(entries[1]!.title).toBe("“before the review”");
    expect(entries[1]!.detail).toMatch(/named by Bob$/);
    expect(entries.at(-1)!.title).toBe("The empty board it started as");
  });

  it("groups a person's consecutive changes less than a minute apart into one entry, worded concretely", () => {
    // Seven edits made offline, arriving together on reconnecting (one connection, then another of Ada's after a reload).
    const offline = [
      change(10, { at: at + 100, puts: 1, types: { sticky: 1 }, ids: ["s1"] }),
      change(11, { at: at + 110, puts: 1, types: { sticky: 1 }, ids: ["s2"] }),
      change(12, { at: at + 120, by: "c9", puts: 1, types: { sticky: 1 }, ids: ["s3"] }),
      // A drag of two shapes commits three times: two shapes moved, not six.
      ...[13, 14, 15].map((seq) => change(seq, { at: at + seq * 10, by: "c9", patches: 2, fields: ["x", "y"], ids: ["r1", "r2"] })),
      change(16, { at: at + 170, by: "c9", dels: 1, ids: ["r9"] }),
    ].reverse();
    const bob = change(17, { at: at + 200, by: "c2", name: "Bob", patches: 1, fields: ["text"], ids: ["s1"] });
    const later = change(18, { at: at + 200 + 61_000, puts: 1, types: { rect: 1 }, ids: ["r3"] });
    const view = mergePage(null, { ...page([later, bob, ...offline]), versions: [] }, false);
    const entries = timeline(view, at).filter((e) => e.kind === "change");
    expect(entries.map((e) => [e.seq, e.title])).toEqual([
      [18, "Ada added 1 rectangle"],
      [17, "Bob edited the text of 1 shape"],
      [16, "Ada added 3 stickies, moved 2 shapes and deleted 1 shape"],
    ]);
    expect(entries[2]!.detail).toBe(`${formatTime(at + 100, at)} · 7 changes`);
    expect(bursts(view.changes).map((g) => g.length)).toEqual([1, 1, 7]);
    // A minute or more between two changes: two bursts.
    expect(bursts([change(2, { at: at + BURST_GAP_MS }), change(1, { at })]).length).toBe(2);
    // A sticky added then typed in, and a note added and restyled in the same burst: added, nothing more.
    expect(burstWords([change(3, { patches: 1, fields: ["color"], ids: ["s1"] }), change(2, { patches: 1, fields: ["text"], ids: ["s1"] }), change(1, { puts: 1, types: { sticky: 1 }, ids: ["s1"] })])).toBe("added 1 sticky");
    expect(burstWords([change(2, { puts: 2, types: { sticky: 1, frame: 1 } }), change(1, { patches: 1, fields: ["x"], ids: ["a"] })])).toBe("added 1 sticky and 1 frame, moved 1 shape");
  });

  it("dates edits made offline when they were made, grouped by that time, and says when they arrived", () => {
    // Ada, offline, adds 3 stickies and moves 2 shapes at `at`, then adds a rectangle two minutes later;
    // it all arrives 10 minutes after `at`, after Bob's edit made online meanwhile.
    const arrived = at + 10 * 60_000;
    const made = (seq: number, t: number, fields: Partial<ChangeSummary>) => change(seq, { at: arrived, made: t, ...fields });
    const offline = [
      made(11, at, { puts: 1, types: { sticky: 1 }, ids: ["s1"] }),
      made(12, at + 1_000, { puts: 1, types: { sticky: 1 }, ids: ["s2"] }),
      made(13, at + 2_000, { puts: 1, types: { sticky: 1 }, ids: ["s3"] }),
      made(14, at + 3_000, { patches: 2, fields: ["x", "y"], ids: ["r1", "r2"] }),
      made(15, at + 123_000, { puts: 1, types: { rect: 1 }, ids: ["r3"] }),
    ].reverse();
    const bob = change(10, { at: at + 5 * 60_000, by: "c2", name: "Bob", puts: 1, types: { sticky: 1 }, ids: ["b1"] });
    const entries = timeline(mergePage(null, { ...page([...offline, bob]), versions: [] }, false), at).filter((e) => e.kind === "change");
    // In the room's order (seq), each burst at the time it was made: the rectangle two minutes after the rest is its own entry.
    expect(entries.map((e) => [e.seq, e.title, e.at])).toEqual([
      [15, "Ada added 1 rectangle", at + 123_000],
      [14, "Ada added 3 stickies and moved 2 shapes", at + 3_000],
      [10, "Bob added 1 sticky", at + 5 * 60_000],
    ]);
    expect(entries[1]!.detail).toBe(`${formatTime(at, at)}–${formatTime(at + 3_000, at)} · 4 changes · made offline, arrived ${formatTime(arrived, at)}`);
    expect(entries[1]!.label).toBe(formatTime(at + 3_000, at));
    expect(entries[0]!.detail).toBe(`${formatTime(at + 123_000, at)} · made offline, arrived ${formatTime(arrived, at)}`);
    // Bob's was made as it arrived: just its time.
    expect(entries[2]!.detail).toBe(formatTime(at + 5 * 60_000, at));
  });

  it("an older page appends its changes once", () => {
    const first = mergePage(null, page([change(3), change(2)], true), false);
    const both = mergePage(first, page([change(2), change(1)]), true);
    expect(both.changes.map((c) => c.seq)).toEqual([3, 2, 1]);
    expect(both.more).toBe(false);
  });

  it("times carry the date when not today", () => {
    expect(formatTime(at, at)).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(formatTime(at, at + 86_400_000 * 2)).toMatch(/^1 Dec \d\d:\d\d:\d\d$/);
  });
});

/** A board as the canvas reads it, recording what it was asked to send. */
function liveBoard(records: Map<string, Shape>) {
  const sent: string[] = [];
  const changeFns = new Set<() => void>();
  const room: BoardRoom = {
    records: () => records,
    pendingIds: () => new Set(["a"]),
    peers: () => new Map(),
    cursors: () => new Map(),
    moveCursor: () => void sent.push("cursor"),
    hideCursor: () => void sent.push("hide"),
    setLive: (key, data) => void sent.push(`live:${key}:${data === null ? "null" : "data"}`),
    live: () => new Map(),
    on: ((event: string, fn: () => void) => {
      if (event !== "change") return () => {};
      changeFns.add(fn);
      return () => changeFns.delete(fn);
    }) as BoardRoom["on"],
  };
  return { room, sent };
}

describe("previewing a version", () => {
  it("shows the version, sends nothing of this person, refuses edits and keeps the undo history", () => {
    const live = board(rect("a"));
    const { room, sent } = liveBoard(live);
    const refused: string[] = [];
    const editor = new Editor({ records: () => live, mutate: (ops) => (applyAccepted(live, ops), "m") }, (m) => refused.push(m));
    expect(editor.apply([{ op: "put", rec: rect("b") }])).toBe(true);
    const preview = new BoardPreview(room, editor);
    let changes = 0;
    preview.board.on("change", () => changes++);

    preview.show({ seq: 1, label: "14:02:07", records: board(note("old")) });
    expect([...preview.board.records().keys()]).toEqual(["old"]);
    expect(preview.board.pendingIds().size).toBe(0);
    expect(changes).toBe(1);
    expect(sent).toEqual(["hide", "live:draft:null"]);
    preview.board.moveCursor(1, 2);
    preview.board.setLive("view", { x: 0, y: 0, zoom: 1 });
    expect(sent).toEqual(["hide", "live:draft:null"]);

    expect(editor.apply([{ op: "del", id: "a" }])).toBe(false);
    expect(editor.undo()).toBe(false);
    expect(refused).toEqual([PREVIEW_LOCK_MESSAGE, PREVIEW_LOCK_MESSAGE]);
    expect([...live.keys()].sort()).toEqual(["a", "b"]);

    preview.clear();
    expect([...preview.board.records().keys()].sort()).toEqual(["a", "b"]);
    expect(changes).toBe(2);
    // The step made before the preview is still there to undo.
    expect(editor.undo()).toBe(true);
    expect([...live.keys()]).toEqual(["a"]);
  });
});
