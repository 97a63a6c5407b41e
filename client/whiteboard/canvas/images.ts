/**
 * The pictures of image shapes, decoded once per asset and kept for the
 * page: painting is synchronous, loading is not, so `pictureFor` answers at
 * once — the decoded picture, or null while it loads (the painter draws a
 * placeholder) — and the board is repainted when it arrives. Where a picture
 * is read from is the room's business (`setPictureSource`: the asset's URL,
 * or its local bytes before the upload). Exports wait for every picture
 * (`loadPictures`), and an SVG embeds them (`pictureDataUrls`).
 */
import type { Shape } from "../../../party/whiteboard/records.ts";

type Picture = { img: HTMLImageElement; state: "loading" | "ready" | "failed"; done: Promise<void> };

const pictures = new Map<string, Picture>();
let urlOf: (hash: string) => string | null = () => null;
const listeners = new Set<() => void>();

/** Where the picture of asset `hash` is read from (null: nowhere yet). */
export function setPictureSource(resolve: (hash: string) => string | null): void {
  urlOf = resolve;
  // A picture that failed (read before its bytes were anywhere) is tried again.
  for (const [hash, p] of pictures) if (p.state === "failed") pictures.delete(hash);
}

/** Called whenever a picture finished loading (repaint). */
export function onPictureLoaded(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function load(hash: string): Picture | null {
  const existing = pictures.get(hash);
  if (existing) return existing;
  if (typeof Image === "undefined") return null; // no DOM (unit tests, workers): placeholders
  const url = urlOf(hash);
  if (url === null) return null;
  const img = new Image();
  const p: Picture = { img, state: "loading", done: Promise.resolve() };
  p.done = new Promise<void>((resolve) => {
    img.onload = () => {
      p.state = "ready";
      resolve();
      for (const fn of listeners) fn();
    };
    img.onerror = () => {
      p.state = "failed";
      resolve();
      for (const fn of listeners) fn();
    };
  });
  img.decoding = "async";
  // Served with Access-Control-Allow-Origin: an export may paint it into a canvas untainted.
  img.crossOrigin = "anonymous";
  img.src = url;
  pictures.set(hash, p);
  return p;
}

/** Start loading the picture of `hash` (if it is not loaded or loading). */
export function preloadPicture(hash: string): void {
  load(hash);
}

/** The decoded picture of `hash`, or null while it loads (or if it cannot). */
export function pictureFor(hash: string): HTMLImageElement | null {
  const p = load(hash);
  return p?.state === "ready" ? p.img : null;
}

/** Whether the picture of `hash` could not be read (drawn as a broken image). */
export function pictureFailed(hash: string): boolean {
  return pictures.get(hash)?.state === "failed";
}

const hashesOf = (shapes: readonly Shape[]) => [...new Set(shapes.flatMap((s) => (s.type === "image" ? [s.asset] : [])))];

/** Resolves once every image shape's picture among `shapes` loaded (or failed). */
export async function loadPictures(shapes: readonly Shape[]): Promise<void> {
  await Promise.all(hashesOf(shapes).map((h) => load(h)?.done));
}

/** The pictures of `shapes` as data: URLs, for an SVG that carries them. */
export async function pictureDataUrls(shapes: readonly Shape[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await Promise.all(
    hashesOf(shapes).map(async (hash) => {
      const url = urlOf(hash);
      if (url === null) return;
      try {
        const blob = await (await fetch(url)).blob();
        out.set(hash, await new Promise<string>((resolve, reject) => {
          const reader = new FileReader();
          reader.onload = () => resolve(String(reader.result));
          reader.onerror = () => reject(reader.error);
          reader.readAsDataURL(blob);
        }));
      } catch {
        // left out: the SVG shows the placeholder
      }
    }),
  );
  return out;
}
