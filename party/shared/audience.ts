/**
 * What a client of an audience room sees beyond the base protocol (issue 18;
 * docs/PROTOCOL.md §16): the number of people watching. Watchers (viewers on
 * a room's relays) are counted, not announced one by one; the room sends the
 * count to every member whose `hello` said `watching` (this library does),
 * when it changes and at most once per RELAY_COUNTS_MS, and right after the
 * welcome when it is not 0. A client that did not say so never gets it (an
 * older client would read an unknown message as an unreadable frame).
 * Kept apart from protocol.ts (its size) and exported through the same entry.
 */
import { z } from "zod";

/** `n`: people watching who are not among the room's peers (the `join`ed). */
export const Watching = z.object({ type: z.literal("watching"), n: z.number().int().min(0) });
export type WatchingMessage = z.infer<typeof Watching>;

/** The frame the room and relays send (built once per count). */
export function watchingFrame(n: number): string {
  return `{"type":"watching","n":${n}}`;
}

/** One watcher, as the backend's `GET …/presence?watchers` lists it
 * (docs/HTTP-API.md): a viewer on one of the room's relays. */
export interface Watcher {
  conn: string;
  clientId: string;
  name: string;
  color: string;
  /** As `PresenceStatus` and `Role` (protocol.ts, which imports this module). */
  status: "active" | "idle" | "away";
  role: "editor" | "viewer";
  /** The token's subject, or null. */
  subject: string | null;
}

/** A page of watchers: at most WATCHERS_PAGE_MAX (fewer at the end of each
 * relay's); `cursor` asks for the next page, null after the last; `watching`
 * is the room's count of them now. */
export interface WatchersPage {
  watchers: Watcher[];
  cursor: string | null;
  watching: number;
}
