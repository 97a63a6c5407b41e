/**
 * The history panel as people use it (Debian's Chromium through
 * playwright-core, against `wrangler dev`): A draws and deletes, previews an
 * earlier point from the timeline — read-only for A, and B's board does not
 * change at all meanwhile; A restores it — B sees the restored shapes as an
 * ordinary change; A's Ctrl+Z returns the board to what it was before the
 * restore, for B too. Named versions appear in the timeline and can be
 * previewed and restored; the timeline works from the keyboard.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { Shape } from "../../party/whiteboard/records.ts";
import { boardMenu, byId, drag, isBackground, near, openBoard, pendingCount, records, roomOf, screenshot, usePeople, waitForPixel, waitForRecords, waitForStatus } from "./board-page.ts";

const RED = "#e03131";

const people = usePeople();

/** A new person (browser context), closed after the test. */
const person = () => people.person();

async function twoPeople(): Promise<{ a: Page; b: Page }> {
  const a = await openBoard(await person(), `http://${people.host}/?test`);
  const b = await openBoard(await person(), a.url());
  await b.waitForSelector("[data-testid=peer]");
  return { a, b };
}

const seqOf = (page: Page) => page.evaluate(() => window.__edgeroom!.session.client.seq);
const settled = (page: Page) => page.waitForFunction(() => window.__edgeroom!.session.client.pendingCount === 0);
const types = (recs: Shape[]) => recs.map((r) => r.type).sort();

/** Open the history panel and unfold every burst (one person's run of changes
 * is one entry until unfolded: history-bursts.ts), so each change has its entry. */
async function openHistory(page: Page): Promise<void> {
  await boardMenu(page, "History…");
  await page.getByTestId("timeline-entry").first().waitFor();
  // One at a time, the first still folded: a clicked toggle becomes "Hide…",
  // so a list read once would shift under the clicks.
  const folded = page.getByRole("button", { name: /^Show \d+ earlier change/ });
  while ((await folded.count()) > 0) await folded.first().click();
}

/** A draws an ellipse, then a red rectangle, then deletes the rectangle. Returns the seq right after the rectangle. */
async function drawAndDelete(a: Page, b: Page): Promise<{ seqWithRect: number; rect: Shape }> {
  await a.keyboard.press("o");
  await drag(a, [[700, 300], [820, 400]]);
  await a.getByRole("radio", { name: "Red", exact: true }).click();
  await a.keyboard.press("r");
  await drag(a, [[300, 250], [460, 370]]); // selected once drawn
  await settled(a);
  const seqWithRect = await seqOf(a);
  const rect = (await records(a)).find((r) => r.type === "rect")!;
  await a.keyboard.press("Delete");
  await settled(a);
  await waitForRecords(b, `(recs) => recs.length === 1 && recs[0].type === "ellipse"`);
  return { seqWithRect, rect };
}

describe("the history panel", () => {
  it("A previews an earlier point (B unaffected), restores it (B sees it), and undoes the restore", async () => {
    const { a, b } = await twoPeople();
    const { seqWithRect, rect } = await drawAndDelete(a, b);
    const bBefore = await records(b);
    const bSeq = await seqOf(b);
    const bFrames = await b.evaluate(() => window.__edgeroom!.session.client.framesReceived);

    await openHistory(a);
    const entry = a.locator(`[data-testid=timeline-entry][data-seq="${seqWithRect}"]`);
    await entry.waitFor();
    expect(await a.getByTestId("timeline").textContent()).toMatch(/deleted 1 shape/);
    await entry.click();

    // A sees the board as it was then, read-only, with a bar that says so.
    await a.getByTestId("preview-bar").waitFor();
    await expect.poll(() => a.getByTestId("preview-bar").textContent(), { timeout: 10_000 }).toMatch(/Previewing the version of \d\d:\d\d/);
    await waitForRecords(a, `(recs) => recs.length === 2`);
    expect(types(await records(a))).toEqual(["ellipse", "rect"]);
    await waitForPixel(a, rect.x, rect.y + 30, (p) => near(p, RED));
    await screenshot(a, "history-preview-A");
    // At 1280 px nothing covers anything: the history panel opens below the
    // people list, and the preview bar sits on one line beside the panel.
    const boxOf = async (id: string) => (await a.getByTestId(id).boundingBox())!;
    const [people, panel, bar] = [await boxOf("people-panel"), await boxOf("history-panel"), await boxOf("preview-bar")];
    const apart = (p: typeof people, q: typeof people) => p.x + p.width <= q.x || q.x + q.width <= p.x || p.y + p.height <= q.y || q.y + q.height <= p.y;
    expect({ peopleAndPanel: apart(people, panel), barAndPanel: apart(bar, panel), barAndPeople: apart(bar, people) }).toEqual({ peopleAndPanel: true, barAndPanel: true, barAndPeople: true });
    expect(bar.height).toBeLessThan(70); // one line of buttons (two were 84 px)
    // No edit is possible while previewing: Delete, undo and a drag change nothing anywhere.
    await a.mouse.click(900, 650); // focus on the board, not the panel
    await a.keyboard.press("Control+a");
    await a.keyboard.press("Delete");
    await a.keyboard.press("Control+z");
    await drag(a, [[380, 310], [600, 500]]);
    expect(types(await records(a))).toEqual(["ellipse", "rect"]);
    expect(await a.evaluate(() => window.__edgeroom!.session.client.pendingCount)).toBe(0);

    // B's board did not change at all during A's preview, and B was sent nothing about it.
    // A barrier, not a sleep: a round trip of A's (its history list) means the
    // room has handled every frame A sent during the preview; one of B's after
    // it means B has been sent everything those frames caused.
    await a.evaluate(() => window.__edgeroom!.session.client.history().then(() => undefined));
    await b.evaluate(() => window.__edgeroom!.session.client.history().then(() => undefined));
    expect(await records(b)).toEqual(bBefore);
    expect(await seqOf(b)).toBe(bSeq);
    await waitForPixel(b, rect.x, rect.y + 30, (p) => isBackground(p));
    const bMessages = await b.evaluate(() => window.__edgeroom!.session.client.framesReceived);
    // Presence frames may come (A's cursor hid); no change frame did: the seq is the proof above.
    expect(bMessages - bFrames).toBeLessThan(10);

    // A restores it: B sees the rectangle back, as an ordinary change.
    await a.getByTestId("restore-version").click();
    await a.getByTestId("preview-bar").waitFor({ state: "hidden" });
    await waitForRecords(b, `(recs) => recs.length === 2 && recs.some((r) => r.type === "rect")`);
    expect(byId((await records(b)).filter((r) => r.type === "rect"))).toEqual([rect]);
    await waitForPixel(b, rect.x, rect.y + 30, (p) => near(p, RED));
    await waitForRecords(a, `(recs) => recs.length === 2`);
    await screenshot(b, "history-restored-B");

    // Ctrl+Z returns the board to what it was before the restore — for B too.
    await a.keyboard.press("Control+z");
    await waitForRecords(b, `(recs) => recs.length === 1 && recs[0].type === "ellipse"`);
    await waitForRecords(a, `(recs) => recs.length === 1 && recs[0].type === "ellipse"`);
    expect(await records(b)).toEqual(bBefore);
  });

  it("works from a second tab that shares the first tab's connection", async () => {
    const ctx = await person();
    const first = await openBoard(ctx, `http://${people.host}/?test`);
    const second = await openBoard(ctx, first.url()); // a follower: the room sees one connection
    const stats = await (await fetch(`http://${people.host}/parties/whiteboard/${roomOf(first)}/stats`)).json();
    expect(stats.connections).toBe(1);
    const { seqWithRect, rect } = await drawAndDelete(second, first);
    await openHistory(second);
    await second.locator(`[data-testid=timeline-entry][data-seq="${seqWithRect}"]`).click();
    await second.getByTestId("preview-bar").waitFor();
    await waitForRecords(second, `(recs) => recs.length === 2`);
    expect(types(await records(first))).toEqual(["ellipse"]); // the other tab stays live
    await second.getByTestId("restore-version").click();
    await waitForRecords(first, `(recs) => recs.length === 2 && recs.some((r) => r.id === ${JSON.stringify(rect.id)})`);
    // The person undoes once their own tab says the restore is done (its undo
    // step is recorded when the restore's ack reaches this tab).
    await second.getByText(/Restored the version of/).waitFor({ timeout: 15_000 });
    await second.keyboard.press("Control+z");
    await waitForRecords(first, `(recs) => recs.length === 1 && recs[0].type === "ellipse"`);
  });

  it("names a version, previews and restores it by choosing it in the timeline from the keyboard", async () => {
    const { a, b } = await twoPeople();
    await a.keyboard.press("r");
    await drag(a, [[300, 250], [460, 370]]);
    await settled(a);
    await boardMenu(a, "History…");
    await a.getByTestId("version-name").fill("before the review");
    await a.keyboard.press("Enter");
    const version = a.locator(`[data-testid=timeline-entry].version`);
    await version.waitFor();
    expect(await version.textContent()).toMatch(/“before the review”.*named by/);

    // Change the board: the rectangle goes, a sticky note comes.
    await a.evaluate(() => {
      const h = window.__edgeroom!;
      const rect = [...h.session.client.records().values()][0]!;
      h.session.editor.apply([{ op: "del", id: rect.id }]);
      h.session.editor.apply([{ op: "put", rec: { id: "note1", type: "sticky", x: 700, y: 300, z: 5, color: "#1e1e1e", stroke: 2, w: 200, h: 200, text: "later", fill: "#ffec99" } }]);
    });
    await settled(a);
    await waitForRecords(b, `(recs) => recs.length === 1 && recs[0].type === "sticky"`);

    // From the keyboard: into the list, down to the version, Enter previews it.
    // The open panel fetches the timeline again HISTORY_REFRESH_MS after the
    // board changes: wait until it lists A's newest change, or the entries
    // counted below could move under the arrow keys when it does.
    const head = await seqOf(a);
    const newest = () =>
      a.locator("[data-testid=timeline] button[data-seq]").evaluateAll((els) => Math.max(...els.map((el) => Number(el.getAttribute("data-seq"))).filter((n) => Number.isFinite(n))));
    await expect.poll(newest, { timeout: 10_000 }).toBe(head);
    await a.getByRole("button", { name: /^Now — the live board/ }).focus();
    const entries = await a.locator("[data-testid=timeline] button[data-seq]").evaluateAll((els) => els.map((el) => el.classList.contains("version")));
    const steps = entries.indexOf(true);
    expect(steps).toBeGreaterThan(0);
    for (let i = 0; i < steps; i++) await a.keyboard.press("ArrowDown");
    await a.keyboard.press("Enter");
    await a.getByTestId("preview-bar").waitFor();
    await expect.poll(() => a.getByTestId("preview-bar").textContent(), { timeout: 10_000 }).toMatch(/“before the review”/);
    await waitForRecords(a, `(recs) => recs.length === 1 && recs[0].type === "rect"`);
    expect(types(await records(b))).toEqual(["sticky"]);

    // Esc goes back to live; choosing it again and restoring brings the rectangle back for B.
    await a.keyboard.press("Escape");
    await a.getByTestId("preview-bar").waitFor({ state: "hidden" });
    await waitForRecords(a, `(recs) => recs.length === 1 && recs[0].type === "sticky"`);
    await version.click();
    await a.getByTestId("preview-bar").waitFor();
    await a.getByTestId("restore-version").click();
    await waitForRecords(b, `(recs) => recs.length === 1 && recs[0].type === "rect"`);
    // The restore is itself in the timeline.
    await expect.poll(() => a.getByTestId("timeline").textContent(), { timeout: 10_000 }).toMatch(/restored the board of/);
  });
});

describe("edits made offline in the timeline", () => {
  it("A's sticky notes and moves made offline arrive together and show on B's timeline as one entry: 'added 3 stickies and moved 2 shapes'", async () => {
    const ctxA = await person();
    const a = await openBoard(ctxA, `http://${people.host}/?test`);
    const b = await openBoard(await person(), a.url());
    await b.waitForSelector("[data-testid=peer]");
    // B draws two rectangles for A to move.
    for (const [x0, x1] of [[300, 400], [600, 700]] as const) {
      await b.keyboard.press("r");
      await drag(b, [[x0, 200], [x1, 260]]);
    }
    await b.keyboard.press("Escape");
    await waitForRecords(a, `(recs) => recs.filter((r) => r.type === "rect").length === 2`);

    await ctxA.setOffline(true);
    await waitForStatus(a, "offline");
    for (const x of [300, 550, 800]) {
      await a.keyboard.press("s");
      await a.mouse.click(x, 520);
      await a.waitForSelector("[data-testid=text-editor]");
      await a.keyboard.type("idea");
      await a.keyboard.press("Escape");
      await a.getByTestId("text-editor").waitFor({ state: "hidden" });
    }
    await a.keyboard.press("Escape");
    await drag(a, [[350, 230], [360, 300], [370, 330]]);
    await drag(a, [[650, 230], [660, 300], [670, 330]]);
    await expect.poll(() => pendingCount(a), { timeout: 10_000 }).toBeGreaterThanOrEqual(8); // each note, its text, and each move: separate edits

    await ctxA.setOffline(false);
    await waitForStatus(a, "live");
    await settled(a);
    await waitForRecords(b, `(recs) => recs.filter((r) => r.type === "sticky" && r.text === "idea").length === 3 && recs.filter((r) => r.type === "rect" && r.y > 250).length === 2`);

    await boardMenu(b, "History…");
    await b.getByTestId("timeline-entry").first().waitFor();
    const changes = await b.locator("[data-testid=timeline] > li > [data-testid=timeline-entry].change").evaluateAll((els) =>
      els.map((el) => [el.querySelector(".entry-title")!.textContent, el.querySelector(".entry-detail")!.textContent]),
    );
    // Newest first: A's offline edits as one entry, then B's two rectangles as one.
    expect(changes).toHaveLength(2);
    expect(changes[0]![0]).toMatch(/^.+ added 3 stickies and moved 2 shapes$/);
    expect(changes[0]![1]).toMatch(/· \d+ changes$/);
    expect(changes[1]![0]).toMatch(/^.+ added 2 rectangles$/);
    // Unfolded, each of A's changes is there to preview.
    await b.getByRole("button", { name: /^Show \d+ earlier changes$/ }).first().click();
    await expect.poll(() => b.locator("[data-testid=timeline-entry].part").count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(7);
    await screenshot(b, "history-offline-burst-B");
  });
});
