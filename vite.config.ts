import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** The package's entries (`edgeroom/client`, …) as aliases of their entry
 * modules, from tsconfig.base.json's "paths" (one map for TypeScript, esbuild
 * and Vite): the whiteboard imports the engine only through them. The vitest
 * projects use the same aliases. */
export function packageAliases(): Record<string, string> {
  const text = readFileSync(resolve(import.meta.dirname, "tsconfig.base.json"), "utf8").replace(/^\s*\/\/.*$/gm, "");
  const paths = (JSON.parse(text) as { compilerOptions: { paths: Record<string, string[]> } }).compilerOptions.paths;
  return Object.fromEntries(Object.entries(paths).map(([name, [target]]) => [name, resolve(import.meta.dirname, target!)]));
}

// The client is built to dist/client, which wrangler serves as static assets
// (wrangler.toml [assets]) on the same origin as the rooms. The service worker
// is a second entry emitted at a fixed, unhashed /sw.js: its URL is its identity
// (a hashed name would register a new worker on every build).
export default defineConfig({
  root: "client/whiteboard",
  plugins: [react()],
  resolve: { alias: packageAliases() },
  build: {
    outDir: "../../dist/client",
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      input: { main: resolve(import.meta.dirname, "client/whiteboard/index.html"), sw: resolve(import.meta.dirname, "client/whiteboard/sw.ts") },
      output: { entryFileNames: (chunk) => (chunk.name === "sw" ? "sw.js" : "assets/[name]-[hash].js") },
    },
  },
});
