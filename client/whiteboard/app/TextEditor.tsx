import { type CSSProperties, type RefObject, useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore } from "react";
import type { BoardController, TextEditing } from "../canvas/board-controller.ts";
import { displayInk } from "../theme/board-palette.ts";
import { LINE_HEIGHT, measureTextWidth, STICKY_PADDING, stickyHeightFor, wrapText } from "../canvas/geometry.ts";

/**
 * The text box over a text shape, sticky note or shape label being written;
 * every change goes to the others as a live draft. Enter adds a
 * line; Escape, Ctrl+Enter or clicking elsewhere finishes (never discards what
 * was typed).
 */
export function TextEditor({ controller, editing }: { controller: BoardController; editing: TextEditing }) {
  const camera = useSyncExternalStore(controller.subscribeCamera, controller.getCamera);
  const [text, setText] = useState(editing.text);
  const ref = useRef<HTMLTextAreaElement>(null);
  const done = useRef(false);
  const fit = useFitInView(ref);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    // Focus after the pointer event that opened us has finished.
    const t = requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(el.value.length, el.value.length);
    });
    return () => cancelAnimationFrame(t);
  }, []);

  const finish = () => {
    if (done.current) return;
    done.current = true;
    controller.commitText(text);
  };

  const [sx, sy] = [(editing.x - camera.x) * camera.zoom, (editing.y - camera.y) * camera.zoom];
  const z = camera.zoom;
  const sticky = editing.kind === "sticky";
  const label = editing.kind === "label";
  const lines = text.split("\n");
  const textWidth = Math.max(...lines.map((l) => measureTextWidth(l, editing.size, editing.font)), editing.size * 2);
  const style: CSSProperties = label
    ? labelBoxStyle(editing, text, sx, sy, z)
    : sticky
    ? {
        left: sx,
        top: sy,
        width: editing.w * z,
        height: stickyHeightFor(editing.w, editing.h, text, measureTextWidth, editing.size, editing.font) * z, // grows as the note will
        padding: STICKY_PADDING * z,
        fontSize: editing.size * z,
        background: editing.fill ?? "#ffec99",
        color: editing.color,
      }
    : {
        left: sx,
        top: sy,
        width: (textWidth + editing.size) * z,
        paddingRight: editing.size * z, // room for the caret; the lines are set across textWidth, as drawn
        height: lines.length * editing.size * LINE_HEIGHT * z + 4,
        fontSize: editing.size * z,
        color: displayInk(editing.color), // as the canvas paints it in this theme
      };
  return (
    <textarea
      ref={ref}
      className={sticky ? "text-editor sticky-editor" : label ? "text-editor label-editor" : "text-editor"}
      data-testid="text-editor"
      aria-label={sticky ? "Sticky note text" : label ? "Label" : editing.kind === "frame" ? "Frame name" : "Text"}
      style={{ ...style, fontFamily: editing.font, textAlign: editing.align, lineHeight: LINE_HEIGHT, ...placed(editing, fit) }}
      value={text}
      spellCheck={false}
      onChange={(e) => {
        setText(e.target.value);
        controller.typing(e.target.value);
      }}
      onBlur={finish}
      onKeyDown={(e) => {
        e.stopPropagation(); // tool shortcuts must not fire while typing
        // A frame's name is one line: Enter finishes it.
        if (e.key === "Escape" || (e.key === "Enter" && (e.ctrlKey || e.metaKey || editing.kind === "frame"))) {
          e.preventDefault();
          finish();
        }
      }}
    />
  );
}

/** A label's box covers its shape, with the text centred as the canvas paints it. */
function labelBoxStyle(editing: TextEditing, text: string, sx: number, sy: number, z: number): CSSProperties {
  const wrap = editing.wrap ?? editing.w;
  const size = editing.size;
  const lines = text ? wrapText(wrap, text, size, measureTextWidth, editing.font).length : 1;
  const side = Math.max(0, (editing.w - wrap) / 2);
  const textHeight = lines * size * LINE_HEIGHT;
  return {
    left: sx,
    top: sy,
    width: editing.w * z,
    height: editing.h * z,
    paddingTop: Math.max(0, (editing.h - textHeight) / 2) * z,
    paddingLeft: side * z,
    paddingRight: side * z,
    fontSize: size * z,
    background: "transparent",
    color: displayInk(editing.color),
  };
}

/** Kept clear around an editor moved or shrunk to fit the window (px): room to tap outside it and finish. */
const VIEW_MARGIN = 24;

interface Fit {
  scale: number;
  dx: number;
  dy: number;
}
const AS_DRAWN: Fit = { scale: 1, dx: 0, dy: 0 };

/**
 * Zoomed in (a phone, most of all), the box over the shape can be larger
 * than the window — every tap would land in it and editing could never end.
 * After each render, measure the box: shrink it to fit the window less
 * VIEW_MARGIN on each side, and move it into view, keeping its text laid out
 * as the canvas lays it out (a scale, not a narrower box).
 */
function useFitInView(ref: RefObject<HTMLTextAreaElement | null>): Fit {
  const [fit, setFit] = useState<Fit>(AS_DRAWN);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const w = el.offsetWidth;
    const h = el.offsetHeight;
    const vw = window.innerWidth;
    const vh = window.visualViewport?.height ?? window.innerHeight;
    const scale = Math.min(1, (vw - 2 * VIEW_MARGIN) / w, (vh - 2 * VIEW_MARGIN) / h);
    // The box's centre as laid out, and where it must be for the scaled box to be in view.
    const cx = el.offsetLeft + w / 2;
    const cy = el.offsetTop + h / 2;
    const within = (c: number, half: number, size: number) => (half * 2 > size - 2 * VIEW_MARGIN ? size / 2 : Math.min(Math.max(c, VIEW_MARGIN + half), size - VIEW_MARGIN - half));
    const next = { scale, dx: within(cx, (w * scale) / 2, vw) - cx, dy: within(cy, (h * scale) / 2, vh) - cy };
    if (Math.abs(next.scale - fit.scale) > 1e-3 || Math.abs(next.dx - fit.dx) > 0.5 || Math.abs(next.dy - fit.dy) > 0.5) setFit(next);
  });
  return fit;
}

/** A rotated shape's text box turns with it, about the shape's centre; moved and shrunk into view when it would not fit. */
function placed(editing: TextEditing, fit: Fit): CSSProperties {
  if (!editing.rotation && fit === AS_DRAWN) return {};
  const moved = fit.dx || fit.dy ? `translate(${fit.dx}px, ${fit.dy}px) ` : "";
  const turn = editing.rotation ? `rotate(${editing.rotation}rad) ` : "";
  const scale = fit.scale !== 1 ? `scale(${fit.scale})` : "";
  return { transform: `${moved}${turn}${scale}`.trim() || undefined, transformOrigin: "50% 50%" };
}
