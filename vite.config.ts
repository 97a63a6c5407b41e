import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The client is built to dist/client, which wrangler serves as static assets
// (wrangler.toml [assets]) on the same origin as the rooms.
export default defineConfig({
  root: "client",
  plugins: [react()],
  build: { outDir: "../dist/client", emptyOutDir: true, sourcemap: true },
});
