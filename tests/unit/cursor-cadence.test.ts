/**
 * The room's cursor cadence (room/fanout.ts, issue 19 W7): while sending
 * every move at once fits the send budget, a move leaves in the turn it
 * arrived (a small room is a bare relay: BENCHMARKS.md W1); past it each
 * receiver gets one frame per tick with every move of that tick, the tick as
 * short as the budget allows for the room's size (cursorTickMs: 16 ms at ten
 * people, 50 ms at two hundred) — never a frame every few milliseconds, never
 * more sends than the budget. Timers fire at their time on the host's clock.
 */
import { describe, expect, it } from "vitest";
import { cursorTickMs } from "../../party/engine/room/fanout.ts";
import { CURSOR_FRAME_MS, CURSOR_SEND_BURST, CURSOR_SENDS_PER_SEC, CURSOR_TICK_MS } from "../../party/shared/limits.ts";
import { type Card, CardsRoomHost, type TestSocket } from "../support/cards-room.ts";

interface Member {
  sock: TestSocket<Card>;
  conn: string;
  /** Cursor frames received: when, and what the member then shows of each other member. */
  frames: { at: number; view: Map<string, string>; expected: Map<string, string> }[];
}

/** `n` members whose cursor frames are timed on the host's clock and checked
 * against `sent` (every member's latest move) at the moment each arrives. */
async function room(n: number, name: string): Promise<{ h: CardsRoomHost; members: Member[]; sent: Map<string, string> }> {
  const h = new CardsRoomHost(name);
  const sent = new Map<string, string>();
  const members: Member[] = [];
  for (let i = 0; i < n; i++) {
    const sock = await h.join(`p${i}`);
    members.push({ sock, conn: sock.last("welcome")!.self.conn, frames: [] });
  }
  for (const m of members) {
    const view = new Map<string, string>();
    const keep = m.sock.send.bind(m.sock);
    m.sock.send = (frame: string) => {
      if (frame.startsWith('{"type":"cursors"')) {
        const f = (JSON.parse(frame) as { f: [string, number, number][] }).f;
        for (const [conn, x, y] of f) if (conn !== m.conn) view.set(conn, `${x},${y}`);
        const expected = new Map([...sent].filter(([conn]) => conn !== m.conn));
        m.frames.push({ at: h.clock, view: new Map(view), expected });
      }
      keep(frame);
    };
  }
  return { h, members, sent };
}

/** Every member moves every `everyMs` (phases spread over the interval) until `untilMs`. */
async function move(h: CardsRoomHost, members: Member[], sent: Map<string, string>, everyMs: number, untilMs: number): Promise<void> {
  const start = h.clock;
  const events: { at: number; m: Member; k: number }[] = [];
  members.forEach((m, i) => {
    for (let k = 0, at = start + (i * everyMs) / members.length; at < start + untilMs; k++, at += everyMs) events.push({ at, m, k });
  });
  events.sort((a, b) => a.at - b.at);
  for (const { at, m, k } of events) {
    await h.advanceTo(at);
    const p: [number, number] = [k, members.indexOf(m)];
    sent.set(m.conn, `${p[0]},${p[1]}`);
    await h.send(m.sock, { type: "cursor", p });
  }
  await h.advanceTo(start + untilMs + CURSOR_FRAME_MS);
}

describe("cursor cadence", () => {
  it("ten people moving at 60 Hz: each gets one frame per 16 ms tick, carrying everyone's latest position", async () => {
    const { h, members, sent } = await room(10, "cadence-ten");
    expect(cursorTickMs(10)).toBe(CURSOR_TICK_MS);
    const t0 = h.clock;
    const windowMs = 1_500;
    await move(h, members, sent, 1000 / 60, windowMs);
    // The room is busy once its burst is spent (ten × 60 moves a second to
    // ten receivers ask 6,000 sends of 4,000): from 300 ms on, measured.
    const from = t0 + 300;
    const to = t0 + windowMs;
    for (const m of members) {
      const frames = m.frames.filter((f) => f.at >= from && f.at < to);
      // One frame per tick: never two within a tick (before: one every 2.5 ms)…
      for (let i = 1; i < frames.length; i++) expect(frames[i]!.at - frames[i - 1]!.at).toBeGreaterThanOrEqual(CURSOR_TICK_MS - 1e-6);
      // …and a frame every tick (a steady cadence the client can interpolate).
      expect(frames.length).toBeGreaterThanOrEqual(Math.floor((to - from) / CURSOR_TICK_MS) - 1);
      // Each frame leaves the member showing every other member's latest move.
      for (const f of frames) expect(f.view).toEqual(f.expected);
    }
  });

  it("a small room sends every move in the turn it arrived: ten people at 20 Hz, no frame waits", async () => {
    const { h, members, sent } = await room(10, "cadence-quiet");
    const before = h.timerDelays.length;
    await move(h, members, sent, 50, 1_000);
    expect(h.timerDelays.length).toBe(before);
    // Every move is a frame of its own to each of the nine others.
    for (const m of members) {
      expect(m.frames.length).toBeGreaterThanOrEqual(9 * 20 - 9);
      for (const f of m.frames) expect(f.view).toEqual(f.expected);
    }
  });

  it("two hundred people moving at 60 Hz: a frame every 50 ms to each, the room's sends within the budget", { timeout: 60_000 }, async () => {
    const n = 200;
    const { h, members, sent } = await room(n, "cadence-crowd");
    expect(cursorTickMs(n)).toBe(CURSOR_FRAME_MS);
    let sends = 0;
    for (const m of members) {
      const inner = m.sock.send.bind(m.sock);
      m.sock.send = (frame: string) => {
        if (frame.startsWith('{"type":"cursors"')) sends++;
        inner(frame);
      };
    }
    const t0 = h.clock;
    const windowMs = 1_000;
    await move(h, members, sent, 1000 / 60, windowMs);
    const elapsed = h.clock - t0;
    expect(sends).toBeLessThanOrEqual((CURSOR_SENDS_PER_SEC * elapsed) / 1000 + CURSOR_SEND_BURST);
    for (const m of members) {
      const frames = m.frames.filter((f) => f.at >= t0 + 100 && f.at < t0 + windowMs);
      for (let i = 1; i < frames.length; i++) expect(frames[i]!.at - frames[i - 1]!.at).toBeGreaterThanOrEqual(CURSOR_FRAME_MS - 1e-6);
      expect(frames.length).toBeGreaterThanOrEqual(Math.floor((windowMs - 100) / CURSOR_FRAME_MS) - 1);
      for (const f of frames) expect(f.view).toEqual(f.expected);
    }
  });

  it("a busy room that quietens sends at once again", async () => {
    const { h, members, sent } = await room(10, "cadence-calm");
    await move(h, members, sent, 1000 / 60, 500);
    // Busy until it stopped: the last moves went on ticks.
    expect(h.timerDelays.length).toBeGreaterThan(0);
    await h.advanceTo(h.clock + 200);
    const before = h.timerDelays.length;
    const frames = members[1]!.frames.length;
    sent.set(members[0]!.conn, "1,1");
    await h.send(members[0]!.sock, { type: "cursor", p: [1, 1] });
    expect(h.timerDelays.length).toBe(before);
    expect(members[1]!.frames.length).toBe(frames + 1);
    expect(members[1]!.frames.at(-1)!.view.get(members[0]!.conn)).toBe("1,1");
  });
});
