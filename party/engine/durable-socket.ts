/**
 * The Durable Object adapter's socket wrappers (durable-object.ts): a member's
 * hibernatable WebSocket for the room core or a relay, and a relay's link
 * socket as the room holds it. Both keep a value in the socket's attachment
 * (it survives hibernation) and cache it here, so a broadcast does not
 * deserialize every socket's; the cache dies with the object on hibernation
 * and is re-read on wake.
 */
import type { ConnState, LinkInfo, LinkSocket, RoomSocket } from "./room.ts";

/** A hibernatable WebSocket and the value in its attachment, cached. */
class AttachedSocket<T> {
  private cached: T | null | undefined;
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
  protected read(): T | null {
    if (this.cached === undefined) this.cached = (this.ws.deserializeAttachment() as T | null) ?? null;
    return this.cached;
  }
  protected write(value: T): void {
    this.ws.serializeAttachment(value);
    this.cached = value;
  }
}

/** A member's socket: its attachment is the member's ConnState. */
export class DurableSocket extends AttachedSocket<ConnState> implements RoomSocket {
  getState(): ConnState | null {
    return this.read();
  }
  setState(state: ConnState): void {
    this.write(state);
  }
}

/** A relay's link, accepted hibernatably by the room: its attachment is the
 * relay's index and counts (LinkInfo). */
export class DurableLink extends AttachedSocket<LinkInfo> implements LinkSocket {
  getLink(): LinkInfo | null {
    return this.read();
  }
  setLink(info: LinkInfo): void {
    this.write(info);
  }
}
