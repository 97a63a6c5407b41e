/**
 * One row of style chips in "More styles" (fill, opacity, line style, font,
 * text size, alignment, edges): a labelled radio group of short buttons, the
 * selection's value checked (none when the shapes differ). Every row of the
 * panel is this one component.
 */
import type { CSSProperties } from "react";

export interface Choice<T> {
  value: T;
  /** The accessible name and tooltip ("Dashed line"). */
  label: string;
  /** What the chip says ("Dashed"). */
  short: string;
}

export function Choices<T extends string | number | boolean>(props: {
  label: string;
  options: readonly Choice<T>[];
  value: T | undefined;
  onPick: (v: T) => void;
  /** A chip's own style (each typeface's name is written in that face). */
  chipStyle?: (v: T) => CSSProperties | undefined;
}) {
  const { label, options, value, onPick, chipStyle } = props;
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
          style={chipStyle?.(o.value)}
          onClick={() => onPick(o.value)}
        >
          {o.short}
        </button>
      ))}
    </div>
  );
}
