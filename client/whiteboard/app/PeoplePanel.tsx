import { useEffect, useRef, useState } from "react";
import type { RoomClient } from "edgeroom/client";
import { usePeople, useSelf, useWatching } from "edgeroom/react";
import { cleanName } from "edgeroom/schema";
import { Icon } from "./icons.tsx";
import { NAME_MAX, saveName } from "./identity.ts";
import { sortedOthers } from "./use-room.ts";

/**
 * Who is here: you first (name editable, remembered on this device), then
 * everyone else. Always shown on a wide screen; on a narrow one it opens as a
 * sheet from the People button in the top bar (`open`) and closes with its ×
 * or Escape. Someone who just left stays listed for a few seconds (a reload
 * does not make them flicker), marked "left" and not counted (usePeople).
 */
export function PeoplePanel({
  client,
  initialName,
  color,
  open,
  onClose,
  following,
  onFollow,
}: {
  client: RoomClient;
  initialName: string;
  color: string;
  open: boolean;
  onClose: () => void;
  /** Whose view this board follows, if anyone's; clicking a person follows them. */
  following?: string | null;
  onFollow?: (conn: string | null) => void;
}) {
  // usePeople, not useOthers: the list shows no live state, so a draft or a
  // laser someone streams must not re-render it (W5: 5 streaming drafts).
  const others = sortedOthers(usePeople(client));
  const self = useSelf(client);
  // An audience room's watchers: counted, not listed.
  const watching = useWatching(client);
  const [name, setName] = useState(initialName);
  const [draft, setDraft] = useState(initialName);
  useEffect(() => setDraft(name), [name]);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open, onClose]);

  const commit = () => {
    const next = cleanName(draft) ?? "";
    if (!next) {
      setDraft(name);
      return;
    }
    if (next === name) return;
    setName(next);
    saveName(next);
    client.setPresence({ name: next });
  };

  const count = others.filter((o) => !o.left).length + 1;
  const ref = usePanelBottom();
  return (
    <aside ref={ref} className={open ? "people panel open" : "people panel"} aria-label="People in this room" id="people-panel" data-testid="people-panel">
      <div className="people-head">
        <h2>
          {count} {count === 1 ? "person" : "people"} here
          {watching > 0 && <span data-testid="watching"> · {watching.toLocaleString("en-US")} watching</span>}
        </h2>
        <button type="button" className="tool sheet-close" aria-label="Close the people list" title="Close" onClick={onClose}>
          <Icon name="close" />
        </button>
      </div>
      <ul>
        <li className="person self">
          <span className="dot" style={{ background: self?.color ?? color }} aria-hidden="true" />
          <label className="visually-hidden" htmlFor="your-name">
            Your name
          </label>
          <input
            id="your-name"
            data-testid="your-name"
            value={draft}
            maxLength={NAME_MAX}
            onChange={(e) => setDraft(e.target.value)}
            onBlur={commit}
            onKeyDown={(e) => {
              if (e.key === "Enter") (e.target as HTMLInputElement).blur();
              if (e.key === "Escape") {
                e.stopPropagation(); // undo the edit, not close the sheet
                setDraft(name);
                (e.target as HTMLInputElement).blur();
              }
            }}
          />
          <span className="you">you</span>
        </li>
        {others.map(({ peer: p, left }) => (
          <li key={p.conn} className={left ? "person left" : "person"} data-testid="peer">
            <span className="dot" style={{ background: p.color }} aria-hidden="true" />
            <button
              type="button"
              className="name follow"
              // The whole name as the tooltip (the list cuts long ones); what a click does, for assistive tech.
              title={p.name}
              aria-label={following === p.conn ? `Stop following ${p.name}` : `Follow ${p.name}'s view`}
              aria-pressed={following === p.conn}
              onClick={() => onFollow?.(following === p.conn ? null : p.conn)}
            >
              {p.name}
            </button>
            {left ? <span className="tag">left</span> : null}
            {!left && p.role === "viewer" ? <span className="tag">viewing</span> : null}
            {!left && p.status !== "active" ? <span className="tag">{p.status}</span> : null}
          </li>
        ))}
      </ul>
    </aside>
  );
}

/** The top bar's People button: how many are here; opens the list on a narrow screen. */
export function PeopleToggle({ client, open, onToggle }: { client: RoomClient; open: boolean; onToggle: () => void }) {
  const count = [...usePeople(client).values()].filter((o) => !o.left).length + 1;
  return (
    <button
      type="button"
      className="button people-toggle"
      aria-expanded={open}
      aria-controls="people-panel"
      aria-label={`People (${count})`}
      title="Who is here"
      onClick={onToggle}
    >
      <Icon name="people" /> <span className="count">{count}</span>
    </button>
  );
}

/**
 * Where the people list ends on screen, as the CSS variable `--people-bottom`
 * (px from the top of the window; 0 while hidden): the history panel opens
 * below it instead of over it (history.css).
 */
function usePanelBottom() {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const root = document.documentElement;
    const update = () => root.style.setProperty("--people-bottom", `${Math.round(el.getBoundingClientRect().bottom)}px`);
    update();
    const observer = new ResizeObserver(update);
    observer.observe(el);
    window.addEventListener("resize", update);
    return () => {
      observer.disconnect();
      window.removeEventListener("resize", update);
      root.style.removeProperty("--people-bottom");
    };
  }, []);
  return ref;
}
