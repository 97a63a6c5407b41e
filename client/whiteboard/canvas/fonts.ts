/**
 * The bundled hand-drawn face: Patrick Hand (SIL Open Font License 1.1, from
 * @fontsource/patrick-hand, README "Dependencies"), its Latin subset inlined
 * into the bundle as a data: URL, so the board never fetches a font at run
 * time and writes in it offline too (the service worker caches the bundle).
 * The page loads it before the board's first frame: text measured before
 * the face arrived would keep the fallback's widths in the per-record caches.
 * Characters outside the subset fall back, glyph by glyph, to the stack's
 * next faces (text-style.ts FONT_STACKS).
 */
import handLatin from "@fontsource/patrick-hand/files/patrick-hand-latin-400-normal.woff2?inline";
import { HAND_FONT_NAME } from "./text-style.ts";

/** The face as a data: URL (the SVG export embeds it: the file renders the same anywhere). */
export const HAND_FONT_URL: string = handLatin;

/** Give the document the hand-drawn face and wait (at most `timeoutMs`) until it can draw with it. */
export async function loadBoardFonts(timeoutMs = 2_000): Promise<void> {
  if (typeof document === "undefined" || typeof FontFace === "undefined") return;
  const face = new FontFace(HAND_FONT_NAME, `url(${HAND_FONT_URL}) format("woff2")`, { style: "normal", weight: "400" });
  document.fonts.add(face);
  await Promise.race([face.load().catch((e: unknown) => console.warn("hand-drawn font not loaded", e)), new Promise((r) => setTimeout(r, timeoutMs))]);
}
