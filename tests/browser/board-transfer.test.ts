/**
 * Export, import and duplicate as people use them (Debian's Chromium through
 * playwright-core, against `wrangler dev`): the Board menu's export downloads
 * the board as an export file; importing that file (file picker or dropped
 * on the board) opens a NEW board with identical shapes that a second person
 * sees too, and leaves the old board alone; a file with bad records lists
 * each refused one before anything is written; Duplicate board opens a new
 * board with the same shapes, also when made offline.
 */
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { buildExport, EXPORT_FORMAT, serializeExport } from "../../party/shared/export-format.ts";
import { whiteboard } from "../../party/whiteboard/schema.ts";
import type { Shape } from "../../party/whiteboard/records.ts";
import { boardMenu, byId, drag, near, openBoard, pendingCount, records, roomOf, usePeople, waitForPixel, waitForRecords, waitForStatus } from "./board-page.ts";

const RED = "#e03131";

const people = usePeople();

/** A new person (browser context), closed after the test. */
const person = () => people.person({ acceptDownloads: true });

const extras: Shape[] = [
  { id: "pen1", type: "pen", x: 600, y: 300, z: 10, color: "#1971c2", stroke: 4, pts: [[0, 0, 0.5], [40, 20, 0.6], [80, 0, 0.5]] },
  { id: "note1", type: "sticky", x: 700, y: 420, z: 11, color: "#1e1e1e", stroke: 2, w: 200, h: 200, text: "ship it", fill: "#ffec99" },
  { id: "text1", type: "text", x: 320, y: 520, z: 12, color: "#1e1e1e", stroke: 2, text: "héllo 👋", size: 24, opacity: 0.6 },
];

/** A board with a drawn red rectangle and three more shapes, all confirmed. */
async function boardWithShapes(page: Page): Promise<Shape[]> {
  await page.getByRole("radio", { name: "Red", exact: true }).click();
  await page.keyboard.press("r");
  await drag(page, [[300, 250], [460, 370]]);
  await page.evaluate((shapes) => window.__edgeroom!.session.editor.apply(shapes.map((rec) => ({ op: "put" as const, rec }))), extras);
  await waitForRecords(page, `(recs) => recs.length === 4`);
  await page.waitForFunction(() => window.__edgeroom!.session.client.pendingCount === 0);
  return byId(await records(page));
}

/** Wait until `page` has left `room` for a new board and is `status` there. */
async function newBoardOpened(page: Page, room: string, status = "live"): Promise<string> {
  await page.waitForURL((u) => u.pathname.startsWith("/r/") && !u.pathname.endsWith(`/${room}`), { timeout: 20_000 });
  await waitForStatus(page, status);
  return roomOf(page);
}

/** Drop a file on the board as a person dragging it from their desktop would. */
async function dropFile(page: Page, name: string, text: string): Promise<void> {
  await page.evaluate(
    ([fileName, content]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([content!], fileName!, { type: "application/json" }));
      const target = document.querySelector("[data-testid=board]")!;
      target.dispatchEvent(new DragEvent("dragenter", { dataTransfer: dt, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
      (window as unknown as { __dropTransfer: DataTransfer }).__dropTransfer = dt;
    },
    [name, text] as const,
  );
  await page.getByTestId("file-drop").waitFor(); // the hint shows while a file is over the board
  await page.evaluate(() => {
    const dt = (window as unknown as { __dropTransfer: DataTransfer }).__dropTransfer;
    document.querySelector("[data-testid=board]")!.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
}

describe("export and import", () => {
  it("exports the board to a file; importing it opens a new board with identical shapes, and the old one is untouched", async () => {
    const ctxA = await person();
    const a = await openBoard(ctxA, `http://${people.host}/?test`);
    const original = await boardWithShapes(a);
    const oldRoom = roomOf(a);
    const b = await openBoard(await person(), a.url()); // someone still on the old board
    await waitForRecords(b, `(recs) => recs.length === 4`);
    const seqBefore = await b.evaluate(() => window.__edgeroom!.session.client.seq);

    const [file] = await Promise.all([a.waitForEvent("download"), boardMenu(a, "Export board (.json)")]);
    expect(file.suggestedFilename()).toBe(`${oldRoom}-${seqBefore}.edgeroom.json`);
    const path = await file.path();
    const exported = JSON.parse(readFileSync(path, "utf8"));
    expect(exported).toMatchObject({ format: EXPORT_FORMAT, v: 1, party: "whiteboard", room: oldRoom, seq: seqBefore });
    expect(byId(exported.records)).toEqual(original);

    await a.setInputFiles("[data-testid=import-file]", path);
    const newRoom = await newBoardOpened(a, oldRoom);
    expect(newRoom).not.toBe(oldRoom);
    await waitForRecords(a, `(recs) => recs.length === 4`);
    expect(byId(await records(a))).toEqual(original);
    await a.waitForFunction(() => window.__edgeroom!.session.client.pendingCount === 0);
    // The status bar shows it on its next render.
    await expect.poll(() => pendingCount(a), { timeout: 10_000 }).toBe(0);
    const rect = original.find((s) => s.type === "rect")!;
    await waitForPixel(a, rect.x, rect.y + 30, (p) => near(p, RED));

    // Stored in the room, not only on A's page: someone else opening the new link sees it all.
    const c = await openBoard(await person(), `http://${people.host}/r/${newRoom}?test`);
    await waitForRecords(c, `(recs) => recs.length === 4`);
    expect(byId(await records(c))).toEqual(original);

    // The old board was never written to.
    expect(byId(await records(b))).toEqual(original);
    expect(await b.evaluate(() => window.__edgeroom!.session.client.seq)).toBe(seqBefore);
    expect(roomOf(b)).toBe(oldRoom);
  });

  it("a dropped file with bad records lists each refused one; importing the rest opens a new board with only those", async () => {
    const a = await openBoard(await person(), `http://${people.host}/?test`);
    const oldRoom = roomOf(a);
    const good = extras[1]!;
    const doc = buildExport(whiteboard, { room: "elsewhere", seq: 9, records: [good] });
    const text = JSON.stringify({ ...doc, records: [good, { ...good, id: "bad-w", w: -5 }, { id: "nope", type: "hexagon" }] });

    await dropFile(a, "partly-bad.json", text);
    const list = a.getByTestId("refused-list");
    await list.waitFor();
    const items = await list.locator("li").allTextContents();
    expect(items).toHaveLength(2);
    expect(items[0]).toMatch(/^Shape 2 \(bad-w\): w: /);
    expect(items[1]).toMatch(/^Shape 3 \(nope\): /);
    expect(roomOf(a)).toBe(oldRoom); // nothing written before the person says so

    await a.getByRole("button", { name: "Import 1 shape" }).click();
    await newBoardOpened(a, oldRoom);
    await waitForRecords(a, `(recs) => recs.length === 1`);
    expect(await records(a)).toEqual([good]);
  });

  it("a file that is not a board export is refused with a reason, and no board is made", async () => {
    const a = await openBoard(await person(), `http://${people.host}/?test`);
    const oldRoom = roomOf(a);
    await dropFile(a, "notes.json", JSON.stringify({ hello: "world" }));
    await expect.poll(() => a.getByTestId("transfer-error").textContent(), { timeout: 10_000 }).toMatch(/not a board export/);
    await dropFile(a, "future.json", serializeExport({ ...buildExport(whiteboard, { room: "r", seq: 1, records: extras }), v: 99 }));
    await expect.poll(() => a.getByTestId("transfer-error").textContent(), { timeout: 10_000 }).toMatch(/version 99/);
    await a.keyboard.press("Escape");
    await a.getByTestId("transfer-dialog").waitFor({ state: "hidden" });
    expect(roomOf(a)).toBe(oldRoom);
  });
});

describe("duplicate", () => {
  it("Duplicate board opens a new board with the same shapes; the old board and the person on it are unaffected", async () => {
    const a = await openBoard(await person(), `http://${people.host}/?test`);
    const original = await boardWithShapes(a);
    const oldRoom = roomOf(a);
    const b = await openBoard(await person(), a.url());
    await waitForRecords(b, `(recs) => recs.length === 4`);
    const seqBefore = await b.evaluate(() => window.__edgeroom!.session.client.seq);

    await boardMenu(a, "Duplicate board");
    const newRoom = await newBoardOpened(a, oldRoom);
    await waitForRecords(a, `(recs) => recs.length === 4`);
    expect(byId(await records(a))).toEqual(original);

    // Edits on the copy stay on the copy.
    await a.evaluate(() => window.__edgeroom!.session.editor.apply([{ op: "del", id: "note1" }]));
    await waitForRecords(a, `(recs) => recs.length === 3`);
    await a.waitForFunction(() => window.__edgeroom!.session.client.pendingCount === 0);
    expect(byId(await records(b))).toEqual(original);
    expect(await b.evaluate(() => window.__edgeroom!.session.client.seq)).toBe(seqBefore);
    expect(newRoom).not.toBe(oldRoom);
  });

  it("a board duplicated while offline opens offline and is saved to the room when the connection returns", async () => {
    const ctxA = await person();
    const a = await openBoard(ctxA, `http://${people.host}/?test`);
    const original = await boardWithShapes(a);
    const oldRoom = roomOf(a);
    // The offline shell: the page must be able to open without the network.
    await a.waitForFunction(async () => (await navigator.serviceWorker.ready) && navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });

    await ctxA.setOffline(true);
    await waitForStatus(a, "offline");
    await boardMenu(a, "Duplicate board");
    const newRoom = await newBoardOpened(a, oldRoom, "offline");
    await waitForRecords(a, `(recs) => recs.length === 4`);
    await expect.poll(() => pendingCount(a), { timeout: 10_000 }).toBe(1); // one edit, however many mutations it took

    await ctxA.setOffline(false);
    await waitForStatus(a, "live");
    await a.waitForFunction(() => window.__edgeroom!.session.client.pendingCount === 0);
    const c = await openBoard(await person(), `http://${people.host}/r/${newRoom}?test`);
    await waitForRecords(c, `(recs) => recs.length === 4`);
    expect(byId(await records(c))).toEqual(original);
  });
});
