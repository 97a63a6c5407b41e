import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { packageAliases } from "./vite.config.ts";

/** The whiteboard imports the engine as `edgeroom/*` (vite.config.ts): every project resolves those. */
const resolve = { alias: packageAliases() };

// Tiers, one command: plain-Node units of the engine (room core, client
// library, fuzz) and of the whiteboard, workerd integration through the Workers
// vitest integration (the engine's own Worker), and end-to-end runs against
// real `wrangler dev` / `partykit dev` servers and a real browser.
export default defineConfig({
  test: {
    // The rooms log one JSON line per event; show output only for failing tests.
    silent: "passed-only",
    projects: [
      // The engine's units, on its own test schema (tests/support/cards.ts).
      // No unit test asserts a duration (speed is the bench's), so the timeout
      // only has to outlast a loaded machine: 20 s, not vitest's 5 s (a 1 s
      // brute-force check took 5.4 s at load 10).
      { resolve, test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node", testTimeout: 20_000 } },
      // The whiteboard's units (board input, labels, clipboard, undo, export, its docs…).
      { resolve, test: { name: "whiteboard", include: ["tests/whiteboard/**/*.test.ts"], environment: "node", testTimeout: 20_000 } },
      {
        // The engine's own Worker (tests/workerd/worker.ts), not the whiteboard's;
        // rooms report to the rooms index every 50 ms instead of 5 s.
        plugins: [cloudflareTest({ wrangler: { configPath: "./tests/workerd/wrangler.toml" }, miniflare: { bindings: { ROOMS_INDEX_MS: "50" } } })],
        resolve,
        test: { name: "workerd", include: ["tests/workerd/**/*.test.ts"], exclude: ["tests/workerd/audience*.test.ts", "tests/workerd/webhooks.test.ts"] },
      },
      {
        // Two webhook endpoints, each with its event filter (docs/WEBHOOKS.md):
        // only these tests' rooms send webhooks.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./tests/workerd/wrangler.toml" },
            miniflare: {
              bindings: {
                WEBHOOK_ENDPOINTS: JSON.stringify([
                  { name: "silent", url: "http://hooks.test/silent", secret: "silent-secret" },
                  { name: "live", url: "http://hooks.test/live", secret: "live-secret", events: ["room.changed"] },
                ]),
              },
            },
          }),
        ],
        resolve,
        test: { name: "workerd-webhooks", include: ["tests/workerd/webhooks.test.ts"] },
      },
      {
        // An audience room with its bounds lowered (party/engine/durable-object.ts
        // AUDIENCE_DIRECT, RELAY_MEMBERS…), so a few sockets fill several relays
        // and a link's bound (RELAY_LINK_OWED, 1 MiB) is met with a few edits.
        plugins: [cloudflareTest({ wrangler: { configPath: "./tests/workerd/wrangler.toml" }, miniflare: { bindings: { AUDIENCE_DIRECT: "2", RELAY_MEMBERS: "3", AUDIENCE_RELAYS: "3", AUDIENCE_EDITORS: "5", RELAY_LINK_OWED: "1048576", AUTH_SECRET: "audience-test-secret-0123456789abcdef", DEV_TOKENS: "true" } } })],
        resolve,
        test: { name: "workerd-audience", include: ["tests/workerd/audience*.test.ts"], testTimeout: 30_000 },
      },
      {
        resolve,
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        resolve,
        test: {
          name: "browser",
          include: ["tests/browser/**/*.test.ts"],
          testTimeout: 90_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
