/**
 * The whiteboard in a real browser: Debian's Chromium (playwright-core), two
 * browser contexts (two people) in one room, against `wrangler dev` serving the
 * built client and the rooms on one port. Assertions are about what a person
 * sees — canvas pixels and page text — with the room state read only to know
 * where to look. Each scenario saves screenshots into test-results/.
 */
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  drag,
  isBackground,
  near,
  openBoard,
  pendingCount,
  records,
  screenshot,
  usePeople,
  waitForPixel,
  waitForRecords,
  waitForStatus,
} from "./board-page.ts";

const RED = "#e03131";
const BLUE = "#1971c2";
const STICKY_YELLOW = "#ffec99";

const people = usePeople();

/** A new person (browser context), closed after the test. */
const person = () => people.person();

/** A opens `/` (a fresh room), B opens the link A's address bar shows. */
async function twoPeopleInOneRoom(): Promise<{ a: Page; b: Page; ctxA: BrowserContext; ctxB: BrowserContext; link: string }> {
  const ctxA = await person();
  const ctxB = await person();
  const a = await openBoard(ctxA, `http://${people.host}/?test`);
  const link = a.url();
  expect(link).toMatch(/\/r\/[a-z0-9]{12}\?test$/);
  const b = await openBoard(ctxB, link);
  // Both see each other in the people list.
  await a.waitForSelector("[data-testid=peer]");
  await b.waitForSelector("[data-testid=peer]");
  return { a, b, ctxA, ctxB, link };
}

async function pick(page: Page, label: string): Promise<void> {
  await page.getByRole("radio", { name: label, exact: true }).click();
}

describe("whiteboard in two browsers", () => {
  it("A draws a rectangle and a stroke; B sees both", async () => {
    const { a, b } = await twoPeopleInOneRoom();

    await pick(a, "Red");
    await a.keyboard.press("r");
    await drag(a, [
      [300, 250],
      [480, 380],
    ]);
    await a.keyboard.press("Escape"); // deselect the new rectangle, or Blue would recolour it
    await pick(a, "Blue");
    await a.keyboard.press("p");
    await drag(a, [
      [600, 300],
      [700, 305],
      [800, 300],
      [900, 310],
    ]);
    await waitForRecords(b, `(recs) => recs.some((r) => r.type === "rect") && recs.some((r) => r.type === "pen")`);

    const recs = await records(b);
    const rect = recs.find((r) => r.type === "rect")!;
    const pen = recs.find((r) => r.type === "pen")!;
    if (rect.type !== "rect" || pen.type !== "pen") throw new Error("unexpected shapes");
    expect(rect.color).toBe(RED);
    // B's canvas: red on the rectangle's left edge, board inside it, blue along the stroke.
    await b.waitForFunction(() => document.querySelector("[data-testid=pending-count]")?.getAttribute("data-count") === "0");
    await waitForPixel(b, rect.x, rect.y + rect.h / 2, (p) => near(p, RED));
    await waitForPixel(b, rect.x + rect.w / 2, rect.y + rect.h / 2, (p) => isBackground(p));
    const mid = pen.pts[Math.floor(pen.pts.length / 2)]!;
    await waitForPixel(b, pen.x + mid[0], pen.y + mid[1], (p) => near(p, BLUE));
    // A's edits are confirmed: nothing pending, "All edits saved".
    await a.waitForFunction(() => document.querySelector("[data-testid=pending-count]")?.textContent === "All edits saved");

    await screenshot(a, "draw-A");
    await screenshot(b, "draw-B");

    // Panning scrolls the painted board and fills in the uncovered strips; the
    // result must be exactly what a full repaint draws (no smear, no seams).
    await a.keyboard.press("h");
    await drag(a, [
      [700, 500],
      [640, 470],
      [560, 430],
    ]);
    const boardPixels = () =>
      a.evaluate(
        () =>
          new Promise<string>((resolve) =>
            requestAnimationFrame(() =>
              requestAnimationFrame(() => {
                const c = document.querySelector<HTMLCanvasElement>("[data-testid=board]")!;
                const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
                let h = 0;
                for (let i = 0; i < d.length; i += 4) h = (h * 31 + d[i]! * 7 + d[i + 1]! * 3 + d[i + 2]!) | 0;
                resolve(String(h));
              }),
            ),
          ),
      );
    const scrolled = await boardPixels();
    await a.evaluate(() => window.__edgeroom!.controller.invalidate());
    expect(await boardPixels()).toBe(scrolled);
    const moved = await records(a);
    const r2 = moved.find((r) => r.type === "rect")!;
    await waitForPixel(a, r2.x, r2.y + 50, (p) => near(p, RED));
  });

  it("A moves its cursor; B's page draws it gliding through intermediate positions", async () => {
    const { a, b } = await twoPeopleInOneRoom();
    // B records, every animation frame, where it drew A's cursor and how many
    // cursor frames it had received from the room.
    await b.evaluate(() => {
      const w = window as unknown as { __trail: { x: number; y: number }[]; __frames: number; __got: string[] };
      w.__trail = [];
      w.__frames = 0;
      w.__got = [];
      window.__edgeroom!.session.client.on("cursors", (c) => {
        w.__frames++;
        for (const p of c.values()) w.__got.push(`${Math.round(p.x)},${Math.round(p.y)}`);
      });
      const loop = () => {
        for (const p of window.__edgeroom!.controller.cursorPositions().values()) w.__trail.push({ x: p.x, y: p.y });
        requestAnimationFrame(loop);
      };
      requestAnimationFrame(loop);
    });
    await a.mouse.move(200, 200);
    for (let i = 1; i <= 40; i++) {
      await a.mouse.move(200 + i * 15, 200 + Math.round(Math.sin(i / 6) * 120));
      await a.waitForTimeout(16);
    }
    // Barrier: B's drawn cursor has come to rest where A's pointer stopped.
    await b.waitForFunction(() => {
      const last = (window as unknown as { __trail: { x: number }[] }).__trail.at(-1);
      return last !== undefined && Math.abs(last.x - 800) < 2;
    });
    const { trail, frames, got } = await b.evaluate(() => {
      const w = window as unknown as { __trail: { x: number; y: number }[]; __frames: number; __got: string[] };
      return { trail: w.__trail, frames: w.__frames, got: w.__got };
    });
    const distinct = new Set(trail.map((p) => `${Math.round(p.x)},${Math.round(p.y)}`));
    expect(frames).toBeGreaterThan(3);
    // Interpolated: B draws positions between the ones the room sent — the
    // cursor glides instead of hopping from point to point. (In a small room
    // the room forwards moves at up to 60 Hz, about one per painted frame, so
    // count the in-between positions rather than compare with the frame count.)
    const received = new Set(got);
    const between = [...distinct].filter((p) => !received.has(p));
    expect(between.length).toBeGreaterThan(Math.max(10, frames * 0.5));
    const xs = trail.map((p) => p.x);
    expect(Math.min(...xs)).toBeLessThan(260);
    expect(Math.max(...xs)).toBeGreaterThan(740);
    // It ends where A's pointer stopped.
    const last = trail.at(-1)!;
    expect(Math.abs(last.x - 800)).toBeLessThan(2);

    // And it is on B's canvas, in A's colour, with A's name in the label.
    const aPeer = await b.evaluate(() => [...window.__edgeroom!.session.client.peers().values()][0]!);
    await waitForPixel(b, last.x + 2, last.y + 9, (p) => near(p, aPeer.color, 60), "cursor-layer");
    // A never draws its own cursor from the room.
    expect(await a.evaluate(() => window.__edgeroom!.controller.cursorPositions().size)).toBe(0);
    await screenshot(b, "cursor-B");
  });

  it("B goes offline, adds a sticky note, reloads offline, comes back — A sees the note exactly once", async () => {
    const { a, b, ctxB } = await twoPeopleInOneRoom();
    // The service worker must control B's page before the network goes, or
    // there is no app to reload into.
    await b.waitForFunction(async () => (await navigator.serviceWorker.ready) && navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
    // Something already on the board, which B's page caches while online.
    await pick(a, "Green");
    await a.keyboard.press("r");
    await drag(a, [
      [200, 200],
      [360, 300],
    ]);
    await waitForRecords(b, `(recs) => recs.some((r) => r.type === "rect")`);
    // A barrier, not a sleep: B's page has cached a copy at least as new as
    // what it has received (it saves within SNAPSHOT_SAVE_DELAY_MS of a change).
    await b.waitForFunction(() => {
      const s = window.__edgeroom!.session;
      const saved = s.savedSeq();
      return saved !== null && saved >= s.client.seq;
    }, null, { timeout: 15_000 });

    await ctxB.setOffline(true);
    await waitForStatus(b, "offline");
    await expect.poll(() => b.textContent("[data-testid=announcer]"), { timeout: 10_000 }).toContain("offline");
    await b.keyboard.press("s");
    await b.mouse.click(640, 420);
    await b.waitForSelector("[data-testid=text-editor]");
    await b.keyboard.type("offline note");
    await b.keyboard.press("Escape");
    await expect.poll(() => pendingCount(b), { timeout: 10_000 }).toBe(2); // the note, then its text
    expect(await b.textContent("[data-testid=pending-count]")).toBe("2 pending edits");
    // Both edits are in IndexedDB before the reload (a reload in the same moment as the edit is not what this is about).
    await b.evaluate(() => window.__edgeroom!.session.client.saved());

    await b.reload();
    await waitForStatus(b, "offline");
    // After the reload, still offline: the note is back from IndexedDB, drawn, still pending.
    await waitForRecords(b, `(recs) => recs.some((r) => r.type === "sticky" && r.text === "offline note")`);
    await expect.poll(() => pendingCount(b), { timeout: 10_000 }).toBe(2);
    await waitForPixel(b, 640, 500, (p) => near(p, STICKY_YELLOW, 60));
    // A's rectangle is still there too, from the copy cached before the reload.
    await waitForRecords(b, `(recs) => recs.some((r) => r.type === "rect")`);
    await waitForPixel(b, 200, 250, (p) => near(p, "#2f9e44"));
    await expect.poll(() => b.textContent("[data-testid=last-synced]"), { timeout: 10_000 }).toContain("Saved copy from");
    await screenshot(b, "offline-B-reloaded");
    expect((await records(a)).filter((r) => r.type === "sticky")).toHaveLength(0);

    await ctxB.setOffline(false);
    await waitForStatus(b, "live");
    await expect.poll(() => pendingCount(b), { timeout: 15_000 }).toBe(0);
    await waitForRecords(a, `(recs) => recs.some((r) => r.type === "sticky" && r.text === "offline note")`);
    // A barrier, not a sleep: every edit B sent is acknowledged (pending 0), so
    // the room has ordered them all; once A has caught up to the room's seq as B
    // knows it, a duplicate from B's resend would be in A's records.
    const roomSeq = await b.evaluate(() => window.__edgeroom!.session.client.seq);
    await expect.poll(() => a.evaluate(() => window.__edgeroom!.session.client.seq), { timeout: 15_000 }).toBeGreaterThanOrEqual(roomSeq);
    const stickies = (await records(a)).filter((r) => r.type === "sticky");
    expect(stickies).toHaveLength(1);
    await waitForPixel(a, 640, 500, (p) => near(p, STICKY_YELLOW, 60));
    await screenshot(a, "offline-A-after");
    await screenshot(b, "offline-B-after");
  });

  it("an edit the room rejects is rolled back with a notice (B moves a shape A deleted)", async () => {
    const { a, b, ctxB } = await twoPeopleInOneRoom();
    await a.keyboard.press("r");
    await drag(a, [
      [400, 300],
      [560, 420],
    ]);
    await waitForRecords(b, `(recs) => recs.some((r) => r.type === "rect")`);
    const [rect] = await records(b);
    if (rect?.type !== "rect") throw new Error("no rect");

    await ctxB.setOffline(true);
    await waitForStatus(b, "offline");
    // B drags the rectangle 200 px to the right (pending: B cannot know it is gone).
    await drag(b, [
      [480, 360],
      [580, 360],
      [680, 360],
    ]);
    await expect.poll(() => pendingCount(b), { timeout: 10_000 }).toBeGreaterThan(0);
    await waitForPixel(b, rect.x + 200, rect.y + rect.h / 2, (p) => near(p, "#1e1e1e", 120));
    await screenshot(b, "reject-B-offline-move");

    // Meanwhile A deletes it.
    await a.mouse.click(480, 300);
    await a.keyboard.press("Delete");
    await waitForRecords(a, `(recs) => recs.length === 0`);

    await ctxB.setOffline(false);
    await waitForStatus(b, "live");
    // Waited for by its text: another notice may show beside it, and a notice leaves after TOAST_MS.
    await b.getByTestId("toast").filter({ hasText: "someone else deleted that shape" }).waitFor({ timeout: 15_000 });
    await expect.poll(() => pendingCount(b), { timeout: 10_000 }).toBe(0);
    expect(await records(b)).toHaveLength(0);
    // Rolled back: neither where B moved it nor where it was.
    await waitForPixel(b, rect.x + 200, rect.y + rect.h / 2, (p) => isBackground(p));
    await waitForPixel(b, rect.x, rect.y + rect.h / 2, (p) => isBackground(p));
    await screenshot(b, "reject-B-notice");
  });
});
