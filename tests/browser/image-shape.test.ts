/**
 * The image shape as people edit it (issue 21 item 3): a picture picked with
 * the toolbar's button is a placeholder on B's screen until its bytes arrive,
 * and moves; a picture dropped on A's board is resized with its proportions
 * kept, turned with the rotate handle, undone and redone, copied into another
 * board (its picture travels: stored in the other room, drawn on a third
 * person's screen), and exported as PNG (its pixels in the file) and SVG (its
 * bytes in the file); a large picture is scaled down before its upload, an SVG
 * rasterised. Each checked on B's screen or in the file, not in A's memory. Debian's Chromium
 * through playwright-core, against `wrangler dev` with Miniflare's local R2.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { drag, isBackground, near, openBoard, roomOf, usePeople, waitForPixel, waitForRecords } from "./board-page.ts";
import { dropPicture, dropSvg, type ImageShape, imageOf, pagePoint, settled, storedPicture, TEAL } from "./picture-page.ts";

const people = usePeople();
const hasImage = `(recs) => recs.some((r) => r.type === "image")`;

/** A and B on one board; A drops a 240 × 160 picture (selected after the
 * drop); B has it on screen. */
async function pictureOnBoth(): Promise<{ a: Page; b: Page; img: ImageShape; ctxA: Awaited<ReturnType<typeof people.twoPeople>>["ctxA"] }> {
  const { a, b, ctxA } = await people.twoPeople();
  await dropPicture(a, 640, 400);
  await waitForRecords(b, hasImage);
  const img = (await imageOf(b))!;
  await waitForPixel(b, img.x + img.w / 2, img.y + img.h / 2, (p) => near(p, TEAL, 30));
  return { a, b, img, ctxA };
}

/** Open the menu at a page point and choose `item`; the download it starts, as bytes. */
async function exportFromMenu(page: Page, at: [number, number], item: RegExp): Promise<Buffer> {
  await page.mouse.click(at[0], at[1], { button: "right" });
  const menu = page.getByTestId("context-menu");
  await menu.waitFor();
  const [download] = await Promise.all([page.waitForEvent("download"), menu.getByRole("menuitem", { name: item }).click()]);
  return readFileSync((await download.path())!);
}

describe("the image shape", () => {
  it("A drags a corner of the picture: it grows with its proportions kept, on B's screen too", async () => {
    const { a, b, img } = await pictureOnBoth();
    expect([img.w, img.h]).toEqual([240, 160]);
    const [x1, y1] = await pagePoint(a, img.x + img.w, img.y + img.h);
    // Pulled 120 px across but only 20 down: a box would turn 360 × 180.
    await drag(a, [[x1, y1], [x1 + 60, y1 + 10], [x1 + 120, y1 + 20]]);
    // The drag commits as it goes (a 345-wide step reached B in a clean
    // Debian run): wait for where the pointer stopped, not the first step past 300.
    await waitForRecords(b, `(recs) => recs.some((r) => r.type === "image" && r.w > 359)`);
    const grown = (await imageOf(b))!;
    expect(grown.w).toBeCloseTo(360, 0);
    expect(grown.h).toBeCloseTo(240, 0); // 3 : 2 as the picture is, not 2 : 1
    // The opposite corner stays.
    expect(grown.x).toBeCloseTo(img.x, 1);
    expect(grown.y).toBeCloseTo(img.y, 1);
    // B's screen: the picture now reaches past where its corner was.
    await waitForPixel(b, img.x + img.w + 100, img.y + img.h + 60, (p) => near(p, TEAL, 30));
  });

  it("A turns the picture a quarter with the rotate handle; B's screen shows it upright", async () => {
    const { a, b, img } = await pictureOnBoth();
    const [cx, cy] = [img.x + img.w / 2, img.y + img.h / 2];
    // Above the top edge (outside the 160-high picture, inside it turned: 240 high) and right of centre.
    await waitForPixel(b, cx, cy - 110, (p) => isBackground(p));
    const [hx, hy] = await pagePoint(a, cx, img.y);
    const [px, py] = await pagePoint(a, cx, cy);
    // The round handle 24 px above the top edge's middle; pull it round to the right of the centre.
    await drag(a, [[hx, hy - 24], [px + 100, hy - 40], [px + 200, py]]);
    await waitForRecords(b, `(recs) => recs.some((r) => r.type === "image" && Math.abs(r.rotation - Math.PI / 2) < 0.01)`);
    await waitForPixel(b, cx, cy - 110, (p) => near(p, TEAL, 30));
    await waitForPixel(b, cx + 110, cy, (p) => isBackground(p));
  });

  it("A undoes the drop: the picture leaves B's screen; redo brings it back", async () => {
    const { a, b, img } = await pictureOnBoth();
    const [cx, cy] = [img.x + img.w / 2, img.y + img.h / 2];
    await settled(a);
    await a.keyboard.press("Control+z");
    await waitForRecords(b, `(recs) => !recs.some((r) => r.type === "image")`);
    await waitForPixel(b, cx, cy, (p) => isBackground(p));
    await a.keyboard.press("Control+Shift+z");
    await waitForRecords(b, hasImage);
    await waitForPixel(b, cx, cy, (p) => near(p, TEAL, 30));
  });

  it("a picture copied on one board pastes into another: its bytes are stored there and a third person sees it", async () => {
    const { a, img, ctxA } = await pictureOnBoth();
    await settled(a);
    await a.keyboard.press("Control+c");
    const other = await openBoard(ctxA, `http://${people.host}/?test`); // another room, another tab
    expect(roomOf(other)).not.toBe(roomOf(a));
    await other.bringToFront();
    await other.locator("[data-testid=board]").click({ position: { x: 1100, y: 700 } }); // focus the page
    await other.keyboard.press("Control+v");
    await waitForRecords(other, hasImage);
    const pasted = (await imageOf(other))!;
    expect(pasted.id).not.toBe(img.id);
    expect([pasted.asset, pasted.w, pasted.h]).toEqual([img.asset, img.w, img.h]);
    await settled(other);
    // Stored in the other room (not read from the first one's).
    const stored = await fetch(`http://${people.host}/parties/whiteboard/${roomOf(other)}/assets/${img.asset}`);
    expect(stored.status).toBe(200);
    const c = await openBoard(await people.person(), `http://${people.host}/r/${roomOf(other)}?test`);
    await waitForRecords(c, hasImage);
    await waitForPixel(c, pasted.x + pasted.w / 2, pasted.y + pasted.h / 2, (p) => near(p, TEAL, 30));
  });

  it("PNG and SVG export of the board carry the picture: its pixels in the PNG, its bytes in the SVG", async () => {
    const { a, img } = await pictureOnBoth();
    await settled(a);
    await a.keyboard.press("Escape"); // nothing selected: the whole board
    const png = await exportFromMenu(a, [150, 700], /^Export PNG$/);
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    // The file decoded in the page: the picture fills its middle, on white margins.
    const [middle, corner] = await a.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: "image/png" }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext("2d")!;
      ctx.drawImage(bitmap, 0, 0);
      const at = (x: number, y: number) => [...ctx.getImageData(x, y, 1, 1).data];
      return [at(bitmap.width >> 1, bitmap.height >> 1), at(1, 1)];
    }, png.toString("base64"));
    expect(near(middle!, TEAL, 30)).toBe(true);
    expect(near(corner!, "#ffffff", 10)).toBe(true);

    const svg = (await exportFromMenu(a, [150, 700], /^Export SVG$/)).toString();
    const href = /<image [^>]*href="data:image\/png;base64,([^"]+)"/.exec(svg);
    expect(href).not.toBeNull();
    // The very bytes the room stores, named by their hash.
    expect(createHash("sha256").update(Buffer.from(href![1]!, "base64")).digest("hex")).toBe(img.asset);
    await waitForPixel(a, img.x + img.w / 2, img.y + img.h / 2, (p) => near(p, TEAL, 30));
  });

  it("a large picture is stored at most 2,048 px on a side and placed at 640; an SVG is stored as a PNG (rasterised), drawn on B's screen", async () => {
    const { a, b } = await people.twoPeople();
    await dropPicture(a, 640, 400, 3_000, 1_500);
    await waitForRecords(b, hasImage);
    const big = (await imageOf(b))!;
    expect([big.w, big.h]).toEqual([640, 320]);
    await settled(a);
    expect(await storedPicture(b, roomOf(b), big.asset)).toEqual({ type: "image/png", width: 2_048, height: 1_024 });
    await a.keyboard.press("Delete");
    await waitForRecords(b, `(recs) => recs.length === 0`);

    const RED = "#e03131";
    await dropSvg(a, 640, 400, `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><rect width="200" height="100" fill="${RED}"/></svg>`);
    await waitForRecords(b, hasImage);
    const drawing = (await imageOf(b))!;
    expect([drawing.w, drawing.h]).toEqual([200, 100]);
    await settled(a);
    expect(await storedPicture(b, roomOf(b), drawing.asset)).toEqual({ type: "image/png", width: 200, height: 100 });
    await waitForPixel(b, drawing.x + 100, drawing.y + 50, (p) => near(p, RED, 30));
  });

  it("picked with the toolbar's picture button, it is a placeholder on B's screen until its bytes arrive, then the picture; A moves it and B sees it moved", async () => {
    const { a, b, ctxB } = await people.twoPeople();
    // B's reads of pictures wait until released: B has the record, not yet the bytes.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await ctxB.route("**/parties/whiteboard/*/assets/*", async (route) => {
      await held;
      await route.continue();
    });
    const png = await a.evaluate(() => {
      const canvas = document.createElement("canvas");
      [canvas.width, canvas.height] = [240, 160];
      const ctx = canvas.getContext("2d")!;
      ctx.fillStyle = "#0ca678";
      ctx.fillRect(0, 0, 240, 160);
      return canvas.toDataURL("image/png").split(",")[1]!;
    });
    const [chooser] = await Promise.all([a.waitForEvent("filechooser"), a.getByRole("button", { name: "Add a picture" }).click()]);
    await chooser.setFiles({ name: "teal.png", mimeType: "image/png", buffer: Buffer.from(png, "base64") });
    await waitForRecords(b, hasImage);
    const img = (await imageOf(b))!;
    const [cx, cy] = [img.x + img.w / 2 + 7, img.y + img.h / 2 + 5];
    // The placeholder: a pale box (#dee2e6 at 35 % over the board's #f8f9fa), not the empty board, not the picture.
    await waitForPixel(b, cx, cy, (p) => near(p, "#eff1f3", 5));
    release();
    await waitForPixel(b, cx, cy, (p) => near(p, TEAL, 30));

    await settled(a);
    const [px, py] = await pagePoint(a, cx, cy);
    await drag(a, [[px, py], [px + 100, py], [px + 200, py]]);
    await waitForRecords(b, `(recs) => recs.some((r) => r.type === "image" && r.x > ${img.x + 150})`);
    const moved = (await imageOf(b))!;
    expect(moved.x - img.x).toBeCloseTo(200, 0);
    expect([moved.y, moved.w, moved.h]).toEqual([img.y, img.w, img.h]);
    await waitForPixel(b, moved.x + moved.w / 2, moved.y + moved.h / 2, (p) => near(p, TEAL, 30));
    await waitForPixel(b, img.x + 20, cy, (p) => isBackground(p) && !near(p, "#eff1f3", 5));
  });
});
