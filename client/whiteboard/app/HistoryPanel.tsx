import { type FormEvent, type KeyboardEvent, useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";
import { MAX_VERSION_NAME_CHARS } from "edgeroom/schema";
import type { Shape } from "../../../party/whiteboard/records.ts";
import { HistoryError, type RoomClient } from "edgeroom/client";
import type { BoardPreview } from "./board-preview.ts";
import { type HistoryView, mergePage, type TimelineEntry, timeline } from "./history-timeline.ts";
import { Icon } from "./icons.tsx";
import "./history.css";

/** Scrubbing with the arrow keys asks for a preview only once the keys rest
 * this long (ms): the room allows 4 history requests a second per connection. */
export const PREVIEW_SETTLE_MS = 250;
/** While the panel is open, the timeline is fetched again this long after the
 * board last changed (ms): fresh enough to read, well inside the request budget. */
export const HISTORY_REFRESH_MS = 2_000;
/** Change summaries per page of the timeline. */
const PAGE_SIZE = 50;

/** A sentence for a failed history request. */
export function historyErrorText(e: unknown): string {
  if (!(e instanceof HistoryError)) return "History could not be read.";
  switch (e.code) {
    case "OFFLINE":
      return "History needs a connection to the room. Try again when the board is live.";
    case "TIMEOUT":
      return "The room did not answer in time. Try again.";
    case "HISTORY_UNAVAILABLE":
      return "That point is no longer kept in this board's history.";
    case "VERSION_EXISTS":
      return "That name is taken, or this point has a name already: pick another name or point.";
    case "RATE_LIMITED":
      return "Too many history requests at once. Wait a moment and try again.";
    case "FORBIDDEN":
      return "You can only view this board.";
    case "ROOM_LIMIT":
      return "This board has as many named versions as it can keep.";
    default:
      return e.message;
  }
}

/**
 * The history panel: the board's timeline — named versions, who changed what
 * and when, the kept boards — newest first. Choosing an entry previews that
 * board read-only on the canvas (BoardPreview; nobody else is affected); "Now"
 * returns to the live board. A form names a version: the board previewed, or
 * the live one. Keyboard: Tab into the list, ↑/↓ (Home/End) move and preview,
 * Enter or Space previews, Esc goes back to live, then closes the panel.
 */
export function HistoryPanel({
  client,
  preview,
  onClose,
  notify,
}: {
  client: RoomClient<Shape>;
  preview: BoardPreview;
  onClose: () => void;
  notify: (text: string, tone?: "info" | "warning") => void;
}) {
  const [view, setView] = useState<HistoryView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const failed = useRef(false);
  failed.current = error !== null;
  const [name, setName] = useState("");
  const [loading, setLoading] = useState<number | null>(null); // the seq being fetched
  /** Bursts unfolded into their earlier changes (by entry key). */
  const [unfolded, setUnfolded] = useState<ReadonlySet<string>>(() => new Set());
  const shown = useSyncExternalStore(preview.subscribe, () => preview.shown);
  const list = useRef<HTMLOListElement>(null);
  const nameInput = useRef<HTMLInputElement>(null);
  const settle = useRef<ReturnType<typeof setTimeout> | null>(null);
  /** The newest preview request: an older answer arriving late is dropped. */
  const latest = useRef(0);

  const refresh = useCallback(async () => {
    try {
      const page = await client.history({ limit: PAGE_SIZE });
      setView((v) => {
        const fresh = mergePage(null, page, false);
        if (!v || !page.more) return fresh;
        // Keep the older pages already shown below the fresh first page.
        const oldest = page.changes.at(-1)?.seq ?? Number.POSITIVE_INFINITY;
        return { ...fresh, changes: [...fresh.changes, ...v.changes.filter((c) => c.seq < oldest)], more: v.changes.some((c) => c.seq < oldest) ? v.more : true };
      });
      setError(null);
    } catch (e) {
      setError(historyErrorText(e));
    }
  }, [client]);

  useEffect(() => {
    void refresh();
    let timer: ReturnType<typeof setTimeout> | null = null;
    let lastSeq = client.seq;
    const off = client.on("change", () => {
      if (client.seq === lastSeq || timer !== null) return;
      lastSeq = client.seq;
      timer = setTimeout(() => {
        timer = null;
        void refresh();
      }, HISTORY_REFRESH_MS);
    });
    // Opened offline (or the room went away): read it again once the board is live.
    const offStatus = client.on("status", (st) => st.status === "live" && failed.current && void refresh());
    return () => {
      off();
      offStatus();
      if (timer !== null) clearTimeout(timer);
    };
  }, [client, refresh]);

  const older = async () => {
    const last = view?.changes.at(-1);
    if (!last) return;
    try {
      const page = await client.history({ before: last.seq, limit: PAGE_SIZE });
      setView((v) => mergePage(v, page, true));
    } catch (e) {
      notify(historyErrorText(e));
    }
  };

  const show = useCallback(
    async (entry: TimelineEntry | null) => {
      // A choice made now (Enter, a click, Esc) wins over a pending arrow-key
      // settle: without this, Esc right after Enter brought the preview back
      // PREVIEW_SETTLE_MS later (seen as a flaky history browser test).
      if (settle.current) clearTimeout(settle.current);
      settle.current = null;
      const ticket = ++latest.current;
      if (!entry) {
        setLoading(null);
        return preview.clear();
      }
      setLoading(entry.seq);
      try {
        const board = await client.previewAt({ seq: entry.seq });
        if (ticket !== latest.current) return;
        const records = new Map(board.records.map((r) => [r.id, r]));
        preview.show(entry.version !== undefined ? { seq: board.seq, label: entry.label, version: entry.version, records } : { seq: board.seq, label: entry.label, records });
      } catch (e) {
        if (ticket === latest.current) notify(historyErrorText(e));
      } finally {
        if (ticket === latest.current) setLoading(null);
      }
    },
    [client, preview, notify],
  );

  useEffect(
    () => () => {
      if (settle.current) clearTimeout(settle.current);
    },
    [],
  );

  const nameVersion = async (e: FormEvent) => {
    e.preventDefault();
    const wanted = name.trim();
    if (!wanted) return;
    try {
      const saved = await client.nameVersion(wanted, shown ? { seq: shown.seq } : {});
      setName("");
      notify(`Named this version “${saved.version}”.`, "info");
      void refresh();
    } catch (err) {
      notify(historyErrorText(err));
    }
  };

  const entries = view ? timeline(view) : [];
  const onListKey = (e: KeyboardEvent) => {
    e.stopPropagation(); // the board's shortcuts are not for the list
    const buttons = [...(list.current?.querySelectorAll<HTMLButtonElement>("button[data-seq]") ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === "Escape") {
      if (shown) void show(null);
      else onClose();
      return;
    }
    const next = e.key === "ArrowDown" ? at + 1 : e.key === "ArrowUp" ? at - 1 : e.key === "Home" ? 0 : e.key === "End" ? buttons.length - 1 : null;
    if (next === null) return;
    e.preventDefault();
    const target = buttons[Math.max(0, Math.min(buttons.length - 1, next))];
    if (!target) return;
    target.focus();
    if (settle.current) clearTimeout(settle.current);
    settle.current = setTimeout(() => target.click(), PREVIEW_SETTLE_MS);
  };

  return (
    <section className="history-panel panel" aria-labelledby="history-title" data-testid="history-panel">
      <div className="sheet-title">
        <h2 id="history-title">History</h2>
        <button type="button" className="tool" aria-label="Close the history" title="Close" onClick={onClose}>
          <Icon name="close" />
        </button>
      </div>
      <form className="version-form" onSubmit={nameVersion}>
        <label htmlFor="version-name">{shown ? `Name the version of ${shown.label}` : "Name this version"}</label>
        <div className="version-row">
          <input
            ref={nameInput}
            id="version-name"
            data-testid="version-name"
            value={name}
            maxLength={MAX_VERSION_NAME_CHARS}
            placeholder="before the review"
            onChange={(e) => setName(e.target.value)}
            onKeyDown={(e) => e.stopPropagation()}
          />
          <button type="submit" className="button" disabled={!name.trim()}>
            Name
          </button>
        </div>
      </form>
      {error ? (
        <p className="history-error" role="alert">
          {error}{" "}
          <button type="button" className="link-button" onClick={() => void refresh()}>
            Try again
          </button>
        </p>
      ) : null}
      <ol ref={list} className="timeline" aria-label="Versions, newest first" onKeyDown={onListKey} data-testid="timeline">
        <li>
          <button type="button" className="timeline-entry now" data-seq="live" aria-pressed={!shown} onClick={() => void show(null)}>
            <span className="entry-title">Now — the live board</span>
            <span className="entry-detail">{shown ? "Back to live" : "What everyone sees"}</span>
          </button>
        </li>
        {entries.map((entry) => {
          const button = (e: TimelineEntry, part = false) => (
            <button
              type="button"
              className={`timeline-entry ${e.kind}${part ? " part" : ""}`}
              data-seq={e.seq}
              data-testid="timeline-entry"
              aria-pressed={shown?.seq === e.seq && shown.label === e.label}
              aria-busy={loading === e.seq}
              onClick={() => void show(e)}
            >
              <span className="entry-title">{e.title}</span>
              <span className="entry-detail">{e.detail}</span>
            </button>
          );
          const earlier = entry.earlier;
          const open = earlier !== undefined && unfolded.has(entry.key);
          return (
            <li key={entry.key} className={earlier ? "burst" : undefined}>
              {button(entry)}
              {earlier ? (
                <button type="button" className="link-button burst-toggle" aria-expanded={open} onClick={() => setUnfolded((u) => toggled(u, entry.key))}>
                  {open ? "Hide the earlier changes" : `Show ${earlier.length} earlier ${earlier.length === 1 ? "change" : "changes"}`}
                </button>
              ) : null}
              {open ? <ol className="burst-parts">{earlier!.map((e) => <li key={e.key}>{button(e, true)}</li>)}</ol> : null}
            </li>
          );
        })}
      </ol>
      {view?.more ? (
        <button type="button" className="button older" onClick={() => void older()}>
          Show older changes
        </button>
      ) : null}
      {view && view.floor === null ? <p className="history-note">History is switched off for this board.</p> : null}
    </section>
  );
}

/**
 * The bar over a previewed version: which one, and the ways out — restore it
 * (an ordinary, undoable change everyone sees), name it, or go back to live.
 * Esc (outside a text field) goes back to live too.
 */
export function PreviewBar({
  preview,
  onRestore,
  onName,
  restoring,
}: {
  preview: BoardPreview;
  onRestore: () => void;
  onName: () => void;
  restoring: boolean;
}) {
  const shown = useSyncExternalStore(preview.subscribe, () => preview.shown);
  useEffect(() => {
    if (!shown) return;
    const onKey = (e: globalThis.KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (e.key !== "Escape" || (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.closest("dialog")))) return;
      preview.clear();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [shown, preview]);
  if (!shown) return null;
  return (
    <div className="preview-bar panel" role="region" aria-label="Previewing a past version" data-testid="preview-bar">
      <span className="preview-label" role="status">
        Previewing the version of {shown.label} — read-only
      </span>
      <button type="button" className="button primary" onClick={onRestore} disabled={restoring} data-testid="restore-version">
        {restoring ? "Restoring…" : "Restore this version"}
      </button>
      <button type="button" className="button" onClick={onName}>
        Name this version
      </button>
      <button type="button" className="button" onClick={() => preview.clear()} data-testid="back-to-live">
        Back to live
      </button>
    </div>
  );
}

/** `set` with `key` added, or taken out when it was there. */
function toggled(set: ReadonlySet<string>, key: string): ReadonlySet<string> {
  const next = new Set(set);
  if (!next.delete(key)) next.add(key);
  return next;
}
