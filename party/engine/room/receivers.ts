/**
 * Who the room's broadcast frames go to. The fan-out (fanout.ts) and the
 * commit outbox address *receivers*: a place to send a frame, named by the
 * member it stands for (the `conn` a change by that member is not echoed to,
 * and whose acks it carries). Today every receiver is one member's socket
 * that said hello; an audience spread over many objects (issue 18) adds
 * receivers that stand for a relay, without the fan-out changing.
 */
import type { RecordBase } from "../../shared/protocol.ts";
import type { FrameSender, RoomHost, RoomSocket } from "./types.ts";

/** Calls `visit` once per receiver, in a stable order. A callback rather than
 * an iterator: the fan-out runs it for every frame, and it allocates nothing. */
export type EachReceiver = (visit: (conn: string, to: FrameSender) => void) => void;

/** The host's sockets whose hello was accepted, as receivers. */
export function readySocketReceivers<R extends RecordBase>(host: RoomHost<R>): EachReceiver {
  return (visit) => {
    for (const s of host.sockets()) {
      const st = s.getState();
      if (st?.ready) visit(st.conn, s);
    }
  };
}

/** The host's sockets whose hello was accepted. */
export function readySockets<R extends RecordBase>(host: RoomHost<R>): RoomSocket[] {
  const out: RoomSocket[] = [];
  for (const s of host.sockets()) if (s.getState()?.ready) out.push(s);
  return out;
}
