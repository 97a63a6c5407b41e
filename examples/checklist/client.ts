/**
 * A checklist in the terminal: joins a room, prints the list whenever it
 * changes, and adds the item given on the command line.
 *
 *   node client.ts 127.0.0.1:8787 groceries "buy milk"
 */
import { RoomClient, newRecordId } from "edgeroom/client";
import WebSocket from "ws";
import { checklist, type Item } from "./schema.ts";

const [host = "127.0.0.1:8787", room = "demo", text] = process.argv.slice(2);
const client = new RoomClient({ schema: checklist, host, room, name: "terminal", color: "#3366ff", WebSocket });

const sorted = (items: Iterable<Item>) => [...items].sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
client.on("change", () => {
  console.clear();
  for (const item of sorted(client.records().values())) console.log(`${item.done ? "[x]" : "[ ]"} ${item.text}`);
});
client.on("reject", (r) => console.error(`refused: ${r.message}`));
client.on("status", (s) => {
  if (s.status === "live" && text) {
    client.mutate([{ op: "put", rec: { id: newRecordId(), text, done: false, order: Date.now() } }]);
  }
});
process.on("SIGINT", () => {
  client.close();
  process.exit(0);
});
