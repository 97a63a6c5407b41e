import { useEffect, useRef } from "react";
import type { RefusedRecord } from "edgeroom/schema";
import { Icon } from "./icons.tsx";
import { type BoardTransfer, openBoard } from "./use-board-transfer.ts";
import "./transfer.css";

/**
 * The import/duplicate dialog: what the file check found, the question before
 * a partial import, the progress of writing the new board, and what went
 * wrong — with every refused shape listed by its place in the file and why.
 * Modal (the board behind it is not for editing meanwhile); Esc closes it
 * except while the new board is being written.
 */
export function TransferDialog({ transfer }: { transfer: BoardTransfer }) {
  const ref = useRef<HTMLDialogElement>(null);
  const { state } = transfer;
  const open = state.kind !== "idle";
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  const busy = state.kind === "writing" || state.kind === "checking";
  return (
    <dialog
      ref={ref}
      className="transfer-dialog panel"
      aria-labelledby="transfer-title"
      data-testid="transfer-dialog"
      onCancel={(e) => {
        if (busy) e.preventDefault(); // the writes must finish (or be safe) before the page may go on
      }}
      onClose={() => transfer.dismiss()}
      onKeyDown={(e) => e.stopPropagation()} // keys here are not the board's shortcuts
    >
      {state.kind === "checking" ? (
        <>
          <h2 id="transfer-title">Checking {state.file}…</h2>
        </>
      ) : null}
      {state.kind === "confirm" ? (
        <>
          <Title text={`Import part of ${state.file}?`} onClose={transfer.dismiss} />
          <p>
            {state.records.length} {plural(state.records.length, "shape")} can be imported into a new board; {state.refusedCount}{" "}
            {plural(state.refusedCount, "was", "were")} refused:
          </p>
          <RefusedList refused={state.refused} count={state.refusedCount} />
          <div className="transfer-actions">
            <button type="button" className="button" onClick={transfer.dismiss}>
              Cancel
            </button>
            <button type="button" className="button primary" onClick={transfer.confirmImport} autoFocus>
              Import {state.records.length} {plural(state.records.length, "shape")}
            </button>
          </div>
        </>
      ) : null}
      {state.kind === "writing" ? (
        <>
          <h2 id="transfer-title">{state.what === "import" ? "Importing into a new board…" : "Duplicating into a new board…"}</h2>
          <progress
            className="transfer-progress"
            max={state.progress?.total ?? 1}
            value={state.progress?.acked ?? 0}
            aria-label="Saved to the new board"
          />
          <p className="transfer-note">The new board opens when its shapes are saved.</p>
        </>
      ) : null}
      {state.kind === "error" ? (
        <>
          <Title text={state.title} onClose={transfer.dismiss} />
          <p role="alert" data-testid="transfer-error">
            {state.message}
          </p>
          {state.refusedCount > 0 ? <RefusedList refused={state.refused} count={state.refusedCount} /> : null}
          <div className="transfer-actions">
            {state.room ? (
              <button type="button" className="button" onClick={() => openBoard(state.room!)}>
                Open the new board anyway
              </button>
            ) : null}
            <button type="button" className="button primary" onClick={transfer.dismiss} autoFocus>
              Close
            </button>
          </div>
        </>
      ) : null}
    </dialog>
  );
}

function Title({ text, onClose }: { text: string; onClose: () => void }) {
  return (
    <div className="sheet-title">
      <h2 id="transfer-title">{text}</h2>
      <button type="button" className="tool" aria-label="Close" title="Close — Esc" onClick={onClose}>
        <Icon name="close" />
      </button>
    </div>
  );
}

/** The refused records: where in the file, which id, why. */
function RefusedList({ refused, count }: { refused: readonly RefusedRecord[]; count: number }) {
  return (
    <>
      <ul className="refused-list" data-testid="refused-list" aria-label="Refused shapes">
        {refused.map((r) => (
          <li key={r.index}>
            <span className="refused-where">
              Shape {r.index + 1}
              {r.id ? ` (${r.id})` : ""}
            </span>
            : {r.reason}
          </li>
        ))}
      </ul>
      {count > refused.length ? <p className="transfer-note">…and {count - refused.length} more.</p> : null}
    </>
  );
}

function plural(n: number, one: string, many = `${one}s`): string {
  return n === 1 ? one : many;
}
