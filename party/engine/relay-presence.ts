/**
 * What a relay (relay.ts) knows of its room's presence, kept from the room's
 * broadcasts as they pass through: the active people (the room's sync, then
 * each `join`, `peer` and `leave`), the watcher count (`watching`), and the
 * latest cursor and live values of everyone (each `cursors` frame's entries,
 * latest wins, gone with their `leave`) — so a member joining at the relay
 * gets the welcome's peers and the current cursors at once, as a direct
 * member does (room/live-frames.ts `catchUp`), without asking the room.
 * Bounded by the room's own: what it holds came from the room's frames.
 */
import type { Peer } from "../shared/protocol.ts";

export class RelayPresence {
  readonly peers = new Map<string, Peer>();
  /** Watchers the room last counted (its `watching`). */
  watching = 0;
  /** Each connection's cursor entry `[conn,x,y]` as JSON. */
  private readonly cursors = new Map<string, string>();
  /** Each connection's live entries `[conn,key,value]` as JSON, by key. */
  private readonly live = new Map<string, Map<string, string>>();

  /** A broadcast of the room passing through the relay. */
  note(frame: string): void {
    if (frame.startsWith(`{"type":"cursors"`)) {
      const { f, l } = JSON.parse(frame) as { f: unknown[][]; l?: unknown[][] };
      for (const e of f) {
        if (e.length === 3) this.cursors.set(e[0] as string, JSON.stringify(e));
        else this.cursors.delete(e[0] as string);
      }
      for (const e of l ?? []) {
        const [conn, key, value] = e as [string, string, unknown];
        const keys = this.live.get(conn) ?? new Map<string, string>();
        if (value === null) keys.delete(key);
        else keys.set(key, JSON.stringify(e));
        if (keys.size > 0) this.live.set(conn, keys);
        else this.live.delete(conn);
      }
    } else if (frame.startsWith(`{"type":"join"`) || frame.startsWith(`{"type":"peer"`)) {
      const { peer } = JSON.parse(frame) as { peer: Peer };
      this.peers.set(peer.conn, peer);
    } else if (frame.startsWith(`{"type":"leave"`)) {
      this.gone((JSON.parse(frame) as { conn: string }).conn);
    }
  }

  /** A connection left (its cursor and live values go with it). */
  gone(conn: string): void {
    this.peers.delete(conn);
    this.cursors.delete(conn);
    this.live.delete(conn);
  }

  /** The active people and the cursors on the board (`catchUp`, a `cursors`
   * frame, or null: none) as the room's sync says; `cast` tells the members
   * who were here what changed meanwhile (after a gap or a resubscribe). */
  replace(peers: readonly Peer[], cast: (frame: string, except: string) => void, catchUp: string | null): void {
    this.cursors.clear();
    this.live.clear();
    if (catchUp) this.note(catchUp);
    const before = new Map(this.peers);
    this.peers.clear();
    for (const p of peers) this.peers.set(p.conn, p);
    for (const conn of before.keys()) {
      if (this.peers.has(conn)) continue;
      this.gone(conn);
      cast(JSON.stringify({ type: "leave", conn }), conn);
    }
    for (const p of peers) {
      const old = before.get(p.conn);
      if (!old) cast(JSON.stringify({ type: "join", peer: p }), p.conn);
      else if (JSON.stringify(old) !== JSON.stringify(p)) cast(JSON.stringify({ type: "peer", peer: p }), p.conn);
    }
  }

  /** Every other connection's cursor and live values, for a member who just
   * said hello; null when there are none. */
  catchUp(self: string): string | null {
    const f: string[] = [];
    for (const [conn, entry] of this.cursors) if (conn !== self) f.push(entry);
    const l: string[] = [];
    for (const [conn, keys] of this.live) if (conn !== self) l.push(...keys.values());
    if (!f.length && !l.length) return null;
    return `{"type":"cursors","f":[${f.join(",")}]${l.length ? `,"l":[${l.join(",")}]` : ""}}`;
  }

  /** Forget everything (the relay's last member left). */
  clear(): void {
    this.peers.clear();
    this.cursors.clear();
    this.live.clear();
    this.watching = 0;
  }
}
