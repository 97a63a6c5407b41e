/**
 * The checklist's server: the engine, given the checklist's schema and one
 * rule of its own. wrangler.toml makes this the Worker's main module.
 */
import { createRoomServer } from "edgeroom/server";
import { checklist } from "./schema.ts";

const server = createRoomServer(checklist, {
  binding: "CHECKLIST",
  hooks: {
    // Runs for every op, inside the room's exactly-once path.
    authorize: (actor, op, before) => {
      if (actor.role !== "editor") return "viewers cannot edit the list";
      if (op.op === "del" && before && !before.done) return "tick an item off before deleting it";
      return true;
    },
    onCommit: (change, room) => console.log(JSON.stringify({ room: room.id, seq: change.seq, items: room.records.size })),
  },
});

/** The Durable Object class wrangler.toml binds as CHECKLIST. */
export const ChecklistRoom = server.DurableObject;
export default server.worker;
