import { useEffect, useRef, useState } from "react";
import "./transfer.css";

/**
 * Drag files onto the page: pictures become image shapes where they are
 * dropped, a board export (.json) is imported. While files are dragged over
 * the window a hint covers the board; dropping hands them to `onFiles` with
 * the point (client pixels) they were dropped at. Text or shapes dragged
 * within the page are left alone — only drags that carry files are taken.
 */
export function FileDrop({ onFiles }: { onFiles: (files: File[], at: { x: number; y: number }) => void }) {
  const [over, setOver] = useState(false);
  const onFileRef = useRef(onFiles);
  onFileRef.current = onFiles;
  useEffect(() => {
    const carriesFiles = (e: DragEvent) => e.dataTransfer?.types.includes("Files") ?? false;
    // dragenter/dragleave fire for every element crossed: count them, so the
    // hint does not flicker while the pointer moves over the toolbar.
    let depth = 0;
    const onEnter = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      depth++;
      setOver(true);
    };
    const onLeave = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const onOver = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault(); // allows the drop
      if (e.dataTransfer) e.dataTransfer.dropEffect = "copy";
    };
    const onDrop = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault(); // the browser would open the file instead of the board
      depth = 0;
      setOver(false);
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.length) onFileRef.current(files, { x: e.clientX, y: e.clientY });
    };
    window.addEventListener("dragenter", onEnter);
    window.addEventListener("dragleave", onLeave);
    window.addEventListener("dragover", onOver);
    window.addEventListener("drop", onDrop);
    return () => {
      window.removeEventListener("dragenter", onEnter);
      window.removeEventListener("dragleave", onLeave);
      window.removeEventListener("dragover", onOver);
      window.removeEventListener("drop", onDrop);
    };
  }, []);
  if (!over) return null;
  return (
    <div className="file-drop" data-testid="file-drop" aria-hidden="true">
      <div className="file-drop-hint panel">Drop pictures to put them on the board, or a board export (.json) to open it as a new board</div>
    </div>
  );
}
