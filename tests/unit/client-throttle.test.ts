/** The outgoing cursor throttle on a fake clock: at most one send per interval,
 * latest position wins, unchanged positions are not sent, queued moves can be dropped. */
import { describe, expect, it } from "vitest";
import { CURSOR_THROTTLE_MIN_MS, CURSOR_THROTTLE_MS, CursorThrottle, cursorIntervalFor, type Point } from "../../client/engine/throttle.ts";
import { cursorTickMs } from "../../party/engine/room/fanout.ts";
import { FakeClock } from "../support/fake-clock.ts";


function setup(interval = 50) {
  const clock = new FakeClock(1_000);
  const sent: { p: Point; at: number }[] = [];
  const throttle = new CursorThrottle((p) => sent.push({ p, at: clock.now() }), interval, clock);
  return { clock, sent, throttle };
}

describe("CursorThrottle", () => {
  it("sends the first move at once", () => {
    const { sent, throttle } = setup();
    throttle.push([1, 1]);
    expect(sent).toEqual([{ p: [1, 1], at: 1_000 }]);
  });

  it("coalesces moves inside an interval into the latest, sent when the interval ends", () => {
    const { clock, sent, throttle } = setup();
    throttle.push([1, 1]);
    for (let i = 2; i <= 9; i++) {
      clock.advance(5);
      throttle.push([i, i]);
    }
    expect(sent).toHaveLength(1);
    clock.advance(50);
    expect(sent.map((s) => s.p)).toEqual([
      [1, 1],
      [9, 9],
    ]);
    expect(sent[1]!.at).toBe(1_050);
  });

  it("never sends more than one move per interval under a continuous stream", () => {
    const { clock, sent, throttle } = setup();
    for (let i = 0; i < 200; i++) {
      throttle.push([i, 0]);
      clock.advance(4); // 250 Hz pointer events for 800 ms
    }
    clock.advance(100);
    const gaps = sent.slice(1).map((s, i) => s.at - sent[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(50);
    expect(sent.length).toBeLessThanOrEqual(Math.ceil(800 / 50) + 1);
    expect(sent.at(-1)!.p).toEqual([199, 0]); // the last position always arrives
  });

  it("does not resend an unchanged position", () => {
    const { clock, sent, throttle } = setup();
    throttle.push([3, 4]);
    clock.advance(100);
    throttle.push([3, 4]);
    clock.advance(100);
    expect(sent).toHaveLength(1);
  });

  it("sends hide (null) like a move", () => {
    const { clock, sent, throttle } = setup();
    throttle.push([3, 4]);
    clock.advance(100);
    throttle.push(null);
    expect(sent.at(-1)!.p).toBeNull();
  });

  it("drops a queued move on cancel (cursors are not queued while disconnected)", () => {
    const { clock, sent, throttle } = setup();
    throttle.push([1, 1]);
    throttle.push([2, 2]);
    throttle.cancel();
    clock.advance(200);
    expect(sent).toHaveLength(1);
  });

  it("resends the same position after reset (a new connection knows nothing)", () => {
    const { clock, sent, throttle } = setup();
    throttle.push([1, 1]);
    clock.advance(100);
    throttle.reset();
    throttle.push([1, 1]);
    expect(sent).toHaveLength(2);
  });
});

describe("the same position twice (the raw pointer update, then pointermove)", () => {
  it("the second push arms nothing: the next real move still leaves at once", () => {
    const { clock, sent, throttle } = setup(16);
    throttle.push([1, 1]);
    clock.advance(8); // pointermove for the same input, at the next frame
    throttle.push([1, 1]);
    // The next input, about a display frame after the first, reaches the page
    // before any timer of that moment has run (a busy page runs input first).
    clock.t += 9;
    throttle.push([2, 2]);
    expect(sent).toEqual([{ p: [1, 1], at: 1_000 }, { p: [2, 2], at: 1_017 }]);
  });

  it("a queued move overtaken by the position already sent is dropped, not sent late", () => {
    const { clock, sent, throttle } = setup(16);
    throttle.push([1, 1]);
    clock.advance(4);
    throttle.push([5, 5]); // queued
    clock.advance(4);
    throttle.push([1, 1]); // back where the room has it
    clock.advance(100);
    expect(sent.map((s) => s.p)).toEqual([[1, 1]]);
  });
});

describe("cursor rate by room size", () => {
  it.each([
    [0, CURSOR_THROTTLE_MIN_MS],
    [1, CURSOR_THROTTLE_MIN_MS],
    [8, CURSOR_THROTTLE_MIN_MS],
    [9, CURSOR_THROTTLE_MIN_MS],
    [10, 18],
    [20, 33],
    [30, 49],
    [31, CURSOR_THROTTLE_MS],
    [250, CURSOR_THROTTLE_MS],
  ])("with %i others, one move per %i ms", (peers, ms) => {
    expect(cursorIntervalFor(peers)).toBe(ms);
  });

  it("matches the room's cursor tick: the same 16 ms up to ten people, never a move more than the room's tick carries", () => {
    for (let peers = 1; peers < 256; peers++) {
      const tick = cursorTickMs(peers + 1);
      expect(cursorIntervalFor(peers), `${peers} others`).toBeGreaterThanOrEqual(tick);
      if (peers < 10) expect(cursorIntervalFor(peers), `${peers} others`).toBe(tick);
    }
  });

  it("a 60 Hz pointer is sent at 60 Hz alone, at 20 Hz once the room is big (retuned as people join)", () => {
    const { clock, sent, throttle } = setup(cursorIntervalFor(1));
    const move = (ms: number) => {
      const start = sent.length;
      for (let t = 0; t < ms; t += 1000 / 60) {
        throttle.push([clock.now(), 0]);
        clock.advance(1000 / 60);
      }
      return sent.length - start;
    };
    expect(move(1_000)).toBeGreaterThanOrEqual(55);
    throttle.retune(cursorIntervalFor(40));
    expect(move(1_000)).toBeLessThanOrEqual(21);
  });
});
