/**
 * W5's tldraw page: tldraw's own editor (the `tldraw` package, full UI),
 * given the same shapes as the whiteboard: rectangles and ellipses as geo
 * shapes (labels as their text), lines and arrows as arrow shapes (unbound:
 * tldraw binds through separate binding records), pen strokes as draw
 * shapes, text as text, stickies as notes.
 */
import { createRoot } from "react-dom/client";
import { createShapeId, type Editor, type TLShapePartial, Tldraw, toRichText } from "tldraw";
import "tldraw/tldraw.css";
import { b64Vecs } from "@tldraw/tlschema";
import type { Shape } from "../../party/whiteboard/records.ts";
import type { W5Hooks } from "./hooks.ts";

const COLOR: Record<string, "black" | "red" | "green" | "blue" | "orange" | "violet"> = {
  "#1e1e1e": "black",
  "#e03131": "red",
  "#2f9e44": "green",
  "#1971c2": "blue",
  "#f08c00": "orange",
  "#9c36b5": "violet",
};

function convert(s: Shape): TLShapePartial | null {
  const base = { id: createShapeId(s.id), x: s.x, y: s.y };
  const color = COLOR[s.color] ?? "black";
  switch (s.type) {
    case "rect":
    case "ellipse":
      return { ...base, type: "geo", props: { geo: s.type === "rect" ? "rectangle" : "ellipse", w: s.w, h: s.h, color, size: "s", ...(s.type === "rect" && s.label ? { richText: toRichText(s.label) } : {}) } };
    case "line":
      return { ...base, type: "arrow", props: { start: { x: s.pts[0][0], y: s.pts[0][1] }, end: { x: s.pts[1][0], y: s.pts[1][1] }, arrowheadEnd: s.arrow ? "arrow" : "none", color, size: "s" } };
    case "pen":
      return { ...base, type: "draw", props: { segments: [{ type: "free", path: b64Vecs.encodePoints(s.pts.map((p) => ({ x: p[0], y: p[1], z: 0.5 }))) }], color, size: "s", isComplete: true } };
    case "text":
      return { ...base, type: "text", props: { richText: toRichText(s.text), color, size: "s", autoSize: true } };
    case "sticky":
      return { ...base, type: "note", props: { richText: toRichText(s.text), color: "yellow", size: "s" } };
    default:
      return null;
  }
}

function hooks(editor: Editor): W5Hooks {
  return {
    load(shapes) {
      const partials = shapes.map(convert).filter((p): p is TLShapePartial => p !== null);
      editor.run(() => editor.createShapes(partials), { history: "ignore" });
      editor.selectNone();
    },
    count: () => editor.getCurrentPageShapeIds().size,
    camera() {
      const c = editor.getCamera();
      return { x: -c.x, y: -c.y, zoom: c.z };
    },
    setCamera: (c) => editor.setCamera({ x: -c.x, y: -c.y, z: c.zoom }),
  };
}

createRoot(document.getElementById("root")!).render(
  <div style={{ position: "fixed", inset: 0 }}>
    {/* tldraw refuses shapes past 4,000 a page by default. */}
    <Tldraw options={{ maxShapesPerPage: 100_000 }} onMount={(editor) => void (window.__w5 = hooks(editor))} />
  </div>,
);
