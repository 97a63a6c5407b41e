/**
 * Remote cursors as the board animates them: one interpolating track per
 * connection, fed from the room client's cursor frames, plus the synthetic
 * cursors of the render benchmark. Remembers where each was drawn last, for
 * the browser tests.
 */
import type { Peer, RemoteCursor } from "edgeroom/client";
import { CursorTrack } from "../interpolate.ts";
import type { SyntheticCursor } from "./frame-stats.ts";

/** Colour and name of a cursor whose peer is not known (yet). */
const UNKNOWN_PEER = { name: "…", color: "#868e96" };

export interface CursorPose {
  x: number;
  y: number;
  opacity: number;
}

export class CursorTracks {
  private readonly tracks = new Map<string, { track: CursorTrack; at: number; x: number; y: number }>();
  /** Extra cursor tracks (the render benchmark's simulated people). */
  readonly synthetic = new Map<string, SyntheticCursor>();
  /** Where each cursor was drawn in the last frame (world coordinates). */
  readonly drawn = new Map<string, CursorPose>();

  /** The room's cursors moved: push new points to their tracks. */
  update(cursors: ReadonlyMap<string, RemoteCursor>, now: number): void {
    for (const c of cursors.values()) {
      let entry = this.tracks.get(c.conn);
      if (!entry) this.tracks.set(c.conn, (entry = { track: new CursorTrack(), at: -1, x: NaN, y: NaN }));
      if (c.at !== entry.at || c.x !== entry.x || c.y !== entry.y) {
        entry.track.push(c.x, c.y, now);
        entry.at = c.at;
        entry.x = c.x;
        entry.y = c.y;
      }
    }
    // Hidden or gone (left the room): removed at once, never left as a ghost.
    for (const conn of this.tracks.keys()) if (!cursors.has(conn)) this.tracks.delete(conn);
  }

  /** Every track with the name and colour to label it, remote ones first. */
  *each(peers: ReadonlyMap<string, Peer>): Iterable<[key: string, track: CursorTrack, name: string, color: string]> {
    for (const [conn, { track }] of this.tracks) {
      const peer = peers.get(conn) ?? UNKNOWN_PEER;
      yield [conn, track, peer.name, peer.color];
    }
    for (const [key, c] of this.synthetic) yield [key, c.track, c.name, c.color];
  }
}
