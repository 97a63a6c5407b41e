/**
 * Wiring one page to one room: the room client with the IndexedDB pending store,
 * a per-tab client id, the remembered name and colour, and a connection that
 * follows the browser's online/offline state; the editor on top of it.
 */
import { partySocketTransport } from "../connection.ts";
import { Editor } from "../editor.ts";
import { IdbPendingStore } from "../idb-pending-store.ts";
import { onlineAwareTransport, browserNetwork } from "../offline-transport.ts";
import { RoomClient } from "../room-client.ts";
import { loadClientId, loadColor, loadName } from "./identity.ts";

export interface RoomSession {
  room: string;
  client: RoomClient;
  editor: Editor;
  pendingStore: IdbPendingStore;
  /** Round trip of our own edits: sent → acknowledged (ms), for the debug overlay. */
  ackLag: { last: number | null };
  dispose(): void;
}

export function createRoomSession(room: string, onRefused: (message: string) => void): RoomSession {
  const protocol = location.protocol === "https:" ? "wss" : "ws";
  const pendingStore = new IdbPendingStore(room);
  let client: RoomClient | null = null;
  const transport = onlineAwareTransport(
    partySocketTransport({ host: location.host, room, protocol, attempt: () => client?.connection.attempt ?? 0 }),
    browserNetwork(),
  );
  client = new RoomClient({
    host: location.host,
    room,
    protocol,
    clientId: loadClientId(),
    name: loadName(),
    color: loadColor(),
    pendingStore,
    transport,
  });
  const c = client;
  const ackLag: { last: number | null } = { last: null };
  const sentAt = new Map<string, number>();
  const editor = new Editor(
    {
      records: () => c.records(),
      mutate: (ops) => {
        const mid = c.mutate(ops);
        sentAt.set(mid, performance.now());
        return mid;
      },
    },
    onRefused,
  );
  const off = c.on("message", (msg) => {
    if (msg.type !== "ack" && msg.type !== "reject") return;
    const t = sentAt.get(msg.mid);
    if (t === undefined) return;
    sentAt.delete(msg.mid);
    if (msg.type === "ack") ackLag.last = performance.now() - t;
  });
  return {
    room,
    client: c,
    editor,
    pendingStore,
    ackLag,
    dispose() {
      off();
      c.close();
    },
  };
}
