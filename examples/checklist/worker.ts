/**
 * The checklist's server: the engine, given the checklist's schema and one
 * rule of its own. wrangler.toml makes this the Worker's main module.
 */
import { createRoomServer } from "edgeroom/server";
import { checklist } from "./schema.ts";

const server = createRoomServer(checklist, {
  binding: "CHECKLIST",
  hooks: {
    // Runs for every op of an editor's mutation (viewers are refused before),
    // inside the room's exactly-once path: a retried mutation gets the same answer.
    authorize: (_actor, op, before) => (op.op === "del" && before && !before.done ? "tick an item off before deleting it" : true),
    onCommit: (change, room) => console.log(JSON.stringify({ room: room.id, seq: change.seq, items: room.records.size })),
  },
});

/** The Durable Object class wrangler.toml binds as CHECKLIST. */
export const ChecklistRoom = server.DurableObject;
export default server.worker;
