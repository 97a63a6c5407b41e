/**
 * A checklist in the terminal: joins a room, prints the list whenever it
 * changes, and adds the item given on the command line. The list it last saw
 * is kept in .checklist-cache/ (the engine's OfflineSnapshot), so started
 * without a connection it still prints it, marked as a saved copy.
 *
 *   node client.ts 127.0.0.1:8787 groceries "buy milk"
 */
import { newRecordId, OfflineSnapshot, RoomClient } from "edgeroom/client";
import WebSocket from "ws";
import { fileSnapshotStore } from "./file-snapshot-store.ts";
import { checklist, type Item } from "./schema.ts";

const [host = "127.0.0.1:8787", room = "demo", text] = process.argv.slice(2);
const client = new RoomClient({ schema: checklist, host, room, name: "terminal", color: "#3366ff", WebSocket });
const offline = new OfflineSnapshot(client, { store: fileSnapshotStore(".checklist-cache") });

const sorted = (items: Iterable<Item>) => [...items].sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
offline.subscribe(() => {
  console.clear();
  const saved = offline.cachedAt;
  if (saved !== null) console.log(`(offline: the list as of ${new Date(saved).toLocaleString()})`);
  for (const item of sorted(offline.records().values())) console.log(`${item.done ? "[x]" : "[ ]"} ${item.text}`);
});
client.on("reject", (r) => console.error(`refused: ${r.message}`));
client.on("status", (s) => {
  if (s.status === "live" && text) {
    client.mutate([{ op: "put", rec: { id: newRecordId(), text, done: false, order: Date.now() } }]);
  }
});
process.on("SIGINT", () => {
  void offline.close().then(() => {
    client.close();
    process.exit(0);
  });
});
