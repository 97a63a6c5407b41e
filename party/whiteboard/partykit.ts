/**
 * The whiteboard as a PartyKit party (partykit.json `parties.whiteboard`):
 * the same room core, schema and options as the Durable Object (worker.ts).
 */
import { createPartyServer } from "edgeroom/partykit";
import { whiteboard } from "./schema.ts";
import { roomOptions } from "./worker.ts";

export default createPartyServer(whiteboard, roomOptions);
