/**
 * Exporting shapes as a person asks for it: a PNG or SVG file downloaded, or a
 * PNG put on the system clipboard ("Copy as image", a ClipboardItem of
 * image/png). Always painted in the light theme on white, whatever the screen
 * shows, so an export looks the same from every screen.
 */
import type { Shape } from "../../../party/whiteboard/records.ts";
import { withPaintTheme } from "../theme/board-palette.ts";
import { exportPng } from "./export-png.ts";
import { exportSvg } from "./export-svg.ts";
import { loadPictures, pictureDataUrls } from "./images.ts";

export type ExportKind = "png" | "svg";

/** The shapes as an image blob, painted light; null when there are none. */
export async function imageBlob(kind: ExportKind, shapes: readonly Shape[]): Promise<Blob | null> {
  if (kind === "svg") {
    // Pictures go in as data: URLs, so the file shows them anywhere.
    const pictures = await pictureDataUrls(shapes);
    const svg = withPaintTheme("light", () => exportSvg(shapes, pictures));
    return svg ? new Blob([svg], { type: "image/svg+xml" }) : null;
  }
  // Every picture decoded first: painting is synchronous.
  await loadPictures(shapes);
  // exportPng paints synchronously before its first await: the theme holds for the painting.
  return withPaintTheme("light", () => exportPng(shapes));
}

/** Download the shapes as `name`.png or .svg; false when there is nothing to export. */
export async function downloadImage(kind: ExportKind, shapes: readonly Shape[], name: string): Promise<boolean> {
  const blob = await imageBlob(kind, shapes);
  if (!blob) return false;
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = `${name}.${kind}`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return true;
}

/** Put the shapes on the system clipboard as a PNG. "empty": nothing to copy;
 * "refused": the browser would not (no permission, or no ClipboardItem). */
export async function copyImage(shapes: readonly Shape[]): Promise<"copied" | "empty" | "refused"> {
  if (!shapes.length) return "empty";
  if (typeof ClipboardItem === "undefined" || !navigator.clipboard?.write) return "refused";
  try {
    // The item takes a promise, so the browser keeps the click's permission while the PNG is made.
    await navigator.clipboard.write([new ClipboardItem({ "image/png": imageBlob("png", shapes).then((b) => b ?? new Blob()) })]);
    return "copied";
  } catch {
    return "refused";
  }
}
