/**
 * The style panel as people see it: it shows the selection's style (not just
 * the style for new shapes), and fill, opacity and dash chosen under "More
 * styles" change the selected shape on the other person's canvas. Sticky
 * notes grow with their text. Two browser contexts, Debian's Chromium,
 * against `wrangler dev`.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { Shape } from "../../party/whiteboard/records.ts";
import { drag, near, openBoard, records, screenshot, usePeople, VIEWPORT, waitForPixel, waitForRecords } from "./board-page.ts";

const RED = "#e03131";

const people = usePeople();
const { twoPeople } = people;

const checked = (page: Page, group: string, name: string) =>
  page.getByRole("radiogroup", { name: group, exact: true }).getByRole("radio", { name, exact: true }).getAttribute("aria-checked");

describe("style panel", () => {
  it(`More styles at ${VIEWPORT.width} px: a compact panel above the style bar, closed by drawing on the board or by clearing the selection`, async () => {
    const a = await openBoard(await people.person(), `http://${people.host}/?test`);
    const more = a.getByRole("group", { name: "More styles", exact: true });
    await a.getByRole("button", { name: "More styles" }).click();
    const box = (await more.boundingBox())!;
    const bar = (await a.getByRole("toolbar", { name: "Style", exact: true }).boundingBox())!;
    // Not stretched between the top and the bottom of the window (it was 276×628 here).
    expect(box.height).toBeLessThan(200);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(bar.y);
    // A pen stroke over the board — where the stretched panel used to be — draws, and closes the panel.
    await a.keyboard.press("p");
    await drag(a, [
      [600, 300],
      [700, 380],
    ]);
    await waitForRecords(a, `(recs) => recs.length === 1 && recs[0].type === "pen"`);
    await expect.poll(() => more.count(), { timeout: 10_000 }).toBe(0);
    // Opened for a selection, it closes when the selection is cleared.
    await a.keyboard.press("v");
    await a.keyboard.press("Control+a");
    await a.getByRole("button", { name: "More styles" }).click();
    await expect.poll(() => more.count(), { timeout: 10_000 }).toBe(1);
    await a.keyboard.press("Escape");
    await expect.poll(() => more.count(), { timeout: 10_000 }).toBe(0);
  });

  it("shows the selection's colour; fill, opacity and dash change it on B's canvas", async () => {
    const { a, b } = await twoPeople();
    await a.getByRole("radio", { name: "Red", exact: true }).click();
    await a.keyboard.press("r");
    await drag(a, [
      [300, 250],
      [500, 400],
    ]);
    await a.keyboard.press("Escape");
    await a.getByRole("radio", { name: "Blue", exact: true }).click(); // new shapes: blue
    await expect.poll(() => checked(a, "Colour", "Blue"), { timeout: 10_000 }).toBe("true");
    await a.mouse.click(300, 320); // select the red rectangle by its edge
    await expect.poll(() => checked(a, "Colour", "Red"), { timeout: 10_000 }).toBe("true");
    expect(await checked(a, "Colour", "Blue")).toBe("false");

    await a.getByRole("button", { name: "More styles" }).click();
    await a.getByRole("radio", { name: "Solid fill" }).click();
    await a.getByRole("radio", { name: "30%" }).click();
    await a.getByRole("radio", { name: "Dashed line" }).click();
    await screenshot(a, "style-more-A");
    await waitForRecords(b, `(recs) => recs.length === 1 && recs[0].opacity === 0.3 && recs[0].dash === "dashed" && recs[0].fill === ${JSON.stringify(RED)}`);
    const [r] = (await records(b)) as Extract<Shape, { type: "rect" }>[];
    expect(r!.color).toBe(RED); // still red: Blue was for new shapes
    // B's canvas: the inside is red at 30% over the light board.
    await b.waitForFunction(() => document.querySelector("[data-testid=pending-count]")?.getAttribute("data-count") === "0");
    await waitForPixel(b, r!.x + r!.w / 2, r!.y + r!.h / 2, (p) => near(p, "#f1bdbe", 16));
    // The panel shows the choices for the selection.
    expect(await checked(a, "Opacity", "30%")).toBe("true");
    expect(await checked(a, "Line style", "Dashed line")).toBe("true");
    // One undo step per choice: undoing the dash leaves the fill.
    await a.keyboard.press("Control+z");
    await waitForRecords(b, `(recs) => recs[0].dash !== "dashed" && recs[0].opacity === 0.3`);
  });

  it("a sticky note grows with its text on B's board instead of cutting it off", async () => {
    const { a, b } = await twoPeople();
    await a.keyboard.press("s");
    await a.mouse.click(640, 300);
    await a.waitForSelector("[data-testid=text-editor]");
    const lines = Array.from({ length: 14 }, (_, i) => `line ${i + 1}`);
    await a.keyboard.type(lines.join("\n"));
    await a.keyboard.press("Escape");
    await waitForRecords(b, `(recs) => recs.length === 1 && recs[0].text.endsWith("line 14")`);
    const [n] = (await records(b)) as Extract<Shape, { type: "sticky" }>[];
    expect(n!.h).toBeGreaterThan(n!.w); // taller than the square it started as
    // The last line is on B's canvas: ink inside the note near its bottom, on the paper.
    await waitForPixel(b, n!.x + n!.w - 6, n!.y + n!.h - 6, (p) => near(p, n!.fill, 20));
    await screenshot(b, "sticky-grown-B");
  });
});
