/**
 * The headers the edge uses to hand its verdict on a connection to the room
 * (both hosts). The edge overwrites whatever a client sent under these names,
 * so the room can trust them; a request that reaches a room without them gets
 * the least privilege.
 */

/** The room id (the wrangler host: a woken object learns its name from it). */
export const ROOM_HEADER = "x-edgeroom-room";
export const ROLE_HEADER = "x-edgeroom-role";
/** Set on a stats request. A header, not a path test: a room may itself be called "stats". */
export const STATS_HEADER = "x-edgeroom-stats";
/** Set on an HTTP API request, by the Worker only, after it checked the API
 * secret: the endpoint (http-api.ts `ApiAction`). */
export const API_HEADER = "x-edgeroom-api";
/** Set by the Worker on a fallback request (fallback.ts): `events` (open a
 * stream) or `send` (post frames into one). */
export const FALLBACK_HEADER = "x-edgeroom-fallback";
/** Set by the Worker on `GET …/events` when the deployment has tokens: the id
 * of the verified ticket, which the room redeems once (fallback.ts). */
export const TICKET_HEADER = "x-edgeroom-ticket";
/** Set by the Worker on `POST …/assets`, after it checked the token (editors
 * only): the room stores the upload (assets.ts). */
export const ASSET_HEADER = "x-edgeroom-asset";
/** When the connection's token expires (ms since the epoch), if it has one. */
export const EXPIRES_HEADER = "x-edgeroom-expires";
/** The token's subject (`sub`), if it has one: the identity connections are counted by. */
export const SUBJECT_HEADER = "x-edgeroom-subject";

/** Set by a room on a socket it hands to a relay (an audience room): the
 * relay's index. Never from a client: the Worker strips it. */
export const RELAY_HEADER = "x-edgeroom-relay";
/** Set by a relay on the link it opens to its room: the relay's index. Never
 * from a client: the Worker strips it. */
export const LINK_HEADER = "x-edgeroom-link";

/** Remove the headers only the engine's own objects may set. */
export function stripInternal(headers: Headers): void {
  headers.delete(RELAY_HEADER);
  headers.delete(LINK_HEADER);
  headers.delete(INDEX_HEADER);
}

/** On a request to the rooms index object (rooms-index.ts): `report` (from a
 * room) or `list` (from the Worker, after it checked the API secret). */
export const INDEX_HEADER = "x-edgeroom-index";

/** The edge's headers on a request, as the room reads them. */
export function verdictOf(headers: Headers): { role: "editor" | "viewer"; subject: string | null; expiresAt?: number } {
  const expires = Number(headers.get(EXPIRES_HEADER));
  return {
    role: headers.get(ROLE_HEADER) === "editor" ? "editor" : "viewer",
    subject: headers.get(SUBJECT_HEADER),
    ...(expires > 0 ? { expiresAt: expires } : {}),
  };
}

/** Put the edge's verdict into `headers`, replacing anything the client sent. */
export function setVerdict(headers: Headers, verdict: { role: string; subject: string | null; expiresAt?: number }): void {
  headers.set(ROLE_HEADER, verdict.role);
  if (verdict.expiresAt) headers.set(EXPIRES_HEADER, String(verdict.expiresAt));
  else headers.delete(EXPIRES_HEADER);
  if (verdict.subject) headers.set(SUBJECT_HEADER, verdict.subject);
  else headers.delete(SUBJECT_HEADER);
}
