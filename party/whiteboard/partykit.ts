/**
 * The whiteboard as a PartyKit party (partykit.json `parties.whiteboard`):
 * the same room core, built by the same call as the Durable Object.
 */
import { server } from "./worker.ts";

export default server.PartyServer;
