/**
 * The shareable room link. A board lives at `/r/<room id>`; `/` makes a fresh
 * room and replaces the address with its link (replaceState: Back does not
 * lead to a second fresh room). Other query parameters (?debug) are kept.
 *
 * Any other address — a room id the room would refuse (`/r/bad!id`, 65
 * characters), extra path segments (`/r/a/b`), an unknown path — is an invalid
 * link, never a silent fresh board: an empty board under a link someone sent
 * reads as "the board was wiped".
 */
import { ROOM_ID_PATTERN } from "edgeroom/schema";
import { newRoomId } from "edgeroom/client";

const ROOM_PATH = /^\/r\/([^/]+)\/?$/;
/** Paths that mean "start a new board" (the app's home). */
const HOME_PATHS = new Set(["/", "/index.html"]);

/** What an address asks for: a named room, a fresh one, or nothing valid. */
export type RoomLink = { kind: "room"; room: string } | { kind: "fresh" } | { kind: "invalid" };

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null; // a broken %-escape
  }
}

/** Read a location as a room link. */
export function parseRoomLink(loc: { pathname: string; search: string }): RoomLink {
  const m = ROOM_PATH.exec(loc.pathname);
  // `?room=` is accepted too, so older links and scripts keep working.
  const queried = new URLSearchParams(loc.search).get("room");
  let id: string | null;
  if (m) id = decode(m[1]!);
  else if (HOME_PATHS.has(loc.pathname)) {
    if (queried === null) return { kind: "fresh" };
    id = queried;
  } else return { kind: "invalid" };
  return id !== null && ROOM_ID_PATTERN.test(id) ? { kind: "room", room: id } : { kind: "invalid" };
}

export function roomPath(room: string): string {
  return `/r/${encodeURIComponent(room)}`;
}

/** This page's query string without `room` (it moves into the path); the
 * others are kept exactly as written (`?test` stays `?test`, not `?test=`). */
function keptSearch(search: string): string {
  const rest = search
    .replace(/^\?/, "")
    .split("&")
    .filter((part) => part !== "" && part.split("=")[0] !== "room");
  return rest.length ? `?${rest.join("&")}` : "";
}

/**
 * Resolve the room for this page, creating one (and rewriting the URL) for the
 * home address. Null when the address is not a valid board link: the caller
 * shows the invalid-link page and leaves the address as it is.
 */
export function ensureRoomInAddressBar(): string | null {
  const link = parseRoomLink(location);
  if (link.kind === "invalid") return null;
  const room = link.kind === "room" ? link.room : newRoomId();
  const wanted = roomPath(room) + keptSearch(location.search) + location.hash;
  if (location.pathname + location.search + location.hash !== wanted) history.replaceState(null, "", wanted);
  return room;
}

/** Where "create a new board" goes: home, keeping this page's other parameters (?debug). */
export function newBoardHref(): string {
  return `/${keptSearch(location.search)}`;
}

/** The link to another board, keeping this page's other parameters (?debug, ?test). */
export function boardHref(room: string): string {
  return roomPath(room) + keptSearch(location.search);
}
