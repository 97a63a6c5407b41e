/**
 * The page theme as React state: follows the browser's preference until the
 * person flips the switch, then their choice (remembered on this device).
 */
import { useCallback, useEffect, useState } from "react";
import type { ThemeName } from "../theme/board-palette.ts";
import { applyTheme, currentTheme, onSystemThemeChange, saveTheme, savedTheme } from "../theme/theme-choice.ts";

export function useTheme(): { theme: ThemeName; toggle: () => void } {
  const [theme, setTheme] = useState<ThemeName>(currentTheme);
  useEffect(() => onSystemThemeChange((t) => savedTheme() === null && setTheme(t)), []);
  useEffect(() => applyTheme(theme), [theme]);
  const toggle = useCallback(() => {
    const next = theme === "dark" ? "light" : "dark";
    saveTheme(next);
    setTheme(next);
  }, [theme]);
  return { theme, toggle };
}
