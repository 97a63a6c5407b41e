/**
 * React hooks over a RoomClient and the board controller, through
 * useSyncExternalStore: components read snapshots and re-render when the
 * client says something changed; none of them touches the socket.
 */
import { useEffect, useState, useSyncExternalStore } from "react";
import type { BoardController, BoardUiState } from "../canvas/board-controller.ts";
import type { ConnectionState, Peer, RoomClient } from "../../engine/room-client.ts";

export interface RoomView {
  connection: ConnectionState;
  self: Peer | null;
  /** Everyone else here, in a stable order (name, then connection). */
  peers: readonly Peer[];
  /** Edits the person made that the room has not confirmed yet (what the
   * status bar shows): a drag or a large paste is one, whatever it took. */
  pendingCount: number;
  /** The mutations behind them (the debug overlay). */
  pendingMutations: number;
  seq: number;
  shapeCount: number;
}

const snapshots = new WeakMap<RoomClient, { view: RoomView | null; subscribe: (fn: () => void) => () => void }>();

function sourceFor(client: RoomClient) {
  let source = snapshots.get(client);
  if (!source) {
    const s: { view: RoomView | null; subscribe: (fn: () => void) => () => void } = {
      view: null,
      subscribe: (fn) =>
        client.on("change", () => {
          s.view = null; // rebuilt lazily, once per render, however many changes came
          fn();
        }),
    };
    snapshots.set(client, (source = s));
  }
  return source;
}

/** The room as the chrome shows it, now. */
export function roomViewOf(client: RoomClient): RoomView {
  const peers = [...client.peers().values()].sort((a, b) => a.name.localeCompare(b.name) || a.conn.localeCompare(b.conn));
  return {
    connection: client.connection,
    self: client.self,
    peers,
    pendingCount: client.pendingEditCount,
    pendingMutations: client.pendingCount,
    seq: client.seq,
    shapeCount: client.records().size,
  };
}

/** The room as the chrome shows it: connection, people, pending edits. */
export function useRoomView(client: RoomClient): RoomView {
  const source = sourceFor(client);
  return useSyncExternalStore(source.subscribe, () => (source.view ??= roomViewOf(client)));
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
