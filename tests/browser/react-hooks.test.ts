/**
 * `edgeroom/react` in a real browser (issue 20 item 3): two people, each in a
 * Chromium page of their own, on one room of the engine's own Worker
 * (tests/workerd/worker.ts on `wrangler dev`). The page (react-page.ts) reads
 * the room only through the package's provider and hooks; what is asserted is
 * what each person sees on the page: connected, the other person listed, a card
 * one adds appearing for the other, a vote through the mutation helper coming
 * back, the other's live view, and someone who leaves marked or gone — never
 * listed as if still here.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageAliases } from "../../vite.config.ts";
import { type DevServer, startDevServer } from "../support/dev-server.ts";
import { launchChromium } from "./chromium.ts";

const ROOT = resolve(import.meta.dirname, "../..");

let server: DevServer;
let browser: Browser;
/** Serves the page on loopback too: Chromium keeps a page that did not come
 * from a local address from opening sockets to one (local network access). */
let pages: Server;
let pagesUrl = "";

beforeAll(async () => {
  const [built] = await Promise.all([
    build({
      configFile: false,
      logLevel: "warn",
      resolve: { alias: packageAliases() },
      define: { "process.env.NODE_ENV": JSON.stringify("development") },
      build: { write: false, minify: false, lib: { entry: resolve(import.meta.dirname, "react-page.ts"), formats: ["iife"], name: "reactPage" } },
    }),
    startDevServer("wrangler", { config: resolve(ROOT, "tests/workerd/wrangler.toml"), readyPath: "/parties/cards/probe-ready/stats" }).then((s) => (server = s)),
    launchChromium().then((b) => (browser = b)),
  ]);
  const outputs = (Array.isArray(built) ? built : [built]) as { output: { type: string; code?: string }[] }[];
  const bundle = outputs[0]!.output.find((o) => o.type === "chunk")!.code!;
  pages = createServer((req, res) => {
    if (req.url === "/page.js") res.writeHead(200, { "Content-Type": "text/javascript; charset=utf-8" }).end(bundle);
    else res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end('<!doctype html><div id="root"></div><script src="/page.js"></script>');
  });
  await new Promise<void>((r) => pages.listen(0, "127.0.0.1", r));
  pagesUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  pages?.close();
});

/** A person on `room`: a page of their own (its own browser context: no shared tabs or storage). */
async function person(name: string, room: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(pagesUrl);
  await page.evaluate((opts) => window.startRoom(opts), { host: server.host, room, name });
  return page;
}

const text = (page: Page, label: string) => page.getByRole("list", { name: label }).innerText();

describe("edgeroom/react in Chromium", () => {
  it("two people: provider, records, peers, live state and the mutation helper render and update on both pages", async () => {
    const room = `hooks-${Date.now().toString(36)}`;
    const ada = await person("Ada", room);
    const bo = await person("Bo", room);
    try {
      await expect.poll(() => ada.getByTestId("status").innerText(), { timeout: 20_000 }).toBe("live · Ada · 0 unsaved");
      await expect.poll(() => bo.getByTestId("status").innerText(), { timeout: 20_000 }).toBe("live · Bo · 0 unsaved");
      await expect.poll(() => text(ada, "people"), { timeout: 10_000 }).toBe("Bo");
      await expect.poll(() => text(bo, "people"), { timeout: 10_000 }).toBe("Ada");
      await expect.poll(() => ada.getByTestId("counts").innerText(), { timeout: 10_000 }).toBe("1 here · 0 sharing a view");

      // Ada adds a card through useMutation; both pages list it (useRecords).
      await ada.getByRole("button", { name: "Add" }).click();
      await expect.poll(() => text(bo, "cards"), { timeout: 10_000 }).toBe("hello: 0");
      await expect.poll(() => text(ada, "cards"), { timeout: 10_000 }).toBe("hello: 0");
      // Bo votes; Ada's page shows it, and both settle with nothing unsaved.
      await bo.getByRole("button", { name: "Vote" }).click();
      await expect.poll(() => text(ada, "cards"), { timeout: 10_000 }).toBe("hello: 1");
      await expect.poll(() => bo.getByTestId("status").innerText(), { timeout: 10_000 }).toBe("live · Bo · 0 unsaved");

      // Bo's live view (setLive) reaches Ada's page through useOthers and useLive.
      await bo.getByRole("button", { name: "Zoom in" }).click();
      await expect.poll(() => text(ada, "people"), { timeout: 10_000 }).toBe("Bo @2x");
      await expect.poll(() => ada.getByTestId("counts").innerText(), { timeout: 10_000 }).toBe("1 here · 1 sharing a view");

      // Bo leaves: on Ada's page Bo is marked as gone, then not listed — never listed as here.
      await bo.context().close();
      await expect.poll(() => text(ada, "people"), { timeout: 10_000 }).toMatch(/^(Bo \(left\))?$/);
      await expect.poll(() => ada.getByTestId("counts").innerText(), { timeout: 10_000 }).toMatch(/ · 0 sharing a view$/);
      await expect.poll(() => text(ada, "people"), { timeout: 30_000 }).toBe("");
    } finally {
      await ada.context().close();
      await bo.context().close().catch(() => {});
    }
  });
});
