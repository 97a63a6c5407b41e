import { type KeyboardEvent, useEffect, useRef, useState } from "react";
import "./transfer.css";

/** One command of the Board menu. */
export interface BoardMenuItem {
  label: string;
  run: () => void;
  disabled?: boolean;
  /** What the item does, for the tooltip. */
  title?: string;
}

/**
 * The top bar's "Board" menu: the board as a whole — export it to a file,
 * import a file as a new board, duplicate it, its history. A menu button
 * (Enter, Space or ↓ opens it on the first item; ↑/↓ move; Esc closes it and
 * returns to the button; Tab leaves it). "Import board…" opens the file
 * picker; the picked file goes to `onImport`.
 */
export function BoardMenu({ items, onImport }: { items: readonly BoardMenuItem[]; onImport: (file: File) => void }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const all: BoardMenuItem[] = [...items, { label: "Import board…", run: () => picker.current?.click(), title: "Open a board export (.json) as a new board" }];

  useEffect(() => {
    if (!open) return;
    menu.current?.querySelector<HTMLButtonElement>("button:not(:disabled)")?.focus();
    const onDown = (e: PointerEvent) => {
      if (!menu.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener("pointerdown", onDown);
    return () => window.removeEventListener("pointerdown", onDown);
  }, [open]);

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };
  const onMenuKey = (e: KeyboardEvent) => {
    e.stopPropagation(); // not the board's shortcuts
    if (e.key === "Escape") return close(true);
    if (e.key === "Tab") return close(false);
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp" && e.key !== "Home" && e.key !== "End") return;
    e.preventDefault();
    const buttons = [...(menu.current?.querySelectorAll<HTMLButtonElement>("button:not(:disabled)") ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = e.key === "Home" ? 0 : e.key === "End" ? buttons.length - 1 : (at + (e.key === "ArrowDown" ? 1 : -1) + buttons.length) % buttons.length;
    buttons[next]?.focus();
  };

  return (
    <div className="board-menu">
      <button
        ref={button}
        type="button"
        className="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls="board-menu"
        aria-label="Board"
        title="Export, import, duplicate, history"
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown" && !open) {
            e.preventDefault();
            setOpen(true);
          }
        }}
        data-testid="board-menu-button"
      >
        {/* A stack of pages: the board as a whole. Words dropped on a phone, like the bar's other buttons. */}
        <svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
          <path d="M7 4h10l3 3v11H7zM4 7v13h12" />
        </svg>{" "}
        <span className="label">Board ▾</span>
      </button>
      {open ? (
        <div ref={menu} id="board-menu" className="board-menu-list panel" role="menu" aria-label="Board" onKeyDown={onMenuKey}>
          {all.map((item) => (
            <button
              key={item.label}
              type="button"
              role="menuitem"
              className="menu-item"
              disabled={item.disabled}
              title={item.title}
              onClick={() => {
                close(true);
                item.run();
              }}
            >
              {item.label}
            </button>
          ))}
        </div>
      ) : null}
      <input
        ref={picker}
        type="file"
        accept={`.json,application/json`}
        className="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        data-testid="import-file"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = ""; // the same file picked again is a new import
          if (file) onImport(file);
        }}
      />
    </div>
  );
}
