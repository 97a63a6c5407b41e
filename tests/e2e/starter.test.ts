/**
 * examples/starter as a developer gets it (issue 20 item 8): copied out of
 * the repo, the packed package installed in place of `file:../..`, then its
 * own commands — `npm test` (type-check of the Worker, the page and the
 * tests, then its tests on edgeroom/testing) and `npm run dev` — and a first
 * sync on that dev server: two people log in through its /login route, one
 * writes a note, the other sees it and may not delete it; a socket without a
 * token is refused with the close code for it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type * as Client from "../../client/engine/index.ts";
import { freePort } from "../support/dev-server.ts";
import { packTarball, ROOT, run, STEP_TIMEOUT_MS } from "../support/packed.ts";
import { waitFor } from "../support/wait.ts";

type Note = { id: string; text: string; author: string; at: number };

let dir = "";
let app = "";
let dev: ChildProcess | null = null;
let devOut = "";
const timings: Record<string, number> = {};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "edgeroom-starter-"));
  app = join(dir, "starter");
  const tarball = packTarball(dir);
  cpSync(join(ROOT, "examples/starter"), app, { recursive: true, filter: (src) => !/node_modules|[/\\](dist|\.wrangler|\.dev\.vars)$/.test(src) });
  const started = Date.now();
  // As its README says, copied out of the repo: the tarball in place of file:../..
  run("npm", ["install", tarball, "--prefer-offline", "--no-audit", "--no-fund"], app);
  timings.install = Date.now() - started;
}, 3 * STEP_TIMEOUT_MS);

afterAll(async () => {
  if (dev?.pid !== undefined && dev.exitCode === null) {
    const exited = new Promise((r) => dev!.once("exit", r));
    process.kill(-dev.pid, "SIGTERM");
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  console.log(`starter test timings (ms): ${JSON.stringify(timings)}`);
});

describe("examples/starter, copied and installed from the packed package", () => {
  it("npm test: its three tsconfigs type-check (skipLibCheck off) and its tests pass", () => {
    expect(JSON.parse(readFileSync(join(app, "package.json"), "utf8")).dependencies.edgeroom).toMatch(/^file:.*\.tgz$/);
    const started = Date.now();
    // Three type-checks and a vitest run: minutes when the machine is shared.
    const { out } = run("npm", ["test"], app, 3 * STEP_TIMEOUT_MS);
    timings.test = Date.now() - started;
    expect(out.replace(/\x1b\[[0-9;]*m/g, "")).toMatch(/Tests\s+4 passed \(4\)/); // its 4 tests, colours aside
  }, 4 * STEP_TIMEOUT_MS);

  it("npm run dev serves the page and the rooms on one port; two people log in and sync; the rules hold", async () => {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    let started = Date.now();
    dev = spawn("npm", ["run", "dev", "--", "--port", String(port), "--strictPort"], { cwd: app, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } });
    dev.stdout!.on("data", (d) => (devOut += d));
    dev.stderr!.on("data", (d) => (devOut += d));
    const deadline = Date.now() + 120_000;
    for (let page = ""; !page.includes('<div id="root">'); await new Promise((r) => setTimeout(r, 250))) {
      if (dev.exitCode !== null || Date.now() > deadline) throw new Error(`npm run dev did not serve the page:\n${devOut}`);
      page = await fetch(`http://${host}/`).then((r) => r.text(), () => "");
    }
    timings.devReady = Date.now() - started;
    started = Date.now();
    expect(existsSync(join(app, ".dev.vars"))).toBe(true); // made by predev: tokens are checked

    const lib = (await import(pathToFileURL(join(app, "node_modules/edgeroom/dist/lib/client/engine/index.js")).href)) as typeof Client;
    const { notes } = (await import(pathToFileURL(join(app, "schema.ts")).href)) as { notes: Client.RoomSchema<Note> };
    const login = async (name: string) => {
      const res = await fetch(`http://${host}/login`, { method: "POST", body: JSON.stringify({ name, room: "r1" }) });
      expect(res.status).toBe(200);
      return ((await res.json()) as { token: string }).token;
    };
    const person = (name: string) => new lib.RoomClient({ schema: notes, host, room: "r1", name, color: "#3366ff", WebSocket, getToken: () => login(name) });
    const ada = person("ada");
    const bo = person("bo");
    try {
      await waitFor(() => ada.connection.status === "live" && bo.connection.status === "live" && ada.peers().size === 1, 30_000, "both live, each seeing the other");
      ada.mutate([{ op: "put", rec: { id: "n1", text: "hello from ada", author: "ada", at: 1 } }]);
      await waitFor(() => bo.records().get("n1")?.text === "hello from ada" && ada.pendingCount === 0, 10_000, "bo sees ada's note");
      const refused: string[] = [];
      bo.on("reject", (r) => refused.push(`${r.code}: ${r.message}`));
      bo.mutate([{ op: "del", id: "n1" }]);
      await waitFor(() => refused.length === 1, 10_000, "the room refuses bo's delete");
      expect(refused).toEqual(["FORBIDDEN: only its author may change a note"]);
      expect(bo.records().has("n1")).toBe(true); // rolled back
    } finally {
      ada.close();
      bo.close();
    }
    // Without a token the room is not reached: the edge answers with a typed error and the close code for it.
    const refusal = await new Promise<{ frame: string; code: number }>((resolve) => {
      const ws = new WebSocket(`ws://${host}/parties/notes/r1`);
      let frame = "";
      ws.on("message", (data) => (frame ||= String(data)));
      ws.on("close", (code) => resolve({ frame, code }));
    });
    expect(refusal.code).toBe(lib.CloseCode.UNAUTHORIZED);
    expect(JSON.parse(refusal.frame)).toMatchObject({ type: "error", code: lib.ErrorCode.UNAUTHORIZED });
    timings.sync = Date.now() - started;
  }, 3 * STEP_TIMEOUT_MS);
});
