/** Toolbar icons: small inline SVGs (24×24 viewBox, stroked with currentColor). */
import type { ReactElement } from "react";
import type { Tool } from "../canvas/tools.ts";

const paths: Record<Tool | "undo" | "redo" | "trash" | "download" | "link" | "plus" | "minus" | "sun" | "moon" | "people" | "keyboard" | "close" | "fit" | "image", ReactElement> = {
  select: <path d="M5 3l14 8-6 1.5L10 19z" />,
  hand: <path d="M8 12V6a1.5 1.5 0 013 0v5m0-6.5a1.5 1.5 0 013 0V11m0-5a1.5 1.5 0 013 0v6c0 4-2.5 8-6.5 8-3 0-4.5-1.5-6.5-5l-1.5-2.5a1.5 1.5 0 012.5-1.5L8 13" />,
  pen: <path d="M4 20c3-1 4-3 6-6l7-7a2 2 0 10-3-3l-7 7c-3 2-5 3-6 6zM13 6l3 3" />,
  rect: <rect x="4" y="6" width="16" height="12" rx="1" />,
  ellipse: <ellipse cx="12" cy="12" rx="8.5" ry="6.5" />,
  line: <path d="M5 19L19 5" />,
  arrow: <path d="M5 19L19 5M10 5h9v9" />,
  text: <path d="M5 6V4h14v2M12 4v16M9 20h6" />,
  sticky: <path d="M4 4h16v11l-5 5H4zM15 20v-5h5" />,
  frame: <path d="M7 3v18M17 3v18M3 7h18M3 17h18" />,
  undo: <path d="M9 14L4 9l5-5M4 9h10a6 6 0 010 12h-3" />,
  redo: <path d="M15 14l5-5-5-5M20 9H10a6 6 0 000 12h3" />,
  laser: <path d="M4 20l9-9M14 4v2M14 14v2M9 9h2M17 9h2M10.5 5.5l1 1M17.5 12.5l-1-1M17.5 5.5l-1 1" />,
  eraser: <path d="M16 4l5 5-10 10H6l-3-3L16 4zM9 9l6 6M6 19h14" />,
  trash: <path d="M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3" />,
  download: <path d="M12 4v11M7 10l5 5 5-5M5 20h14" />,
  link: <path d="M10 14a4 4 0 005.7 0l3-3a4 4 0 00-5.7-5.7l-1 1M14 10a4 4 0 00-5.7 0l-3 3a4 4 0 005.7 5.7l1-1" />,
  plus: <path d="M12 5v14M5 12h14" />,
  minus: <path d="M5 12h14" />,
  sun: <path d="M12 8a4 4 0 100 8 4 4 0 000-8zM12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />,
  moon: <path d="M20 14.5A8 8 0 019.5 4a8 8 0 1010.5 10.5z" />,
  people: <path d="M9 11a3.5 3.5 0 100-7 3.5 3.5 0 000 7zM2.5 20a6.5 6.5 0 0113 0M16 4.5a3.5 3.5 0 010 6.5M18 14a6.5 6.5 0 013.5 6" />,
  keyboard: <path d="M3 6h18v12H3zM7 10h.01M11 10h.01M15 10h.01M7 14h10" />,
  close: <path d="M6 6l12 12M18 6L6 18" />,
  fit: <path d="M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5M9 9h6v6H9z" />,
  image: <path d="M4 5h16v14H4zM4 16l5-5 4 4 2-2 5 5M15 9.5a1.5 1.5 0 100-.01" />,
};

export function Icon({ name }: { name: keyof typeof paths }) {
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      {paths[name]}
    </svg>
  );
}
