/**
 * A big board all in view (issue 22 item 3): 10,000 shapes zoomed to fit are
 * drawn from the painter's bitmap cache (scene-cache.ts), found under the
 * pointer through the scene's spatial index, and still show every edit the
 * other person makes. Speed is measured by the benchmark (W5), not here.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { isBackground, near, usePeople, waitForPixel, waitForRecords } from "./board-page.ts";

const people = usePeople();

/** 100 × 100 filled grey rectangles, 40 × 24 on a 60 × 40 pitch: g0 … g9999. */
const COLUMNS = 100;
const SHAPES = 10_000;
const GREY = "#868e96";
const RED = "#e03131";
const cell = (i: number) => ({ x: (i % COLUMNS) * 60, y: Math.floor(i / COLUMNS) * 40, w: 40, h: 24 });
const centre = (i: number): [number, number] => {
  const c = cell(i);
  return [c.x + c.w / 2, c.y + c.h / 2];
};

/** Write the grid from `page`, 100 shapes a mutation, paced under the room's rate limit. */
async function writeGrid(page: Page): Promise<void> {
  await page.evaluate(
    async ({ n, columns, grey }) => {
      const { client } = window.__edgeroom!.session;
      for (let i = 0; i < n; i += 100) {
        const ops = [];
        for (let j = i; j < i + 100; j++) {
          const rec = { id: `g${j}`, type: "rect" as const, x: (j % columns) * 60, y: Math.floor(j / columns) * 40, w: 40, h: 24, z: j + 1, color: grey, stroke: 2, fill: grey };
          ops.push({ op: "put" as const, rec });
        }
        client.mutate(ops);
        await new Promise((r) => setTimeout(r, 40));
      }
    },
    { n: SHAPES, columns: COLUMNS, grey: GREY },
  );
}

describe("a board of 10,000 shapes zoomed to fit", () => {
  it("shows a known shape, repaints it when the other person recolours and deletes it, and a click on it selects it", async () => {
    const { a, b } = await people.twoPeople();
    await writeGrid(b);
    await waitForRecords(a, `(recs) => recs.length === ${SHAPES}`, 60_000);
    await a.evaluate(() => window.__edgeroom!.controller.zoomToFit());
    await expect.poll(() => a.evaluate(() => window.__edgeroom!.controller.getCamera().zoom)).toBeLessThan(0.25);

    // The shape in the middle of the board, and its neighbours, in their grey.
    const target = 50 * COLUMNS + 50;
    await waitForPixel(a, ...centre(target), (p) => near(p, GREY, 30));
    await waitForPixel(a, ...centre(target + 1), (p) => near(p, GREY, 30));

    // B recolours it: A's cached layer repaints it, and only it.
    await b.evaluate((id) => window.__edgeroom!.session.editor.apply([{ op: "patch", id, set: { color: "#e03131", fill: "#e03131" } }]), `g${target}`);
    await waitForPixel(a, ...centre(target), (p) => near(p, RED, 30));
    await waitForPixel(a, ...centre(target + 1), (p) => near(p, GREY, 30));
    await waitForPixel(a, ...centre(target - COLUMNS), (p) => near(p, GREY, 30));

    // A click on it at this zoom (a rectangle about 7 × 4 px) selects that shape, not a neighbour.
    const [sx, sy] = await a.evaluate(([x, y]) => window.__edgeroom!.controller.worldToScreen(x, y), centre(target));
    const box = (await a.locator("[data-testid=board]").boundingBox())!;
    await a.mouse.click(box.x + sx, box.y + sy);
    await expect.poll(() => a.evaluate(() => window.__edgeroom!.controller.getUi().selection)).toEqual([`g${target}`]);

    // B deletes it: the board shows through where it was, its neighbours stay.
    await b.evaluate((id) => window.__edgeroom!.session.editor.apply([{ op: "del", id }]), `g${target}`);
    await waitForPixel(a, ...centre(target), isBackground);
    await waitForPixel(a, ...centre(target + 1), (p) => near(p, GREY, 30));
  });
});
