/**
 * Two people in one room should not share a cursor colour while the palette
 * has a free one. The person who joins later gives way: at the room's welcome
 * they see everyone already here, and if one of them wears their colour they
 * take a free palette colour and announce it (presence). Peers who join later
 * see us in their welcome and give way themselves, so nobody changes twice.
 */
import type { RoomClient } from "edgeroom/client";
import { PEOPLE_COLORS } from "./identity.ts";

/** A stable number from a string (the client id), to spread choices apart. */
function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return Math.abs(h);
}

/** How far apart two #rrggbb colours look, roughly (RGB distance, 0–441). */
function distance(a: string, b: string): number {
  const rgb = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
  const [x, y] = [rgb(a), rgb(b)];
  return Math.hypot(x[0]! - y[0]!, x[1]! - y[1]!, x[2]! - y[2]!);
}

/** Free colours this close to the best are equally good: `seed` picks among them,
 * so two people giving way at the same moment rarely pick the same one. */
const CHOICES = 3;

/**
 * `mine` when no one in `taken` has it; otherwise a palette colour no one has,
 * among those that look most unlike the taken ones (a red's replacement is not
 * the pink next to it); `mine` again when the palette is used up.
 */
export function distinctColor(mine: string, taken: readonly string[], seed: string, palette: readonly string[] = PEOPLE_COLORS): string {
  const used = new Set(taken.map((c) => c.toLowerCase()));
  if (!used.has(mine.toLowerCase())) return mine;
  const free = palette.filter((c) => !used.has(c.toLowerCase()));
  if (free.length === 0) return mine;
  const nearestTaken = (c: string) => Math.min(...[...used].map((t) => distance(c, t)));
  const best = free.map((c) => ({ c, d: nearestTaken(c) })).sort((a, b) => b.d - a.d).slice(0, CHOICES);
  return best[hash(seed) % best.length]!.c;
}

/**
 * Keep this client's colour distinct from the people already in the room, on
 * every (re)join. Call it right after creating the client, before its first
 * welcome can arrive; returns the unsubscribe.
 */
export function keepColorDistinct(client: RoomClient): () => void {
  let earlier: string[] | null = null;
  return client.on("message", (msg) => {
    if (msg.type === "welcome") {
      // Our own previous connection (a reload within the linger window) is not someone else.
      earlier = msg.peers.filter((p) => p.clientId !== msg.self.clientId).map((p) => p.color);
      return;
    }
    // Announce after the sync that follows the welcome: only then is the
    // connection live, and a presence update sent before it would be lost.
    if (msg.type !== "sync" || earlier === null || !client.self) return;
    const next = distinctColor(client.self.color, earlier, client.self.clientId);
    earlier = null;
    if (next !== client.self.color) client.setPresence({ color: next });
  });
}
