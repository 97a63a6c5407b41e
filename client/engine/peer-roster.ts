/**
 * Who else is in the room, as this client shows them: the peers the room
 * announced, the ones who left a moment ago (kept for LEAVE_LINGER_MS, so a
 * reload or a network blip — same client id, new connection — does not make
 * them flicker out and back), and their cursors from the room's shared cursor
 * frames. Presence only: nothing here is document data.
 */
import { LEAVE_LINGER_MS } from "../../party/shared/limits.ts";
import type { CursorEntry, Peer } from "../../party/shared/protocol.ts";
import { type Clock, systemClock } from "./clock.ts";

export interface RemoteCursor {
  conn: string;
  x: number;
  y: number;
  /** Receive time (ms): the interpolator animates between received points. */
  at: number;
}

export class PeerRoster {
  private readonly live = new Map<string, Peer>();
  private readonly departed = new Map<string, { peer: Peer; timer: unknown }>();
  private readonly cursorMap = new Map<string, RemoteCursor>();
  /** Every peer's live state (RoomClient.setLive), by conn, then key. */
  private readonly liveMap = new Map<string, Map<string, unknown>>();

  /** A departed peer's linger ended: it (and its cursor) is gone now. */
  private readonly onGone: () => void;
  private readonly clock: Clock;

  constructor(onGone: () => void, clock: Clock = systemClock) {
    this.onGone = onGone;
    this.clock = clock;
  }

  /** Everyone else in the room (including, briefly, those who just left). */
  peers(): ReadonlyMap<string, Peer> {
    if (this.departed.size === 0) return this.live;
    const all = new Map(this.live);
    for (const [conn, { peer }] of this.departed) all.set(conn, peer);
    return all;
  }

  cursors(): ReadonlyMap<string, RemoteCursor> {
    return this.cursorMap;
  }

  /** `conn` is here now (not one of those who just left, still in `peers()`). */
  present(conn: string): boolean {
    return this.live.has(conn);
  }

  /** The room's welcome: the peers present now. */
  welcome(peers: readonly Peer[]): void {
    this.live.clear();
    for (const p of peers) this.live.set(p.conn, p);
  }

  /** Someone joined. Back within the linger window (reload, network blip):
   * the new connection takes over the old one's place and cursor, no flicker. */
  join(peer: Peer): void {
    for (const [conn, { peer: old, timer }] of this.departed) {
      if (old.clientId !== peer.clientId) continue;
      this.clock.clearTimeout(timer);
      this.departed.delete(conn);
      const cursor = this.cursorMap.get(conn);
      this.cursorMap.delete(conn);
      if (cursor) this.cursorMap.set(peer.conn, { ...cursor, conn: peer.conn });
    }
    this.live.set(peer.conn, peer);
  }

  /** A peer changed its name, colour or status. */
  update(peer: Peer): void {
    this.live.set(peer.conn, peer);
  }

  /** A peer left: still shown for LEAVE_LINGER_MS. */
  leave(conn: string): void {
    const peer = this.live.get(conn);
    this.live.delete(conn);
    // Live state does not linger: a half-drawn stroke of someone who left is gone.
    this.liveMap.delete(conn);
    if (!peer) return;
    const timer = this.clock.setTimeout(() => {
      this.departed.delete(conn);
      this.cursorMap.delete(conn);
      this.onGone();
    }, LEAVE_LINGER_MS);
    this.departed.set(conn, { peer, timer });
  }

  /** One shared cursor frame: a position per moved cursor, a bare conn for a
   * hidden one. `self` is skipped (the room never echoes, but be sure). */
  cursorFrame(frame: readonly CursorEntry[], self: string | undefined, now: number): void {
    for (const entry of frame) {
      if (entry[0] === self) continue;
      if (entry.length === 3) this.cursorMap.set(entry[0], { conn: entry[0], x: entry[1], y: entry[2], at: now });
      else this.cursorMap.delete(entry[0]);
    }
  }

  /** Live entries of a cursor frame: `[conn, key, data]`, data null = cleared. */
  liveFrame(entries: readonly [string, string, unknown][], self: string | undefined): void {
    for (const [conn, key, data] of entries) {
      if (conn === self) continue;
      const keys = this.liveMap.get(conn) ?? new Map<string, unknown>();
      if (data === null) keys.delete(key);
      else keys.set(key, data);
      if (keys.size) this.liveMap.set(conn, keys);
      else this.liveMap.delete(conn);
    }
  }

  liveState(): ReadonlyMap<string, ReadonlyMap<string, unknown>> {
    return this.liveMap;
  }

  /** The connection dropped: whoever was here is unknown until the next welcome. */
  disconnected(): void {
    this.live.clear();
    this.cursorMap.clear();
    this.liveMap.clear();
  }

  /** Close for good: no linger timer outlives the client. */
  dispose(): void {
    for (const { timer } of this.departed.values()) this.clock.clearTimeout(timer);
    this.departed.clear();
  }
}
