/**
 * The service worker: keeps the app shell (index.html and its hashed assets) in
 * Cache Storage so that reloading the board while offline still opens it — the
 * pending edits then come back from IndexedDB and go out when the network does.
 * Navigations are network-first (a deploy is picked up at once when online);
 * hashed assets are cache-first (their names change whenever their content
 * does). Room traffic (/parties/*) is never touched.
 *
 * Under `npm run dev` the page is not the build's: Vite serves its modules
 * unbundled (/@vite/client, /client/whiteboard/app/main.tsx, …), none of
 * them under /assets/. The dev server marks this worker
 * (`__EDGEROOM_DEV_SERVER__`, vite.dev.config.ts) and it then keeps every
 * same-origin GET network-first — so an offline reload opens the board there
 * too, instead of a page whose scripts never load.
 */

// The service worker types (webworker lib) clash with the DOM lib this project
// compiles with, so the few members used here are declared locally.
interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(r: Response | Promise<Response>): void;
}
interface ExtendableMessageEvent extends ExtendableEvent {
  readonly data: unknown;
}
interface WorkerScope {
  addEventListener(type: "install" | "activate", fn: (e: ExtendableEvent) => void): void;
  addEventListener(type: "fetch", fn: (e: FetchEvent) => void): void;
  addEventListener(type: "message", fn: (e: ExtendableMessageEvent) => void): void;
  skipWaiting(): Promise<void>;
  readonly clients: { claim(): Promise<void> };
  readonly location: Location;
}
const worker = globalThis as unknown as WorkerScope;

/** Bump when the caching scheme changes; older caches are deleted on activate.
 * v2: only HTML from the shell routes is ever stored as the shell (v1 stored
 * whatever a navigation returned — after a visit to /sw.js, the offline board
 * was that script's source). */
const CACHE = "edgeroom-shell-v2";
/** The key the shell page is stored under: every board URL (/r/<id>) is this page. */
const SHELL = "/";

/** Asset URLs the shell page references (script, stylesheet, preloads). */
function assetsOf(html: string): string[] {
  const urls = new Set<string>();
  for (const m of html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) urls.add(m[1]!);
  return [...urls];
}

/** The pages that are the board: `/` and `/r/<anything>`. Every other
 * navigation (/sw.js, /assets/…, /parties/…/stats) goes to the network untouched. */
function isShellRoute(pathname: string): boolean {
  return pathname === "/" || pathname.startsWith("/r/");
}

/** Only a successful HTML page may become the offline shell. */
function isShellPage(res: Response): boolean {
  return res.ok && (res.headers.get("Content-Type") ?? "").startsWith("text/html");
}

async function precacheShell(): Promise<void> {
  const cache = await caches.open(CACHE);
  const res = await fetch(SHELL, { cache: "no-store" });
  if (!isShellPage(res)) return;
  const html = await res.clone().text();
  await cache.put(SHELL, res);
  await cache.addAll(assetsOf(html));
}

worker.addEventListener("install", (e) => {
  e.waitUntil(precacheShell().then(() => worker.skipWaiting()));
});

worker.addEventListener("activate", (e) => {
  e.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      await worker.clients.claim();
    })(),
  );
});

async function networkFirstShell(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  try {
    const res = await fetch(request);
    if (isShellPage(res)) await cache.put(SHELL, res.clone());
    return res;
  } catch {
    return (await cache.match(SHELL)) ?? new Response("Offline, and this board was never opened on this device.", { status: 503 });
  }
}

async function cacheFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const res = await fetch(request);
  if (res.ok) await cache.put(request, res.clone());
  return res;
}

/** Under the dev server: the network's answer, kept; the kept one when the network fails. */
async function networkFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  try {
    const res = await fetch(request);
    if (res.ok) await cache.put(request, res.clone());
    return res;
  } catch (e) {
    // ignoreVary: the dev server varies on Origin, and what the page's list
    // had kept was fetched by this worker, without the module request's Origin.
    const hit = await cache.match(request, { ignoreVary: true });
    if (hit) return hit;
    throw e;
  }
}

const devServer = (globalThis as { __EDGEROOM_DEV_SERVER__?: boolean }).__EDGEROOM_DEV_SERVER__ === true;

worker.addEventListener("fetch", (e) => {
  const request = e.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== worker.location.origin || url.pathname.startsWith("/parties/")) return;
  if (request.mode === "navigate" && isShellRoute(url.pathname)) e.respondWith(networkFirstShell(request));
  else if (url.pathname.startsWith("/assets/")) e.respondWith(cacheFirst(request));
  else if (devServer && request.mode !== "navigate") e.respondWith(networkFirst(request));
});

/** Under the dev server, the page's own list of what it loaded before this
 * worker controlled it (main.tsx): kept with every module they import, so the
 * first offline reload works too (the page's list alone is cut at the
 * browser's resource-timing buffer, 250 entries; the dev page loads more).
 * Same-origin GETs only, never room traffic; at most MAX_KEEP of them. */
const MAX_KEEP = 2_000;
/** Module specifiers in Vite's served code (it rewrites them to absolute paths). */
const IMPORTS = /\bimport\s*(?:[\w*{}\s,$]+\s*from\s*)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)|\bexport\s*[\w*{}\s,$]*\s*from\s*["']([^"']+)["']/g;

async function keepModuleGraph(start: string[]): Promise<void> {
  const cache = await caches.open(CACHE);
  const seen = new Set<string>();
  const queue: string[] = [];
  const add = (raw: string, base: string) => {
    let u: URL;
    try {
      u = new URL(raw, base);
    } catch {
      return;
    }
    if (u.origin !== worker.location.origin || u.pathname.startsWith("/parties/") || seen.has(u.href) || seen.size >= MAX_KEEP) return;
    seen.add(u.href);
    queue.push(u.href);
  };
  for (const u of start) add(u, worker.location.href);
  while (queue.length) {
    const href = queue.shift()!;
    const res = await fetch(href).catch(() => null);
    if (!res?.ok) continue;
    await cache.put(href, res.clone());
    if (!(res.headers.get("Content-Type") ?? "").includes("javascript")) continue;
    for (const m of (await res.text()).matchAll(IMPORTS)) add(m[1] ?? m[2] ?? m[3]!, href);
  }
}

worker.addEventListener("message", (e) => {
  const data = e.data as { type?: unknown; urls?: unknown };
  if (!devServer || data?.type !== "keep" || !Array.isArray(data.urls)) return;
  e.waitUntil(keepModuleGraph(data.urls.filter((u): u is string => typeof u === "string")));
});
