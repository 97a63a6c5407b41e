/**
 * Shapes as an SVG document: what "Export SVG" downloads. Vector, so it stays
 * sharp at any size and opens in any editor. Painted in the light theme on
 * white, like the PNG (stored colours as they are: displayInk for the light
 * theme), with the same geometry the canvas uses — a pen stroke's outline from
 * perfect-freehand, wrapped sticky and label lines, arrow heads, dashes,
 * rotation.
 * Pure apart from text measuring (geometry.ts).
 */
import getStroke from "perfect-freehand";
import type { Shape } from "../../../party/whiteboard/records.ts";
import { displayInk } from "../theme/board-palette.ts";
import {
  arrowHeadLength, FONT_FAMILY, labelLines, labelWidth, LINE_HEIGHT, shapeBounds, shapeBox, STICKY_PADDING, stickyLines, unionRects,
} from "./geometry.ts";
import { alignOf, fontOf, fontSizeOf, fontStackOf } from "./text-style.ts";
import { handFontCss } from "./fonts.ts";
import { sketchSvg } from "./sketchy.ts";
import { centreOf, rotationOf } from "./rotate.ts";
import { frameSvg } from "./frames.ts";

/** Margin around the shapes (world units), as the PNG export. */
export const SVG_PADDING = 32;

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const n = (v: number) => String(Math.round(v * 100) / 100);

function dashArray(s: Shape): string {
  if (s.dash === "dashed") return ` stroke-dasharray="${n(s.stroke * 3 + 4)} ${n(s.stroke * 2 + 4)}"`;
  if (s.dash === "dotted") return ` stroke-dasharray="0.001 ${n(s.stroke * 2 + 2)}"`;
  return "";
}

const ANCHOR = { left: "start", center: "middle", right: "end" } as const;

/** `s`'s lines from `top`, set across the box from `left`, `width` wide, in its face, size and alignment. */
function textLines(s: Shape, lines: readonly string[], left: number, width: number, top: number, color: string): string {
  const size = fontSizeOf(s);
  const align = alignOf(s);
  const x = align === "center" ? left + width / 2 : align === "right" ? left + width : left;
  const lh = size * LINE_HEIGHT;
  const inset = (lh - size) / 2;
  const family = fontOf(s) === "sans" ? "" : ` font-family="${esc(fontStackOf(s))}"`;
  return lines
    .map((line, i) => `<text x="${n(x)}" y="${n(top + inset + i * lh)}" font-size="${n(size)}"${family} fill="${color}" text-anchor="${ANCHOR[align]}" dominant-baseline="text-before-edge" xml:space="preserve">${esc(line)}</text>`)
    .join("");
}

function label(s: Extract<Shape, { type: "rect" | "ellipse" }>, ink: string): string {
  if (!s.label) return "";
  const lines = labelLines(s);
  const lh = fontSizeOf(s) * LINE_HEIGHT;
  const color = s.fill === s.color ? "#ffffff" : ink;
  const width = labelWidth(s);
  return textLines(s, lines, s.x + (s.w - width) / 2, width, s.y + s.h / 2 - (lines.length * lh) / 2, color);
}

/** The bundled hand-drawn face, embedded when a shape is written in it (the file renders the same offline, anywhere). */
const handFontFace = () => `<defs><style>${handFontCss()}</style></defs>`;

/** One shape as SVG elements; an image with its picture from `pictures` (by
 * asset hash, a data: URL), or a placeholder box without one. */
export function shapeSvg(s: Shape, pictures: ReadonlyMap<string, string> = new Map()): string {
  const ink = s.type === "sticky" ? s.color : displayInk(s.color);
  const opacity = s.opacity !== undefined && s.opacity !== 1 ? ` opacity="${s.opacity}"` : "";
  const stroke = `stroke="${ink}" stroke-width="${n(s.stroke)}" stroke-linecap="round" stroke-linejoin="round"`;
  let body: string;
  switch (s.type) {
    case "rect":
    case "ellipse": {
      const fill = s.fill ? (s.fill === s.color ? ink : s.fill) : "none";
      body = s.sketchy
        ? sketchSvg(s, ink, s.fill ? fill : null, dashArray(s))
        : s.type === "rect"
          ? `<rect x="${n(s.x)}" y="${n(s.y)}" width="${n(s.w)}" height="${n(s.h)}" fill="${fill}" ${stroke}${dashArray(s)}/>`
          : `<ellipse cx="${n(s.x + s.w / 2)}" cy="${n(s.y + s.h / 2)}" rx="${n(s.w / 2)}" ry="${n(s.h / 2)}" fill="${fill}" ${stroke}${dashArray(s)}/>`;
      body += label(s, ink);
      break;
    }
    case "line": {
      const [ax, ay] = [s.x + s.pts[0][0], s.y + s.pts[0][1]];
      const [bx, by] = [s.x + s.pts[1][0], s.y + s.pts[1][1]];
      if (s.sketchy) {
        body = sketchSvg(s, ink, null, dashArray(s));
        break;
      }
      body = `<line x1="${n(ax)}" y1="${n(ay)}" x2="${n(bx)}" y2="${n(by)}" fill="none" ${stroke}${dashArray(s)}/>`;
      if (s.arrow) {
        const angle = Math.atan2(by - ay, bx - ax);
        const len = Math.min(arrowHeadLength(s.stroke), Math.hypot(bx - ax, by - ay) * 0.6 + s.stroke);
        const spread = Math.PI / 7;
        const p = (a: number) => `${n(bx - len * Math.cos(a))},${n(by - len * Math.sin(a))}`;
        body += `<polygon points="${n(bx)},${n(by)} ${p(angle - spread)} ${p(angle + spread)}" fill="${ink}" ${stroke}/>`;
      }
      break;
    }
    case "pen": {
      const hasPressure = s.pts.some((p) => p.length === 3);
      const outline = getStroke(
        s.pts.map((p) => [s.x + p[0], s.y + p[1], p[2] ?? 0.5]),
        { size: s.stroke * 2, thinning: hasPressure ? 0.6 : 0.5, smoothing: 0.5, streamline: 0.4, simulatePressure: !hasPressure, last: true },
      );
      if (outline.length < 2) {
        body = `<circle cx="${n(s.x + s.pts[0]![0])}" cy="${n(s.y + s.pts[0]![1])}" r="${n(s.stroke)}" fill="${ink}"/>`;
        break;
      }
      let d = `M${n(outline[0]![0]!)} ${n(outline[0]![1]!)}`;
      for (let i = 1; i < outline.length; i++) {
        const a = outline[i]!;
        const b = outline[(i + 1) % outline.length]!;
        d += `Q${n(a[0]!)} ${n(a[1]!)} ${n((a[0]! + b[0]!) / 2)} ${n((a[1]! + b[1]!) / 2)}`;
      }
      body = `<path d="${d}Z" fill="${ink}"/>`;
      break;
    }
    case "text": {
      const box = shapeBox(s);
      body = textLines(s, s.text.split("\n"), s.x, box.maxX - box.minX, s.y, ink);
      break;
    }
    case "sticky":
      body =
        `<rect x="${n(s.x + 2)}" y="${n(s.y + 4)}" width="${n(s.w)}" height="${n(s.h)}" fill="#000000" fill-opacity="0.12"/>` +
        `<rect x="${n(s.x)}" y="${n(s.y)}" width="${n(s.w)}" height="${n(s.h)}" fill="${s.fill}"/>` +
        textLines(s, stickyLines(s), s.x + STICKY_PADDING, Math.max(10, s.w - 2 * STICKY_PADDING), s.y + STICKY_PADDING - (fontSizeOf(s) * LINE_HEIGHT - fontSizeOf(s)) / 2, s.color);
      break;
    case "image": {
      const href = pictures.get(s.asset);
      body = href
        ? `<image x="${n(s.x)}" y="${n(s.y)}" width="${n(s.w)}" height="${n(s.h)}" preserveAspectRatio="none" href="${esc(href)}"/>`
        : `<rect x="${n(s.x)}" y="${n(s.y)}" width="${n(s.w)}" height="${n(s.h)}" fill="#e9ecef" stroke="#adb5bd" stroke-width="1"/>`;
      break;
    }
    case "frame":
      body = frameSvg(s, n, esc);
      break;
  }
  const angle = rotationOf(s);
  let turn = "";
  if (angle) {
    const [cx, cy] = centreOf(shapeBox(s));
    turn = ` transform="rotate(${n((angle * 180) / Math.PI)} ${n(cx)} ${n(cy)})"`;
  }
  return `<g${opacity}${turn}>${body}</g>`;
}

/** `shapes` (in paint order, as drawn) as an SVG document on white, images
 * embedded from `pictures`; null when there are none. */
export function exportSvg(shapes: readonly Shape[], pictures: ReadonlyMap<string, string> = new Map()): string | null {
  const bounds = unionRects(shapes.map((s) => shapeBounds(s)));
  if (!bounds) return null;
  const x = bounds.minX - SVG_PADDING;
  const y = bounds.minY - SVG_PADDING;
  const w = bounds.maxX - bounds.minX + 2 * SVG_PADDING;
  const h = bounds.maxY - bounds.minY + 2 * SVG_PADDING;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${n(x)} ${n(y)} ${n(w)} ${n(h)}" width="${n(w)}" height="${n(h)}" font-family="${esc(FONT_FAMILY)}">` +
    (shapes.some((s) => fontOf(s) === "hand") ? handFontFace() : "") +
    `<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" fill="#ffffff"/>` +
    shapes.map((s) => shapeSvg(s, pictures)).join("") +
    `</svg>`
  );
}
