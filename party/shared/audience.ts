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
