/**
 * The colours the canvas paints with in each theme, and the mapping from a
 * shape's stored colour to the colour it is painted in. Stored colours never
 * change with the theme (the record says "black ink" for everyone); only the
 * painting does, so a dark-theme reader sees the default black ink drawn light,
 * and a light-theme reader sees a near-white ink (pasted from a dark board) darkened.
 *
 * The theme being painted is module state, set by the app when the theme
 * changes: the drawing functions read it per frame instead of taking it as a
 * parameter through every caller.
 */
import type { PaletteInk } from "../canvas/tools.ts";

export type ThemeName = "light" | "dark";

export interface BoardPalette {
  /** The board behind the shapes. */
  background: string;
  /** The faint dot grid. */
  gridDot: string;
}

export const BOARD_PALETTES: Readonly<Record<ThemeName, BoardPalette>> = {
  light: { background: "#f8f9fa", gridDot: "#dee2e6" },
  dark: { background: "#17191c", gridDot: "#2e3238" },
};

/** The palette inks as painted on the dark board: the same hues, lighter, each
 * at least 4.5:1 against the dark background (readable as text, not only as lines). */
const DARK_INKS: Readonly<Record<PaletteInk, string>> = {
  "#1e1e1e": "#e9ecef",
  "#e03131": "#ff8787",
  "#2f9e44": "#69db7c",
  "#1971c2": "#74c0fc",
  "#f08c00": "#ffa94d",
  "#9c36b5": "#e599f7",
  "#868e96": "#ced4da",
  "#d6336c": "#f783ac",
  "#4263eb": "#91a7ff",
  "#0c8599": "#3bc9db",
  "#66a80f": "#a9e34b",
  "#e67700": "#ffd43b",
};

/** WCAG contrast a mapped colour must reach against the board (text size: 4.5:1). */
export const MIN_INK_CONTRAST = 4.5;
/** On the light board the stored colours are painted as they are, unless they
 * would all but vanish (white ink drawn on a dark screen, say): below this
 * contrast they are darkened until they reach MIN_INK_CONTRAST. */
export const MIN_VISIBLE_CONTRAST = 1.5;

let painting: ThemeName = "light";
const caches: Record<ThemeName, Map<string, string>> = { light: new Map(), dark: new Map() };

/** The theme the canvas paints in now. */
export function paintTheme(): ThemeName {
  return painting;
}

export function setPaintTheme(theme: ThemeName): void {
  painting = theme;
}

/** Run `fn` painting in `theme` (an export onto white, whatever the screen shows). */
export function withPaintTheme<T>(theme: ThemeName, fn: () => T): T {
  const before = painting;
  painting = theme;
  try {
    return fn();
  } finally {
    painting = before;
  }
}

export function boardPalette(): BoardPalette {
  return BOARD_PALETTES[painting];
}

/** The colour a stored ink colour is painted in, in the current theme. */
export function displayInk(stored: string): string {
  const cache = caches[painting];
  let mapped = cache.get(stored);
  if (mapped === undefined) {
    mapped =
      painting === "dark"
        ? (DARK_INKS[stored.toLowerCase() as keyof typeof DARK_INKS] ?? mixUntilReadable(stored, 255, BOARD_PALETTES.dark.background, 0))
        : mixUntilReadable(stored, 0, BOARD_PALETTES.light.background, MIN_VISIBLE_CONTRAST);
    cache.set(stored, mapped);
  }
  return mapped;
}

type Rgb = [number, number, number];

function parseHex(hex: string): Rgb | null {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!m) return null;
  const n = parseInt(m[1]!, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function toHex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((v) => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, "0")).join("")}`;
}

/** WCAG relative luminance of an sRGB colour. */
export function luminance([r, g, b]: Rgb): number {
  const lin = (v: number) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio of two #rrggbb colours (1–21). */
export function contrast(a: string, b: string): number {
  const la = luminance(parseHex(a) ?? [0, 0, 0]);
  const lb = luminance(parseHex(b) ?? [0, 0, 0]);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/**
 * Any colour outside the palette (from a paste, an older palette): kept when
 * its contrast against `bg` is at least `keepAbove` (0: whenever it already
 * reaches MIN_INK_CONTRAST), otherwise mixed toward `toward` (255 white, 0
 * black) in 10% steps until it reaches MIN_INK_CONTRAST.
 */
function mixUntilReadable(stored: string, toward: 0 | 255, bg: string, keepAbove: number): string {
  const rgb = parseHex(stored);
  if (!rgb) return stored; // not a colour we can reason about: paint as stored
  const c = contrast(stored, bg);
  if (c >= MIN_INK_CONTRAST || (keepAbove > 0 && c >= keepAbove)) return stored;
  // Ten steps end at pure white or black: 17.6:1 and 19.9:1 against our boards.
  for (let k = 1; k <= 10; k++) {
    const t = k / 10;
    const candidate = toHex([rgb[0] + (toward - rgb[0]) * t, rgb[1] + (toward - rgb[1]) * t, rgb[2] + (toward - rgb[2]) * t]);
    if (contrast(candidate, bg) >= MIN_INK_CONTRAST) return candidate;
  }
  return toward === 255 ? "#ffffff" : "#000000";
}
