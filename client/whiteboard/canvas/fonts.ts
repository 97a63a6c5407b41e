/**
 * The bundled hand-drawn face: Patrick Hand (SIL Open Font License 1.1, from
 * @fontsource/patrick-hand, README "Dependencies"), its Latin and Latin
 * Extended subsets inlined into the bundle as data: URLs, so the board never
 * fetches a font at run time and writes in it offline too (the service worker
 * caches the bundle). The page loads both before the board's first frame:
 * text measured before the face arrived would keep the fallback's widths in
 * the per-record caches. Characters outside the subsets fall back, glyph by
 * glyph, to the stack's next faces (text-style.ts FONT_STACKS).
 */
import handLatin from "@fontsource/patrick-hand/files/patrick-hand-latin-400-normal.woff2?inline";
import handLatinExt from "@fontsource/patrick-hand/files/patrick-hand-latin-ext-400-normal.woff2?inline";
import { HAND_FONT_NAME } from "./text-style.ts";

/** The Latin subset as a data: URL. */
export const HAND_FONT_URL: string = handLatin;

/** Each subset: its data: URL and the characters it covers (as @fontsource/patrick-hand's own CSS says). */
export const HAND_FONT_FACES: readonly { url: string; range: string }[] = [
  {
    url: handLatin,
    range: "U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0304,U+0308,U+0329,U+2000-206F,U+20AC,U+2122,U+2191,U+2193,U+2212,U+2215,U+FEFF,U+FFFD",
  },
  {
    url: handLatinExt,
    range: "U+0100-02BA,U+02BD-02C5,U+02C7-02CC,U+02CE-02D7,U+02DD-02FF,U+0304,U+0308,U+0329,U+1D00-1DBF,U+1E00-1E9F,U+1EF2-1EFF,U+2020,U+20A0-20AB,U+20AD-20C0,U+2113,U+2C60-2C7F,U+A720-A7FF",
  },
];

/** The face as CSS @font-face rules (the SVG export embeds them: the file renders the same anywhere). */
export const handFontCss = (): string =>
  HAND_FONT_FACES.map((f) => `@font-face{font-family:"${HAND_FONT_NAME}";src:url(${f.url}) format("woff2");unicode-range:${f.range};}`).join("");

/** Give the document the hand-drawn face and wait (at most `timeoutMs`) until it can draw with it. */
export async function loadBoardFonts(timeoutMs = 2_000): Promise<void> {
  if (typeof document === "undefined" || typeof FontFace === "undefined") return;
  const loads = HAND_FONT_FACES.map((f) => {
    const face = new FontFace(HAND_FONT_NAME, `url(${f.url}) format("woff2")`, { style: "normal", weight: "400", unicodeRange: f.range });
    document.fonts.add(face);
    return face.load();
  });
  const loaded = Promise.all(loads).catch((e: unknown) => console.warn("hand-drawn font not loaded", e));
  await Promise.race([loaded, new Promise((r) => setTimeout(r, timeoutMs))]);
}
