/**
 * The Durable Object adapter's socket wrappers (durable-object.ts): a member's
 * hibernatable WebSocket for the room core or a relay, and a relay's link
 * socket as the room holds it. Attachments are cached here so a broadcast does
 * not deserialize every socket's; the cache dies with the object on
 * hibernation and is re-read on wake.
 */
import type { ConnState, LinkInfo, LinkSocket, RoomSocket } from "./room.ts";

export class DurableSocket implements RoomSocket {
  private state: ConnState | null | undefined;
  readonly ws: WebSocket;
  constructor(ws: WebSocket) {
    this.ws = ws;
  }
  send(frame: string): void {
    this.ws.send(frame);
  }
  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }
  getState(): ConnState | null {
    if (this.state === undefined) this.state = (this.ws.deserializeAttachment() as ConnState | null) ?? null;
    return this.state;
  }
  setState(state: ConnState): void {
    this.ws.serializeAttachment(state);
    this.state = state;
  }
}

/** A relay's link, accepted hibernatably by the room: its attachment is the
 * relay's index and counts (LinkInfo). */
export class DurableLink implements LinkSocket {
  private info: LinkInfo | null | undefined;
  readonly ws: WebSocket;
  constructor(ws: WebSocket) {
    this.ws = ws;
  }
  send(frame: string): void {
    this.ws.send(frame);
  }
  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }
  getLink(): LinkInfo | null {
    if (this.info === undefined) this.info = (this.ws.deserializeAttachment() as LinkInfo | null) ?? null;
    return this.info;
  }
  setLink(info: LinkInfo): void {
    this.ws.serializeAttachment(info);
    this.info = info;
  }
}
