/**
 * W5's Excalidraw page: Excalidraw's own editor (`@excalidraw/excalidraw`,
 * full UI), given the same shapes as the whiteboard through its element
 * skeletons: rectangles and ellipses (labels bound as text), lines and
 * arrows (unbound), pen strokes as freedraw, text as text, stickies as
 * filled rectangles with their text as a label.
 */
import { convertToExcalidrawElements, Excalidraw } from "@excalidraw/excalidraw";
import "@excalidraw/excalidraw/index.css";
import { createRoot } from "react-dom/client";
import type { Shape } from "../../party/whiteboard/records.ts";
import type { W5Hooks } from "./hooks.ts";

type Api = Parameters<NonNullable<Parameters<typeof Excalidraw>[0]["excalidrawAPI"]>>[0];
type Skeleton = NonNullable<Parameters<typeof convertToExcalidrawElements>[0]>[number];

function convert(s: Shape): Skeleton | null {
  const base = { id: s.id, x: s.x, y: s.y, strokeColor: s.color, strokeWidth: s.stroke / 2, roughness: 0 };
  switch (s.type) {
    case "rect":
    case "ellipse":
      return { ...base, type: s.type === "rect" ? "rectangle" : "ellipse", width: s.w, height: s.h, ...(s.type === "rect" && s.label ? { label: { text: s.label } } : {}) } as Skeleton;
    case "line":
      return { ...base, type: s.arrow ? "arrow" : "line", points: [[0, 0], [s.pts[1][0], s.pts[1][1]]] } as Skeleton;
    case "pen":
      return { ...base, type: "freedraw", points: s.pts.map((p) => [p[0], p[1]]) } as unknown as Skeleton;
    case "text":
      return { ...base, type: "text", text: s.text, fontSize: s.size } as Skeleton;
    case "sticky":
      return { ...base, type: "rectangle", width: s.w, height: s.h, backgroundColor: s.fill, fillStyle: "solid", label: { text: s.text } } as Skeleton;
    default:
      return null;
  }
}

function hooks(api: Api): W5Hooks {
  return {
    load(shapes) {
      const elements = convertToExcalidrawElements(shapes.map(convert).filter((e): e is Skeleton => e !== null));
      api.updateScene({ elements });
    },
    count: () => api.getSceneElements().length,
    camera() {
      const s = api.getAppState();
      return { x: -s.scrollX, y: -s.scrollY, zoom: s.zoom.value };
    },
    setCamera: (c) => api.updateScene({ appState: { scrollX: -c.x, scrollY: -c.y, zoom: { value: c.zoom as never } } }),
  };
}

createRoot(document.getElementById("root")!).render(
  <div style={{ position: "fixed", inset: 0 }}>
    <Excalidraw excalidrawAPI={(api) => void (window.__w5 = hooks(api))} />
  </div>,
);
