/**
 * The whiteboard's own React hooks. Every piece of the room's state —
 * connection, people, self, pending edits, the debug overlay's seq and
 * counts — comes from `edgeroom/react` (useConnection, useOthers, usePeers,
 * useSelf, usePendingEdits, useRoomStats); what is here is the board's own:
 * its UI state, the people list's order, a ticking clock.
 */
import { useEffect, useState, useSyncExternalStore } from "react";
import type { Person } from "edgeroom/react";
import type { BoardController, BoardUiState } from "../canvas/board-controller.ts";

/** Everyone else here (and who just left), in the order the people list shows them (name, then connection). */
export function sortedOthers(others: ReadonlyMap<string, Person>): Person[] {
  return [...others.values()].sort((a, b) => a.peer.name.localeCompare(b.peer.name) || a.peer.conn.localeCompare(b.peer.conn));
}

/** The board's UI state: tool, style, selection, text being edited. */
export function useBoardUi(controller: BoardController): BoardUiState {
  return useSyncExternalStore(controller.subscribeUi, controller.getUi);
}

/** Re-render every `ms` (relative times such as "synced 5 s ago"). */
export function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
