/**
 * Remote cursors as small bitmaps: each person's arrow and name label is
 * drawn once (draw.ts drawCursor) into a sprite of its own and blitted where
 * the cursor is each frame. Without a GPU the overlay's draw calls are
 * rasterised every frame it changes; 50 cursors' filled and stroked arrows,
 * label boxes and text cost about twice what 50 blits do (BENCHMARKS.md,
 * W5's profile). A sprite lands on whole device pixels, so the arrow's
 * edges are the same in every frame.
 */
import { drawCursor } from "./draw.ts";
import { FONT_FAMILY } from "./geometry.ts";

type SpriteCanvas = HTMLCanvasElement | OffscreenCanvas;
type SpriteContext = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** Room around the arrow's tip for its white outline (CSS px). */
const PAD = 2;
/** The label's box ends this far right of its text's width (draw.ts: 12 px before, 12 inside). */
const LABEL_EXTRA = 24;
/** The label's box ends this far below the tip. */
const HEIGHT = 40;

interface Sprite {
  canvas: SpriteCanvas;
  /** Device px from the sprite's corner to the tip. */
  pad: number;
  used: boolean;
}

export class CursorSprites {
  private readonly sprites = new Map<string, Sprite>();

  constructor(private readonly newCanvas: (width: number, height: number) => SpriteCanvas | null = browserCanvas) {}

  /** Draw `name`'s cursor with its tip at (x, y) (CSS px) on `ctx`, whose
   * transform is the identity in device pixels (`dpr` of them per CSS px). */
  draw(ctx: SpriteContext, x: number, y: number, color: string, name: string, opacity: number, dpr: number): void {
    const sprite = this.sprite(ctx, color, name, dpr);
    if (!sprite) {
      ctx.save();
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      drawCursor(ctx, x, y, color, name, opacity);
      ctx.restore();
      return;
    }
    sprite.used = true;
    ctx.globalAlpha = opacity;
    ctx.drawImage(sprite.canvas, Math.round(x * dpr) - sprite.pad, Math.round(y * dpr) - sprite.pad);
    ctx.globalAlpha = 1;
  }

  /** Forget the sprites not drawn since the last sweep (people who left or
   * renamed); call once a frame, after drawing. */
  sweep(): void {
    for (const [key, s] of this.sprites) {
      if (!s.used) this.sprites.delete(key);
      s.used = false;
    }
  }

  /** Forget every sprite (the label's font arrived: they were drawn in the fallback face). */
  reset(): void {
    this.sprites.clear();
  }

  get size(): number {
    return this.sprites.size;
  }

  private sprite(ctx: SpriteContext, color: string, name: string, dpr: number): Sprite | null {
    const key = `${dpr}\n${color}\n${name}`;
    const known = this.sprites.get(key);
    if (known) return known;
    ctx.save();
    ctx.font = `600 12px ${FONT_FAMILY}`;
    const textWidth = ctx.measureText(name).width;
    ctx.restore();
    const pad = Math.ceil(PAD * dpr);
    const canvas = this.newCanvas(Math.ceil((textWidth + LABEL_EXTRA + PAD) * dpr) + 2 * pad, Math.ceil((HEIGHT + PAD) * dpr) + 2 * pad);
    const sctx = canvas?.getContext("2d") as SpriteContext | null | undefined;
    if (!canvas || !sctx) return null;
    sctx.setTransform(dpr, 0, 0, dpr, pad, pad);
    drawCursor(sctx, 0, 0, color, name, 1);
    const sprite = { canvas, pad, used: true };
    this.sprites.set(key, sprite);
    return sprite;
  }
}

function browserCanvas(width: number, height: number): SpriteCanvas | null {
  if (typeof document === "undefined") return null;
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  return canvas;
}
