import type { BoardController } from "../canvas/board-controller.ts";
import type { SelectionStyle } from "../canvas/style.ts";
import { ALIGNS, EDGES, FONT_STACKS, FONT_SIZES, FONTS } from "../canvas/text-style.ts";
import { Choices } from "./Choices.tsx";

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
      <Choices label="Font" options={FONTS} value={shown.font} onPick={(font) => controller.setStyle({ font })} chipStyle={(font) => ({ fontFamily: FONT_STACKS[font] })} />
      <Choices label="Text size" options={FONT_SIZES} value={shown.fontSize} onPick={(fontSize) => controller.setStyle({ fontSize })} />
      <Choices label="Align" options={ALIGNS} value={shown.align} onPick={(align) => controller.setStyle({ align })} />
      <Choices label="Edges" options={EDGES} value={shown.sketchy} onPick={(sketchy) => controller.setStyle({ sketchy })} />
    </>
  );
}
