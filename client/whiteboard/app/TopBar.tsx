import type { ReactNode } from "react";
import type { ThemeName } from "../theme/board-palette.ts";
import { Icon } from "./icons.tsx";

/**
 * The bar along the top: the brand and room, then the page's commands — share
 * the link, export, the theme switch, and whatever the app adds. On a narrow screen the buttons keep
 * their icons and drop their words (the accessible name stays), so the bar
 * fits a 390 px phone.
 */
export function TopBar({
  room,
  theme,
  onShare,
  onExport,
  onToggleTheme,
  children,
}: {
  room: string;
  theme: ThemeName;
  onShare: () => void;
  onExport: () => void;
  onToggleTheme: () => void;
  /** More buttons at the end of the bar (the People button). */
  children?: ReactNode;
}) {
  const dark = theme === "dark";
  return (
    <header className="topbar panel" data-testid="topbar">
      <span className="brand">edgeroom</span>
      <code className="room-id" title={`Room id: ${room}`}>
        {room}
      </code>
      <button type="button" className="button" onClick={onShare} title="Copy the link to this board" aria-label="Share">
        <Icon name="link" /> <span className="label">Share</span>
      </button>
      <button type="button" className="button" onClick={onExport} title="Download the board as a PNG image" aria-label="PNG">
        <Icon name="download" /> <span className="label">PNG</span>
      </button>
      <button
        type="button"
        className="button icon-button"
        onClick={onToggleTheme}
        aria-pressed={dark}
        aria-label="Dark theme"
        title={dark ? "Switch to the light theme" : "Switch to the dark theme"}
        data-testid="theme-switch"
      >
        <Icon name={dark ? "moon" : "sun"} />
      </button>
      {children}
    </header>
  );
}
