/**
 * The service worker: keeps the app shell (index.html and its hashed assets) in
 * Cache Storage so that reloading the board while offline still opens it — the
 * pending edits then come back from IndexedDB and go out when the network does.
 * Navigations are network-first (a deploy is picked up at once when online);
 * hashed assets are cache-first (their names change whenever their content
 * does). Room traffic (/parties/*) is never touched.
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
interface WorkerScope {
  addEventListener(type: "install" | "activate", fn: (e: ExtendableEvent) => void): void;
  addEventListener(type: "fetch", fn: (e: FetchEvent) => void): void;
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

worker.addEventListener("fetch", (e) => {
  const request = e.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== worker.location.origin || url.pathname.startsWith("/parties/")) return;
  if (request.mode === "navigate" && isShellRoute(url.pathname)) e.respondWith(networkFirstShell(request));
  else if (url.pathname.startsWith("/assets/")) e.respondWith(cacheFirst(request));
});
