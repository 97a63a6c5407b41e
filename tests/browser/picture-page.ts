/**
 * Pictures in a browser test: drop a PNG made in the page onto the board, as a
 * person drags a file in, and find the image shape it made.
 */
import type { Page } from "playwright-core";
import type { Shape } from "../../party/whiteboard/records.ts";
import { records } from "./board-page.ts";

export const TEAL = "#0ca678";

export type ImageShape = Extract<Shape, { type: "image" }>;

/** Drop a solid `color` PNG of w × h pixels (made in the page) at client point
 * (x, y). Resolves with the page's time of the drop (epoch ms, high resolution). */
export async function dropPicture(page: Page, x: number, y: number, w = 240, h = 160, color = TEAL): Promise<number> {
  return page.evaluate(
    async ([x, y, w, h, color]) => {
      const canvas = document.createElement("canvas");
      canvas.width = w as number;
      canvas.height = h as number;
      const ctx = canvas.getContext("2d")!;
      ctx.fillStyle = color as string;
      ctx.fillRect(0, 0, w as number, h as number);
      const blob = await new Promise<Blob>((r) => canvas.toBlob((b) => r(b!), "image/png"));
      const dt = new DataTransfer();
      dt.items.add(new File([blob], "teal.png", { type: "image/png" }));
      const at = performance.timeOrigin + performance.now();
      for (const type of ["dragenter", "dragover", "drop"]) {
        window.dispatchEvent(new DragEvent(type, { dataTransfer: dt, clientX: x as number, clientY: y as number, bubbles: true, cancelable: true }));
      }
      return at;
    },
    [x, y, w, h, color] as const,
  );
}

/** The (first) image shape on `page`'s board, or the first that passes `which`. */
export const imageOf = async (page: Page, which: (s: ImageShape) => boolean = () => true): Promise<ImageShape | undefined> =>
  (await records(page)).find((r): r is ImageShape => r.type === "image" && which(r));

/** The page point (for the mouse) of world point (x, y) on `page`'s board. */
export async function pagePoint(page: Page, x: number, y: number): Promise<[number, number]> {
  const [sx, sy] = await page.evaluate(([x, y]) => window.__edgeroom!.controller.worldToScreen(x, y), [x, y] as const);
  const box = (await page.getByTestId("board").boundingBox())!;
  return [box.x + sx, box.y + sy];
}

/** A's edits (the picture's upload, then its record) have all reached the room. */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => window.__edgeroom!.session.client.pendingCount === 0, null, { timeout: 20_000 });
}

/** Drop an SVG file (its text) at client point (x, y). */
export async function dropSvg(page: Page, x: number, y: number, svg: string): Promise<void> {
  await page.evaluate(
    ([x, y, svg]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([svg as string], "drawing.svg", { type: "image/svg+xml" }));
      for (const type of ["dragenter", "dragover", "drop"]) {
        window.dispatchEvent(new DragEvent(type, { dataTransfer: dt, clientX: x as number, clientY: y as number, bubbles: true, cancelable: true }));
      }
    },
    [x, y, svg] as const,
  );
}

/** The stored picture `hash` of room `room` as the page reads it: its type and size in pixels. */
export async function storedPicture(page: Page, room: string, hash: string): Promise<{ type: string; width: number; height: number }> {
  return page.evaluate(
    async ([room, hash]) => {
      const res = await fetch(`/parties/whiteboard/${room}/assets/${hash}`);
      const bitmap = await createImageBitmap(await res.blob());
      return { type: res.headers.get("Content-Type") ?? "", width: bitmap.width, height: bitmap.height };
    },
    [room, hash] as const,
  );
}
