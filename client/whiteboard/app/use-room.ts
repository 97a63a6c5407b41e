/**
 * The whiteboard's own React hooks. The room's state a generic app shows —
 * connection, people, self, pending edits — comes from `edgeroom/react`
 * (useConnection, useOthers, usePeers, useSelf, usePendingEdits); what is here is the
 * board's: its UI state, the debug overlay's figures, a ticking clock.
 */
import { useEffect, useState, useSyncExternalStore } from "react";
import type { RoomClient } from "edgeroom/client";
import type { Other } from "edgeroom/react";
import type { BoardController, BoardUiState } from "../canvas/board-controller.ts";

/** What the `?debug` overlay shows of the room. */
export interface RoomStats {
  seq: number;
  /** Edits not yet confirmed, and the mutations behind them. */
  pendingEdits: number;
  pendingMutations: number;
  shapeCount: number;
}

const stats = new WeakMap<RoomClient, { value: RoomStats | null; subscribe: (fn: () => void) => () => void }>();

function statsSource(client: RoomClient) {
  let source = stats.get(client);
  if (!source) {
    const s: { value: RoomStats | null; subscribe: (fn: () => void) => () => void } = {
      value: null,
      subscribe: (fn) =>
        client.on("change", () => {
          s.value = null; // rebuilt lazily, once per render, however many changes came
          fn();
        }),
    };
    stats.set(client, (source = s));
  }
  return source;
}

/** The debug overlay's figures, now. */
export function roomStatsOf(client: RoomClient): RoomStats {
  return { seq: client.seq, pendingEdits: client.pendingEditCount, pendingMutations: client.pendingCount, shapeCount: client.records().size };
}

/** The debug overlay's figures, re-read when the client changes. */
export function useRoomStats(client: RoomClient): RoomStats {
  const source = statsSource(client);
  return useSyncExternalStore(source.subscribe, () => (source.value ??= roomStatsOf(client)));
}

/** Everyone else here (and who just left), in the order the people list shows them (name, then connection). */
export function sortedOthers(others: ReadonlyMap<string, Other>): Other[] {
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
