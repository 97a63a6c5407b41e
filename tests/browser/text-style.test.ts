/**
 * Text styles and sketchy shapes as people use them (Debian's Chromium through
 * playwright-core, two browser contexts against `wrangler dev`): a sticky
 * note's and a text's size, face and alignment chosen under "More styles"
 * show on the other person's canvas, in the text box while editing, after a
 * reload, and undo takes them back; a label's too; a sketchy rectangle,
 * ellipse and arrow are the same pixels on both screens and turn clean again; the exports carry the face and the
 * sketch. Every pixel check waits for the pixel.
 */
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { Shape } from "../../party/whiteboard/records.ts";
import { drag, openBoard, records, usePeople, waitForRecords, waitForStatus, PIXEL_TIMEOUT_MS } from "./board-page.ts";

const people = usePeople();
type Box = { x: number; y: number; w: number; h: number };

/** Open "More styles" (if it is not open) and pick the choice named `name`. */
async function pick(page: Page, name: string): Promise<void> {
  // Opened by the toggle's own state, retried until it shows open: a count read
  // once can be a render behind the panel (exportBoard below says how).
  const toggle = page.getByRole("button", { name: "More styles" });
  await expect
    .poll(
      async () => {
        if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
        return toggle.getAttribute("aria-expanded");
      },
      { timeout: 10_000 },
    )
    .toBe("true");
  await page.getByRole("radio", { name, exact: true }).click();
}

/** The dark (text-coloured) pixels of a world box on the board layer, after the next paint:
 * their extent in world units, and the pixels themselves as a mask. */
async function dark(page: Page, r: Box): Promise<{ count: number; minX: number; maxX: number; minY: number; maxY: number; mask: string }> {
  return page.evaluate(
    ([x, y, w, h]) =>
      new Promise((resolve) =>
        requestAnimationFrame(() =>
          requestAnimationFrame(() => {
            const hooks = window.__edgeroom!;
            const canvas = document.querySelector<HTMLCanvasElement>("[data-testid=board]")!;
            const dpr = canvas.width / canvas.clientWidth;
            const zoom = hooks.controller.getUi().zoom;
            const [sx, sy] = hooks.controller.worldToScreen(x as number, y as number);
            const left = Math.round(sx * dpr);
            const top = Math.round(sy * dpr);
            const cw = Math.round((w as number) * zoom * dpr);
            const ch = Math.round((h as number) * zoom * dpr);
            const d = canvas.getContext("2d")!.getImageData(left, top, cw, ch).data;
            let count = 0, minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
            let mask = "";
            for (let j = 0; j < ch; j++) {
              for (let i = 0; i < cw; i++) {
                const k = (j * cw + i) * 4;
                const on = d[k]! < 110 && d[k + 1]! < 110 && d[k + 2]! < 110;
                mask += on ? "1" : "0";
                if (!on) continue;
                count++;
                minX = Math.min(minX, i); maxX = Math.max(maxX, i); minY = Math.min(minY, j); maxY = Math.max(maxY, j);
              }
            }
            const k = 1 / (zoom * dpr);
            resolve({ count, minX: (x as number) + minX * k, maxX: (x as number) + (maxX + 1) * k, minY: (y as number) + minY * k, maxY: (y as number) + (maxY + 1) * k, mask });
          }),
        ),
      ),
    [r.x, r.y, r.w, r.h] as const,
  ) as Promise<{ count: number; minX: number; maxX: number; minY: number; maxY: number; mask: string }>;
}

/** Wait until the dark pixels of a world box satisfy `ok`. */
async function waitForDark(page: Page, r: Box, ok: (d: Awaited<ReturnType<typeof dark>>) => boolean): Promise<void> {
  await expect.poll(async () => ok(await dark(page, r)), { timeout: PIXEL_TIMEOUT_MS, interval: 50 }).toBe(true);
}

/** `text`'s width in world units at `size` in the CSS `family`, measured by the page. */
const measured = (page: Page, text: string, size: number, family: string) =>
  page.evaluate(([t, s, f]) => {
    const ctx = new OffscreenCanvas(1, 1).getContext("2d")!;
    ctx.font = `${s}px ${f}`;
    return ctx.measureText(t as string).width;
  }, [text, size, family] as const);

const HAND = `"Patrick Hand"`;
const SANS = `"Segoe UI", system-ui, -apple-system, "Helvetica Neue", Arial, sans-serif`;

describe("text styles", () => {
  it("a sticky note's size, hand-drawn face and alignment reach B's canvas and the text box, survive a reload, and undo takes them back", async () => {
    const { a, b } = await people.twoPeople();
    // The bundled face, Latin and Latin Extended, is loaded from the bundle itself (no font request).
    // Polled: the page waits at most 2 s for the face (canvas/fonts.ts), which a loaded machine can exceed.
    for (const page of [a, b]) {
      await expect
        .poll(() => page.evaluate(() => document.fonts.check(`20px "Patrick Hand"`) && [...document.fonts].some((f) => f.family.includes("Patrick Hand") && f.status === "loaded")), { timeout: 10_000 })
        .toBe(true);
    }

    // Latin Extended too: "Łź" is drawn in the face, not in the fallback (a monospace face here, to tell them apart).
    // (Not closer than toBeCloseTo's 0.5 at 0 digits; polled while that subset loads.)
    await expect
      .poll(async () => Math.abs((await measured(b, "ŁźŁź", 40, `"Patrick Hand", monospace`)) - (await measured(b, "ŁźŁź", 40, "monospace"))) >= 0.5, { timeout: 10_000 })
      .toBe(true);
    await a.keyboard.press("s");
    await a.mouse.click(640, 300);
    await a.waitForSelector("[data-testid=text-editor]");
    await a.keyboard.type("Hello");
    await a.keyboard.press("Escape");
    await waitForRecords(b, `(recs) => recs.length === 1 && recs[0].text === "Hello"`);
    const [n] = (await records(b)) as Extract<Shape, { type: "sticky" }>[];
    const inside = { x: n!.x + 4, y: n!.y + 4, w: n!.w - 8, h: n!.h - 8 };
    // As it was: 20 px sans, at the left.
    await waitForDark(b, inside, (d) => d.count > 0 && d.minX < n!.x + 30);

    await pick(a, "Huge text");
    await pick(a, "Hand-drawn font");
    await pick(a, "Align right");
    await waitForRecords(b, `(recs) => recs[0].fontSize === 44 && recs[0].font === "hand" && recs[0].align === "right"`);
    const handWidth = await measured(b, "Hello", 44, HAND);
    const sansWidth = await measured(b, "Hello", 44, SANS);
    expect(Math.abs(handWidth - sansWidth)).toBeGreaterThan(8); // the two faces can be told apart by width
    // On B's canvas: the word ends at the right padding, as wide as "Hello" in the hand-drawn face at 44.
    const styled = (d: Awaited<ReturnType<typeof dark>>) =>
      d.maxX > n!.x + n!.w - 14 - 6 && d.maxX <= n!.x + n!.w - 14 + 2 && Math.abs(d.maxX - d.minX - handWidth) < Math.abs(d.maxX - d.minX - sansWidth) && d.maxY - d.minY > 25;
    await waitForDark(b, inside, styled);

    // The text box shows the words as they are drawn.
    await b.mouse.dblclick(...(await b.evaluate(([x, y]) => window.__edgeroom!.controller.worldToScreen(x as number, y as number), [n!.x + 40, n!.y + 100] as const)));
    const editor = b.getByTestId("text-editor");
    await editor.waitFor();
    const css = await editor.evaluate((el) => ({ family: getComputedStyle(el).fontFamily, align: getComputedStyle(el).textAlign, size: parseFloat(getComputedStyle(el).fontSize) }));
    expect(css.family).toContain("Patrick Hand");
    expect(css.align).toBe("right");
    const zoom = await b.evaluate(() => window.__edgeroom!.controller.getUi().zoom);
    expect(css.size).toBeCloseTo(44 * zoom, 1);
    await b.keyboard.press("Escape");

    // A reload draws it the same.
    await b.reload();
    await waitForStatus(b, "live");
    await waitForDark(b, inside, styled);

    // Undo, one choice at a time: the alignment first, then the face, then the size.
    await a.keyboard.press("Control+z");
    await waitForRecords(b, `(recs) => recs[0].align === "left" && recs[0].font === "hand"`);
    await waitForDark(b, inside, (d) => d.count > 0 && d.minX < n!.x + 30);
    await a.keyboard.press("Control+z");
    await a.keyboard.press("Control+z");
    await waitForRecords(b, `(recs) => recs[0].font === "sans" && recs[0].fontSize === 20`);
    await waitForDark(b, inside, (d) => d.count > 0 && d.maxY - d.minY < 25);
  });

  it("a text's face, size and centring show on B's canvas; a new text takes the chosen style", async () => {
    const { a, b } = await people.twoPeople();
    await pick(a, "Monospace font");
    await pick(a, "Large text");
    await pick(a, "Align centre");
    await a.keyboard.press("t");
    await a.mouse.click(400, 420);
    await a.waitForSelector("[data-testid=text-editor]");
    const css = await a.getByTestId("text-editor").evaluate((el) => ({ family: getComputedStyle(el).fontFamily, align: getComputedStyle(el).textAlign }));
    expect(css.family).toContain("monospace");
    expect(css.align).toBe("center");
    await a.keyboard.type("ii\nWWWWWW");
    await a.keyboard.press("Escape");
    await waitForRecords(b, `(recs) => recs.length === 1 && recs[0].type === "text" && recs[0].font === "mono" && recs[0].size === 28 && recs[0].align === "center"`);
    const [t] = (await records(b)) as Extract<Shape, { type: "text" }>[];
    const mono = `ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace`;
    const wide = await measured(b, "WWWWWW", 28, mono);
    // The short first line sits in the middle of the long one: centred, not at the left.
    const firstLine = { x: t!.x - 2, y: t!.y, w: wide + 4, h: 28 * 1.25 };
    await waitForDark(b, firstLine, (d) => d.count > 0 && d.minX > t!.x + wide / 4 && d.maxX < t!.x + (wide * 3) / 4);
    const secondLine = { x: t!.x - 2, y: t!.y + 28 * 1.25, w: wide + 20, h: 28 * 1.25 };
    await waitForDark(b, secondLine, (d) => d.count > 0 && Math.abs(d.maxX - d.minX - wide) < 8);
  });
});

describe("on a 390 × 844 touch phone", () => {
  it("More styles with the text rows fits the screen, every choice a 40 px target, and a tap picks the face", async () => {
    const page = await openBoard(await people.person({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true }), `http://${people.host}/?test`);
    await page.getByRole("button", { name: "More styles" }).tap();
    const panel = page.getByRole("group", { name: "More styles", exact: true });
    await panel.waitFor();
    const box = (await panel.boundingBox())!;
    expect(box.x >= 0 && box.y >= 0 && box.x + box.width <= 390 && box.y + box.height <= 844).toBe(true);
    for (const row of ["Font", "Text size", "Align", "Edges"]) {
      for (const chip of await panel.getByRole("radiogroup", { name: row, exact: true }).getByRole("radio").all()) {
        const b = (await chip.boundingBox())!;
        expect({ row, inside: b.x >= 0 && b.x + b.width <= 390 && b.y >= 0 && b.y + b.height <= 844, tap: b.width >= 40 && b.height >= 40 }).toEqual({ row, inside: true, tap: true });
      }
    }
    await page.getByRole("radio", { name: "Hand-drawn font", exact: true }).tap();
    await expect.poll(() => page.getByRole("radio", { name: "Hand-drawn font", exact: true }).getAttribute("aria-checked"), { timeout: 10_000 }).toBe("true");
  });
});

describe("labels", () => {
  it("a rectangle's label in a serif face, huge and at the left, on B's canvas and in A's label box", async () => {
    const { a, b } = await people.twoPeople();
    await a.keyboard.press("r");
    await drag(a, [
      [300, 250],
      [600, 450],
    ]);
    await waitForRecords(a, `(recs) => recs.length === 1 && recs[0].type === "rect"`);
    const [r] = (await records(a)) as Extract<Shape, { type: "rect" }>[];
    const at = (x: number, y: number) => a.evaluate(([wx, wy]) => window.__edgeroom!.controller.worldToScreen(wx as number, wy as number), [x, y] as const);
    await a.mouse.dblclick(...(await at(r!.x + r!.w / 2, r!.y + r!.h / 2)));
    await a.waitForSelector("[data-testid=text-editor]");
    await a.keyboard.type("Hi");
    await a.keyboard.press("Escape");
    await waitForRecords(b, `(recs) => recs.length === 1 && recs[0].label === "Hi"`);
    const inside = { x: r!.x + 6, y: r!.y + 6, w: r!.w - 12, h: r!.h - 12 };
    // As it was: centred.
    await waitForDark(b, inside, (d) => d.count > 0 && d.minX > r!.x + r!.w / 2 - 40);

    await pick(a, "Serif font");
    await pick(a, "Huge text");
    await pick(a, "Align left");
    await waitForRecords(b, `(recs) => recs[0].font === "serif" && recs[0].fontSize === 44 && recs[0].align === "left"`);
    const serif = `Georgia, Cambria, "Times New Roman", "DejaVu Serif", serif`;
    const serifWidth = await measured(b, "Hi", 44, serif);
    // At the label's left edge (8 units in), as tall as 44-unit glyphs, as wide as "Hi" in the serif face.
    await waitForDark(b, inside, (d) => d.minX < r!.x + 8 + 8 && d.maxY - d.minY > 25 && Math.abs(d.maxX - d.minX - serifWidth) < 10);

    await a.mouse.dblclick(...(await at(r!.x + r!.w / 2, r!.y + r!.h / 2)));
    const editor = a.getByTestId("text-editor");
    await editor.waitFor();
    const css = await editor.evaluate((el) => ({ family: getComputedStyle(el).fontFamily, align: getComputedStyle(el).textAlign, size: parseFloat(getComputedStyle(el).fontSize) }));
    expect(css.family).toContain("Georgia");
    expect(css.align).toBe("left");
    expect(css.size).toBeCloseTo(44 * (await a.evaluate(() => window.__edgeroom!.controller.getUi().zoom)), 1);
    await a.keyboard.press("Escape");
  });
});

describe("sketchy shapes", () => {
  it("a sketchy rectangle, ellipse and arrow are the same pixels on both screens, and turn clean again", async () => {
    const { a, b } = await people.twoPeople();
    for (const [tool, from, to] of [["r", [400, 300], [640, 460]], ["o", [700, 300], [900, 460]], ["a", [400, 520], [900, 560]]] as const) {
      await a.keyboard.press("Escape");
      await a.keyboard.press(tool);
      await drag(a, [[...from], [...to]]);
    }
    await waitForRecords(b, `(recs) => recs.length === 3`);
    const [r] = (await records(b)).filter((s) => s.type === "rect") as Extract<Shape, { type: "rect" }>[];
    const [l] = (await records(b)).filter((s) => s.type === "line") as Extract<Shape, { type: "line" }>[];
    const around = { x: r!.x - 12, y: r!.y - 12, w: l!.x + l!.pts[1][0] - r!.x + 24, h: l!.y + l!.pts[1][1] - r!.y + 24 };
    await b.waitForFunction(() => document.querySelector("[data-testid=pending-count]")?.getAttribute("data-count") === "0");
    await waitForDark(b, around, (d) => d.count > 100);
    const clean = (await dark(b, around)).mask;

    await a.keyboard.press("Escape");
    await a.keyboard.press("Control+a");
    await expect.poll(() => a.evaluate(() => window.__edgeroom!.controller.getUi().selection.length), { timeout: 10_000 }).toBe(3);
    await pick(a, "Sketchy edges");
    await waitForRecords(b, `(recs) => recs.every((s) => s.sketchy === true)`);
    await a.keyboard.press("Escape");
    await a.keyboard.press("Escape"); // nothing selected: no outline or handles on A's board
    await waitForDark(b, around, (d) => d.count > 100 && d.mask !== clean);
    const sketchB = (await dark(b, around)).mask;
    // A draws exactly what B draws.
    await waitForDark(a, around, (d) => d.mask === sketchB);

    // Exports carry the sketch: the SVG as rough paths, and A's and B's PNGs are the same picture.
    const svg = (await exportBoard(a, /^Export SVG$/)).toString();
    expect(svg).toMatch(/<g transform="translate\([^)]+\)"><path d="M/);
    expect(svg).not.toMatch(/<rect [^>]*stroke="|<ellipse |<line |<polygon /);
    expect(svg.match(/<g transform="translate\(/g)).toHaveLength(3);
    const pngA = await exportBoard(a, /^Export PNG$/);
    const pngB = await exportBoard(b, /^Export PNG$/);
    expect(pngA.equals(pngB)).toBe(true);

    // Back to clean: the same pixels as before.
    await a.mouse.click(...(await a.evaluate(([x, y]) => window.__edgeroom!.controller.worldToScreen(x as number, y as number), [r!.x, r!.y + r!.h / 2] as const)));
    await a.keyboard.press("Control+a");
    await expect.poll(() => a.evaluate(() => window.__edgeroom!.controller.getUi().selection.length), { timeout: 10_000 }).toBe(3);
    await pick(a, "Clean edges");
    await waitForRecords(b, `(recs) => recs.every((s) => s.sketchy === false)`);
    await waitForDark(b, around, (d) => d.mask === clean);
    // One undo step brings the sketch back, the same wobble as before.
    await a.keyboard.press("Control+z");
    await waitForRecords(b, `(recs) => recs.every((s) => s.sketchy === true)`);
    await waitForDark(b, around, (d) => d.mask === sketchB);
  });
});

describe("export of text styles", () => {
  it("the SVG embeds the hand-drawn face and writes each text in its face; the PNG is painted in it", async () => {
    const { a } = await people.twoPeople();
    await pick(a, "Hand-drawn font");
    await a.keyboard.press("s");
    await a.mouse.click(640, 300);
    await a.waitForSelector("[data-testid=text-editor]");
    await a.keyboard.type("Ship it");
    await a.keyboard.press("Escape");
    await waitForRecords(a, `(recs) => recs.length === 1 && recs[0].font === "hand" && recs[0].text === "Ship it"`);
    await a.keyboard.press("Escape");
    const svg = (await exportBoard(a, /^Export SVG$/)).toString();
    expect(svg).toMatch(/@font-face\{font-family:"Patrick Hand";src:url\(data:font\/woff2;base64,[A-Za-z0-9+/=]{1000,}\)/);
    expect(svg).toMatch(/<text [^>]*font-family="&quot;Patrick Hand&quot;[^>]*>Ship it<\/text>/);

    // The PNG is painted in the face too: the same note in sans is another picture; back in the face, the same one.
    const hand = await exportBoard(a, /^Export PNG$/);
    await a.keyboard.press("Control+a");
    await pick(a, "Sans-serif font");
    await waitForRecords(a, `(recs) => recs[0].font === "sans"`);
    const sans = await exportBoard(a, /^Export PNG$/);
    expect(sans.equals(hand)).toBe(false);
    await a.keyboard.press("Control+a");
    await pick(a, "Hand-drawn font");
    await waitForRecords(a, `(recs) => recs[0].font === "hand"`);
    expect((await exportBoard(a, /^Export PNG$/)).equals(hand)).toBe(true);
  });
});

/** Export the whole board (nothing selected) from the context menu on an empty spot; the file's bytes. */
async function exportBoard(page: Page, item: RegExp): Promise<Buffer> {
  await page.keyboard.press("Escape");
  // "More styles" opens over the spot the menu is opened on: close it first.
  // Escape clears the selection, and clearing it closes the panel on the next
  // render: a toggle clicked before that render would open it again. So close
  // it by the button's own state, retrying until it stays closed.
  const more = page.getByRole("group", { name: "More styles", exact: true });
  const toggle = page.getByRole("button", { name: "More styles" });
  await expect
    .poll(
      async () => {
        if ((await toggle.getAttribute("aria-expanded")) === "true") await toggle.click();
        await page.waitForTimeout(100);
        return `${await more.count()}${await toggle.getAttribute("aria-expanded")}`;
      },
      { timeout: 10_000 },
    )
    .toBe("0false");
  await page.mouse.click(600, 650, { button: "right" });
  const menu = page.getByTestId("context-menu");
  await menu.waitFor();
  const [download] = await Promise.all([page.waitForEvent("download"), menu.getByRole("menuitem", { name: item }).click()]);
  return readFileSync((await download.path())!);
}
