import type { BoardController } from "../canvas/board-controller.ts";
import type { SelectionStyle } from "../canvas/style.ts";
import { ALIGNS, EDGES, FONT_STACKS, FONT_SIZES, FONTS } from "../canvas/text-style.ts";

/**
 * The text style and edges of "More styles": typeface, size and alignment
 * (for texts, sticky notes and labels) and clean or sketchy edges (for
 * rectangles, ellipses, lines and arrows). Each shows the selection's value
 * (none checked when the shapes differ) or what new shapes get; a choice
 * applies to both (one undo step), through the board's setStyle as colours do.
 */
export function TextStyleChoices({ controller, shown }: { controller: BoardController; shown: SelectionStyle }) {
  return (
    <>
      <Row label="Font" options={FONTS} value={shown.font} onPick={(font) => controller.setStyle({ font })} preview />
      <Row label="Text size" options={FONT_SIZES} value={shown.fontSize} onPick={(fontSize) => controller.setStyle({ fontSize })} />
      <Row label="Align" options={ALIGNS} value={shown.align} onPick={(align) => controller.setStyle({ align })} />
      <Row label="Edges" options={EDGES} value={shown.sketchy} onPick={(sketchy) => controller.setStyle({ sketchy })} />
    </>
  );
}

function Row<T extends string | number | boolean>(props: { label: string; options: readonly { value: T; label: string; short: string }[]; value: T | undefined; onPick: (v: T) => void; preview?: boolean }) {
  const { label, options, value, onPick, preview } = props;
  return (
    <div className="group choices" role="radiogroup" aria-label={label}>
      <span className="choices-label" aria-hidden="true">
        {label}
      </span>
      {options.map((o) => (
        <button
          key={String(o.value)}
          type="button"
          role="radio"
          className="chip"
          aria-checked={value === o.value}
          aria-label={o.label}
          title={o.label}
          // Each face's name is written in that face.
          style={preview && typeof o.value === "string" && o.value in FONT_STACKS ? { fontFamily: FONT_STACKS[o.value as keyof typeof FONT_STACKS] } : undefined}
          onClick={() => onPick(o.value)}
        >
          {o.short}
        </button>
      ))}
    </div>
  );
}
