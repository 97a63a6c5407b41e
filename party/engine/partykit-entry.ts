/**
 * `edgeroom/partykit`: the engine on PartyKit, an entry of its own so only an
 * app that deploys to PartyKit needs the `partykit` package (an optional peer)
 * and its types. `createPartyServer(schema, options)` is the party for the
 * app's rooms (the same room core, hooks and options as `createRoomServer`'s
 * Durable Object); `NoMainParty` refuses PartyKit's main party. Re-exports only.
 */
export { NoMainParty, partyRoomClass as createPartyServer, type PartyRoomClass } from "./partykit.ts";
