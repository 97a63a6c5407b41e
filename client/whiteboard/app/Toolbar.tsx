import { type CSSProperties, useEffect, useRef, useState } from "react";
import type { BoardController } from "../canvas/board-controller.ts";
import { INK_COLORS, INK_NAMES, MORE_INK_COLORS, STROKE_WIDTHS, TOOLS } from "../canvas/tools.ts";
import { DASHES, FILLS, OPACITIES, type SelectionStyle } from "../canvas/style.ts";
import { displayInk } from "../theme/board-palette.ts";
import { Icon } from "./icons.tsx";
import { Choices } from "./Choices.tsx";
import { TextStyleChoices } from "./TextStyleChoices.tsx";
import { useBoardUi } from "./use-room.ts";

/** Tools, undo/redo and delete, down the left edge. Every button names its shortcut. */
export function Toolbar({ controller }: { controller: BoardController }) {
  const ui = useBoardUi(controller);
  const picker = useRef<HTMLInputElement>(null);
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
        <button type="button" className="tool" aria-label="Add a picture" title="Picture — or drop or paste one" onClick={() => picker.current?.click()}>
          <Icon name="image" />
        </button>
        <input
          ref={picker}
          type="file"
          accept="image/*"
          multiple
          hidden
          data-testid="image-picker"
          onChange={(e) => {
            const files = [...(e.currentTarget.files ?? [])];
            e.currentTarget.value = ""; // the same file again is a new pick
            if (files.length) void controller.images.insert(files);
          }}
        />
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

/** One choice of a radio group: a swatch or a small icon button. */
function Swatch({ color, checked, onPick }: { color: string; checked: boolean; onPick: () => void }) {
  return (
    <button
      type="button"
      role="radio"
      className="swatch"
      aria-checked={checked}
      aria-label={INK_NAMES[color]}
      title={INK_NAMES[color]}
      style={{ "--swatch": displayInk(color) } as CSSProperties} // as it is painted in this theme
      onClick={onPick}
    />
  );
}

/** Colour and stroke width always; fill, opacity, dash and more colours under
 * "More styles". Each shows the selection's value (none checked when the
 * selected shapes differ) or, with nothing selected, what new shapes get; a
 * choice applies to both. */
export function StylePanel({ controller }: { controller: BoardController }) {
  const ui = useBoardUi(controller);
  const [more, setMore] = useState(false);
  // "More styles" is a popover: drawing or clicking on the board closes it
  // (so it never takes a pen stroke meant for the board), and so does
  // clearing the selection it was opened for.
  const selected = ui.selection.length;
  const hadSelection = useRef(selected > 0);
  useEffect(() => {
    if (hadSelection.current && selected === 0) setMore(false);
    hadSelection.current = selected > 0;
  }, [selected]);
  useEffect(() => {
    if (!more) return;
    const close = (e: PointerEvent) => {
      if (e.target instanceof Element && e.target.closest("[data-testid=board]")) setMore(false);
    };
    document.addEventListener("pointerdown", close, true);
    return () => document.removeEventListener("pointerdown", close, true);
  }, [more]);
  const shown: SelectionStyle = ui.selectionStyle ?? { color: ui.color, stroke: ui.stroke, fill: ui.fill, opacity: ui.opacity, dash: ui.dash, font: ui.font, fontSize: ui.fontSize, align: ui.align, sketchy: ui.sketchy };
  return (
    <>
      <div className="stylebar panel" role="toolbar" aria-label="Style">
        <div className="group" role="radiogroup" aria-label="Colour">
          {INK_COLORS.map((c) => (
            <Swatch key={c} color={c} checked={shown.color === c} onPick={() => controller.setColor(c)} />
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
              aria-checked={shown.stroke === w.stroke}
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
        <div className="divider" />
        <button type="button" className="tool" aria-label="More styles" title="More colours, fill, opacity, line style, font, text size, alignment, sketchy edges" aria-expanded={more} onClick={() => setMore((m) => !m)}>
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
            <circle cx="6" cy="12" r="1.8" fill="currentColor" />
            <circle cx="12" cy="12" r="1.8" fill="currentColor" />
            <circle cx="18" cy="12" r="1.8" fill="currentColor" />
          </svg>
        </button>
      </div>
      {more ? (
        <div className="style-more panel" role="group" aria-label="More styles">
          <div className="group" role="radiogroup" aria-label="More colours">
            {MORE_INK_COLORS.map((c) => (
              <Swatch key={c} color={c} checked={shown.color === c} onPick={() => controller.setColor(c)} />
            ))}
          </div>
          <Choices label="Fill" options={FILLS} value={shown.fill} onPick={(fill) => controller.setStyle({ fill })} />
          <Choices label="Opacity" options={OPACITIES} value={shown.opacity} onPick={(opacity) => controller.setStyle({ opacity })} />
          <Choices label="Line style" options={DASHES} value={shown.dash} onPick={(dash) => controller.setStyle({ dash })} />
          <TextStyleChoices controller={controller} shown={shown} />
        </div>
      ) : null}
    </>
  );
}
