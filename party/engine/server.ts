/**
 * The engine's server entry: one call turns an app's schema (and its hooks and
 * options) into everything the two hosts need.
 *
 * ```ts
 * // party/checklist/worker.ts — the Worker's main module (wrangler.toml `main`)
 * import { createRoomServer } from "edgeroom/server";
 * import { checklist } from "../shared/checklist.ts";
 *
 * const server = createRoomServer(checklist, {
 *   binding: "CHECKLIST",                       // wrangler.toml [[durable_objects.bindings]] name
 *   hooks: { authorize: (actor, op) => actor.role === "editor" || "read only" },
 * });
 * export const ChecklistRoom = server.DurableObject; // its class_name
 * export default server.worker;
 * ```
 *
 * The PartyKit party of the same app is `createPartyServer(schema, options)`
 * from `edgeroom/partykit` (partykit-entry.ts), default-exported by the module
 * partykit.json names for the party: an entry of its own, so an app on
 * wrangler alone needs neither the partykit package nor its types.
 */
import type { RecordBase } from "../shared/protocol.ts";
import type { RoomSchema } from "../shared/schema.ts";
import { type DurableRoomClass, durableRoomClass, type RoomEnv } from "./durable-object.ts";
import type { RoomOptions } from "./room.ts";
import { createWorker } from "./worker.ts";

export interface RoomServerOptions<R extends RecordBase> extends RoomOptions<R> {
  /** The env binding of the app's Durable Object namespace (wrangler.toml).
   * Defaults to the party name in upper case, `-` as `_` ("whiteboard" → "WHITEBOARD"). */
  binding?: string;
}

export interface RoomServer {
  /** Export under the `class_name` of the app's Durable Object binding. */
  readonly DurableObject: DurableRoomClass;
  /** The Worker: export as the main module's default. */
  readonly worker: ExportedHandler<RoomEnv>;
}

export function createRoomServer<R extends RecordBase>(schema: RoomSchema<R>, options: RoomServerOptions<R> = {}): RoomServer {
  const binding = options.binding ?? schema.party.toUpperCase().replace(/-/g, "_");
  return {
    DurableObject: durableRoomClass(schema, options, binding),
    worker: createWorker([{ party: schema.party, binding }]),
  };
}

export type { RoomEnv } from "./durable-object.ts";
export type { Actor, RoomHooks, RoomOptions, RoomView } from "./room.ts";
