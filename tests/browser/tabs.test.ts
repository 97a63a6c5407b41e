/**
 * One connection per browser and room (client/engine/tab-leader.ts,
 * tab-channel.ts, tab-router.ts): pages of one browser context are tabs of one
 * profile. Against `wrangler dev`, read through the room's /stats (what the
 * room pays) and the boards (what a person sees).
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { drag, openBoard, records, waitForRecords, waitForStatus, usePeople } from "./board-page.ts";

const people = usePeople();

/** A new person (browser context), closed after the test. */
const profile = () => people.person();

function roomOf(page: Page): string {
  return new URL(page.url()).pathname.split("/")[2]!;
}

async function stats(room: string): Promise<{ connections: number; seq: number; records: number }> {
  const res = await fetch(`http://${people.host}/parties/whiteboard/${room}/stats`);
  return (await res.json()) as { connections: number; seq: number; records: number };
}

async function role(page: Page): Promise<string | null> {
  return page.evaluate(() => window.__edgeroom!.session.client.tabRole);
}

/** One mutation putting a small rectangle `id` (exactly one seq in the room). */
async function putRect(page: Page, id: string, x: number): Promise<void> {
  await page.evaluate(
    ([id, x]) => {
      window.__edgeroom!.session.client.mutate([
        { op: "put", rec: { id, type: "rect", x, y: 100, z: 1, color: "#e03131", stroke: 2, w: 40, h: 30, fill: null } },
      ]);
    },
    [id, x] as const,
  );
}

async function until(check: () => Promise<boolean>, timeout = 15_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("tabs of one browser share one connection", () => {
  it("two tabs on one room: the room counts one connection; both edit and see each other's edits", async () => {
    const ctx = await profile();
    const a = await openBoard(ctx, `http://${people.host}/?test`);
    const b = await openBoard(ctx, a.url());
    const room = roomOf(a);
    await expect.poll(async () => [await role(a), await role(b)].sort(), { timeout: 10_000 }).toEqual(["follower", "leader"]);
    await expect.poll(async () => (await stats(room)).connections, { timeout: 10_000 }).toBe(1);

    // Each draws a rectangle with the mouse; both boards show both.
    await a.keyboard.press("r");
    await drag(a, [[300, 250], [420, 340]]);
    await b.keyboard.press("r");
    await drag(b, [[600, 250], [700, 330]]);
    for (const p of [a, b]) await waitForRecords(p, "rs => rs.filter(r => r.type === 'rect').length === 2");
    await until(async () => (await stats(room)).records === 2);

    // A third tab in another profile is a connection of its own.
    const c = await openBoard(await profile(), a.url());
    expect(await role(c)).toBe("leader");
    await until(async () => (await stats(room)).connections === 2);
    await waitForRecords(c, "rs => rs.filter(r => r.type === 'rect').length === 2");

    // A tab of the first profile on another room is not affected.
    const other = await openBoard(ctx, `http://${people.host}/?test`);
    expect(await role(other)).toBe("leader");
    expect((await stats(roomOf(other))).connections).toBe(1);
    expect((await stats(room)).connections).toBe(2);
  });

  it("closing the leader tab hands over: edits made offline and in flight arrive once", async () => {
    const ctx = await profile();
    const first = await openBoard(ctx, `http://${people.host}/?test`);
    const second = await openBoard(ctx, first.url());
    const room = roomOf(first);
    const [leader, follower] = (await role(first)) === "leader" ? [first, second] : [second, first];
    expect(await role(follower)).toBe("follower");

    // Offline: both tabs edit; nothing can reach the room.
    await ctx.setOffline(true);
    await waitForStatus(leader, "offline");
    await waitForStatus(follower, "offline");
    await putRect(leader, "offline-leader", 100);
    await putRect(follower, "offline-follower", 200);
    // Both tabs' edits are in IndexedDB; then close the leader tab while offline.
    for (const tab of [leader, follower]) await tab.evaluate(() => window.__edgeroom!.session.client.saved());
    await leader.close({ runBeforeUnload: false });
    await ctx.setOffline(false);
    await waitForStatus(follower, "live");
    await until(async () => (await role(follower)) === "leader");
    await waitForRecords(follower, "rs => ['offline-leader', 'offline-follower'].every(id => rs.some(r => r.id === id))");
    await until(async () => (await stats(room)).records === 2);

    // In flight: a new tab follows; its edit is sent, then the leader closes at once.
    const third = await openBoard(ctx, first.url());
    expect(await role(third)).toBe("follower");
    await putRect(third, "in-flight-follower", 300);
    await putRect(follower, "in-flight-leader", 400);
    await follower.close({ runBeforeUnload: false });
    await waitForStatus(third, "live");
    await until(async () => (await role(third)) === "leader");
    await waitForRecords(third, "rs => ['offline-leader', 'offline-follower', 'in-flight-follower', 'in-flight-leader'].every(id => rs.some(r => r.id === id))");
    expect((await records(third)).filter((r) => r.type === "rect")).toHaveLength(4);
    await until(async () => (await stats(room)).records === 4);
    // A barrier, not a sleep: every edit the last tab holds is acknowledged, so
    // nothing is left to resend, and the closed tabs' sockets have left.
    await until(async () => (await third.evaluate(() => window.__edgeroom!.session.client.pendingCount)) === 0);
    await until(async () => (await stats(room)).connections === 1);
    // Exactly once: four mutations, four seqs, and one connection left.
    const s = await stats(room);
    expect(s.seq).toBe(4);
    expect(s.connections).toBe(1);
  });

  it("a follower tab's history requests go through the leader: list, preview (to it alone), name, restore", async () => {
    const ctx = await profile();
    const first = await openBoard(ctx, `http://${people.host}/?test`);
    const second = await openBoard(ctx, first.url());
    const room = roomOf(first);
    const [leader, follower] = (await role(first)) === "leader" ? [first, second] : [second, first];
    await putRect(follower, "h1", 100);
    await waitForRecords(leader, "rs => rs.some(r => r.id === 'h1')");
    await putRect(leader, "h2", 200);
    await waitForRecords(follower, "rs => rs.some(r => r.id === 'h2')");
    await until(async () => (await stats(room)).seq === 2);

    const page = await follower.evaluate(() => window.__edgeroom!.session.client.history().then((h) => ({ head: h.head, changes: h.changes.length })));
    expect(page).toEqual({ head: 2, changes: 2 });
    const preview = await follower.evaluate(() => window.__edgeroom!.session.client.previewAt({ seq: 1 }).then((p) => p.records.map((r) => r.id)));
    expect(preview).toEqual(["h1"]);
    // A preview is the asker's alone: the other tab's board is still the live one.
    expect((await records(leader)).map((r) => r.id).sort()).toEqual(["h1", "h2"]);
    const saved = await follower.evaluate(() => window.__edgeroom!.session.client.nameVersion("one rect", { seq: 1 }).then((v) => v.seq));
    expect(saved).toBe(1);

    await follower.evaluate(() => window.__edgeroom!.session.client.restore({ version: "one rect" }).then(() => undefined));
    for (const p of [leader, follower]) await waitForRecords(p, "rs => rs.length === 1 && rs[0].id === 'h1'");
    const after = await stats(room);
    expect(after.records).toBe(1);
    expect(after.seq).toBe(3); // the restore is one mutation
    expect(after.connections).toBe(1);
  });
});
