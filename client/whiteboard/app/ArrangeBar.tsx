/**
 * The selection's structure actions as buttons (as tldraw's and Excalidraw's
 * panels offer them): group, ungroup, lock, "unlock all", align and
 * distribute. A narrow column right of the tools, shown while something is
 * selected (or something on the board is locked); each button names its
 * shortcut and is disabled when it would do nothing. The same commands as the
 * shortcuts and the context menu (board-structure.ts), each one undo step.
 */
import type { ReactElement } from "react";
import type { BoardController } from "../canvas/board-controller.ts";
import { useBoardUi } from "./use-room.ts";

const icons = {
  group: <path d="M3 3h4M17 3h4v4M21 17v4h-4M7 21H3v-4M3 7V3M6 7h7v6H6zM11 11h7v6h-7z" />,
  ungroup: <path d="M4 5h8v6H4zM12 13h8v6h-8z" />,
  lock: <path d="M6 11h12v9H6zM9 11V8a3 3 0 016 0v3" />,
  unlock: <path d="M6 11h12v9H6zM9 11V8a3 3 0 015.8-1" />,
  left: <path d="M4 3v18M8 7h12v4H8zM8 14h7v4H8z" />,
  centre: <path d="M12 3v18M6 7h12v4H6zM8.5 14h7v4h-7z" />,
  right: <path d="M20 3v18M4 7h12v4H4zM9 14h7v4H9z" />,
  top: <path d="M3 4h18M7 8h4v12H7zM14 8h4v7h-4z" />,
  middle: <path d="M3 12h18M7 6h4v12H7zM14 8.5h4v7h-4z" />,
  bottom: <path d="M3 20h18M7 4h4v12H7zM14 9h4v7h-4z" />,
  horizontal: <path d="M4 3v18M20 3v18M9 7h6v10H9z" />,
  vertical: <path d="M3 4h18M3 20h18M7 9h10v6H7z" />,
} satisfies Record<string, ReactElement>;

function Glyph({ name }: { name: keyof typeof icons }) {
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      {icons[name]}
    </svg>
  );
}

interface Action {
  icon: keyof typeof icons;
  label: string;
  keys?: string;
  run: () => void;
  enabled: boolean;
}

export function ArrangeBar({ controller, mod }: { controller: BoardController; mod: string }) {
  const ui = useBoardUi(controller);
  const structure = controller.structure;
  const selected = ui.selection.length > 0;
  const offers = structure.offers();
  if (!selected && !offers.unlockAll) return null;
  const units: Action[] = [
    { icon: "group", label: "Group", keys: `${mod}+G`, run: () => structure.group(), enabled: offers.group },
    { icon: "ungroup", label: "Ungroup", keys: `${mod}+Shift+G`, run: () => structure.ungroup(), enabled: offers.ungroup },
    { icon: "lock", label: "Lock", keys: `${mod}+Shift+L`, run: () => structure.lock(), enabled: selected },
    { icon: "unlock", label: "Unlock all", run: () => structure.unlockAll(), enabled: offers.unlockAll },
  ];
  const arrange: Action[] = [
    { icon: "left", label: "Align left", run: () => structure.align("left"), enabled: offers.align },
    { icon: "top", label: "Align top", run: () => structure.align("top"), enabled: offers.align },
    { icon: "centre", label: "Align centre", run: () => structure.align("centre"), enabled: offers.align },
    { icon: "middle", label: "Align middle", run: () => structure.align("middle"), enabled: offers.align },
    { icon: "right", label: "Align right", run: () => structure.align("right"), enabled: offers.align },
    { icon: "bottom", label: "Align bottom", run: () => structure.align("bottom"), enabled: offers.align },
    { icon: "horizontal", label: "Distribute horizontally", run: () => structure.distribute("horizontal"), enabled: offers.distribute },
    { icon: "vertical", label: "Distribute vertically", run: () => structure.distribute("vertical"), enabled: offers.distribute },
  ];
  const button = (a: Action) => (
    <button key={a.label} type="button" className="tool" aria-label={a.keys ? `${a.label} (${a.keys})` : a.label} title={a.keys ? `${a.label} — ${a.keys}` : a.label} disabled={!a.enabled} onClick={a.run}>
      <Glyph name={a.icon} />
    </button>
  );
  return (
    <div className="arrangebar panel" role="toolbar" aria-label="Arrange" data-testid="arrange-bar">
      <div className="arrange-grid">{units.map(button)}</div>
      {selected ? (
        <>
          <div className="divider" />
          <div className="arrange-grid" role="group" aria-label="Align and distribute">
            {arrange.map(button)}
          </div>
        </>
      ) : null}
    </div>
  );
}
