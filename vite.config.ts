import { resolve } from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The client is built to dist/client, which wrangler serves as static assets
// (wrangler.toml [assets]) on the same origin as the rooms. The service worker
// is a second entry emitted at a fixed, unhashed /sw.js: its URL is its identity
// (a hashed name would register a new worker on every build).
export default defineConfig({
  root: "client/whiteboard",
  plugins: [react()],
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
