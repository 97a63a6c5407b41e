/**
 * Remote cursors are drawn once into a sprite each and blitted every frame
 * (client/whiteboard/canvas/cursor-sprites.ts): the overlay's per-frame
 * raster work for 50 people is 50 blits, not 50 arrows, label boxes and texts.
 */
import { describe, expect, it } from "vitest";
import { CursorSprites } from "../../client/whiteboard/canvas/cursor-sprites.ts";

/** A 2D context that counts what is drawn on it (text measured at 7 px a character). */
function recordingContext() {
  const calls: { name: string; args: unknown[] }[] = [];
  const ctx = new Proxy({} as Record<string | symbol, unknown>, {
    get(target, prop) {
      if (prop in target) return target[prop];
      if (prop === "measureText") return (text: string) => ({ width: text.length * 7 });
      return (...args: unknown[]) => void calls.push({ name: String(prop), args });
    },
    set(target, prop, value) {
      target[prop] = value;
      return true;
    },
  });
  const count = (name: string) => calls.filter((c) => c.name === name).length;
  return { ctx: ctx as unknown as CanvasRenderingContext2D, calls, count };
}

function fakeCanvases() {
  const made: { width: number; height: number; rec: ReturnType<typeof recordingContext> }[] = [];
  const newCanvas = (width: number, height: number) => {
    const rec = recordingContext();
    made.push({ width, height, rec });
    return { width, height, getContext: () => rec.ctx } as unknown as HTMLCanvasElement;
  };
  return { made, newCanvas };
}

describe("remote cursors as sprites", () => {
  it("50 people moving for 120 frames: each label's text and arrow drawn once, then one blit a person a frame", () => {
    const { made, newCanvas } = fakeCanvases();
    const sprites = new CursorSprites(newCanvas);
    const screen = recordingContext();
    for (let frame = 0; frame < 120; frame++) {
      for (let i = 0; i < 50; i++) sprites.draw(screen.ctx, 100 + i * 10 + frame * 0.37, 200 + frame * 0.61, "#1971c2", `Person ${i}`, 1, 1);
      sprites.sweep();
    }
    expect(made).toHaveLength(50);
    for (const { rec } of made) {
      expect(rec.count("fillText")).toBe(1);
      expect(rec.count("fill")).toBe(2); // the arrow and the label's box
    }
    expect(screen.count("drawImage")).toBe(50 * 120);
    expect(screen.count("fillText")).toBe(0);
  });

  it("a blit lands on whole device pixels with the tip where the cursor is; a wider label gets a wider sprite", () => {
    const { made, newCanvas } = fakeCanvases();
    const sprites = new CursorSprites(newCanvas);
    const screen = recordingContext();
    sprites.draw(screen.ctx, 10.4, 20.6, "#e03131", "Ada", 1, 2);
    sprites.draw(screen.ctx, 10.4, 20.6, "#e03131", "Ada Lovelace", 1, 2);
    const [a, b] = screen.calls.filter((c) => c.name === "drawImage").map((c) => c.args as [unknown, number, number]);
    // Tip at device pixel (21, 41); the sprite's corner 4 device px (2 CSS px at dpr 2) up and left of it.
    expect(a!.slice(1)).toEqual([17, 37]);
    expect(b!.slice(1)).toEqual([17, 37]);
    expect(made[1]!.width - made[0]!.width).toBe(2 * 7 * ("Ada Lovelace".length - "Ada".length));
  });

  it("someone who left or renamed is forgotten at the next sweep; a faded cursor is blitted translucent", () => {
    const { made, newCanvas } = fakeCanvases();
    const sprites = new CursorSprites(newCanvas);
    const screen = recordingContext();
    sprites.draw(screen.ctx, 0, 0, "#1971c2", "Ada", 1, 1);
    sprites.draw(screen.ctx, 0, 0, "#2f9e44", "Grace", 1, 1);
    sprites.sweep();
    sprites.draw(screen.ctx, 0, 0, "#1971c2", "Ada L.", 1, 1); // renamed; Grace left
    sprites.sweep();
    expect(sprites.size).toBe(1);
    expect(made).toHaveLength(3);
    const alphas: unknown[] = [];
    const ctx = new Proxy(screen.ctx as unknown as Record<string | symbol, unknown>, {
      set(target, prop, value) {
        if (prop === "globalAlpha") alphas.push(value);
        target[prop] = value;
        return true;
      },
    }) as unknown as CanvasRenderingContext2D;
    sprites.draw(ctx, 0, 0, "#1971c2", "Ada L.", 0.3, 1);
    expect(alphas).toEqual([0.3, 1]);
  });
});
