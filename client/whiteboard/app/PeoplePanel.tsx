import { useEffect, useState } from "react";
import type { RoomClient } from "../../engine/room-client.ts";
import { NAME_MAX, saveName } from "./identity.ts";
import { useRoomView } from "./use-room.ts";

/** Who is here: you first (name editable, remembered on this device), then everyone else. */
export function PeoplePanel({ client, initialName, color }: { client: RoomClient; initialName: string; color: string }) {
  const view = useRoomView(client);
  const [name, setName] = useState(initialName);
  const [draft, setDraft] = useState(initialName);
  useEffect(() => setDraft(name), [name]);

  const commit = () => {
    const next = draft.trim().slice(0, NAME_MAX);
    if (!next) {
      setDraft(name);
      return;
    }
    if (next === name) return;
    setName(next);
    saveName(next);
    client.setPresence({ name: next });
  };

  const count = view.peers.length + 1;
  return (
    <aside className="people panel" aria-label="People in this room">
      <h2>
        {count} {count === 1 ? "person" : "people"} here
      </h2>
      <ul>
        <li className="person self">
          <span className="dot" style={{ background: view.self?.color ?? color }} aria-hidden="true" />
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
                setDraft(name);
                (e.target as HTMLInputElement).blur();
              }
            }}
          />
          <span className="you">you</span>
        </li>
        {view.peers.map((p) => (
          <li key={p.conn} className="person" data-testid="peer">
            <span className="dot" style={{ background: p.color }} aria-hidden="true" />
            <span className="name">{p.name}</span>
            {p.role === "viewer" ? <span className="tag">viewing</span> : null}
            {p.status !== "active" ? <span className="tag">{p.status}</span> : null}
          </li>
        ))}
      </ul>
    </aside>
  );
}
