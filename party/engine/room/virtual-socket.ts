/**
 * A member an audience room's relay holds, as the room's parts see it
 * (relay-face.ts; docs/ARCHITECTURE.md "One room over many objects"): a
 * `RoomSocket` whose state is the identity its relay sent, and whose `send`
 * and `close` become items of that relay's next down frame. Memory only.
 */
import type { DownItem, MemberInfo } from "../../shared/relay-protocol.ts";
import type { ConnState, FrameSender, RoomSocket } from "./types.ts";

/** Where a virtual socket's sends and closes go (the room's links). */
export interface VirtualOwner {
  push(relay: number, item: DownItem): void;
  dropVirtual(relay: number, conn: string): void;
}

export class VirtualSocket implements RoomSocket {
  private st: ConnState;
  private readonly links: VirtualOwner;
  readonly relay: number;
  constructor(links: VirtualOwner, relay: number, st: ConnState) {
    this.links = links;
    this.relay = relay;
    this.st = st;
  }
  send(frame: string): void {
    this.links.push(this.relay, { k: "to", conn: this.st.conn, f: frame });
  }
  close(code: number, reason: string): void {
    this.links.dropVirtual(this.relay, this.st.conn);
    this.links.push(this.relay, { k: "close", conn: this.st.conn, code, reason });
  }
  getState(): ConnState {
    return this.st;
  }
  setState(state: ConnState): void {
    this.st = state;
  }
}

/** A relayed member's state, from what its relay sent. */
export function virtualState(info: MemberInfo, now: number): ConnState {
  const st: ConnState = { conn: info.conn, role: info.role === "editor" ? "editor" : "viewer", ready: true, at: now };
  st.clientId = info.clientId;
  st.name = info.name;
  st.color = info.color;
  st.status = "active";
  if (info.sub) {
    st.sub = info.sub.slice(0, 64);
    st.ident = `s:${st.sub}`;
  }
  if (typeof info.exp === "number") st.exp = info.exp;
  return st;
}

/** Send on a link that may be closing (the runtime throws then); its close
 * event cleans up. */
export function sendQuietly(link: FrameSender, frame: string): void {
  try {
    link.send(frame);
  } catch {
    // closing
  }
}
