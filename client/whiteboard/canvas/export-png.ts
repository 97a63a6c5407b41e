/**
 * The whole board as a PNG: every shape on white, with a margin, at 2× (less
 * when that would pass 4096 px a side — larger canvases fail on some devices).
 */
import type { Shape } from "../../../party/whiteboard/records.ts";
import { drawShape } from "./draw.ts";
import { shapeBounds, unionRects } from "./geometry.ts";

/** Margin around the shapes (world units). */
const EXPORT_PADDING = 32;
/** Pixels per world unit at most: sharp on a high-density screen. */
const EXPORT_MAX_SCALE = 2;
/** Longest side of the image (px): within every browser's canvas limit. */
const EXPORT_MAX_SIDE_PX = 4096;

/** `shapes` in paint order as a PNG; null when there is nothing to export. */
export async function exportPng(shapes: readonly Shape[]): Promise<Blob | null> {
  const bounds = unionRects(shapes.map((s) => shapeBounds(s)));
  if (!bounds) return null;
  const pad = EXPORT_PADDING;
  const w = bounds.maxX - bounds.minX + 2 * pad;
  const h = bounds.maxY - bounds.minY + 2 * pad;
  const scale = Math.min(EXPORT_MAX_SCALE, EXPORT_MAX_SIDE_PX / Math.max(w, h));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.ceil(w * scale));
  canvas.height = Math.max(1, Math.ceil(h * scale));
  const ctx = canvas.getContext("2d");
  if (!ctx) return null;
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.setTransform(scale, 0, 0, scale, (pad - bounds.minX) * scale, (pad - bounds.minY) * scale);
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  for (const s of shapes) drawShape(ctx, s, { pending: false, zoom: scale });
  return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
}
