/**
 * Previewing a past version on the canvas: the one owner of "which board is
 * shown". It wraps the session's board (what the canvas reads) so that,
 * while a version is previewed, the canvas draws that version's records and
 * nothing of this person reaches the others — no cursor, no live drafts, no
 * view for followers — and the editor refuses every edit. Back to live, the
 * wrapper is transparent again. The room never learns of a preview beyond
 * the request for its records (PROTOCOL.md §15 `preview`, to the asker only).
 */
import type { Shape } from "../../../party/whiteboard/records.ts";
import type { BoardRoom } from "../canvas/board-controller.ts";
import type { Editor } from "../editor.ts";

/** A past board being shown. */
export interface ShownVersion {
  seq: number;
  /** How the bar names it: "14:02", "“before the review”". */
  label: string;
  /** Its name, when it is a named version. */
  version?: string;
  records: ReadonlyMap<string, Shape>;
}

/** What an edit attempt during a preview is told. */
export const PREVIEW_LOCK_MESSAGE = "You are looking at a past version: choose Back to live to edit the board.";

const NO_IDS: ReadonlySet<string> = new Set();

export class BoardPreview {
  /** What the canvas reads: the live board, or the version shown. */
  readonly board: BoardRoom;
  private shownVersion: ShownVersion | null = null;
  private readonly changeFns = new Set<() => void>();
  private readonly live: BoardRoom;
  private readonly editor: Editor;

  constructor(live: BoardRoom, editor: Editor) {
    this.live = live;
    this.editor = editor;
    const previewing = () => this.shownVersion !== null;
    this.board = {
      records: () => this.shownVersion?.records ?? live.records(),
      pendingIds: () => (previewing() ? NO_IDS : live.pendingIds()),
      peers: () => live.peers(),
      cursors: () => live.cursors(),
      moveCursor: (x, y) => !previewing() && live.moveCursor(x, y),
      hideCursor: () => live.hideCursor(),
      setLive: (key, data) => !previewing() && live.setLive(key, data),
      live: () => live.live(),
      on: ((event: "change" | "cursors" | "live" | "remote-change", fn: (arg?: never) => void) => {
        if (event !== "change") return (live.on as (e: string, f: (arg?: never) => void) => () => void)(event, fn);
        this.changeFns.add(fn);
        const off = live.on("change", fn);
        return () => {
          this.changeFns.delete(fn);
          off();
        };
      }) as BoardRoom["on"],
    };
  }

  /** The version shown, or null for the live board. */
  get shown(): ShownVersion | null {
    return this.shownVersion;
  }

  /** Show `version` read-only (replacing any other being shown). */
  show(version: ShownVersion): void {
    if (!this.shownVersion) {
      // Whatever this person was showing the others goes away for the preview.
      this.live.hideCursor();
      this.live.setLive("draft", null);
    }
    this.shownVersion = version;
    this.editor.lock(PREVIEW_LOCK_MESSAGE);
    this.emit();
  }

  /** Back to the live board. */
  clear(): void {
    if (!this.shownVersion) return;
    this.shownVersion = null;
    this.editor.lock(null);
    this.emit();
  }

  /** React subscribes to which board is shown (useSyncExternalStore). */
  readonly subscribe = (fn: () => void): (() => void) => {
    this.changeFns.add(fn);
    return () => this.changeFns.delete(fn);
  };

  private emit(): void {
    for (const fn of [...this.changeFns]) fn();
  }
}
