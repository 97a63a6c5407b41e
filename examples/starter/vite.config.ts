// `npm run dev`: the page with hot reload and the Worker with its rooms
// (Durable Objects, in workerd) on one port, http://127.0.0.1:8787.
// `npm run build` writes the page and the Worker to dist/ for `wrangler deploy`.
import { cloudflare } from "@cloudflare/vite-plugin";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react(), cloudflare({ inspectorPort: false })],
  server: { host: "127.0.0.1", port: 8787 },
});
