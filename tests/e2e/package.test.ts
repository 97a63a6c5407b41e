/**
 * The engine as a package, as a developer meets it: `npm pack` the repo,
 * install the tarball into a fresh folder outside the repo next to a copy of
 * examples/checklist (an app with its own schema), type-check the app against
 * the installed package's declarations, run it on `wrangler dev`, and have two
 * RoomClients — imported from the installed package, not from the repo's
 * sources — edit the checklist and converge. The app's schema and its
 * authorize hook refuse what they should, on the server.
 *
 * Needs dist/lib (`npm run build:lib`, part of `npm run build`); installs from
 * the npm cache (`--prefer-offline`): the example's dependencies are the
 * engine's own, already in the cache after `npm ci`.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { z } from "zod";
import type * as Client from "../../client/engine/index.ts";
import { type DevServer, startDevServer } from "../support/dev-server.ts";
import { BIN, packTarball, ROOT, run, STEP_TIMEOUT_MS } from "../support/packed.ts";
import { waitFor } from "../support/wait.ts";

type Item = { id: string; text: string; done: boolean; order: number };

let dir = "";
let app = "";
let server: DevServer | null = null;
const timings: Record<string, number> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "edgeroom-package-"));
  app = join(dir, "checklist");
  const started = Date.now();
  const tarball = packTarball(dir);
  timings.pack = Date.now() - started;
  cpSync(join(ROOT, "examples/checklist"), app, { recursive: true, filter: (src) => !src.includes("node_modules") });
  timings.install = run("npm", ["install", tarball, "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], app).ms;
  server = null;
}, 4 * STEP_TIMEOUT_MS);

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (server) rmSync(server.persistDir, { recursive: true, force: true });
  console.log(`package test timings (ms): ${JSON.stringify(timings)}`);
});

describe("the packed engine in an app of its own", () => {
  it("installs only the package's files, and the app type-checks against its declarations", () => {
    const installed = join(app, "node_modules/edgeroom");
    expect(existsSync(join(installed, "dist/lib/party/engine/index.d.ts"))).toBe(true);
    expect(existsSync(join(installed, "party"))).toBe(false); // no sources: built JavaScript only
    expect(existsSync(join(installed, "client"))).toBe(false);
    expect(JSON.parse(readFileSync(join(app, "package.json"), "utf8")).dependencies.edgeroom).toMatch(/^file:.*\.tgz$/);

    const tsc = join(BIN, "tsc");
    const started = Date.now();
    run(tsc, ["-p", "tsconfig.json"], app);
    run(tsc, ["-p", "tsconfig.client.json"], app);
    // The declarations really type the app's records (not `any`): a wrong
    // field type, in a put or a patch, and an unknown patch field must be
    // errors, or these @ts-expect-error lines are themselves errors.
    writeFileSync(
      join(app, "types-probe.ts"),
      [
        'import type { RoomClient } from "edgeroom/client";',
        'import type { Item } from "./schema.ts";',
        "export function probe(client: RoomClient<Item>) {",
        "  // @ts-expect-error text is a string",
        '  client.mutate([{ op: "put", rec: { id: "x", text: 5, done: false, order: 1 } }]);',
        "  // @ts-expect-error a patch of an unknown field",
        '  client.mutate([{ op: "patch", id: "x", set: { nosuchfield: 1 } }]);',
        "  // @ts-expect-error order is a number",
        '  client.mutate([{ op: "patch", id: "x", set: { order: "x" } }]);',
        '  client.mutate([{ op: "patch", id: "x", set: { done: true, order: 2 } }]);',
        "}",
      ].join("\n"),
    );
    writeFileSync(join(app, "tsconfig.probe.json"), JSON.stringify({ extends: "./tsconfig.client.json", files: ["types-probe.ts"] }));
    run(tsc, ["-p", "tsconfig.probe.json"], app);
    timings.typecheck = Date.now() - started;
  }, 3 * STEP_TIMEOUT_MS);

  it("its declarations compile where the app does, with skipLibCheck off: a Node-only app (no DOM lib) and a Worker app, neither with partykit installed", () => {
    // partykit is an optional peer: not installed, so nothing but edgeroom/partykit may need its types.
    expect(existsSync(join(app, "node_modules/partykit"))).toBe(false);
    // A Node app as Node resolves it (NodeNext), with Node's types and no DOM:
    // the schema, the client (its IndexedDB store is in the same entry, typed
    // without IndexedDB's DOM types), the Node entry and the test kit.
    writeFileSync(
      join(app, "node-app.ts"),
      [
        'import { defineRoom, ErrorCode, type RecordOf } from "edgeroom/schema";',
        'import { IdbPendingStore, MemoryPendingStore, MemorySnapshotStore, OfflineSnapshot, RoomClient, type RoomClientOptions } from "edgeroom/client";',
        'import { MemoryKv, MemoryRoomHost, storageContract } from "edgeroom/testing";',
        'import { FilePendingStore } from "edgeroom/node";',
        'import WebSocket from "ws";',
        'import { z } from "zod";',
        "",
        'const notes = defineRoom({ party: "notes", records: z.object({ id: z.string(), body: z.string() }) });',
        "type Note = RecordOf<typeof notes>;",
        "export async function probe(): Promise<string[]> {",
        '  const host = new MemoryRoomHost(notes, "r1");',
        '  const ada = await host.join("ada");',
        '  const options: RoomClientOptions<Note> = { schema: notes, host: "127.0.0.1:1", room: "r1", name: "n", color: "#000000", WebSocket, pendingStore: new FilePendingStore(".pending-r1.json") };',
        "  void new MemoryPendingStore();",
        "  const client = new RoomClient(options);",
        "  const shown = new OfflineSnapshot(client, { store: new MemorySnapshotStore<Note>() });",
        '  client.mutate([{ op: "put", rec: { id: "a", body: "hi" } }]);',
        "  const stores = [new IdbPendingStore(\"r1\").durable, new MemoryKv() !== null, typeof storageContract === \"function\"];",
        "  return [ErrorCode.FORBIDDEN, String(shown.records().size), String(ada.inbox.length), String(stores.length)];",
        "}",
      ].join("\n"),
    );
    writeFileSync(
      join(app, "tsconfig.node-app.json"),
      JSON.stringify({
        compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: false, lib: ["ES2022"], types: ["node"] },
        files: ["node-app.ts"],
      }),
    );
    run(join(BIN, "tsc"), ["-p", "tsconfig.node-app.json"], app);
    // A Worker app: the server entry's declarations against the Workers types alone.
    writeFileSync(
      join(app, "worker-app.ts"),
      [
        'import { createRoomServer, mintToken, type RoomEnv, type RoomHooks } from "edgeroom/server";',
        'import { checklist, type Item } from "./schema.ts";',
        "",
        'const hooks: RoomHooks<Item> = { authorize: (actor, op) => actor.role === "editor" || op.op !== "del" || "read only" };',
        'const server = createRoomServer(checklist, { binding: "CHECKLIST", hooks });',
        "export const ChecklistRoom = server.DurableObject;",
        "export default {",
        "  async fetch(req, env, ctx) {",
        '    if (new URL(req.url).pathname === "/token") return new Response(await mintToken("s".repeat(32), { room: "r1", role: "editor", subject: "ada" }));',
        "    return server.worker.fetch!(req, env, ctx);",
        "  },",
        "} satisfies ExportedHandler<RoomEnv>;",
      ].join("\n"),
    );
    writeFileSync(
      join(app, "tsconfig.worker-app.json"),
      JSON.stringify({
        compilerOptions: { target: "ES2022", module: "ESNext", moduleResolution: "Bundler", strict: true, noEmit: true, allowImportingTsExtensions: true, skipLibCheck: false, lib: ["ES2022"], types: ["@cloudflare/workers-types"] },
        files: ["worker-app.ts"],
      }),
    );
    run(join(BIN, "tsc"), ["-p", "tsconfig.worker-app.json"], app);
  }, 3 * STEP_TIMEOUT_MS);

  it("runs on wrangler dev: two clients from the installed package edit the list and converge; the app's rules refuse on the server", async () => {
    let started = Date.now();
    server = await startDevServer("wrangler", { cwd: app, readyPath: "/parties/checklist/probe-ready/stats", timeoutMs: 90_000 });
    timings.wranglerReady = Date.now() - started;
    started = Date.now();

    // Through the installed package's own exports map, as Node resolves it for the app.
    const pkg = JSON.parse(readFileSync(join(app, "node_modules/edgeroom/package.json"), "utf8")) as { exports: Record<string, { default: string }> };
    const lib = (await import(pathToFileURL(join(app, "node_modules/edgeroom", pkg.exports["./client"]!.default)).href)) as typeof Client;
    const { checklist } = (await import(pathToFileURL(join(app, "schema.ts")).href)) as { checklist: Client.RoomSchema<Item> };
    expect(checklist.party).toBe("checklist");

    const connect = (name: string, schema: Client.RoomSchema<Item> = checklist) =>
      new lib.RoomClient({ schema, host: server!.host, room: "groceries", name, color: "#3366ff", WebSocket });
    const ada = connect("Ada");
    const bo = connect("Bo");
    try {
      await waitFor(() => ada.connection.status === "live" && bo.connection.status === "live", 15_000, "both clients live");
      await waitFor(() => ada.peers().size === 1 && bo.peers().size === 1, 10_000, "each sees the other");

      ada.mutate([{ op: "put", rec: { id: "milk", text: "buy milk", done: false, order: 1 } }]);
      bo.mutate([{ op: "put", rec: { id: "bread", text: "buy bread", done: false, order: 2 } }]);
      await waitFor(() => ada.records().size === 2 && bo.records().size === 2 && ada.pendingCount === 0 && bo.pendingCount === 0, 10_000, "both items everywhere");
      bo.mutate([{ op: "patch", id: "milk", set: { done: true } }]);
      ada.mutate([{ op: "patch", id: "bread", set: { text: "buy rye bread" } }]);
      await waitFor(() => ada.records().get("milk")?.done === true && bo.records().get("bread")?.text === "buy rye bread" && ada.pendingCount + bo.pendingCount === 0, 10_000, "edits converge");
      const sorted = (c: typeof ada) => [...c.records().values()].sort((a, b) => a.order - b.order);
      expect(sorted(ada)).toEqual(sorted(bo));
      expect(sorted(ada)).toEqual([
        { id: "milk", text: "buy milk", done: true, order: 1 },
        { id: "bread", text: "buy rye bread", done: false, order: 2 },
      ]);

      // The app's schema, checked by the client first…
      expect(() => ada.mutate([{ op: "put", rec: { id: "blank", text: "", done: false, order: 3 } }])).toThrow(/INVALID_MUTATION/);
      // …and by the room: a client with an outdated, looser schema is refused there.
      const loose = lib.defineRoom({ party: "checklist", records: z.object({ id: z.string() }).passthrough() as unknown as z.ZodType<Item> });
      const stale = connect("Stale", loose);
      const rejects: string[] = [];
      stale.on("reject", (r) => rejects.push(r.code));
      await waitFor(() => stale.connection.status === "live" && stale.records().size === 2, 15_000, "stale client synced");
      stale.mutate([{ op: "put", rec: { id: "huge", text: "x".repeat(500), done: "no", order: 4 } as unknown as Item }]);
      await waitFor(() => rejects.length === 1, 10_000, "the room refuses a record its schema does not accept");
      expect(rejects).toEqual([lib.ErrorCode.INVALID_MUTATION]);
      expect(stale.records().has("huge")).toBe(false); // rolled back

      // The app's authorize hook: an unfinished item may not be deleted; a done one may.
      const refused: { code: string; message: string }[] = [];
      bo.on("reject", (r) => refused.push(r));
      bo.mutate([{ op: "del", id: "bread" }]);
      await waitFor(() => refused.length === 1, 10_000, "the hook refuses");
      expect(refused[0]).toMatchObject({ code: lib.ErrorCode.FORBIDDEN, message: "tick an item off before deleting it" });
      bo.mutate([{ op: "del", id: "milk" }]);
      await waitFor(() => !ada.records().has("milk") && bo.pendingCount === 0, 10_000, "a done item is deleted everywhere");
      expect([...ada.records().keys()]).toEqual(["bread"]);
      expect([...bo.records().keys()]).toEqual(["bread"]);
      expect(stale.records().has("bread")).toBe(true);
      stale.close();
    } finally {
      ada.close();
      bo.close();
    }
    timings.clients = Date.now() - started;
  }, 150_000);
});
