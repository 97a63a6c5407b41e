/**
 * Pictures onto the board: files dropped, pasted or picked become image
 * shapes (party/whiteboard/records.ts `image`), and image shapes pasted from
 * another board bring their pictures along. The bytes are the room's assets
 * (edgeroom/client RoomAssets, given here as an `ImageStager`): staged on this
 * device first, so the shape is drawn at once, offline too, and reaches the
 * others once the room has stored its picture (the session makes every
 * mutation that names a staged asset wait for it). Each insertion is one
 * undoable step.
 *
 * Large pictures are scaled down here, before they are stored: at most
 * MAX_IMAGE_SIDE_PX on their longer side. An SVG is drawn into a PNG (the room
 * never stores SVG: it can carry script), and so is any type the room does
 * not take that the browser can decode (BMP, ICO…).
 */
import { ASSET_TYPES, MAX_ASSET_BYTES } from "edgeroom/schema";
import type { Shape } from "../../../party/whiteboard/records.ts";
import type { Rect } from "./camera.ts";
import type { Editor } from "../editor.ts";
import { imageRecord, type RecordBase } from "./record-factory.ts";
import { PASTE_OFFSET } from "./paste.ts";

/** Longest side (px) of a picture as stored. 2,048 keeps a full-HD
 * screenshot at full size and a phone photo sharp on a large screen, and
 * keeps a photo around 0.5–1 MB as JPEG (MAX_ASSET_BYTES is 8 MiB). */
export const MAX_IMAGE_SIDE_PX = 2048;
/** Longest side (world units) a picture is first placed at; resize from there. */
export const PLACED_IMAGE_MAX = 640;

/** What the board needs of the room's assets (RoomAssets satisfies it). */
export interface ImageStager {
  stage(file: Blob): Promise<{ hash: string }>;
  stageFrom(url: string, hash: string): Promise<unknown>;
}

export interface BoardImagesHost {
  editor: Editor;
  nextZ(): number;
  view(): Rect;
  select(ids: string[]): void;
  recordBase(id: string): RecordBase;
  newId(): string;
}

/** A file the board takes as a picture (by its declared type: the room checks the bytes). */
export function isImageFile(file: { type: string }): boolean {
  return file.type.startsWith("image/");
}

export class BoardImages {
  private stager: ImageStager | null = null;
  private roomId = "";
  private report: (message: string) => void = () => {};

  constructor(private readonly host: BoardImagesHost) {}

  /** This board's room id ("" until attached). */
  room(): string {
    return this.roomId;
  }

  /** The room's assets, its id (for pastes from other rooms), and where to say what went wrong. */
  attach(stager: ImageStager, room: string, report: (message: string) => void): void {
    this.stager = stager;
    this.roomId = room;
    this.report = report;
  }

  /** Put `files` on the board centred at `at` (world), else the middle of
   * the view, each a step further; selects them. Resolves with how many. */
  async insert(files: readonly Blob[], at?: readonly [number, number]): Promise<number> {
    const stager = this.stager;
    if (!stager) return 0;
    const v = this.host.view();
    const [cx, cy] = at ?? [(v.minX + v.maxX) / 2, (v.minY + v.maxY) / 2];
    const records: Shape[] = [];
    for (const file of files) {
      try {
        const picture = await preparePicture(file);
        const { hash } = await stager.stage(picture.blob);
        const k = Math.min(1, PLACED_IMAGE_MAX / Math.max(picture.width, picture.height));
        const step = records.length * PASTE_OFFSET;
        const base = { ...this.host.recordBase(this.host.newId()), z: this.host.nextZ() + records.length };
        records.push(imageRecord(cx + step, cy + step, picture.width * k, picture.height * k, hash, base));
      } catch (e) {
        this.report(e instanceof Error && e.message ? `That picture could not be added: ${e.message}` : "That picture could not be added.");
      }
    }
    if (records.length && this.host.editor.apply(records.map((rec) => ({ op: "put", rec })))) this.host.select(records.map((r) => r.id));
    return records.length;
  }

  /** Before image shapes copied in room `from` are pasted here: stage their
   * pictures, read from that room. False (and said) when one cannot be read. */
  async bring(records: readonly Shape[], from: string | undefined): Promise<boolean> {
    const stager = this.stager;
    const hashes = [...new Set(records.flatMap((s) => (s.type === "image" ? [s.asset] : [])))];
    if (!stager || !from || from === this.roomId || hashes.length === 0) return true;
    try {
      await Promise.all(hashes.map((h) => stager.stageFrom(`${location.origin}/parties/whiteboard/${from}/assets/${h}`, h)));
      return true;
    } catch {
      this.report("The pictures of those shapes could not be read from their board (offline?).");
      return false;
    }
  }
}

/** The picture as it will be stored: decoded, scaled to MAX_IMAGE_SIDE_PX,
 * re-encoded when it was scaled, is not a type the room takes, or is too large. */
export async function preparePicture(file: Blob): Promise<{ blob: Blob; width: number; height: number }> {
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const w = img.naturalWidth || 300;
    const h = img.naturalHeight || 150;
    const k = Math.min(1, MAX_IMAGE_SIDE_PX / Math.max(w, h));
    const storable = (ASSET_TYPES as readonly string[]).includes(file.type);
    if (k === 1 && storable && file.size <= MAX_ASSET_BYTES) return { blob: file, width: w, height: h };
    const width = Math.max(1, Math.round(w * k));
    const height = Math.max(1, Math.round(h * k));
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext("2d")!;
    const photo = file.type === "image/jpeg" || file.type === "image/webp";
    if (photo) {
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, width, height);
    }
    ctx.drawImage(img, 0, 0, width, height);
    let blob = await toBlob(canvas, photo ? file.type : "image/png");
    // A huge PNG (a detailed screenshot) as JPEG, on white.
    if (blob.size > MAX_ASSET_BYTES) {
      ctx.globalCompositeOperation = "destination-over";
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, width, height);
      blob = await toBlob(canvas, "image/jpeg");
    }
    return { blob, width, height };
  } finally {
    URL.revokeObjectURL(url);
  }
}

function toBlob(canvas: HTMLCanvasElement, type: string): Promise<Blob> {
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("the browser could not encode it"))), type, 0.9));
}
