/**
 * The room's lossy, latest-wins state: cursor positions and live values
 * (PROTOCOL.md §8, §14). Kept in memory only — lost on hibernation, like a
 * cursor — and sent in `cursors` frames: what changed since the last frame
 * (`take`), and everything current to a newcomer (`catchUp`). The fan-out
 * (fanout.ts) decides when a frame leaves; this file decides what is in it.
 */
import { MAX_LIVE_BYTES, MAX_LIVE_KEYS, MAX_LIVE_ROOM_BYTES } from "../../shared/limits.ts";

const round1 = (n: number) => Math.round(n * 10) / 10;

/** One live entry of a frame: `[conn, key, value]`, from its pending key `conn\0key`. */
function liveEntry(k: string, json: string): string {
  const cut = k.indexOf("\u0000");
  return `[${JSON.stringify(k.slice(0, cut))},${JSON.stringify(k.slice(cut + 1))},${json}]`;
}

export class LiveFrames {
  private pendingCursors = new Map<string, [number, number] | null>();
  private lastCursors = new Map<string, [number, number]>();
  /** What changed since the last frame, as `[conn, key, data]` JSON entries
   * keyed `conn\0key`, and the current value of every key. */
  private pendingLive = new Map<string, string>();
  private currentLive = new Map<string, Map<string, string>>();
  private liveBytes = 0;

  get pending(): boolean {
    return this.pendingCursors.size > 0 || this.pendingLive.size > 0;
  }

  /** Characters of the live entry that would go first (0: none waits). */
  get nextLiveChars(): number {
    for (const [k, json] of this.pendingLive) return liveEntry(k, json).length;
    return 0;
  }

  /** A cursor moved (null: left the board), rounded to a tenth of a unit. */
  moveCursor(conn: string, p: [number, number] | null): void {
    const pos: [number, number] | null = p ? [round1(p[0]), round1(p[1])] : null;
    this.pendingCursors.set(conn, pos);
    if (pos) this.lastCursors.set(conn, pos);
    else this.lastCursors.delete(conn);
  }

  /** Clear a live key; false when there was nothing to clear (nothing to send). */
  clearLive(conn: string, key: string): boolean {
    const keys = this.currentLive.get(conn);
    const before = keys?.get(key);
    if (!keys || before === undefined) return false;
    keys.delete(key);
    this.liveBytes -= before.length;
    this.pendingLive.set(`${conn}\u0000${key}`, "null");
    if (keys.size === 0) this.currentLive.delete(conn);
    return true;
  }

  /** Set a live key to a checked value's JSON; false when it would pass
   * MAX_LIVE_BYTES a value, MAX_LIVE_KEYS a connection or MAX_LIVE_ROOM_BYTES. */
  setLive(conn: string, key: string, json: string): boolean {
    const keys = this.currentLive.get(conn) ?? new Map<string, string>();
    const before = keys.get(key);
    const grows = json.length - (before?.length ?? 0);
    if (json.length > MAX_LIVE_BYTES || (before === undefined && keys.size >= MAX_LIVE_KEYS) || (grows > 0 && this.liveBytes + grows > MAX_LIVE_ROOM_BYTES)) return false;
    keys.set(key, json);
    this.currentLive.set(conn, keys);
    this.liveBytes += grows;
    this.pendingLive.set(`${conn}\u0000${key}`, json);
    return true;
  }

  /** A member left: its cursor and live state go with it (`leave` implies them). */
  drop(conn: string): void {
    this.lastCursors.delete(conn);
    this.pendingCursors.delete(conn);
    for (const json of this.currentLive.get(conn)?.values() ?? []) this.liveBytes -= json.length;
    this.currentLive.delete(conn);
    for (const k of this.pendingLive.keys()) if (k.startsWith(`${conn}\u0000`)) this.pendingLive.delete(k);
  }

  /**
   * The frame of what is pending, and the one member who moved if only one
   * did: every cursor, and the live entries that fit in `liveChars`
   * characters, oldest waiting first (a value replaced while it waits keeps
   * its place; `atLeastOne`: the first goes even if it does not fit). What
   * does not fit waits for a later frame. Null when nothing is in it. One
   * frame for every receiver: tailoring it per mover (leaving its own entry
   * out) is O(N²) string work per frame, and measured 16% of the runtime's
   * CPU at 50 movers (BENCHMARKS.md). A receiver skips its own entry (the
   * client library does).
   */
  take(liveChars = Infinity, atLeastOne = true): { frame: string | null; onlyMover: string | undefined; liveChars: number } {
    const entries: string[] = [];
    const movers = new Set<string>();
    for (const [conn, pos] of this.pendingCursors) {
      entries.push(pos ? JSON.stringify([conn, pos[0], pos[1]]) : JSON.stringify([conn]));
      movers.add(conn);
    }
    const live: string[] = [];
    let used = 0;
    for (const [k, json] of this.pendingLive) {
      const entry = liveEntry(k, json);
      if (used + entry.length > liveChars && !(atLeastOne && live.length === 0)) break;
      live.push(entry);
      used += entry.length;
      movers.add(k.slice(0, k.indexOf("\u0000")));
      this.pendingLive.delete(k);
    }
    const onlyMover = movers.size === 1 ? movers.values().next().value : undefined;
    this.pendingCursors.clear();
    if (!entries.length && !live.length) return { frame: null, onlyMover: undefined, liveChars: 0 };
    return { frame: `{"type":"cursors","f":[${entries.join(",")}]${live.length ? `,"l":[${live.join(",")}]` : ""}}`, onlyMover, liveChars: used };
  }

  /** Every other member's cursor and live values, for a newcomer; null when none. */
  catchUp(self: string): string | null {
    if (!this.lastCursors.size && !this.currentLive.size) return null;
    const f: string[] = [];
    for (const [conn, [x, y]] of this.lastCursors) if (conn !== self) f.push(JSON.stringify([conn, x, y]));
    const l: string[] = [];
    for (const [conn, keys] of this.currentLive) if (conn !== self) for (const [key, json] of keys) l.push(`[${JSON.stringify(conn)},${JSON.stringify(key)},${json}]`);
    if (!f.length && !l.length) return null;
    return `{"type":"cursors","f":[${f.join(",")}]${l.length ? `,"l":[${l.join(",")}]` : ""}}`;
  }
}
