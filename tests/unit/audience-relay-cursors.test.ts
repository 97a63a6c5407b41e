/**
 * A relay's cursor frames (issue 18: "one frame from the room per relay per
 * tick, whatever the number of members behind it"; party/engine/relay-cursors.ts):
 * a full relay merges the room's cursor frames under the room's own send
 * budget — its members get about 20 frames a second however often the room
 * sends, each with the newest position of every cursor — while a relay with a
 * few members forwards every frame as it comes. Nothing is reordered around
 * the room's changes. In memory, real relays (tests/support/audience-room.ts).
 */
import { describe, expect, it } from "vitest";
import { CURSOR_FRAME_MS, CURSOR_SENDS_PER_SEC } from "../../party/shared/limits.ts";
import { AudienceRoom } from "../support/audience-room.ts";
import { card } from "../support/cards-room.ts";

/** One editor in the room itself and `watchers` on one relay (viewers, or
 * editors: an editor on a relay gets these frames, a watcher gets them in its
 * watch frames, audience-watch-frames.test.ts), all synced. */
async function room(watchers: number, role: "viewer" | "editor" = "viewer") {
  const a = new AudienceRoom({ directMax: 1, relayMax: watchers, relaysMax: 1 });
  const editor = a.join("editor", "editor");
  await a.settle();
  const members = Array.from({ length: watchers }, (_, i) => a.join(`w${i}`, role));
  await a.settle();
  for (const m of members) expect(m.of("sync")).toHaveLength(1);
  expect(a.where.get(members[0]!)).toBe(0);
  return { a, editor, members };
}

/** The editor's pointer moves every 16 ms (a display's rate) for `moves` moves. */
async function sweep(a: AudienceRoom, editor: ReturnType<AudienceRoom["join"]>, moves: number, at = 0) {
  for (let i = 1; i <= moves; i++) {
    a.send(editor, { type: "cursor", p: [at + i, 100] });
    await a.advance(16, 16);
  }
  await a.advance(2 * CURSOR_FRAME_MS, 10);
}

describe("a relay's cursor frames", () => {
  it("a full relay sends its editors about one frame per frame time, each with the newest position", async () => {
    const { a, editor, members } = await room(250, "editor");
    await sweep(a, editor, 60); // about a second of moves: 60 frames from the room
    const frames = members[0]!.of("cursors");
    // The room sent its relay a frame per move (it has budget for one direct
    // receiver and one link); 250 members × 60 would be 15,000 sends in a
    // second. The relay's budget allows CURSOR_SENDS_PER_SEC / 250 = 16 frames
    // a second, and never waits more than a frame time: 16–21 over this second.
    expect(frames.length).toBeGreaterThanOrEqual(Math.floor(CURSOR_SENDS_PER_SEC / 250) - 2);
    expect(frames.length).toBeLessThanOrEqual(Math.ceil(1000 / CURSOR_FRAME_MS) + 2);
    // Every member ends with the editor's last position, and it only moves forward.
    for (const m of [members[0]!, members[249]!]) {
      const xs = m.of("cursors").flatMap((f) => f.f.map((e) => e[1] as number));
      expect(xs.at(-1)).toBe(60);
      expect([...xs].sort((p, q) => p - q)).toEqual(xs);
    }
  });

  it("a relay with a few members forwards every frame as it comes", async () => {
    const { a, editor, members } = await room(3);
    await sweep(a, editor, 60);
    expect(members[0]!.of("cursors").map((f) => f.f[0]![1])).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });

  it("a change after a move reaches every member after that move, never before", async () => {
    const { a, editor, members } = await room(250);
    await sweep(a, editor, 10);
    // A move the relay holds back (its budget is spent), then a change.
    a.send(editor, { type: "cursor", p: [500, 100] });
    a.send(editor, { type: "mutate", mid: "m-after-move", ops: [{ op: "put", rec: card("after-move", 1, 2) }] });
    await a.advance(2 * CURSOR_FRAME_MS, 10);
    for (const m of [members[0]!, members[249]!]) {
      const order = m.inbox.filter((x) => x.type === "change" || x.type === "cursors").map((x) => (x.type === "change" ? "change" : x.f.map((e) => e[1]).join()));
      const change = order.indexOf("change");
      expect(change).toBeGreaterThan(0);
      expect(order.slice(0, change).some((x) => x.split(",").includes("500"))).toBe(true);
    }
  });
});
