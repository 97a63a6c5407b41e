// `npm test` runs the tests in Node: the room's rules in memory (edgeroom/testing)
// and the page under react-dom/server. Its own config, so the tests do not start
// the Worker of vite.config.ts.
import { defineConfig } from "vitest/config";

export default defineConfig({
  oxc: { jsx: { runtime: "automatic" } },
  test: { include: ["test/**/*.test.{ts,tsx}"], environment: "node" },
});
