import type { CSSProperties } from "react";
import type { BoardController } from "../canvas/board-controller.ts";
import { INK_COLORS, INK_NAMES, STROKE_WIDTHS, TOOLS } from "../canvas/tools.ts";
import { displayInk } from "../theme/board-palette.ts";
import { Icon } from "./icons.tsx";
import { useBoardUi } from "./use-room.ts";

/** Tools, undo/redo and delete, down the left edge. Every button names its shortcut. */
export function Toolbar({ controller }: { controller: BoardController }) {
  const ui = useBoardUi(controller);
  return (
    <div className="toolbar panel" role="toolbar" aria-label="Drawing tools" aria-orientation="vertical">
      <div className="group">
        {TOOLS.map((t) => (
          <button
            key={t.tool}
            type="button"
            className="tool"
            aria-pressed={ui.tool === t.tool}
            aria-label={`${t.label} (${t.key.toUpperCase()})`}
            title={`${t.label} — ${t.key.toUpperCase()}`}
            data-tool={t.tool}
            onClick={() => controller.setTool(t.tool)}
          >
            <Icon name={t.tool} />
          </button>
        ))}
      </div>
      <div className="divider" />
      <div className="group">
        <button type="button" className="tool" aria-label="Undo (Ctrl+Z)" title="Undo — Ctrl+Z" disabled={!ui.canUndo} onClick={() => controller.undo()}>
          <Icon name="undo" />
        </button>
        <button type="button" className="tool" aria-label="Redo (Ctrl+Shift+Z)" title="Redo — Ctrl+Shift+Z" disabled={!ui.canRedo} onClick={() => controller.redo()}>
          <Icon name="redo" />
        </button>
        <button
          type="button"
          className="tool"
          aria-label="Delete selection (Delete)"
          title="Delete — Del"
          disabled={ui.selection.length === 0}
          onClick={() => controller.deleteSelection()}
        >
          <Icon name="trash" />
        </button>
      </div>
    </div>
  );
}

/** Colour and stroke width: for new shapes, and applied to the selection. */
export function StylePanel({ controller }: { controller: BoardController }) {
  const ui = useBoardUi(controller);
  return (
    <div className="stylebar panel" role="toolbar" aria-label="Style">
      <div className="group" role="radiogroup" aria-label="Colour">
        {INK_COLORS.map((c) => (
          <button
            key={c}
            type="button"
            role="radio"
            className="swatch"
            aria-checked={ui.color === c}
            aria-label={INK_NAMES[c]}
            title={INK_NAMES[c]}
            style={{ "--swatch": displayInk(c) } as CSSProperties} // as it is painted in this theme
            onClick={() => controller.setColor(c)}
          />
        ))}
      </div>
      <div className="divider" />
      <div className="group" role="radiogroup" aria-label="Stroke width">
        {STROKE_WIDTHS.map((w) => (
          <button
            key={w.stroke}
            type="button"
            role="radio"
            className="tool"
            aria-checked={ui.stroke === w.stroke}
            aria-label={`${w.label} stroke`}
            title={`${w.label} stroke`}
            onClick={() => controller.setStroke(w.stroke)}
          >
            <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
              <line x1="5" y1="12" x2="19" y2="12" stroke="currentColor" strokeWidth={w.stroke / 1.4 + 0.6} strokeLinecap="round" />
            </svg>
          </button>
        ))}
      </div>
    </div>
  );
}
