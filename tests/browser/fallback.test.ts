/**
 * The HTTP fallback (party/engine/fallback.ts, client/engine/sse-transport.ts,
 * fallback-transport.ts) in a real browser against `wrangler dev`: a profile
 * whose WebSockets are all refused (playwright closes every one the page
 * opens) works over Server-Sent Events + POSTs, says so in the status bar,
 * converges with a WebSocket client, and goes back to a WebSocket once they
 * get through again.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { drag, openBoard, waitForRecords, usePeople } from "./board-page.ts";

const people = usePeople();

/** A new person (browser context), closed after the test. */
const profile = () => people.person();

async function transportOf(page: Page): Promise<string | null> {
  return page.getAttribute("[data-testid=connection]", "data-transport");
}

async function putRect(page: Page, id: string, x: number): Promise<void> {
  await page.evaluate(
    ([id, x]) => {
      window.__edgeroom!.session.client.mutate([
        { op: "put", rec: { id, type: "rect", x, y: 100, z: 1, color: "#1971c2", stroke: 2, w: 40, h: 30, fill: null } },
      ]);
    },
    [id, x] as const,
  );
}

describe("HTTP fallback when WebSockets are refused", () => {
  it("works over SSE + POST, shows it, converges with a WebSocket client, and upgrades back", async () => {
    const blockedCtx = await profile();
    let blocked = true;
    let refused = 0;
    await blockedCtx.routeWebSocket(/\/parties\//, (ws) => {
      if (!blocked) return void ws.connectToServer();
      refused++;
      ws.close({ code: 1006, reason: "blocked by a proxy" });
    });
    const a = await openBoard(blockedCtx, `http://${people.host}/?test`);
    expect(refused).toBeGreaterThanOrEqual(2);
    expect(await transportOf(a)).toBe("sse");
    expect(await a.textContent("[data-testid=connection]")).toContain("HTTP fallback");

    const b = await openBoard(await profile(), a.url());
    expect(await transportOf(b)).toBe("websocket");
    const room = new URL(a.url()).pathname.split("/")[2]!;
    const stats = async () => (await (await fetch(`http://${people.host}/parties/whiteboard/${room}/stats`)).json()) as { connections: number; seq: number };
    await expect.poll(async () => (await stats()).connections, { timeout: 10_000 }).toBe(2);

    // A draws with the mouse over the fallback; B edits over its WebSocket.
    await a.keyboard.press("r");
    await drag(a, [[300, 250], [420, 340]]);
    await putRect(b, "from-websocket", 600);
    await putRect(a, "from-fallback", 700);
    const both = "rs => rs.filter(r => r.type === 'rect').length === 3 && ['from-websocket', 'from-fallback'].every(id => rs.some(r => r.id === id))";
    await waitForRecords(a, both);
    await waitForRecords(b, both);
    // B sees A's cursor, which only the fallback can have carried.
    await a.mouse.move(500, 500);
    await a.mouse.move(520, 510, { steps: 4 });
    await b.waitForFunction(() => window.__edgeroom!.session.client.cursors().size > 0, undefined, { timeout: 10_000 });

    // WebSockets get through again: the next probe finds out and A switches back.
    blocked = false;
    await a.waitForFunction(
      () => {
        const el = document.querySelector("[data-testid=connection]");
        return el?.getAttribute("data-transport") === "websocket" && el.getAttribute("data-status") === "live";
      },
      undefined,
      { timeout: 45_000 },
    );
    await putRect(a, "after-upgrade", 800);
    await waitForRecords(b, "rs => rs.some(r => r.id === 'after-upgrade')");
    // Every edit applied once: three from before, one after.
    expect((await stats()).seq).toBe(4);
    // A's old fallback stream and its new socket may both count for a moment: wait for the count to settle.
    await expect.poll(async () => (await stats()).connections, { timeout: 10_000 }).toBe(2);
  }, 120_000);
});
