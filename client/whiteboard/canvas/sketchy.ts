/**
 * Sketchy ("hand-drawn") rectangles, ellipses, lines and arrows, from roughjs
 * (README "Dependencies"). Every screen draws a shape's wobble the same: the
 * random numbers are seeded from the shape's id. Generating a rough drawable
 * costs far more than painting it, so each shape's is made once per geometry
 * (size, points, stroke, whether it is filled: not its place, colour or
 * dash — the painter's line dash applies to the paths) in its
 * own coordinates, kept per record object and per id, and painted translated
 * to where the shape is: moving a shape reuses it; a frame of 10,000 sketchy
 * shapes generates none.
 */
import rough from "roughjs";
import type { Options } from "roughjs/bin/core";
import type { Shape } from "../../../party/whiteboard/records.ts";
import { paintLabel } from "./draw-text.ts";
import { arrowHeadLength } from "./geometry.ts";

type Ctx = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;
export type Sketchable = Extract<Shape, { type: "rect" | "ellipse" | "line" }>;

/** One path of a sketch, relative to the shape's (x, y): an outline stroke, or the inside to fill. */
export interface SketchPart {
  kind: "stroke" | "fill";
  d: string;
  width: number;
  /** An arrow's head: drawn solid even on a dashed line. */
  head: boolean;
  path?: Path2D;
}
export interface Sketch {
  key: string;
  parts: SketchPart[];
}

const generator = rough.generator();

/** A shape's seed: FNV-1a of its id, never 0 (roughjs takes 0 as "unseeded"). */
export function seedFor(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return ((h >>> 0) % 2_147_483_646) + 1;
}

/** What the sketch depends on: a change to anything else (place, colour, opacity) reuses it. */
function geometryKey(s: Sketchable): string {
  const common = `${s.id}|${s.stroke}`;
  if (s.type === "line") return `${common}|line|${s.pts[0][0]},${s.pts[0][1]},${s.pts[1][0]},${s.pts[1][1]}|${s.arrow}`;
  return `${common}|${s.type}|${s.w}|${s.h}|${s.fill === null ? 0 : 1}`;
}

function generate(s: Sketchable, key: string): Sketch {
  const options: Options = { seed: seedFor(s.id), roughness: 1.1, bowing: 1, strokeWidth: s.stroke, stroke: "ink", preserveVertices: false };
  const parts: SketchPart[] = [];
  const add = (drawable: ReturnType<typeof generator.line>, head = false) => {
    for (const set of drawable.sets) {
      if (set.type === "fillSketch") continue; // solid fills only: labels stay readable
      parts.push({ kind: set.type === "fillPath" ? "fill" : "stroke", d: generator.opsToPath(set, 2), width: s.stroke, head });
    }
  };
  if (s.type === "line") {
    const [[ax, ay], [bx, by]] = s.pts;
    add(generator.line(ax, ay, bx, by, options));
    if (s.arrow) {
      const angle = Math.atan2(by - ay, bx - ax);
      const len = Math.min(arrowHeadLength(s.stroke), Math.hypot(bx - ax, by - ay) * 0.6 + s.stroke);
      const spread = Math.PI / 7;
      const wing = (a: number): [number, number] => [bx - len * Math.cos(a), by - len * Math.sin(a)];
      add(generator.linearPath([wing(angle - spread), [bx, by], wing(angle + spread)], options), true);
    }
  } else {
    if (s.fill !== null) {
      options.fill = "fill";
      options.fillStyle = "solid";
    }
    add(s.type === "rect" ? generator.rectangle(0, 0, s.w, s.h, options) : generator.ellipse(s.w / 2, s.h / 2, s.w, s.h, options));
  }
  return { key, parts };
}

const byRecord = new WeakMap<Shape, Sketch>();
const byId = new Map<string, Sketch>();
/** Past this many shapes' sketches kept by id, start over (deleted shapes' sketches go too). */
const MAX_KEPT = 50_000;

/** `s`'s sketch, generated only when its geometry changed. */
export function sketchOf(s: Sketchable): Sketch {
  const known = byRecord.get(s);
  if (known) return known;
  const key = geometryKey(s);
  let sketch = byId.get(s.id);
  if (!sketch || sketch.key !== key) {
    sketch = generate(s, key);
    if (byId.size >= MAX_KEPT) byId.clear();
    byId.set(s.id, sketch);
  }
  byRecord.set(s, sketch);
  return sketch;
}

/** Below this size on screen (px: a box's longer side, a line's length) a
 * sketchy shape is painted clean: its wobble is too small to see there, and a
 * rough outline costs several curves where a clean one is one rectangle — a
 * zoomed-out board of thousands pays for what nobody can tell apart. */
export const MIN_SKETCH_PX = 16;

/** Is `s`, at `zoom`, large enough on screen for its sketch to show? */
export function sketchShows(s: Sketchable, zoom: number): boolean {
  const size = s.type === "line" ? Math.hypot(s.pts[1][0] - s.pts[0][0], s.pts[1][1] - s.pts[0][1]) : Math.max(s.w, s.h);
  return size * zoom >= MIN_SKETCH_PX;
}

/** Paint `s` sketchy (world coordinates): its inside in `fill`, its outline in `ink`, then its label. */
export function paintSketch(ctx: Ctx, s: Sketchable, ink: string, fill: string | null, zoom: number, hideText: boolean): void {
  const sketch = sketchOf(s);
  ctx.save();
  ctx.translate(s.x, s.y);
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  for (const part of sketch.parts) {
    const path = (part.path ??= new Path2D(part.d));
    if (part.kind === "fill") {
      if (!fill) continue;
      ctx.fillStyle = fill;
      ctx.fill(path);
    } else {
      ctx.strokeStyle = ink;
      ctx.lineWidth = part.width;
      if (part.head) ctx.setLineDash([]);
      ctx.stroke(path);
    }
  }
  ctx.restore();
  if (s.type !== "line" && s.label && !hideText) paintLabel(ctx, s, ink, zoom);
}

/** `s` sketchy as SVG paths (its place as a translation). */
export function sketchSvg(s: Sketchable, ink: string, fill: string | null, dashAttr: string): string {
  const parts = sketchOf(s).parts.map((p) =>
    p.kind === "fill"
      ? fill
        ? `<path d="${p.d}" fill="${fill}" stroke="none"/>`
        : ""
      : `<path d="${p.d}" fill="none" stroke="${ink}" stroke-width="${p.width}" stroke-linecap="round" stroke-linejoin="round"${p.head ? "" : dashAttr}/>`,
  );
  return `<g transform="translate(${s.x} ${s.y})">${parts.join("")}</g>`;
}
