/**
 * Version skew in a real browser against `wrangler dev` (docs/PROTOCOL.md §2):
 * the page's own WebSocket is routed through playwright so the test can make
 * it a client of the previous version — its hello claims a protocol the room
 * no longer speaks, and the room's answer, seen from that page, names a
 * protocol one ahead of the page's own. The page
 * must keep the edits it made offline (IndexedDB), reload itself when idle,
 * and send them once after the reload.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { WHITEBOARD_SCHEMA_VERSION } from "../../party/whiteboard/version.ts";
import { openBoard, waitForRecords, waitForStatus, usePeople } from "./board-page.ts";

const people = usePeople();

async function putRect(page: Page, id: string, x: number): Promise<void> {
  await page.evaluate(
    ([id, x]) => {
      window.__edgeroom!.session.client.mutate([
        { op: "put", rec: { id, type: "rect", x, y: 100, z: 1, color: "#2f9e44", stroke: 2, w: 40, h: 30, fill: null } },
      ]);
    },
    [id, x] as const,
  );
}

describe("a client older than its room", () => {
  it("keeps its offline edits through the upgrade: refused as outdated, reloads when idle, sends them once", async () => {
    const ctx = await people.person();
    /** "old": the page speaks an older protocol than the room. */
    let mode: "pass" | "old" = "pass";
    let refusals = 0;
    await ctx.routeWebSocket(/\/parties\/whiteboard\/[^/]+$/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => {
        const text = String(m);
        // The old code's hello: a protocol below the room's window.
        server.send(mode === "old" && text.includes('"type":"hello"') ? text.replace(/"v":\d+/, '"v":0') : text);
      });
      server.onMessage((m) => {
        const text = String(m);
        if (text.includes("UNSUPPORTED_VERSION")) {
          refusals++;
          mode = "pass"; // the deploy is done: the reloaded page has the new code
          // Seen from the old code, the room is a version ahead of it.
          return ws.send(text.replace(/"v":(\d+)/, (_, v: string) => `"v":${Number(v) + 1}`));
        }
        ws.send(text);
      });
    });
    const page = await openBoard(ctx, `http://${people.host}/?test`);
    const room = new URL(page.url()).pathname.split("/")[2]!;
    await putRect(page, "before", 100);
    await page.waitForFunction(() => window.__edgeroom!.session.client.pendingCount === 0);

    // Offline, the (old) page edits; the edits wait in IndexedDB.
    await ctx.setOffline(true);
    await waitForStatus(page, "offline");
    await putRect(page, "offline-1", 200);
    await putRect(page, "offline-2", 300);
    await page.evaluate(() => window.__edgeroom!.session.client.saved()); // both edits are in IndexedDB

    // Back online after a deploy: the room refuses the old page, which says so and reloads by itself.
    mode = "old";
    const reloaded = page.waitForEvent("load", { timeout: 30_000 });
    await ctx.setOffline(false);
    await reloaded;
    expect(refusals).toBe(1);
    await waitForStatus(page, "live");
    await waitForRecords(page, "rs => ['before', 'offline-1', 'offline-2'].every(id => rs.some(r => r.id === id))");
    await page.waitForFunction(() => window.__edgeroom!.session.client.pendingCount === 0);
    const stats = (await (await fetch(`http://${people.host}/parties/whiteboard/${room}/stats`)).json()) as { seq: number; records: number };
    expect(stats).toMatchObject({ seq: 3, records: 3 });
  });

  it("a page from before images, groups and frames (schema 1) is told to reload, and reloads into code that reads them", async () => {
    const writer = await openBoard(await people.person(), `http://${people.host}/?test`);
    await writer.evaluate(() => {
      window.__edgeroom!.session.client.mutate([
        { op: "put", rec: { id: "grouped", type: "rect", x: 100, y: 100, z: 1, color: "#2f9e44", stroke: 2, w: 40, h: 30, fill: null, groups: ["g1"] } },
        { op: "put", rec: { id: "frame", type: "frame", x: 50, y: 50, z: 0, color: "#1e1e1e", stroke: 1, w: 300, h: 200, name: "Sprint" } },
      ]);
    });
    await writer.waitForFunction(() => window.__edgeroom!.session.client.pendingCount === 0);

    const ctx = await people.person();
    let old = true;
    const refusals: string[] = [];
    await ctx.routeWebSocket(/\/parties\/whiteboard\/[^/]+$/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => {
        const text = String(m);
        // The old code's hello: the record schema it was built with.
        server.send(old && text.includes('"type":"hello"') ? text.replace(/"schema":\d+/, '"schema":1') : text);
      });
      server.onMessage((m) => {
        const text = String(m);
        if (text.includes("UNSUPPORTED_VERSION")) {
          refusals.push(text);
          old = false; // the reload loads the new code
          // Seen from the old code (schema 1), the room is a schema ahead of it.
          return ws.send(text.replace(/"schema":(\d+)/, (_, v: string) => `"schema":${Number(v) + 1}`));
        }
        ws.send(text);
      });
    });
    const page = await ctx.newPage();
    const reloaded = page.waitForEvent("load", { timeout: 30_000 }).then(() => page.waitForEvent("load", { timeout: 30_000 }));
    await page.goto(writer.url());
    await reloaded;
    expect(refusals).toHaveLength(1);
    expect(JSON.parse(refusals[0]!)).toMatchObject({ code: "UNSUPPORTED_VERSION", schema: WHITEBOARD_SCHEMA_VERSION });
    await waitForStatus(page, "live");
    await waitForRecords(page, "rs => rs.some(r => r.id === 'grouped' && r.groups?.[0] === 'g1') && rs.some(r => r.id === 'frame' && r.name === 'Sprint')");
  });
});
