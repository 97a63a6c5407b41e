import { useEffect, useRef, useState } from "react";
import type { ConnectionState, RoomClient } from "edgeroom/client";
import { useConnection, usePendingEdits } from "edgeroom/react";
import { useNow } from "./use-room.ts";

function badgeText(c: ConnectionState): string {
  switch (c.status) {
    case "connecting":
      return "Connecting…";
    case "live":
      return "Live";
    case "reconnecting":
      return `Reconnecting (attempt ${c.attempt})`;
    case "offline":
      return "Offline";
    case "waiting":
      return "Waiting for the server update";
    case "error":
      return "Error";
  }
}

/** What a screen reader hears: one sentence per change of state, not per retry. */
function announcement(c: ConnectionState): string {
  switch (c.status) {
    case "connecting":
      return "Connecting to the board.";
    case "live":
      return "Connected. Changes are live.";
    case "reconnecting":
      return "Connection lost. Reconnecting; your edits are kept.";
    case "offline":
      return "You are offline. Your edits are saved on this device and sent when you are back online.";
    case "waiting":
      return "The server is being updated. Retrying; your edits are kept.";
    case "error":
      return `Cannot connect to this board: ${c.error?.message ?? "the room refused the connection"}.`;
  }
}

export function relativeTime(ms: number | null, now: number): string {
  if (ms === null) return "never";
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 5) return "just now";
  if (s < 60) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** Connection badge, last-synced time and pending edits, plus the aria-live announcer. */
export function StatusBar({ client, cachedAt }: { client: RoomClient; cachedAt: () => number | null }) {
  const c = useConnection(client);
  const pending = usePendingEdits(client);
  const now = useNow(1000);
  const [spoken, setSpoken] = useState("");
  const lastStatus = useRef<string | null>(null);
  useEffect(() => {
    // Announce changes of status only; the first "connecting" is not news.
    if (lastStatus.current !== null && lastStatus.current !== c.status) setSpoken(announcement(c));
    lastStatus.current = c.status;
  }, [c]);

  return (
    <div className="status panel">
      <span className={`badge badge-${c.status}`} data-testid="connection" data-status={c.status} data-transport={c.transport ?? "websocket"}>
        <span className="led" aria-hidden="true" />
        {badgeText(c)}
        {c.transport === "sse" ? <span className="transport" title="WebSockets are blocked on this network; the board uses plain HTTP"> · HTTP fallback</span> : null}
      </span>
      {c.status === "error" && c.error ? <span className="status-error">{c.error.message}</span> : null}
      <span className="synced" data-testid="last-synced" title={c.lastSyncedAt ? new Date(c.lastSyncedAt).toLocaleString() : undefined}>
        {c.lastSyncedAt === null && cachedAt() !== null
          ? `Saved copy from ${relativeTime(cachedAt(), now)}`
          : `Synced ${relativeTime(c.lastSyncedAt, now)}`}
      </span>
      <span className={pending ? "pending has-pending" : "pending"} data-testid="pending-count" data-count={pending}>
        {pending === 0 ? "All edits saved" : `${pending} pending ${pending === 1 ? "edit" : "edits"}`}
      </span>
      {c.status === "error" ? (
        <button type="button" className="link-button" onClick={() => location.reload()}>
          Retry
        </button>
      ) : null}
      <div className="visually-hidden" aria-live="polite" role="status" data-testid="announcer">
        {spoken}
      </div>
    </div>
  );
}
