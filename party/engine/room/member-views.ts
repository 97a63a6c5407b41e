/**
 * What the room's parts read off a connection's state (sessions.ts and the
 * parts that answer for a member: dispatch, history, relays), and closing a
 * socket that may be closing already.
 */
import type { Author, Peer } from "../../shared/protocol.ts";
import type { Actor, ConnState, RoomSocket } from "./types.ts";

/** Close a socket that may already be closing (the runtime throws on a second
 * close); one failed close must not abort a sweep over the other sockets. */
export function closeQuietly(socket: RoomSocket, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    // already closed
  }
}

/** Who a connection is, as history records it: its conn, name and token subject. */
export function authorOf(st: ConnState): Author {
  return { by: st.conn, ...(st.name ? { name: st.name } : {}), ...(st.sub ? { sub: st.sub } : {}) };
}

/** Who a connection is, as the app's hooks see it. */
export function actorOf(st: ConnState): Actor {
  return { conn: st.conn, role: st.role, clientId: st.clientId ?? "", subject: st.sub ?? null };
}

export function peerOf(st: ConnState): Peer {
  return {
    conn: st.conn,
    clientId: st.clientId ?? "",
    name: st.name ?? "anonymous",
    color: st.color ?? "#888888",
    status: st.status ?? "active",
    role: st.role,
  };
}

/** A member's opt-in webhook data (`member.entered`, `member.left`): who,
 * and how many members the room holds directly now (`ready`: its ready sockets). */
export function memberEvent(ready: Iterable<RoomSocket>, st: ConnState, entered: boolean): Record<string, unknown> {
  let others = 0;
  for (const s of ready) if (s.getState()!.conn !== st.conn) others++;
  return { conn: st.conn, clientId: st.clientId ?? null, name: st.name ?? null, subject: st.sub ?? null, role: st.role, members: others + (entered ? 1 : 0) };
}

/** The epoch sockets were told before the room's first write (see ConnState.epoch). */
export function unwrittenEpoch(sockets: Iterable<RoomSocket>): string | undefined {
  for (const s of sockets) {
    const epoch = s.getState()?.epoch;
    if (epoch) return epoch;
  }
  return undefined;
}
