/**
 * The laser pointer (laser.ts): a trail sent as live state with each point's
 * age, fading on the receiver from when it arrived; never a record.
 */
import { describe, expect, it } from "vitest";
import { LaserTrail, MAX_LASER_POINTS } from "../../party/whiteboard/schema.ts";
import { LASER_FADE_MS, LocalLaser, RemoteLasers } from "../../client/whiteboard/canvas/laser.ts";
import { Board } from "./input-board.ts";

describe("laser", () => {
  it("the trail sent is the recent points with their ages, valid for the room, and nothing once faded", () => {
    const l = new LocalLaser();
    l.add(0, 0, 1000);
    l.add(10.123, 5, 1500);
    const wire = l.wire(1600);
    expect(wire).toEqual({ pts: [[0, 0, 600], [10.12, 5, 100]] });
    expect(LaserTrail.safeParse(wire).success).toBe(true);
    expect(l.wire(1000 + LASER_FADE_MS + 1)).toEqual({ pts: [[10.12, 5, LASER_FADE_MS - 499]] });
    expect(l.wire(1500 + LASER_FADE_MS)).toBeNull();
  });

  it("a long trail keeps its newest points, within the room's cap", () => {
    const l = new LocalLaser();
    for (let i = 0; i < MAX_LASER_POINTS * 2; i++) l.add(i, 0, 1000 + i);
    const wire = l.wire(1000 + MAX_LASER_POINTS * 2)!;
    expect(wire.pts).toHaveLength(MAX_LASER_POINTS);
    expect(wire.pts.at(-1)![0]).toBe(MAX_LASER_POINTS * 2 - 1);
    expect(LaserTrail.safeParse({ pts: [...wire.pts, [0, 0, 0]] }).success).toBe(false);
  });

  it("a receiver fades each point from its age on arrival, and forgets a trail its author cleared", () => {
    const r = new RemoteLasers();
    const trail = { pts: [[0, 0, 900], [5, 5, 0]] };
    r.update(new Map([["c1", new Map([["laser", trail]])]]), 10_000);
    const [drawn] = r.visible(10_050);
    expect(drawn!.pts.map((p) => p.until)).toEqual([10_000 - 900 + LASER_FADE_MS, 10_000 + LASER_FADE_MS]);
    expect(r.visible(10_000 + LASER_FADE_MS + 1)).toEqual([]); // faded, though nothing new came
    r.update(new Map([["c1", new Map<string, unknown>([["laser", null]])]]), 10_100);
    expect(r.visible(10_100)).toEqual([]);
  });

  it("the laser tool points and never draws: no record, no edit", () => {
    const b = new Board();
    b.tool = "laser";
    b.gesture([[0, 0], [10, 10], [20, 5]]);
    expect(b.laser).toEqual([[0, 0], [10, 10], [20, 5]]);
    expect(b.records.size).toBe(0);
    expect(b.mutations).toHaveLength(0);
  });
});
