/**
 * People who only watch are counted and listed on request, not broadcast one
 * by one (issue 18 item 3; docs/HTTP-API.md `GET …/presence?watchers`): a
 * page is asked of one relay over its link and answered from its members,
 * WATCHERS_PAGE_MAX at most, relay by relay, with a cursor; the editors on
 * relays are listed with the room's own members. In memory, the room core and
 * real relays (tests/support/audience-room.ts), with a fake clock.
 */
import { describe, expect, it } from "vitest";
import type { WatchersPage } from "../../party/shared/audience.ts";
import { RELAY_COUNTS_MS, WATCHERS_PAGE_MAX, WATCHERS_WAIT_MS } from "../../party/shared/limits.ts";
import { WatcherList } from "../../party/engine/room/watcher-list.ts";
import { AudienceRoom } from "../support/audience-room.ts";

/** Ask for a page while the clock moves (a relay answers with its next frame). */
async function page(a: AudienceRoom, cursor: string | null, limit: number, wait = 200): Promise<WatchersPage | null> {
  const got = a.room.apiWatchers(cursor, limit);
  await a.advance(wait, 50);
  return got;
}

describe("the watchers of an audience room, on request", () => {
  it("are listed a page at a time from the relays' members, each once, editors never among them", async () => {
    const a = new AudienceRoom({ directMax: 1, relayMax: 3, relaysMax: 3 });
    a.join("d", "editor");
    a.join("e", "editor");
    const viewers = ["v0", "v1", "v2", "v3", "v4"].map((n) => a.join(n));
    await a.settle();
    expect(viewers.map((v) => a.where.get(v))).toEqual([0, 0, 1, 1, 1]);
    await a.advance(RELAY_COUNTS_MS + 100, 100);

    const pages: WatchersPage[] = [];
    let cursor: string | null = null;
    do {
      const p: WatchersPage | null = await page(a, cursor, 2);
      expect(p).not.toBeNull();
      pages.push(p!);
      cursor = p!.cursor;
    } while (cursor !== null && pages.length < 10);
    const listed = pages.flatMap((p) => p.watchers);
    expect(listed.map((w) => w.name).sort()).toEqual(["v0", "v1", "v2", "v3", "v4"]);
    expect(new Set(listed.map((w) => w.conn)).size).toBe(5);
    for (const p of pages) expect(p.watchers.length).toBeLessThanOrEqual(2);
    expect(pages.every((p) => p.watching === 5)).toBe(true);
    expect(listed.find((w) => w.name === "v0")).toEqual({ conn: viewers[0]!.of("welcome")[0]!.self.conn, clientId: "c-v0", name: "v0", color: "#224466", status: "active", role: "viewer", subject: null });

    // A status change at the relay shows in the next listing.
    a.send(viewers[0]!, { type: "presence", status: "away" });
    await a.settle();
    const first = (await page(a, null, WATCHERS_PAGE_MAX))!;
    expect(first.watchers.find((w) => w.name === "v0")).toMatchObject({ status: "away" });
    expect(first.watchers.map((w) => w.name).sort()).toEqual(["v0", "v1"]);
    expect(first.cursor).toMatch(/^1\.$/);

    // The editors, direct or relayed, are the room's presence members.
    const presence = await a.room.apiPresence();
    expect(presence.members.map((m) => m.name).sort()).toEqual(["d", "e"]);
    expect(presence).toMatchObject({ count: 7, relayed: 6 });
  });

  it("checks its cursor and limit, and answers null when a relay does not answer within WATCHERS_WAIT_MS", async () => {
    expect(WatcherList.check(null, 1)).toBeNull();
    expect(WatcherList.check("0.abc", WATCHERS_PAGE_MAX)).toBeNull();
    expect(WatcherList.check("nope", 1)).toMatch(/cursor/);
    expect(WatcherList.check(null, 0)).toMatch(/limit/);
    expect(WatcherList.check(null, WATCHERS_PAGE_MAX + 1)).toMatch(/limit/);

    const a = new AudienceRoom({ directMax: 0, relayMax: 2, relaysMax: 3 });
    for (const n of ["v0", "v1", "v2"]) a.join(n);
    await a.settle();
    a.relay(1).hung = true;
    a.relay(1).link!.sever();
    expect((await page(a, null, 5))!.watchers.map((w) => w.name).sort()).toEqual(["v0", "v1"]);
    expect(await page(a, "1.", 5, WATCHERS_WAIT_MS + 100)).toBeNull();
  });
});
