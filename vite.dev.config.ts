import { resolve } from "node:path";
import { cloudflare } from "@cloudflare/vite-plugin";
import { defineConfig, mergeConfig, type Plugin } from "vite";
import base from "./vite.config.ts";

// The development server of `npm run dev` (docs/ARCHITECTURE.md, "Dev loop"):
// the build (vite.config.ts, `npm run build`) and the tests (`wrangler dev`,
// tests/support/dev-server.ts) do not read this file.
//
// Versions: @cloudflare/vite-plugin 1.64.0 pins wrangler 4.151.0 and workerd
// 1.20261012.1; package.json `overrides` make it use the tree's wrangler
// 4.155.0 (inside its declared peer range ^4.151.0) and that wrangler's
// miniflare/workerd, so dev, tests and `wrangler dev` run one workerd. Upgrade
// the plugin together with wrangler and keep the override in step.

const ROOT = import.meta.dirname;

/** The page registers the service worker at the fixed URL /sw.js (its identity);
 * the build emits it there, the dev server only knows client/whiteboard/sw.ts.
 * Serve the transformed sw.ts at /sw.js so dev registers the same worker,
 * marked as the dev server's. */
function serviceWorkerAtSwJs(): Plugin {
  return {
    name: "edgeroom:dev-sw-js",
    configureServer(server) {
      server.middlewares.use(async (req, res, next) => {
        if (req.url?.split("?")[0] !== "/sw.js") return next();
        const out = await server.transformRequest("/sw.ts");
        if (!out) return next();
        res.setHeader("Content-Type", "text/javascript");
        res.setHeader("Cache-Control", "no-cache");
        // Marked as the dev server's: it also keeps the unbundled modules the
        // dev page loads, so an offline reload opens the board (sw.ts).
        res.end(`self.__EDGEROOM_DEV_SERVER__ = true;\n${out.code}`);
      });
    },
  };
}

/** Dev pages keep the production Content-Security-Policy of public/_headers
 * (script-src 'self', no inline script), which would block the inline React
 * Refresh preamble that @vitejs/plugin-react puts into the page. Move every
 * inline module script of the dev page into a same-origin URL instead of
 * loosening the policy. And the page is served at /r/<room> too, so its
 * relative script URLs must be made absolute. */
function devPageWithinCsp(): Plugin {
  const inline = new Map<string, string>();
  return {
    name: "edgeroom:dev-page-within-csp",
    apply: "serve",
    transformIndexHtml: {
      order: "post",
      handler(html) {
        return html
          .replace(/<script type="module">([\s\S]*?)<\/script>/g, (_all, code: string) => {
            let url = [...inline].find(([, c]) => c === code)?.[0];
            if (url === undefined) inline.set((url = `/@edgeroom/inline-${inline.size}.js`), code);
            return `<script type="module" src="${url}"></script>`;
          })
          // index.html sits at the Vite root, so "./x" is "/x" (the build does this itself;
          // after an HMR update the entry also carries a ?t= query).
          .replace(/\b(src|href)="\.\//g, '$1="/');
      },
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const code = inline.get(req.url?.split("?")[0] ?? "");
        if (code === undefined) return next();
        res.setHeader("Content-Type", "text/javascript");
        res.end(code);
      });
    },
  };
}

// `npm run dev`: Vite with the Worker (and its Durable Objects) in workerd via
// the Cloudflare Vite plugin, on the same single loopback port as `wrangler dev`.
export default mergeConfig(
  base,
  defineConfig({
    plugins: [
      serviceWorkerAtSwJs(),
      devPageWithinCsp(),
      cloudflare({
        configPath: resolve(ROOT, "wrangler.toml"),
        persistState: { path: resolve(ROOT, ".wrangler/state") },
        inspectorPort: false,
        experimental: { headersAndRedirectsDevModeSupport: true },
      }),
    ],
    server: { host: "127.0.0.1", port: 8787, strictPort: true },
  }),
);
