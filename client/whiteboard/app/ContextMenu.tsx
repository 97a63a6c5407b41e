import { type KeyboardEvent, useEffect, useRef } from "react";
import type { BoardController } from "../canvas/board-controller.ts";
import { useBoardUi } from "./use-room.ts";

interface Item {
  label: string;
  keys: string;
  run: () => void;
  /** Needs a selection to mean anything. */
  needsSelection: boolean;
  /** Offered now (absent: yes). */
  enabled?: boolean;
}

/** What the menu's export items ask for: a file, or the image on the clipboard. */
export type ExportAction = "png" | "svg" | "copy";

/** Keeps the menu on screen near the right and bottom edges (px). */
const MENU_MARGIN = 8;

/** The board's context menu (right click, a long press on touch, the
 * ContextMenu key or Shift+F10): what can be done with the selection. */
export function ContextMenu({ controller, mod, onExport }: { controller: BoardController; mod: string; onExport: (action: ExportAction) => void }) {
  const ui = useBoardUi(controller);
  const ref = useRef<HTMLDivElement>(null);
  const menu = ui.menu;
  useEffect(() => {
    const el = ref.current;
    if (!el || !menu) return;
    const first = el.querySelector<HTMLButtonElement>("button:not(:disabled)");
    first?.focus();
    // Keep it inside the window.
    const r = el.getBoundingClientRect();
    if (r.right > innerWidth - MENU_MARGIN) el.style.left = `${Math.max(MENU_MARGIN, innerWidth - MENU_MARGIN - r.width)}px`;
    if (r.bottom > innerHeight - MENU_MARGIN) el.style.top = `${Math.max(MENU_MARGIN, innerHeight - MENU_MARGIN - r.height)}px`;
  }, [menu]);
  if (!menu) return null;
  const structure = controller.structure;
  const offers = structure.offers();
  if (menu.locked) {
    const unlock = () => {
      controller.closeMenu();
      structure.unlock([menu.locked!]);
    };
    return (
      <div ref={ref} className="context-menu panel" role="menu" aria-label="Locked shape" style={{ left: menu.x, top: menu.y }} data-testid="context-menu" onKeyDown={(e) => e.key === "Escape" && controller.closeMenu()}>
        <button type="button" role="menuitem" className="menu-item" onClick={unlock}>
          <span>Unlock</span>
        </button>
      </div>
    );
  }
  const items: Item[] = [
    { label: "Copy", keys: `${mod}+C`, run: () => controller.copy(), needsSelection: true },
    { label: "Cut", keys: `${mod}+X`, run: () => controller.cut(), needsSelection: true },
    { label: "Paste", keys: `${mod}+V`, run: () => controller.paste(), needsSelection: false },
    { label: "Duplicate", keys: `${mod}+D`, run: () => controller.duplicate(), needsSelection: true },
    { label: "Bring to front", keys: `${mod}+Shift+]`, run: () => controller.bringToFront(), needsSelection: true },
    { label: "Send to back", keys: `${mod}+Shift+[`, run: () => controller.sendToBack(), needsSelection: true },
    { label: "Group", keys: `${mod}+G`, run: () => structure.group(), needsSelection: true, enabled: offers.group },
    { label: "Ungroup", keys: `${mod}+Shift+G`, run: () => structure.ungroup(), needsSelection: true, enabled: offers.ungroup },
    { label: "Lock", keys: `${mod}+Shift+L`, run: () => structure.lock(), needsSelection: true },
    { label: "Unlock all", keys: "", run: () => structure.unlockAll(), needsSelection: false, enabled: offers.unlockAll },
    { label: "Delete", keys: "Del", run: () => controller.deleteSelection(), needsSelection: true },
  ];
  // Align and distribute: a grid of short buttons, each named in full for screen readers.
  const arrange: { label: string; text: string; run: () => void; enabled: boolean }[] = [
    { label: "Align left", text: "Left", run: () => structure.align("left"), enabled: offers.align },
    { label: "Align centre", text: "Centre", run: () => structure.align("centre"), enabled: offers.align },
    { label: "Align right", text: "Right", run: () => structure.align("right"), enabled: offers.align },
    { label: "Align top", text: "Top", run: () => structure.align("top"), enabled: offers.align },
    { label: "Align middle", text: "Middle", run: () => structure.align("middle"), enabled: offers.align },
    { label: "Align bottom", text: "Bottom", run: () => structure.align("bottom"), enabled: offers.align },
    { label: "Distribute horizontally", text: "Space ↔", run: () => structure.distribute("horizontal"), enabled: offers.distribute },
    { label: "Distribute vertically", text: "Space ↕", run: () => structure.distribute("vertical"), enabled: offers.distribute },
  ];
  // The selection when there is one, else the whole board.
  const exports: Item[] = [
    { label: "Copy as image", keys: "", run: () => onExport("copy"), needsSelection: false },
    { label: "Export PNG", keys: "", run: () => onExport("png"), needsSelection: false },
    { label: "Export SVG", keys: "", run: () => onExport("svg"), needsSelection: false },
  ];
  const run = (item: Item) => () => {
    controller.closeMenu();
    item.run();
  };
  const none = ui.selection.length === 0;
  const onKeyDown = (e: KeyboardEvent) => {
    // The board's shortcuts (Enter edits text, Delete deletes) are not for the menu's buttons.
    e.stopPropagation();
    if (e.key === "Escape") {
      controller.closeMenu();
      return;
    }
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    e.preventDefault();
    const buttons = [...(ref.current?.querySelectorAll<HTMLButtonElement>("button:not(:disabled)") ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = (at + (e.key === "ArrowDown" ? 1 : -1) + buttons.length) % buttons.length;
    buttons[next]?.focus();
  };
  return (
    <div ref={ref} className="context-menu panel" role="menu" aria-label="Shape actions" style={{ left: menu.x, top: menu.y }} onKeyDown={onKeyDown} data-testid="context-menu">
      {items.map((item) => (
        <button key={item.label} type="button" role="menuitem" className="menu-item" disabled={(item.needsSelection && none) || item.enabled === false} onClick={run(item)}>
          <span>{item.label}</span>
          <kbd>{item.keys}</kbd>
        </button>
      ))}
      {offers.align ? (
        <>
          <hr className="menu-separator" />
          <div className="menu-grid">
            {arrange.map((a) => (
              <button key={a.label} type="button" role="menuitem" className="menu-item" aria-label={a.label} title={a.label} disabled={!a.enabled} onClick={run({ ...a, keys: "", needsSelection: true })}>
                {a.text}
              </button>
            ))}
          </div>
        </>
      ) : null}
      <hr className="menu-separator" />
      {exports.map((item) => (
        <button key={item.label} type="button" role="menuitem" className="menu-item" onClick={run(item)}>
          <span>{none ? item.label : `${item.label} (selection)`}</span>
          {item.keys ? <kbd>{item.keys}</kbd> : null}
        </button>
      ))}
    </div>
  );
}
