/**
 * The state of one import or duplicate, from the file (or the board) to the
 * new board's link: checking the file, asking before a partial import, writing,
 * or saying what went wrong. TransferDialog shows it; board-transfer.ts does
 * the work.
 */
import { useCallback, useState } from "react";
import type { ExportedAsset, RefusedRecord } from "edgeroom/schema";
import type { Shape } from "../../../party/whiteboard/records.ts";
import { type NewBoardProgress, readExportFile, writeNewBoard } from "./board-transfer.ts";
import { boardHref } from "./room-link.ts";

export type TransferState =
  | { kind: "idle" }
  | { kind: "checking"; file: string }
  /** Some records were refused: import the others? */
  | { kind: "confirm"; file: string; records: Shape[]; pictures: ExportedAsset[]; refused: RefusedRecord[]; refusedCount: number }
  | { kind: "writing"; what: "import" | "duplicate"; progress: NewBoardProgress | null }
  | { kind: "error"; title: string; message: string; refused: RefusedRecord[]; refusedCount: number; room: string | null };

export interface BoardTransfer {
  state: TransferState;
  /** Check a picked or dropped file; import it at once when every record passed. */
  importFile(file: File): void;
  /** After "confirm": import the records that passed. */
  confirmImport(): void;
  /** A new board from these records (and the pictures they name), opened when written. */
  duplicate(records: readonly Shape[], pictures?: readonly ExportedAsset[]): void;
  dismiss(): void;
}

/** Where the new board opens: this tab (Back returns to the board it came from). */
function openBoard(room: string): void {
  location.assign(boardHref(room));
}

export function useBoardTransfer(): BoardTransfer {
  const [state, setState] = useState<TransferState>({ kind: "idle" });

  const write = useCallback(async (what: "import" | "duplicate", records: readonly Shape[], pictures: readonly ExportedAsset[] = []) => {
    setState({ kind: "writing", what, progress: null });
    const result = await writeNewBoard(records, (progress) => setState({ kind: "writing", what, progress }), pictures);
    if (result.ok) return openBoard(result.room);
    const title = what === "import" ? "The import did not finish" : "The board was not duplicated";
    setState({ kind: "error", title, message: result.message, refused: [], refusedCount: 0, room: result.room });
  }, []);

  const importFile = useCallback(
    async (file: File) => {
      setState({ kind: "checking", file: file.name });
      const parsed = await readExportFile(file);
      if (!parsed.ok) {
        setState({ kind: "error", title: `${file.name} cannot be imported`, message: parsed.error.message, refused: [], refusedCount: 0, room: null });
        return;
      }
      const { records } = parsed.value;
      const pictures = parsed.value.assets ?? [];
      if (records.length === 0) {
        const message =
          parsed.refusedCount === 0
            ? "The export holds no shapes: the board it came from was empty."
            : `None of its ${parsed.refusedCount} shapes is valid, so there is nothing to import.`;
        setState({ kind: "error", title: `${file.name} cannot be imported`, message, refused: parsed.refused, refusedCount: parsed.refusedCount, room: null });
        return;
      }
      if (parsed.refusedCount > 0) {
        setState({ kind: "confirm", file: file.name, records, pictures, refused: parsed.refused, refusedCount: parsed.refusedCount });
        return;
      }
      await write("import", records, pictures);
    },
    [write],
  );

  const confirmImport = useCallback(() => {
    if (state.kind === "confirm") void write("import", state.records, state.pictures);
  }, [state, write]);

  return {
    state,
    importFile: (file) => void importFile(file),
    confirmImport,
    duplicate: (records, pictures) => void write("duplicate", records, pictures),
    dismiss: () => setState({ kind: "idle" }),
  };
}

export { openBoard };
