/**
 * `edgeroom/server`: what an app's server code imports. One call,
 * `createRoomServer(schema, { hooks })`, builds the Durable Object class and
 * the Worker (routing, Origin and token checks) for the app's schema (the
 * PartyKit party is the separate `edgeroom/partykit` entry); `defineRoom`
 * builds that schema; `mintToken` signs the access tokens the Worker verifies. Re-exports only: the code lives in the modules
 * named here. See docs/BUILD-YOUR-OWN.md.
 */
export { createRoomServer, type RoomServer, type RoomServerOptions } from "./server.ts";
export type { Actor, RoomEnv, RoomHooks, RoomOptions, RoomView } from "./server.ts";
export { MAX_TOKEN_LIFETIME_SECONDS, mintToken, TOKEN_TTL_SECONDS } from "./auth.ts";
export { defineRoom, type RecordLimits, type RecordOf, type RoomDefinition, type RoomSchema } from "../shared/schema.ts";
export { CloseCode, ErrorCode, type Change, type Op, type Peer, type RecordBase, type Role } from "../shared/protocol.ts";
