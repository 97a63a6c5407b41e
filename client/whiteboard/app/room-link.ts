/**
 * The shareable room link. A board lives at `/r/<room id>`; `/` makes a fresh
 * room and replaces the address with its link (replaceState: Back does not
 * lead to a second fresh room). Other query parameters (?debug) are kept.
 */
import { ROOM_ID_PATTERN } from "../../../party/shared/limits.ts";
import { newRoomId } from "../../engine/ids.ts";

const ROOM_PATH = /^\/r\/([^/]+)\/?$/;

/** The room named by a location, or null when it names none (or an invalid one). */
export function roomFromLocation(loc: { pathname: string; search: string }): string | null {
  const m = ROOM_PATH.exec(loc.pathname);
  const fromPath = m ? decodeURIComponent(m[1]!) : null;
  // `?room=` is accepted too, so older links and scripts keep working.
  const id = fromPath ?? new URLSearchParams(loc.search).get("room");
  return id && ROOM_ID_PATTERN.test(id) ? id : null;
}

export function roomPath(room: string): string {
  return `/r/${encodeURIComponent(room)}`;
}

/** Resolve the room for this page, creating one (and rewriting the URL) if needed. */
export function ensureRoomInAddressBar(): string {
  const existing = roomFromLocation(location);
  const room = existing ?? newRoomId();
  let search = location.search;
  const params = new URLSearchParams(search);
  if (params.has("room")) {
    params.delete("room");
    const rest = params.toString();
    search = rest ? `?${rest}` : "";
  }
  const wanted = roomPath(room) + search + location.hash;
  if (location.pathname + location.search + location.hash !== wanted) history.replaceState(null, "", wanted);
  return room;
}
