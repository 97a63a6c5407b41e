/**
 * Writing text on the board: the text box's state (a new text, or an existing
 * text or sticky note being edited) and what closing the box does to the
 * document. Pure: the board opens and closes the box; React draws it.
 */
import type { Op } from "../../../party/whiteboard/schema.ts";
import type { FontFamily, Shape, TextAlign } from "../../../party/whiteboard/records.ts";
import { MAX_FRAME_NAME_CHARS } from "../../../party/whiteboard/limits.ts";
import { FRAME_TITLE_HEIGHT, FRAME_TITLE_SIZE, labelWidth, LINE_HEIGHT, type MeasureText, measureTextWidth, round2, shapeBox, stickyHeightFor } from "./geometry.ts";
import { type RecordBase, textRecord } from "./record-factory.ts";
import { alignOf, FONT_STACKS, fontSizeOf, fontStackOf } from "./text-style.ts";

export interface TextEditing {
  /** The record being edited; null for a new text not created yet. */
  id: string | null;
  /** A text, a sticky note's text, the label inside a rectangle or ellipse, or a frame's name. */
  kind: "text" | "sticky" | "label" | "frame";
  x: number;
  y: number;
  w: number;
  h: number;
  size: number;
  /** The CSS font stack and alignment the words are drawn in: the box shows them as the canvas will. */
  font: string;
  align: TextAlign;
  color: string;
  fill: string | null;
  text: string;
  /** A label's line width (world units): its lines wrap as the canvas wraps them. */
  wrap?: number;
  /** The shape's rotation (radians): the box turns with it. */
  rotation?: number;
}

/** Where a new text's first line sits relative to the click: the click lands
 * on the line's middle, as a person aims at where they want to write. */
const BASELINE_OFFSET = 0.6;

/** A new, empty text box at a world point, in the current ink and size. */
export function newTextEditing(wx: number, wy: number, size: number, color: string, style: { font: FontFamily; align?: TextAlign | undefined } = { font: "sans" }): TextEditing {
  const font = FONT_STACKS[style.font];
  return { id: null, kind: "text", x: round2(wx), y: round2(wy - size * BASELINE_OFFSET), w: 0, h: size * LINE_HEIGHT, size, font, align: style.align ?? "left", color, fill: null, text: "" };
}

/** The text box over an existing text, sticky note, or a rectangle's or
 * ellipse's label; null for other shapes. */
export function editingFor(s: Shape): TextEditing | null {
  if (s.type === "rect" || s.type === "ellipse") {
    return { id: s.id, kind: "label", x: s.x, y: s.y, w: s.w, h: s.h, size: fontSizeOf(s), font: fontStackOf(s), align: alignOf(s), color: s.color, fill: s.fill, text: s.label ?? "", wrap: labelWidth(s), rotation: s.rotation ?? 0 };
  }
  if (s.type === "frame") {
    // The name, written where it is drawn: above the frame's top-left corner.
    return { id: s.id, kind: "frame", x: s.x, y: s.y - FRAME_TITLE_HEIGHT + (FRAME_TITLE_HEIGHT - FRAME_TITLE_SIZE * LINE_HEIGHT) / 2, w: s.w, h: FRAME_TITLE_SIZE * LINE_HEIGHT, size: FRAME_TITLE_SIZE, font: FONT_STACKS.sans, align: "left", color: "#868e96", fill: null, text: s.name };
  }
  if (s.type !== "text" && s.type !== "sticky") return null;
  const box = shapeBox(s);
  return {
    id: s.id,
    kind: s.type,
    x: s.x,
    y: s.y,
    w: box.maxX - box.minX,
    h: box.maxY - box.minY,
    size: fontSizeOf(s),
    font: fontStackOf(s),
    align: alignOf(s),
    color: s.color,
    fill: s.type === "sticky" ? s.fill : null,
    text: s.text,
    rotation: s.rotation ?? 0,
  };
}

/** What closing the box with `text` does: the ops to apply and, when they
 * succeed, the selection to show (undefined: leave it). */
export interface TextCommit {
  ops: Op[];
  select?: string[];
}

/**
 * Closing the text box: a new text is created (nothing if left blank); an
 * existing one is changed, or deleted when emptied (a sticky note keeps its
 * paper, empty; a label is emptied); the record gone meanwhile (deleted by someone else) means
 * nothing to do. A sticky note grows to fit its text.
 */
export function commitTextOps(editing: TextEditing, current: Shape | undefined, text: string, base: () => RecordBase, measure: MeasureText = measureTextWidth): TextCommit {
  if (editing.id === null) {
    if (!text.trim()) return { ops: [] };
    const rec = textRecord(editing, text, base());
    return { ops: [{ op: "put", rec }], select: [rec.id] };
  }
  if (current && editing.kind === "label" && (current.type === "rect" || current.type === "ellipse")) {
    // An emptied label is an empty string: the shape stays.
    return text === (current.label ?? "") ? { ops: [] } : { ops: [{ op: "patch", id: current.id, set: { label: text } }] };
  }
  if (current && editing.kind === "frame" && current.type === "frame") {
    const name = text.replace(/\s+/g, " ").trim().slice(0, MAX_FRAME_NAME_CHARS);
    return name === current.name ? { ops: [] } : { ops: [{ op: "patch", id: current.id, set: { name } }] };
  }
  if (!current || (current.type !== "text" && current.type !== "sticky")) return { ops: [] };
  if (current.type === "text" && !text.trim()) return { ops: [{ op: "del", id: current.id }], select: [] };
  if (text === current.text) return { ops: [] };
  if (current.type === "sticky") {
    // A note grows to show all its text instead of cutting it off.
    const h = stickyHeightFor(current.w, current.h, text, measure, fontSizeOf(current), fontStackOf(current));
    return { ops: [{ op: "patch", id: current.id, set: h === current.h ? { text } : { text, h } }] };
  }
  return { ops: [{ op: "patch", id: current.id, set: { text } }] };
}

/** What the others see while the box is open (a live draft): the record as
 * closing the box now would leave it; null when that changes nothing. */
export function typingDraft(editing: TextEditing, current: Shape | undefined, text: string, base: () => RecordBase, measure: MeasureText = measureTextWidth): Shape | null {
  const op = commitTextOps(editing, current, text, base, measure).ops[0];
  if (!op || op.op === "del") return null;
  if (op.op === "put") return op.rec;
  return current ? ({ ...current, ...op.set } as Shape) : null;
}
