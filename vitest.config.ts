import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { packageAliases } from "./vite.config.ts";

/** The whiteboard imports the engine as `edgeroom/*` (vite.config.ts): every project resolves those. */
const resolve = { alias: packageAliases() };

// Three tiers, one command: plain-Node units (room core, client library, fuzz),
// workerd integration through the Workers vitest integration, and end-to-end
// runs against real `wrangler dev` / `partykit dev` servers and a real browser.
export default defineConfig({
  test: {
    // The rooms log one JSON line per event; show output only for failing tests.
    silent: "passed-only",
    projects: [
      { resolve, test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node" } },
      {
        plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" } })],
        resolve,
        test: { name: "workerd", include: ["tests/workerd/**/*.test.ts"] },
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
