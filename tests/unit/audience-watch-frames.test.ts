/**
 * What a relay sends its watchers (issue 18; party/engine/relay-watch.ts,
 * PROTOCOL.md §16 "Watch frames"): a full relay sends each watcher at most
 * one frame per WATCH_FRAME_MS, carrying every change of that time in seq
 * order and the cursors between them merged (newest positions), while an
 * editor on the same relay keeps the room's own cadence — its ack at once.
 * A watcher that joins, resyncs or is answered while changes wait gets each
 * seq exactly once, and an answer never overtakes what waited for it.
 * In memory, the room core and real relays (tests/support/audience-room.ts).
 */
import { describe, expect, it } from "vitest";
import { RELAY_MAX_MEMBERS, WATCH_FRAME_MS, WATCH_SENDS_PER_SEC } from "../../party/shared/limits.ts";
import { AudienceRoom, appliedSeqs } from "../support/audience-room.ts";
import { card } from "../support/cards-room.ts";

type Member = ReturnType<AudienceRoom["join"]>;

/** One editor in the room itself, `editors` more and then `watchers` on relay 0
 * (with room for two more), all synced. */
async function room(watchers: number, editors = 0) {
  const a = new AudienceRoom({ directMax: 1, relayMax: watchers + editors + 2, relaysMax: 1 });
  const editor = a.join("editor", "editor");
  await a.settle();
  const relayed = Array.from({ length: editors }, (_, i) => a.join(`e${i}`, "editor"));
  const members = Array.from({ length: watchers }, (_, i) => a.join(`w${i}`));
  await a.settle();
  for (const m of [...relayed, ...members]) {
    expect(m.of("sync")).toHaveLength(1);
    expect(a.where.get(m)).toBe(0);
  }
  return { a, editor, relayed, members };
}

/** A quiet spell (the watch budget back at its burst), then two changes,
 * each sent to the watchers at once: a full relay's watch budget is
 * overdrawn after them, so what comes next — while the clock stands —
 * waits for a watch frame. */
async function spend(a: AudienceRoom, editor: Member) {
  await a.advance(4 * WATCH_FRAME_MS, 10);
  for (const i of [1, 2]) {
    a.send(editor, mutate(i));
    await a.settle();
  }
}

const mutate = (i: number) => ({ type: "mutate", mid: `m-${i}`, ops: [{ op: "put", rec: card(`c${i}`, i, i) }] });

describe("a relay's watch frames", () => {
  it("a full relay sends each watcher at most one frame per WATCH_FRAME_MS, with every change in seq order and the newest cursors", async () => {
    const { a, editor, members } = await room(RELAY_MAX_MEMBERS);
    const before = members.map((m) => m.frames);
    // A second of a busy editor: a move every 16 ms, a change every 48 ms.
    for (let i = 1; i <= 60; i++) {
      a.send(editor, { type: "cursor", p: [i, 100] });
      if (i % 3 === 0) a.send(editor, mutate(i));
      await a.advance(16, 16);
    }
    await a.advance(2 * WATCH_FRAME_MS, 10);
    const seconds = (60 * 16 + 2 * WATCH_FRAME_MS) / 1000;
    for (const [k, m] of [members[0]!, members[RELAY_MAX_MEMBERS - 1]!].entries()) {
      const frames = m.frames - before[k === 0 ? 0 : RELAY_MAX_MEMBERS - 1]!;
      // 250 watchers × one send each: WATCH_SENDS_PER_SEC / 250 frames a second
      // (10), never one more than a frame per WATCH_FRAME_MS (+1 for the
      // budget's first burst). The old relay sent a frame per change and
      // about 20 cursor frames a second: over 40 here.
      expect(frames).toBeLessThanOrEqual(Math.ceil((seconds * 1000) / WATCH_FRAME_MS) + 1);
      expect(frames).toBeGreaterThanOrEqual(Math.floor((seconds * WATCH_SENDS_PER_SEC) / RELAY_MAX_MEMBERS) - 2);
      // Every change, once, in seq order.
      expect(appliedSeqs(m)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      // The pointer only moves forward and ends where the editor left it.
      const xs = m.of("cursors").flatMap((f) => f.f.map((e) => e[1] as number));
      expect(xs.at(-1)).toBe(60);
      expect([...xs].sort((p, q) => p - q)).toEqual(xs);
      // Intermediate positions were merged away: fewer than the 60 moves.
      expect(xs.length).toBeLessThan(60);
    }
  });

  it("does not slow an editor on the same relay: its ack and every cursor frame come as they would at the room", async () => {
    const { a, editor, relayed, members } = await room(RELAY_MAX_MEMBERS - 1, 1);
    const e = relayed[0]!;
    await spend(a, editor);
    a.send(editor, mutate(3));
    await a.settle();
    expect(members[0]!.of("change").map((c) => c.seq)).toEqual([1, 2]); // 3 waits for the watchers
    // The relayed editor's change, the clock standing: its ack at once (one
    // link frame up, one down), as the room's own editor sees it; the
    // watchers get it with their next watch frame.
    a.send(e, mutate(4));
    await a.settle();
    expect(e.of("ack").map((x) => x.seq)).toEqual([4]);
    expect(editor.of("change").map((c) => c.seq)).toEqual([4]);
    expect(members[0]!.of("change").map((c) => c.seq)).toEqual([1, 2]);
    await a.advance(WATCH_FRAME_MS, 10);
    for (const m of [members[0]!, members.at(-1)!]) expect(appliedSeqs(m)).toEqual([1, 2, 3, 4]);
    expect(appliedSeqs(e)).toEqual([1, 2, 3, 4]);
    // The relayed editor sees the room's editor's moves frame by frame, as a direct member.
    const conn = editor.of("welcome")[0]!.self.conn;
    for (let i = 1; i <= 5; i++) {
      a.send(editor, { type: "cursor", p: [i, 1] });
      await a.advance(16, 16);
    }
    expect(e.of("cursors").flatMap((f) => f.f.filter((x) => x[0] === conn).map((x) => x[1]))).toEqual([1, 2, 3, 4, 5]);
  });

  it("gives a watcher who joins or resyncs while changes wait each seq exactly once", async () => {
    const { a, editor, members } = await room(RELAY_MAX_MEMBERS - 2);
    await spend(a, editor);
    a.send(editor, mutate(3));
    a.send(editor, mutate(4));
    await a.settle();
    // Changes 3 and 4 wait for the watchers' next frame; the relay has applied them.
    expect(members[0]!.of("change").map((c) => c.seq)).toEqual([1, 2]);
    const late = a.join("late");
    const back = members[1]!;
    a.send(back, { type: "resync", epoch: back.of("sync")[0]!.epoch, lastSeq: 2 });
    await a.settle();
    expect(late.of("sync")[0]!.seq).toBe(4);
    expect(back.of("sync").at(-1)).toMatchObject({ mode: "delta", seq: 4 });
    a.send(editor, mutate(5));
    await a.advance(2 * WATCH_FRAME_MS, 10);
    expect(appliedSeqs(late)).toEqual([5]);
    expect(appliedSeqs(back)).toEqual([1, 2, 3, 4, 5]);
    expect(appliedSeqs(members[0]!)).toEqual([1, 2, 3, 4, 5]);
  });

  it("sends a watcher's answer after the changes that waited for it", async () => {
    const { a, editor, members } = await room(RELAY_MAX_MEMBERS);
    await spend(a, editor);
    a.send(editor, mutate(3));
    await a.settle();
    expect(members[4]!.of("change").map((c) => c.seq)).toEqual([1, 2]);
    const w = members[3]!;
    a.send(w, mutate(99)); // a viewer cannot edit: FORBIDDEN
    await a.settle();
    const order = w.inbox.filter((x) => x.type === "change" || x.type === "reject").map((x) => (x.type === "change" ? x.seq : x.code));
    expect(order).toEqual([1, 2, 3, "FORBIDDEN"]);
    await a.advance(2 * WATCH_FRAME_MS, 10);
    expect(appliedSeqs(w)).toEqual([1, 2, 3]);
    expect(appliedSeqs(members[4]!)).toEqual([1, 2, 3]);
  });
});
