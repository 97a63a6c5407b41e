/**
 * A Node client that edits until it is killed (tests/unit/file-pending-store.test.ts):
 * offline (its transport never opens), it puts card c0, c1, … into a
 * FilePendingStore at argv[2], printing "saved <i>" once edit i is durable.
 * Run as the package is used: `node --conditions=edgeroom-source`.
 */
import { RoomClient } from "edgeroom/client";
import { FilePendingStore } from "edgeroom/node";
import { card, cards } from "./cards.ts";

/** This script's path, for the test to spawn (importing it runs nothing). */
export const PENDING_CHILD = import.meta.filename;

async function main(file: string): Promise<void> {
  const client = new RoomClient({
    schema: cards,
    room: "crash-room",
    clientId: "crashy",
    name: "crashy",
    color: "#3366ff",
    pendingStore: new FilePendingStore(file),
    transport: () => ({ isOpen: false, send() {}, reconnect() {}, close() {} }),
  });
  await client.ready;
  for (let i = 0; i < 100_000; i++) {
    client.mutate([{ op: "put", rec: { ...card(`c${i}`), votes: i % 1000 } }], { mid: `m${i}` });
    await client.saved();
    process.stdout.write(`saved ${i}\n`);
  }
}

if (process.argv[1] === PENDING_CHILD) await main(process.argv[2]!);
