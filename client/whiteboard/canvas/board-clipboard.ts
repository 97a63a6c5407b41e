/**
 * Copy, cut, paste and duplicate on the board: the browser's clipboard events
 * in, edits through the Editor out (a paste of any size is one undo step; the
 * editor splits it into mutations the room accepts). The format is
 * clipboard.ts; where the copies land is paste.ts.
 *
 * A frame is copied, cut and duplicated with what it holds.
 *
 * Ctrl+C/X/V are the browser's own copy/cut/paste events (not key presses), so
 * the system clipboard carries the shapes to other tabs and rooms. The last
 * copy is also kept here: a menu's Paste cannot read our JSON type back from
 * the system clipboard (the browser only hands it to a paste event), so it
 * uses this copy unless the system clipboard has since taken other text.
 */
import type { Shape } from "../../../party/whiteboard/records.ts";
import { newRecordId } from "edgeroom/client";
import type { Editor } from "../editor.ts";
import type { Rect } from "./camera.ts";
import { CLIPBOARD_MIME, decodeClipboard, encodeClipboard, type Pasted, plainTextOf } from "./clipboard.ts";
import { withFrameContents } from "./frames.ts";
import { pastedRecords, pasteShift } from "./paste.ts";
import { paintOrder } from "./scene.ts";
import type { BoardImages } from "./board-images.ts";
import { isImageFile } from "./board-images.ts";
import { type RecordBase, textRecord } from "./record-factory.ts";

/** What the clipboard commands need from the board. */
export interface ClipboardHost {
  records(): ReadonlyMap<string, Shape>;
  /** The selected shapes as stored (no drag preview). */
  selected(): Shape[];
  editor: Editor;
  nextZ(): number;
  view(): Rect;
  select(ids: string[]): void;
  /** Style of a new shape (a pasted plain text becomes a text shape). */
  recordBase(id: string): RecordBase;
  textSize(): number;
  /** Pasted picture files, and the pictures of image shapes from another board. */
  images?: Pick<BoardImages, "insert" | "bring" | "room">;
}

interface Copied {
  json: string;
  plain: string;
  records: Shape[];
  /** The board it was copied on (its pictures are that room's assets). */
  room?: string;
  /** Pastes made from it so far (each lands a step further). */
  repeat: number;
}

export class BoardClipboard {
  private last: Copied | null = null;

  constructor(private readonly host: ClipboardHost) {}

  /** A copy event: write the selection. False when nothing is selected (let the browser copy). */
  copy(data: DataTransfer | null): boolean {
    const shapes = this.taken();
    if (shapes.length === 0) return false;
    const room = this.host.images?.room();
    const copied: Copied = { json: encodeClipboard(shapes, room), plain: plainTextOf(shapes), records: shapes, repeat: 0, ...(room ? { room } : {}) };
    this.last = copied;
    if (data) {
      data.setData(CLIPBOARD_MIME, copied.json);
      data.setData("text/plain", copied.plain);
    }
    return true;
  }

  /** A cut event: copy, then delete the selection (one undo step). */
  cut(data: DataTransfer | null): boolean {
    if (!this.copy(data)) return false;
    this.host.editor.apply(this.last!.records.map((s) => ({ op: "del", id: s.id })));
    this.host.select([]);
    return true;
  }

  /** A paste event, from its two strings (either may be empty) and its
   * files: pictures among them are put on the board as image shapes. */
  pasteData(json: string, text: string, files: readonly File[] = []): void {
    const pictures = files.filter(isImageFile);
    if (pictures.length && this.host.images) {
      void this.host.images.insert(pictures);
      return;
    }
    const last = this.last;
    if (last && json === last.json) return this.pasteCopied(last);
    const pasted = decodeClipboard(json, text);
    // The JSON did not come through (another app kept only the text, or no
    // clipboard at all): our own copy, if the text is still ours.
    if (last && (pasted.kind === "nothing" || (pasted.kind === "text" && text === last.plain))) return this.pasteCopied(last);
    this.pasteDecoded(pasted);
  }

  /** The menu's Paste: the system clipboard's text if it changed since our last copy, else our copy. */
  async pasteFromMenu(): Promise<void> {
    const text = await readSystemText();
    const last = this.last;
    if (last && (text === null || text === last.plain)) return this.pasteCopied(last);
    if (text !== null) this.pasteDecoded(decodeClipboard("", text));
  }

  /** Ctrl+D: copies of the selection a step away, selected; the clipboard is left alone. */
  duplicate(): void {
    const shapes = this.taken();
    if (shapes.length) this.place(shapes, 0);
  }

  /** What a copy or duplicate takes: the selection, a frame with what it
   * holds (frames.ts), in paint order. The copies keep their places relative
   * to the frame's copy, so it holds them as the frame holds the originals. */
  private taken(): Shape[] {
    return withFrameContents(this.host.selected(), [...this.host.records().values()]).sort(paintOrder);
  }

  private pasteCopied(c: Copied): void {
    if (this.place(c.records, c.repeat)) c.repeat++;
  }

  private pasteDecoded(p: Pasted): void {
    if (p.kind === "shapes") {
      const copied: Copied = { json: encodeClipboard(p.records, p.room), plain: plainTextOf(p.records), records: p.records, repeat: 0, ...(p.room ? { room: p.room } : {}) };
      this.last = copied;
      // Pictures from another board are staged here first (read from that board).
      const images = this.host.images;
      if (images && p.room && p.room !== images.room() && p.records.some((s) => s.type === "image")) {
        void images.bring(p.records, p.room).then((ok) => ok && this.pasteCopied(copied));
        return;
      }
      this.pasteCopied(copied);
    } else if (p.kind === "text") {
      const v = this.host.view();
      const base = this.host.recordBase(newRecordId());
      const rec = textRecord({ x: (v.minX + v.maxX) / 2, y: (v.minY + v.maxY) / 2, size: this.host.textSize(), color: base.color }, p.text, base);
      if (this.host.editor.apply([{ op: "put", rec }])) this.host.select([rec.id]);
    }
  }

  /** Put copies of `records`, `repeat` steps on; select them. */
  private place(records: readonly Shape[], repeat: number): boolean {
    const here = this.host.records();
    const originalsHere = records.some((s) => here.has(s.id));
    const shift = pasteShift(records, { repeat, originalsHere, view: this.host.view() });
    const copies = pastedRecords(records, shift, this.host.nextZ(), newRecordId);
    if (!this.host.editor.apply(copies.map((rec) => ({ op: "put", rec })))) return false;
    this.host.select(copies.map((s) => s.id));
    return true;
  }
}

/** The system clipboard's text, or null when the browser will not say. */
async function readSystemText(): Promise<string | null> {
  try {
    return (await globalThis.navigator?.clipboard?.readText()) ?? null;
  } catch {
    return null;
  }
}
