/**
 * The board's clipboard format: what Copy writes and what Paste accepts, so
 * shapes travel between rooms, tabs and browsers through the system clipboard
 * (docs/CLIPBOARD.md is the contract). Pure: no DOM, no room — the board
 * controller moves the strings in and out of the browser's clipboard.
 */
import { Shape } from "../../../party/whiteboard/records.ts";
import { MAX_TEXT_CHARS } from "../../../party/whiteboard/limits.ts";

/** The clipboard type the JSON is written under (a custom type Chromium keeps
 * between its own tabs and windows; other apps get the plain text). */
export const CLIPBOARD_MIME = "application/x-edgeroom-shapes+json";
/** The marker that tells our JSON from any other, also when it arrives as plain text. */
export const CLIPBOARD_KIND = "edgeroom/shapes";
/** The format's version; a reader refuses a higher one rather than guess. */
export const CLIPBOARD_VERSION = 1;

export interface ClipboardDoc {
  kind: typeof CLIPBOARD_KIND;
  version: number;
  /** The app the records belong to (the engine's party name). */
  party: "whiteboard";
  /** The copied shapes as stored, in paint order. */
  records: Shape[];
  /** The room they were copied in: an image shape's picture is that room's
   * asset, read from there when it is pasted in another. Optional. */
  room?: string;
}

/** The JSON for `shapes` (already in paint order), copied in `room`. */
export function encodeClipboard(shapes: readonly Shape[], room?: string): string {
  const doc: ClipboardDoc = { kind: CLIPBOARD_KIND, version: CLIPBOARD_VERSION, party: "whiteboard", records: [...shapes], ...(room ? { room } : {}) };
  return JSON.stringify(doc);
}

/** What other apps get: the words on the copied texts, notes and labels, one per
 * paragraph; shapes without words give an empty string. */
export function plainTextOf(shapes: readonly Shape[]): string {
  const parts: string[] = [];
  for (const s of shapes) {
    if ((s.type === "text" || s.type === "sticky") && s.text.trim()) parts.push(s.text);
    if ((s.type === "rect" || s.type === "ellipse") && s.label?.trim()) parts.push(s.label);
  }
  return parts.join("\n\n");
}

export type Pasted =
  | { kind: "shapes"; records: Shape[]; room?: string }
  /** Someone else's text: becomes a text shape. */
  | { kind: "text"; text: string }
  | { kind: "nothing" };

/**
 * What a paste carries, from the clipboard's two strings (either may be
 * empty). Our JSON first, whether under its own type or as plain text (pasted
 * from an editor); records that do not pass the shape schema are dropped, one
 * by one, so a hand-edited or newer clipboard pastes what it can.
 */
export function decodeClipboard(json: string, text: string): Pasted {
  for (const candidate of [json, text]) {
    const doc = parseDoc(candidate);
    if (doc) return doc.records.length ? { kind: "shapes", records: doc.records, ...(doc.room ? { room: doc.room } : {}) } : { kind: "nothing" };
  }
  const trimmed = text.trim();
  return trimmed ? { kind: "text", text: trimmed.slice(0, MAX_TEXT_CHARS) } : { kind: "nothing" };
}

/** The valid records of our JSON and its room, or null when `s` is not our JSON (or a newer version of it). */
function parseDoc(s: string): { records: Shape[]; room?: string } | null {
  if (!s || !s.trimStart().startsWith("{")) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(s);
  } catch {
    return null;
  }
  if (typeof doc !== "object" || doc === null) return null;
  const d = doc as Partial<ClipboardDoc>;
  if (d.kind !== CLIPBOARD_KIND || typeof d.version !== "number" || d.version > CLIPBOARD_VERSION || !Array.isArray(d.records)) return null;
  const out: Shape[] = [];
  for (const r of d.records) {
    const parsed = Shape.safeParse(r);
    if (parsed.success) out.push(parsed.data);
  }
  return typeof d.room === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(d.room) ? { records: out, room: d.room } : { records: out };
}
