/**
 * Wiring one page to one room: the room client with the IndexedDB pending store,
 * a per-tab client id, the remembered name and colour, and a connection that
 * follows the browser's online/offline state; the engine's offline snapshot
 * (the last board seen, shown until the room answers); the editor on top.
 */
import { browserNetwork, fallbackTransport, IdbAssetStore, IdbPendingStore, OfflineSnapshot, onlineAwareTransport, RoomAssets, RoomClient } from "edgeroom/client";
import { whiteboard } from "../../../party/whiteboard/schema.ts";
import type { Shape } from "../../../party/whiteboard/records.ts";
import { Editor } from "../editor.ts";
import type { BoardRoom } from "../canvas/board-controller.ts";
import { loadClientId, loadColor, loadName } from "./identity.ts";

export interface RoomSession {
  room: string;
  client: RoomClient<Shape>;
  /** The room's pictures (image shapes): staged here, uploaded when online. */
  assets: RoomAssets<Shape>;
  editor: Editor;
  pendingStore: IdbPendingStore;
  /** Round trip of our own edits: sent → acknowledged (ms), for the debug overlay. */
  ackLag: { last: number | null };
  /** What the board draws: the room client, or — before the first sync of a page
   * opened offline — the cached snapshot with pending edits on top. */
  board: BoardRoom;
  /** When the cached snapshot shown was saved (null: none shown). */
  cachedAt(): number | null;
  /** The seq of the newest snapshot cached for offline reloads (null: none yet). */
  savedSeq(): number | null;
  dispose(): void;
}

export function createRoomSession(room: string, onRefused: (message: string) => void): RoomSession {
  const protocol = location.protocol === "https:" ? "wss" : "ws";
  const pendingStore = new IdbPendingStore(room);
  // partysocket to this page's own host (or the HTTP fallback where WebSockets
  // are refused), closed while the browser is offline.
  const transport = onlineAwareTransport(fallbackTransport({ host: location.host, party: whiteboard.party, room, protocol }), browserNetwork());
  const c = new RoomClient({ schema: whiteboard,  room, clientId: loadClientId(), name: loadName(), color: loadColor(), pendingStore, transport });
  const assets = new RoomAssets(c, { store: new IdbAssetStore(room) });
  const ackLag: { last: number | null } = { last: null };
  const sentAt = new Map<string, number>();
  const editor = new Editor(
    {
      records: () => c.records(),
      mutate: (ops, edit) => {
        // An edit that names a picture not yet stored waits for it (RoomAssets).
        const mid = c.mutate(ops, { edit, awaits: assets.awaitsFor(ops) });
        sentAt.set(mid, performance.now());
        return mid;
      },
    },
    (message) =>
      onRefused(
        offline.cachedAt !== null
          ? "Shapes from before the reload can be edited once the board is back online."
          : message,
      ),
  );
  const off = c.on("message", (msg) => {
    if (msg.type !== "ack" && msg.type !== "reject") return;
    const t = sentAt.get(msg.mid);
    if (t === undefined) return;
    sentAt.delete(msg.mid);
    if (msg.type === "ack") ackLag.last = performance.now() - t;
  });
  // The cached snapshot: shown until the room has synced once, saved when quiet.
  const offline = new OfflineSnapshot(c);

  const board: BoardRoom = {
    records: () => offline.records(),
    pendingIds: () => c.pendingIds(),
    peers: () => c.peers(),
    cursors: () => c.cursors(),
    moveCursor: (x, y) => c.moveCursor(x, y),
    hideCursor: () => c.hideCursor(),
    setLive: (key, data) => c.setLive(key, data),
    live: () => c.live(),
    on: ((event: "change" | "cursors" | "live" | "remote-change", fn: (arg?: unknown) => void) => {
      if (event === "cursors") return c.on("cursors", fn);
      if (event === "live") return c.on("live", fn);
      if (event === "remote-change") return c.on("message", (m) => m.type === "change" && fn(m.by));
      return offline.subscribe(fn); // the client's changes, and the cached snapshot once read
    }) as BoardRoom["on"],
  };

  return {
    room,
    client: c,
    assets,
    editor,
    pendingStore,
    ackLag,
    board,
    cachedAt: () => offline.cachedAt,
    savedSeq: () => offline.savedSeq,
    dispose() {
      off();
      assets.close();
      void offline.close(); // saves the board one last time
      c.close();
    },
  };
}
