import { type CSSProperties, useEffect, useRef, useState, useSyncExternalStore } from "react";
import type { BoardController, TextEditing } from "../canvas/board-controller.ts";
import { displayInk } from "../theme/board-palette.ts";
import { FONT_FAMILY, LINE_HEIGHT, measureTextWidth, STICKY_PADDING, stickyHeightFor } from "../canvas/geometry.ts";

/**
 * The text box over a text shape or sticky note being written. Enter adds a
 * line; Escape, Ctrl+Enter or clicking elsewhere finishes (never discards what
 * was typed).
 */
export function TextEditor({ controller, editing }: { controller: BoardController; editing: TextEditing }) {
  const camera = useSyncExternalStore(controller.subscribeCamera, controller.getCamera);
  const [text, setText] = useState(editing.text);
  const ref = useRef<HTMLTextAreaElement>(null);
  const done = useRef(false);

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
  const lines = text.split("\n");
  const textWidth = Math.max(...lines.map((l) => measureTextWidth(l, editing.size)), editing.size * 2);
  const style: CSSProperties = sticky
    ? {
        left: sx,
        top: sy,
        width: editing.w * z,
        height: stickyHeightFor(editing.w, editing.h, text) * z, // grows as the note will
        padding: STICKY_PADDING * z,
        fontSize: editing.size * z,
        background: editing.fill ?? "#ffec99",
        color: editing.color,
      }
    : {
        left: sx,
        top: sy,
        width: (textWidth + editing.size) * z,
        height: lines.length * editing.size * LINE_HEIGHT * z + 4,
        fontSize: editing.size * z,
        color: displayInk(editing.color), // as the canvas paints it in this theme
      };
  return (
    <textarea
      ref={ref}
      className={sticky ? "text-editor sticky-editor" : "text-editor"}
      data-testid="text-editor"
      aria-label={sticky ? "Sticky note text" : "Text"}
      style={{ ...style, fontFamily: FONT_FAMILY, lineHeight: LINE_HEIGHT }}
      value={text}
      spellCheck={false}
      onChange={(e) => setText(e.target.value)}
      onBlur={finish}
      onKeyDown={(e) => {
        e.stopPropagation(); // tool shortcuts must not fire while typing
        if (e.key === "Escape" || (e.key === "Enter" && (e.ctrlKey || e.metaKey))) {
          e.preventDefault();
          finish();
        }
      }}
    />
  );
}
