/**
 * A room's reports to the rooms index (party/engine/room/index-reporter.ts),
 * in memory on an injected clock and timers: the first activity reports at
 * once, a busy room's next ones are coalesced into one report per
 * ROOMS_INDEX_REPORT_MS, a room never written is not indexed, and erasing a
 * room removes it at once. The index itself, on the real host:
 * tests/workerd/rooms-index.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { IndexReport } from "../../party/engine/room/types.ts";
import { ROOMS_INDEX_REPORT_MS } from "../../party/shared/limits.ts";
import { CardsRoomHost, card } from "../support/cards-room.ts";

function indexed() {
  const h = new CardsRoomHost("indexed");
  const reports: IndexReport[] = [];
  h.roomsIndex = { report: async (r) => void reports.push(r), everyMs: ROOMS_INDEX_REPORT_MS };
  h.evict();
  return { h, reports };
}

const put = (mid: string, id: string) => ({ type: "mutate", mid, ops: [{ op: "put", rec: card(id) }] });

describe("rooms index reports", () => {
  it("reports a room's first write at once and coalesces a busy room's activity into one report per ROOMS_INDEX_REPORT_MS", async () => {
    const { h, reports } = indexed();
    const ada = await h.join("ada");
    expect(reports).toEqual([]); // joined, never written: not indexed
    await h.send(ada, put("m1", "c1"));
    await h.room.settled();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ room: "indexed", seq: 1, members: 1, active: h.clock, metadata: {} });
    // Two hundred edits and a second member within the window: nothing yet, then one report.
    for (let i = 2; i <= 200; i++) {
      h.clock += 10;
      await h.send(ada, put(`m${i}`, `c${i}`));
    }
    await h.join("bob");
    await h.room.settled();
    expect(reports).toHaveLength(1);
    h.clock += ROOMS_INDEX_REPORT_MS;
    h.flushTimers();
    await h.room.settled();
    expect(reports).toHaveLength(2);
    const { seq } = await h.room.snapshot();
    expect(seq).toBeGreaterThan(50); // many edits (past the mutation budget's burst, some were refused)
    expect(reports[1]).toMatchObject({ seq, members: 2 });
    expect(reports[1]!.active).toBeGreaterThan(reports[0]!.active);
  });

  it("reports metadata with the room, and its removal when the room is erased", async () => {
    const { h, reports } = indexed();
    const set = await h.room.backend.setMetadata({ team: "blue" }, false);
    expect(set).toEqual({ metadata: { team: "blue" } });
    await h.room.settled();
    expect(reports.at(-1)).toMatchObject({ room: "indexed", seq: 0, metadata: { team: "blue" } });
    await h.room.erase();
    expect(reports.at(-1)).toMatchObject({ room: "indexed", deleted: true });
  });
});
