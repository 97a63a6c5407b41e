/**
 * W5's board: the same deterministic shapes for the whiteboard (bench/render.ts)
 * and for tldraw's and Excalidraw's pages (bench/render-peers.ts), so every
 * editor is measured on the same 10,000 shapes in the same places.
 */
import type { Shape } from "../party/whiteboard/records.ts";

/** Board area the shapes are spread over (world units): several screens wide. */
export const AREA = { w: 6_000, h: 4_000 };
export const COLORS = ["#1e1e1e", "#e03131", "#2f9e44", "#1971c2", "#f08c00", "#9c36b5"];

/** Deterministic shapes (mulberry32), a mix like a busy board. */
export function makeShapes(n: number): Shape[] {
  let seed = 42;
  const rnd = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out: Shape[] = [];
  for (let i = 0; i < n; i++) {
    const base = { id: `s${i}`, x: Math.round(rnd() * AREA.w), y: Math.round(rnd() * AREA.h), z: i + 1, color: COLORS[i % COLORS.length]!, stroke: 2 + (i % 3) * 2 };
    const kind = i % 6;
    if (kind === 0) out.push({ ...base, type: "rect", w: 40 + rnd() * 120, h: 30 + rnd() * 80, fill: null, ...(i % 12 === 0 ? { label: `box ${i}` } : {}) });
    else if (kind === 1) out.push({ ...base, type: "ellipse", w: 40 + rnd() * 100, h: 30 + rnd() * 80, fill: null });
    else if (kind === 2) {
      // Every other line is an arrow from the rectangle two shapes back to the
      // ellipse just before it: resolved from their geometry on every paint.
      const bound = i % 12 === 2;
      out.push({
        ...base,
        type: "line",
        pts: [[0, 0], [rnd() * 150 - 75, rnd() * 150 - 75]],
        arrow: bound,
        ...(bound ? { start: { id: `s${i - 2}`, x: 1, y: 0.5 }, end: { id: `s${i - 1}`, x: 0, y: 0.5 } } : {}),
      });
    }
    else if (kind === 3) {
      const pts: [number, number][] = [];
      for (let k = 0; k < 24; k++) pts.push([k * 5, Math.round(Math.sin(k / 3 + i) * 15)]);
      out.push({ ...base, type: "pen", pts });
    } else if (kind === 4) out.push({ ...base, type: "text", text: `note ${i}`, size: 20 });
    else out.push({ ...base, type: "sticky", w: 120, h: 120, text: `sticky ${i}`, fill: "#ffec99" });
  }
  return out;
}
