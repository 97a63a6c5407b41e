import { useEffect, useRef } from "react";
import { Icon } from "./icons.tsx";
import { modifierKeyName, shortcutGroups } from "./shortcuts.ts";

/**
 * The keyboard shortcut sheet: a modal dialog opened with `?` or the top
 * bar's keyboard button, closed with Esc, `?`, its × or a click outside it.
 */
export function ShortcutSheet({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  const mod = modifierKeyName();
  return (
    <dialog
      ref={ref}
      className="shortcut-sheet panel"
      aria-labelledby="shortcut-title"
      data-testid="shortcut-sheet"
      onClose={onClose}
      onClick={(e) => e.target === ref.current && onClose()} // the backdrop
      onKeyDown={(e) => {
        // Keys here are for the sheet, not the board behind it (Esc still
        // closes the dialog: that is the browser's default, not a listener).
        e.stopPropagation();
        if (e.key === "?") onClose();
      }}
    >
      <div className="sheet-title">
        <h2 id="shortcut-title">Keyboard shortcuts</h2>
        <button type="button" className="tool" aria-label="Close the shortcut list" title="Close — Esc" onClick={onClose}>
          <Icon name="close" />
        </button>
      </div>
      <div className="shortcut-groups">
        {shortcutGroups(mod).map((g) => (
          <section key={g.title} aria-label={g.title}>
            <h3>{g.title}</h3>
            <dl>
              {g.shortcuts.map((s) => (
                <div key={s.action} className="shortcut" data-testid="shortcut">
                  <dt>{s.action}</dt>
                  <dd>
                    {s.keys.map((combo, i) => (
                      <span key={combo.join("+")} className="combo">
                        {i > 0 ? <span className="or">or</span> : null}
                        {combo.map((k) => (
                          <kbd key={k}>{k}</kbd>
                        ))}
                      </span>
                    ))}
                  </dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
    </dialog>
  );
}

/** Open the sheet with `?` anywhere but in a text field. */
export function useShortcutKey(onToggle: () => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable)) return;
      if (e.key !== "?" || e.ctrlKey || e.metaKey || e.altKey) return;
      e.preventDefault();
      onToggle();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onToggle]);
}
