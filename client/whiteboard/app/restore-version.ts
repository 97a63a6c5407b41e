/**
 * "Restore this version": the room turns the live board into the previewed
 * one as one exactly-once mutation (RoomClient.restore, PROTOCOL.md §15) that
 * everyone receives as an ordinary change; this person's undo history gets
 * one step that turns it back (restore-undo.ts), so Ctrl+Z afterwards returns
 * to the board as it was before the restore.
 */
import type { Shape } from "../../../party/whiteboard/records.ts";
import type { RoomClient } from "edgeroom/client";
import type { Editor } from "../editor.ts";
import { undoOfRestore } from "../restore-undo.ts";
import type { BoardPreview } from "./board-preview.ts";
import { historyErrorText } from "./HistoryPanel.tsx";

export type RestoreOutcome = { ok: true; label: string } | { ok: false; message: string };

export async function restoreShown(client: RoomClient<Shape>, editor: Editor, preview: BoardPreview): Promise<RestoreOutcome> {
  const shown = preview.shown;
  if (!shown) return { ok: false, message: "No version is being previewed." };
  // The board as the person sees it when choosing Restore: what Ctrl+Z brings back.
  const before = new Map(client.records());
  try {
    await client.restore({ seq: shown.seq });
  } catch (e) {
    return { ok: false, message: historyErrorText(e) };
  }
  editor.history.record({ undo: undoOfRestore(before, shown.records) });
  if (preview.shown === shown) preview.clear();
  return { ok: true, label: shown.label };
}
