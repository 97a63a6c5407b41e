/**
 * Multiplayer feel, as a person sees it: B sees A's stroke while A is still
 * drawing it (a live draft, never in the op log), and it becomes the real
 * record without a double; B follows A's view as A pans, until B moves; A's
 * laser trail shows on B's screen and fades, never stored.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { inkInWorldRect, near, PIXEL_TIMEOUT_MS, pixelAtWorld, records, screenshot, usePeople } from "./board-page.ts";

const RED = "#e03131";

const { twoPeople } = usePeople();

/** World coordinates of a screen point on `page`. */
const worldAt = (page: Page, sx: number, sy: number) =>
  page.evaluate(([x, y]) => {
    const v = window.__edgeroom!.controller.view();
    const c = document.querySelector<HTMLCanvasElement>("[data-testid=board]")!;
    return [v.x + (x! - c.clientWidth / 2) / v.zoom, v.y + (y! - c.clientHeight / 2) / v.zoom] as [number, number];
  }, [sx, sy]);

describe("live drafts", () => {
  it("B's canvas shows A's stroke before A lets go; on release it is one record", async () => {
    const { a, b } = await twoPeople();
    await a.getByRole("radio", { name: "Red", exact: true }).click();
    await a.keyboard.press("p");
    await a.mouse.move(400, 300);
    await a.mouse.down();
    for (const [x, y] of [
      [450, 310],
      [500, 320],
      [560, 330],
      [620, 340],
    ] as const) await a.mouse.move(x, y, { steps: 4 });
    // Still drawing: nothing committed, but B sees ink along the way.
    const [wx, wy] = await worldAt(a, 500, 320);
    await expect.poll(async () => near(await pixelAtWorld(b, wx, wy, "cursor-layer"), RED, 60), { timeout: PIXEL_TIMEOUT_MS }).toBe(true);
    expect(await records(b)).toHaveLength(0);
    await screenshot(b, "live-draft-B");
    await a.mouse.up();
    await expect.poll(async () => (await records(b)).length, { timeout: 10_000 }).toBe(1);
    // The draft is gone from B's overlay; the record is on B's board.
    await expect.poll(async () => near(await pixelAtWorld(b, wx, wy, "board"), RED, 60), { timeout: PIXEL_TIMEOUT_MS }).toBe(true);
    await expect.poll(async () => (await pixelAtWorld(b, wx, wy, "cursor-layer"))[3], { timeout: PIXEL_TIMEOUT_MS }).toBe(0);
  });
});

describe("follow mode", () => {
  it("B follows A's view while A pans, shows whom it follows, and stops when B moves", async () => {
    const { a, b } = await twoPeople();
    await b.getByRole("button", { name: /Follow .*'s view/ }).first().click();
    await b.getByTestId("following").waitFor();
    expect(await b.getByTestId("following").textContent()).toMatch(/^Following /);
    // A pans with the hand tool.
    await a.keyboard.press("h");
    await a.mouse.move(700, 400);
    await a.mouse.down();
    await a.mouse.move(400, 250, { steps: 10 });
    await a.mouse.up();
    const aView = await a.evaluate(() => window.__edgeroom!.controller.view());
    expect(Math.abs(aView.x) + Math.abs(aView.y)).toBeGreaterThan(100);
    await expect
      .poll(async () => {
        const v = await b.evaluate(() => window.__edgeroom!.controller.view());
        return Math.abs(v.x - aView.x) < 1 && Math.abs(v.y - aView.y) < 1 && v.zoom === aView.zoom;
      }, { timeout: 10_000 })
      .toBe(true);
    await screenshot(b, "follow-B");
    // B zooms: following stops, and A's next pan no longer moves B.
    await b.getByRole("button", { name: "Zoom in (+)" }).click();
    await b.getByTestId("following").waitFor({ state: "hidden" });
    const bView = await b.evaluate(() => window.__edgeroom!.controller.view());
    await a.mouse.move(700, 400);
    await a.mouse.down();
    await a.mouse.move(500, 400, { steps: 5 });
    await a.mouse.up();
    // A barrier, not a sleep: B has received A's new view (live state)…
    const aPanned = await a.evaluate(() => window.__edgeroom!.controller.view());
    await expect
      .poll(
        () =>
          b.evaluate(
            ([x, y]) => [...window.__edgeroom!.session.client.live().values()].some((keys) => {
              const v = keys.get("view") as { x: number; y: number } | undefined;
              return v !== undefined && Math.abs(v.x - x!) < 1 && Math.abs(v.y - y!) < 1;
            }),
            [aPanned.x, aPanned.y],
          ),
        { timeout: 10_000 },
      )
      .toBe(true);
    // …and did not follow it.
    expect(await b.evaluate(() => window.__edgeroom!.controller.view())).toEqual(bView);
  });
});

describe("laser pointer", () => {
  it("A's laser trail shows on B's screen and fades away; nothing is stored", async () => {
    const { a, b } = await twoPeople();
    await a.keyboard.press("k");
    await a.mouse.move(400, 400);
    await a.mouse.down();
    const sweep = async () => {
      for (let i = 1; i <= 8; i++) await a.mouse.move(400 + i * 40, 400 + (i % 2) * 20, { steps: 2 });
    };
    await sweep();
    const [x0, y0] = await worldAt(a, 380, 370);
    const [x1, y1] = await worldAt(a, 740, 440);
    const area = { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
    // The trail fades LASER_FADE_MS (1 s) after each point, button held or not:
    // on a loaded machine B may first paint it later than that. So A keeps
    // sweeping, as a presenter pointing at something does, until B shows it.
    let swept = false;
    await expect
      .poll(
        async () => {
          if (swept) await sweep();
          swept = true;
          return inkInWorldRect(b, area, "cursor-layer");
        },
        { timeout: PIXEL_TIMEOUT_MS },
      )
      .toBeGreaterThan(100);
    await screenshot(b, "laser-B");
    await a.mouse.up();
    await a.mouse.move(1000, 150); // A's cursor (drawn on the same layer) out of the way
    // A second later it has faded on both screens, and it never was a record.
    await expect.poll(() => inkInWorldRect(b, area, "cursor-layer"), { timeout: PIXEL_TIMEOUT_MS }).toBeLessThan(5);
    await expect.poll(() => inkInWorldRect(a, area, "cursor-layer"), { timeout: PIXEL_TIMEOUT_MS }).toBeLessThan(5);
    expect(await records(a)).toHaveLength(0);
    expect(await records(b)).toHaveLength(0);
  });
});
