/**
 * `npm run screenshots`: the README's pictures of the product, taken from the
 * real thing — the built client on `wrangler dev`, Debian's Chromium — by
 * people drawing through the UI (keys, clicks, drags), never by writing
 * records. Writes docs/images/*.png; not part of `npm test` (the pictures are
 * committed, and a test run must not rewrite them).
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { startDevServer } from "../support/dev-server.ts";
import { boardMenu, drag, openBoard, VIEWPORT, waitForRecords } from "./board-page.ts";
import { launchChromium } from "./chromium.ts";

const OUT = resolve(import.meta.dirname, "../../docs/images");
/** Sharper than 1× on high-density screens, yet small enough to commit (≈ 100–400 kB a picture). */
const SCALE = 1.5;
/** Long enough for the 100 ms cursor interpolation delay and a paint. */
const SETTLE_MS = 600;

async function personAs(browser: Browser, name: string, color: string, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: SCALE, ...options });
  await ctx.addInitScript(
    ([n, c]) => {
      localStorage.setItem("edgeroom:name", n!);
      localStorage.setItem("edgeroom:color", c!);
    },
    [name, color],
  );
  return ctx;
}

async function pick(page: Page, label: string): Promise<void> {
  await page.getByRole("radio", { name: label, exact: true }).click();
}

async function sticky(page: Page, x: number, y: number, text: string): Promise<void> {
  await page.keyboard.press("s");
  await page.mouse.click(x, y);
  await page.waitForSelector("[data-testid=text-editor]");
  await page.keyboard.type(text);
  await page.keyboard.press("Escape"); // finish writing
  await page.keyboard.press("Escape"); // deselect, or the next colour picked would recolour it
}

async function text(page: Page, x: number, y: number, value: string): Promise<void> {
  await page.keyboard.press("t");
  await page.mouse.click(x, y);
  await page.waitForSelector("[data-testid=text-editor]");
  await page.keyboard.type(value);
  await page.keyboard.press("Escape");
  await page.keyboard.press("Escape");
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(SETTLE_MS);
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path });
  console.log(`wrote ${path}`);
}

/** Drop a picture on the board at client point (x, y), as a person drags a
 * file in from their desktop: a still of the demo video (drawn in the page,
 * so the repository holds no picture but the README's own). */
async function dropStill(page: Page, x: number, y: number): Promise<void> {
  await page.evaluate(
    async ([x, y]) => {
      const [w, h] = [360, 225];
      const canvas = document.createElement("canvas");
      canvas.width = w;
      canvas.height = h;
      const g = canvas.getContext("2d")!;
      const sky = g.createLinearGradient(0, 0, 0, h);
      sky.addColorStop(0, "#74c0fc");
      sky.addColorStop(1, "#d0ebff");
      g.fillStyle = sky;
      g.fillRect(0, 0, w, h);
      g.fillStyle = "#2f9e44";
      g.beginPath();
      g.moveTo(0, h);
      g.bezierCurveTo(w * 0.3, h * 0.55, w * 0.6, h * 0.9, w, h * 0.6);
      g.lineTo(w, h);
      g.fill();
      g.fillStyle = "#ffd43b";
      g.beginPath();
      g.arc(w * 0.8, h * 0.25, 26, 0, Math.PI * 2);
      g.fill();
      // A play button in the middle, as a video's still shows.
      g.fillStyle = "rgba(0, 0, 0, 0.55)";
      g.beginPath();
      g.arc(w / 2, h / 2, 34, 0, Math.PI * 2);
      g.fill();
      g.fillStyle = "#fff";
      g.beginPath();
      g.moveTo(w / 2 - 14, h / 2 - 22);
      g.lineTo(w / 2 + 24, h / 2);
      g.lineTo(w / 2 - 14, h / 2 + 22);
      g.fill();
      const blob = await new Promise<Blob>((r) => canvas.toBlob((b) => r(b!), "image/png"));
      const dt = new DataTransfer();
      dt.items.add(new File([blob], "demo-still.png", { type: "image/png" }));
      for (const type of ["dragenter", "dragover", "drop"]) {
        window.dispatchEvent(new DragEvent(type, { dataTransfer: dt, clientX: x!, clientY: y!, bubbles: true, cancelable: true }));
      }
    },
    [x, y],
  );
}

/** A wobbly hand-drawn loop around (cx, cy). */
function loop(cx: number, cy: number, rx: number, ry: number): [number, number][] {
  const pts: [number, number][] = [];
  for (let i = 0; i <= 28; i++) {
    const a = (i / 26) * Math.PI * 2 - 0.4;
    const wobble = 1 + 0.04 * Math.sin(i * 1.7);
    pts.push([Math.round(cx + Math.cos(a) * rx * wobble), Math.round(cy + Math.sin(a) * ry * wobble)]);
  }
  return pts;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const browser = await launchChromium();
  const server = await startDevServer("wrangler");
  try {
    const base = `http://${server.host}`;
    // Ada on a light screen, Grace on a dark one, in the same room.
    const ada = await openBoard(await personAs(browser, "Ada", "#1971c2", { colorScheme: "light" }), `${base}/?test`);
    const link = ada.url();
    const grace = await openBoard(await personAs(browser, "Grace", "#e8590c", { colorScheme: "dark" }), link);

    // Ada: a title, three notes (centred where she clicks), arrows from note to
    // note (dropped on them, so they stay attached).
    await pick(ada, "Thick stroke");
    await text(ada, 150, 90, "Launch plan");
    await pick(ada, "Medium stroke");
    await sticky(ada, 250, 260, "Write the\nannouncement");
    await pick(ada, "Green");
    await sticky(ada, 590, 260, "Record the\ndemo video");
    await pick(ada, "Blue");
    await sticky(ada, 930, 260, "Ship it\non Friday");
    await pick(ada, "Black");
    for (const [from, to] of [
      [300, 560],
      [640, 900],
    ] as const) {
      await ada.keyboard.press("a");
      await drag(ada, [
        [from, 260],
        [to, 260],
      ]);
      await ada.keyboard.press("Escape");
    }

    await waitForRecords(ada, `(recs) => recs.filter((r) => r.type === "line").length === 2`);
    // A frame around the three notes (F, dragged out), named by a double-click on its name.
    await ada.keyboard.press("f");
    await drag(ada, [
      [110, 150],
      [1100, 385],
    ]);
    await ada.keyboard.press("Escape");
    await ada.mouse.dblclick(140, 138);
    const frameName = ada.getByRole("textbox", { name: "Frame name" });
    await frameName.waitFor();
    await frameName.fill("Launch week");
    await frameName.press("Enter");
    await waitForRecords(ada, `(recs) => recs.some((r) => r.type === "frame" && r.name === "Launch week")`);
    // A still of the demo video, dropped from her desktop (360 × 225), with a
    // caption under it; the two grouped (a marquee round both, Ctrl+G).
    await dropStill(ada, 340, 545);
    await waitForRecords(ada, `(recs) => recs.some((r) => r.type === "image")`);
    await ada.keyboard.press("Escape");
    await text(ada, 170, 672, "Demo video, first cut");
    await drag(ada, [
      [125, 410],
      [560, 735],
    ]);
    await ada.keyboard.press("Control+g");
    await waitForRecords(ada, `(recs) => recs.filter((r) => r.groups?.length).length === 2`);
    await ada.keyboard.press("Escape");
    await ada.waitForFunction(() => window.__edgeroom!.session.client.pendingCount === 0);
    const beforeGrace = await ada.evaluate(() => window.__edgeroom!.session.client.seq);

    // Grace: circles the deadline in red and writes a question inside a box of her own.
    await pick(grace, "Red");
    await grace.keyboard.press("p");
    await drag(grace, loop(930, 262, 150, 140), 2);
    await grace.keyboard.press("Escape");
    await pick(grace, "Violet");
    await grace.keyboard.press("r");
    await drag(grace, [
      [570, 520],
      [970, 640],
    ]);
    await grace.mouse.dblclick(770, 580);
    await grace.waitForSelector("[data-testid=text-editor]");
    await grace.keyboard.type("Who reviews the copy?");
    await grace.keyboard.press("Escape");
    await grace.keyboard.press("Escape");
    await waitForRecords(ada, `(recs) => recs.filter((r) => r.type === "sticky").length === 3 && recs.some((r) => r.type === "pen") && recs.some((r) => r.type === "rect" && r.label)`);
    await waitForRecords(grace, `(recs) => recs.filter((r) => r.type === "line" && r.start && r.end).length === 2 && recs.some((r) => r.type === "image")`);

    // Both pointers on the board, so each screen shows the other's cursor;
    // Ada has selected the picture's group (its arrange bar beside the tools).
    await ada.keyboard.press("v");
    await grace.keyboard.press("v");
    await ada.mouse.click(340, 545);
    await ada.mouse.move(640, 420, { steps: 8 });
    await grace.mouse.move(1080, 430, { steps: 8 });
    await ada.mouse.move(650, 430, { steps: 4 });
    await grace.mouse.move(1090, 440, { steps: 4 });
    await shoot(ada, "board-two-people");
    await grace.mouse.move(1095, 445, { steps: 4 });
    await ada.mouse.move(655, 435, { steps: 4 });
    await shoot(grace, "dark-theme");

    // Linus on a phone joins the same board and fits it to his screen.
    const phone = await openBoard(
      await personAs(browser, "Linus", "#099268", { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 }),
      link,
    );
    await waitForRecords(phone, `(recs) => recs.length >= 8`);
    // The whole plan in the gap between the two rails (x 58–332), the others' pointers off the notes and the picture.
    await ada.mouse.move(500, 410, { steps: 4 });
    await grace.mouse.move(1110, 130, { steps: 4 });
    await phone.evaluate(() => {
      const zoom = 0.25;
      window.__edgeroom!.controller.setCamera({ zoom, x: 632 - 195 / zoom, y: 380 - 400 / zoom });
    });
    await shoot(phone, "phone");
    await phone.getByRole("button", { name: /^People/ }).tap();
    await shoot(phone, "phone-people");

    // The shortcut sheet, over Ada's board.
    await ada.keyboard.press("?");
    await ada.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
    await shoot(ada, "shortcut-sheet");

    // The history panel: Ada previews the board as it was before Grace's additions.
    await ada.keyboard.press("Escape");
    await boardMenu(ada, "History…");
    await ada.locator(`[data-testid=timeline-entry][data-seq="${beforeGrace}"]`).click();
    await ada.getByTestId("preview-bar").waitFor();
    await ada.mouse.move(640, 700);
    await shoot(ada, "history-preview");
    await ada.getByTestId("back-to-live").click();

    // A link cut short in a chat message.
    const bad = await (await browser.newContext({ viewport: { width: 1000, height: 620 }, deviceScaleFactor: SCALE })).newPage();
    await bad.goto(`${base}/r/bad!id`);
    await bad.getByRole("heading", { name: "This link is not a valid board" }).waitFor();
    await shoot(bad, "invalid-link");
  } finally {
    await browser.close();
    await server.stop();
  }
}

await main();
