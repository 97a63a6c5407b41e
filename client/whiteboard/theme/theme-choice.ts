/**
 * Which theme the page shows: the person's choice, remembered in localStorage,
 * or — until they choose — the browser's `prefers-color-scheme`. Applying a
 * theme sets `data-theme` on the document (the CSS reads it), the document's
 * color-scheme (form controls, scrollbars) and the canvas paint theme.
 */
import { setPaintTheme, type ThemeName } from "./board-palette.ts";

const THEME_KEY = "edgeroom:theme";
const DARK_QUERY = "(prefers-color-scheme: dark)";

/** The theme the browser asks for. */
export function systemTheme(): ThemeName {
  return globalThis.matchMedia?.(DARK_QUERY).matches ? "dark" : "light";
}

/** Follow changes of the browser's preference (the OS switching at sunset). */
export function onSystemThemeChange(fn: (theme: ThemeName) => void): () => void {
  const mq = globalThis.matchMedia?.(DARK_QUERY);
  if (!mq) return () => {};
  const listener = () => fn(mq.matches ? "dark" : "light");
  mq.addEventListener("change", listener);
  return () => mq.removeEventListener("change", listener);
}

/** The theme the person chose on this device, or null (follow the browser). */
export function savedTheme(): ThemeName | null {
  try {
    const v = globalThis.localStorage?.getItem(THEME_KEY);
    return v === "light" || v === "dark" ? v : null;
  } catch {
    return null; // storage disabled: follow the browser
  }
}

export function saveTheme(theme: ThemeName): void {
  try {
    globalThis.localStorage?.setItem(THEME_KEY, theme);
  } catch {
    // Not remembered; the switch still works for this page.
  }
}

/** The theme to show now. */
export function currentTheme(): ThemeName {
  return savedTheme() ?? systemTheme();
}

export function applyTheme(theme: ThemeName): void {
  const root = document.documentElement;
  root.dataset.theme = theme;
  root.style.colorScheme = theme;
  setPaintTheme(theme);
}
