/**
 * Once the room closes a connection for abuse, the rest of its flood — frames
 * the runtime had already queued — must cost nothing: before this was checked,
 * each of the ~8,000 remaining frames of a 10,000-frame flood was parsed,
 * answered and "kicked" again, stalling everyone else in the room for seconds.
 * The workerd corpus (tests/workerd/hostile.test.ts) covers the same floods end
 * to end; the counters are checked here, where no hibernation can reset them.
 */
import { describe, expect, it } from "vitest";
import { MAX_BAD_FRAMES, MAX_RATE_LIMITED_FRAMES } from "../../party/shared/limits.ts";
import { CloseCode } from "../../party/shared/protocol.ts";
import { CardsRoomHost, card } from "../support/cards-room.ts";

const FLOOD = 10_000;

describe("after a kick, the rest of the flood is dropped unparsed", () => {
  it("garbage flood", async () => {
    const h = new CardsRoomHost();
    const mallory = await h.join("mallory");
    const bystander = await h.join("bystander");
    for (let i = 0; i < FLOOD; i++) void h.send(mallory, `garbage ${i}`);
    await h.send(bystander, { type: "mutate", mid: "b1", ops: [{ op: "put", rec: card("s1") }] });
    expect(mallory.closed?.code).toBe(CloseCode.POLICY_VIOLATION);
    const stats = await h.room.stats();
    expect(stats.badFrames).toBe(MAX_BAD_FRAMES + 1);
    expect(h.logs.filter((l) => l.event === "kicked")).toHaveLength(1);
    expect(bystander.last("ack")).toMatchObject({ mid: "b1", seq: 1 });
  });

  it("mutation flood", async () => {
    const h = new CardsRoomHost();
    const mallory = await h.join("mallory");
    const bystander = await h.join("bystander");
    for (let i = 0; i < FLOOD; i++) void h.send(mallory, { type: "mutate", mid: `f${i}`, ops: [{ op: "put", rec: card(`f${i % 50}`) }] });
    await h.send(bystander, { type: "mutate", mid: "b1", ops: [{ op: "put", rec: card("s1") }] });
    expect(mallory.closed?.code).toBe(CloseCode.POLICY_VIOLATION);
    const stats = await h.room.stats();
    expect(stats.rateLimited).toBe(MAX_RATE_LIMITED_FRAMES + 1);
    expect(h.logs.filter((l) => l.event === "kicked")).toHaveLength(1);
    expect(bystander.last("ack")?.mid).toBe("b1");
  });
});
