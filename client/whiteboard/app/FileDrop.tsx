import { useEffect, useRef, useState } from "react";
import "./transfer.css";

/**
 * Drag a board export onto the page to import it: while files are dragged
 * over the window a hint covers the board; dropping one hands it to
 * `onFile` (the import checks what it is). Text or shapes dragged within the
 * page are left alone — only drags that carry files are taken.
 */
export function FileDrop({ onFile }: { onFile: (file: File) => void }) {
  const [over, setOver] = useState(false);
  const onFileRef = useRef(onFile);
  onFileRef.current = onFile;
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
      const file = e.dataTransfer?.files[0];
      if (file) onFileRef.current(file);
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
      <div className="file-drop-hint panel">Drop a board export (.json) to open it as a new board</div>
    </div>
  );
}
