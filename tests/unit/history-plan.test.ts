/**
 * The pure parts of history and webhooks, table-tested: the diff a restore
 * applies, when a checkpoint is due, what retention drops, splitting long
 * values, webhook signatures and backoff.
 */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { splitText } from "../../party/engine/chunks.ts";
import { BoardDiff, canonical, checkpointDue, diffBoards, retentionDrops, SUMMARY_NAME_CHARS, summarize } from "../../party/engine/history-plan.ts";
import { backoff, sign } from "../../party/engine/webhooks.ts";
import { applyAccepted } from "../../party/shared/apply.ts";
import { HISTORY_SUMMARY_IDS, WEBHOOK_RETRY_BASE_MS, WEBHOOK_RETRY_MAX_MS } from "../../party/shared/limits.ts";

type Rec = { id: string; type: string; x: number };
const r = (id: string, x = 0, type = "rect"): Rec => ({ id, type, x });
const board = (...recs: Rec[]) => new Map(recs.map((x) => [x.id, x]));

describe("diffBoards", () => {
  const cases: [string, Rec[], Rec[], string[]][] = [
    ["same board: nothing", [r("a"), r("b")], [r("b"), r("a")], []],
    ["added and removed", [r("a"), r("b")], [r("b"), r("c")], ["del a", "put c"]],
    ["changed field", [r("a", 1)], [r("a", 2)], ["put a"]],
    ["changed fixed field: del then put", [r("a", 1, "rect")], [r("a", 1, "ellipse")], ["del a", "put a"]],
    ["to empty", [r("a"), r("b")], [], ["del a", "del b"]],
    ["from empty", [], [r("a")], ["put a"]],
  ];
  for (const [name, from, to, want] of cases) {
    it(name, () => {
      const ops = diffBoards(["type"], board(...from), to);
      expect(ops.map((o) => `${o.op} ${o.op === "put" ? o.rec.id : o.id}`)).toEqual(want);
      // Applied, the ops give exactly the target.
      const out = board(...from);
      applyAccepted(out, ops);
      expect([...out.values()].map(canonical).sort()).toEqual(to.map(canonical).sort());
    });
  }

  it("ignores the order fields were written in", () => {
    const a = { id: "a", x: 1, type: "rect" };
    expect(diffBoards([], board(a as Rec), [{ type: "rect", x: 1, id: "a" }])).toEqual([]);
  });
});

describe("BoardDiff: a restore's diff compared in steps, finished later", () => {
  /** A small seeded generator, so a failure replays. */
  const rng = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const show = (ops: ReturnType<typeof diffBoards>) => ops.map((o) => `${o.op} ${o.op === "put" ? canonical(o.rec) : o.id}`);

  it("finishes with exactly diffBoards' ops against the board as it is then, whatever changed after the steps (500 seeded cases)", () => {
    for (let seed = 1; seed <= 500; seed++) {
      const rand = rng(seed);
      const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
      const rec = (id: string): Rec => ({ id, type: pick(["rect", "ellipse"]), x: pick([0, 1, 2]) });
      const ids = Array.from({ length: 12 }, (_, i) => `r${i}`);
      const current = new Map<string, Rec>();
      for (const id of ids) if (rand() < 0.6) current.set(id, rec(id));
      // The target shares some record objects with the board, some equal copies (fields in another order), some different.
      const target: Rec[] = [];
      for (const id of ids) {
        if (rand() < 0.3) continue;
        const now = current.get(id);
        const roll = rand();
        target.push(now && roll < 0.3 ? now : now && roll < 0.6 ? ({ x: now.x, id, type: now.type } as Rec) : rec(id));
      }
      const diff = new BoardDiff(["type"], target);
      const steps = Math.floor(rand() * 4);
      for (let i = 0; i < steps; i++) diff.step(current, 1 + Math.floor(rand() * 60));
      // Then the room commits: records replaced (equal or not), removed, added.
      for (const id of ids) {
        const roll = rand();
        if (roll < 0.15) current.delete(id);
        else if (roll < 0.3) current.set(id, rec(id));
        else if (roll < 0.4 && current.has(id)) current.set(id, { ...current.get(id)! });
      }
      expect(show(diff.finish(current)), `seed ${seed}`).toEqual(show(diffBoards(["type"], current, target)));
    }
  });

  it("does not compare again a record that is still the one it compared (records are immutable: the queue's work is lookups)", () => {
    const a = r("a", 1);
    const current = board(a, r("b", 1));
    const diff = new BoardDiff(["type"], [r("a", 1), r("b", 2)]);
    while (!diff.done) diff.step(current, 1);
    expect(show(diff.finish(current))).toEqual(["put {\"id\":\"b\",\"type\":\"rect\",\"x\":2}"]);
    // Changed behind its back (never done to a room's record): the verdict stands, no second look.
    a.x = 5;
    expect(show(diff.finish(current))).toEqual(["put {\"id\":\"b\",\"type\":\"rect\",\"x\":2}"]);
    // A record replaced since is compared again.
    current.set("a", r("a", 5));
    expect(show(diff.finish(current))).toEqual(["put {\"id\":\"a\",\"type\":\"rect\",\"x\":1}", "put {\"id\":\"b\",\"type\":\"rect\",\"x\":2}"]);
  });
});

describe("checkpointDue", () => {
  const P = { changes: 10, bytes: 1_000, ms: 60_000 };
  const cases: [string, { changes: number; bytes: number }, number | null, boolean, number, boolean][] = [
    ["history not started", { changes: 0, bytes: 0 }, null, false, 0, true],
    ["nothing new", { changes: 0, bytes: 0 }, null, true, 10 ** 9, false],
    ["few, recent", { changes: 3, bytes: 10 }, 0, true, 59_999, false],
    ["by count", { changes: 10, bytes: 10 }, 0, true, 1, true],
    ["by bytes", { changes: 2, bytes: 1_000 }, 0, true, 1, true],
    ["by time since the first new change", { changes: 1, bytes: 10 }, 0, true, 60_000, true],
  ];
  for (const [name, tail, since, has, now, want] of cases) it(name, () => expect(checkpointDue(tail, since, has, now, P)).toBe(want));
});

describe("retentionDrops", () => {
  const P = { maxAgeMs: 1_000, maxCheckpoints: 3, maxBytes: 100 };
  const cp = (at: number, bytes = 1) => ({ at, bytes });
  const cases: [string, { at: number; bytes: number }[], number[], number, number][] = [
    ["within every bound", [cp(900), cp(950), cp(990)], [1, 1, 1], 1_000, 0],
    ["by count, oldest first", [cp(1), cp(2), cp(3), cp(4), cp(5)].map((c) => ({ ...c, at: 999 + c.at })), [0, 0, 0, 0, 0], 1_000, 2],
    ["by age: only when the next one is old too", [cp(0), cp(5), cp(2_500)], [0, 0, 0], 3_000, 1],
    ["by bytes, counting the changes each one needs", [cp(999, 40), cp(999, 10), cp(999, 10)], [30, 10, 5], 1_000, 1],
    ["never the newest", [cp(0, 500), cp(1, 500)], [0, 500], 10 ** 6, 1],
    ["nothing to drop", [], [], 0, 0],
  ];
  for (const [name, cps, between, now, want] of cases) it(name, () => expect(retentionDrops(cps, between, now, P)).toBe(want));
});

describe("summarize", () => {
  it("counts ops and names the first ids once each", () => {
    const change = { seq: 4, by: "c1", mid: "m", ops: [{ op: "put" as const, rec: { id: "a" } }, { op: "patch" as const, id: "a", set: {} }, { op: "del" as const, id: "b" }] };
    expect(summarize(change, { by: "c1", name: "Ada" }, 7)).toEqual({ seq: 4, at: 7, mid: "m", by: "c1", name: "Ada", puts: 1, patches: 1, dels: 1, ids: ["a", "b"] });
  });

  it("counts the kinds of records put and names the fields patched, bounded", () => {
    const puts = ["sticky", "sticky", "rect", "__proto__", ...Array.from({ length: 20 }, (_, i) => `kind${i}`), "sticky"].map((type, i) => ({ op: "put" as const, rec: { id: `p${i}`, type } }));
    const patches = [{ x: 1, y: 2 }, { x: 3 }, Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}${"long".repeat(20)}`, i]))].map((set, i) => ({ op: "patch" as const, id: `q${i}`, set }));
    const s = summarize({ seq: 1, by: "c", mid: "m", ops: [...puts, ...patches] }, { by: "c" }, 1);
    expect(Object.keys(s.types!)).toHaveLength(HISTORY_SUMMARY_IDS);
    expect(s.types!.sticky).toBe(3);
    expect(Object.getOwnPropertyDescriptor(s.types, "__proto__")?.value).toBe(1);
    expect(s.fields!.slice(0, 3)).toEqual(["x", "y", `f0${"long".repeat(20)}`.slice(0, SUMMARY_NAME_CHARS)]);
    expect(s.fields).toHaveLength(HISTORY_SUMMARY_IDS);
  });
});

describe("splitText", () => {
  it("round-trips and never cuts a surrogate pair", () => {
    const text = "ab" + "😀".repeat(10) + "cd";
    for (const size of [1, 2, 3, 5, 100]) {
      const parts = splitText(text, Math.max(2, size));
      expect(parts.join("")).toBe(text);
      for (const p of parts) expect(/[\uD800-\uDBFF]$/.test(p)).toBe(false);
    }
  });
});

describe("webhook signing", () => {
  it("is HMAC-SHA256 over `<timestamp>.<body>`, as a receiver computes it", async () => {
    const body = JSON.stringify({ id: "evt_1", type: "room.changed" });
    const expected = createHmac("sha256", "s3cret").update(`1700000000.${body}`).digest("hex");
    expect(await sign("s3cret", 1_700_000_000, body)).toBe(`v1=${expected}`);
    expect(await sign("other", 1_700_000_000, body)).not.toBe(`v1=${expected}`);
  });

  it("backs off exponentially, capped", () => {
    expect([1, 2, 3, 4].map(backoff)).toEqual([1, 2, 4, 8].map((n) => n * WEBHOOK_RETRY_BASE_MS));
    expect(backoff(40)).toBe(WEBHOOK_RETRY_MAX_MS);
  });
});
