/**
 * Relays for the fuzz (issue 18 item 8): with a seed's `relays` profile the
 * room is an audience room with tiny bounds (one direct member, two members a
 * relay), so most clients connect through relay objects (`RelayCore`, the
 * real code). A client's link to a relay is a fuzz `Link` like any other —
 * delivered, duplicated, reordered, broken and noticed when the harness says
 * — and each relay's own link to the room is an in-order pipe delivered on
 * the next microtask, as a WebSocket between two objects is. A relay can
 * crash (its members' sockets die with it, unnoticed until each side
 * notices; its link to the room closes); a room restart closes every relay's
 * link (each relay opens it again and resubscribes); a room eviction keeps
 * them (hibernated).
 */
import { RelayCore, type RelayLink } from "../../../party/engine/relay.ts";
import type { LinkInfo, LinkSocket as RoomLinkSocket, Room, RoomSocket } from "../../../party/engine/room.ts";
import { type Card, cards } from "../cards.ts";
import type { FuzzClock } from "./clock.ts";

/** A relay's link as the room holds it: what the room sends reaches the relay in order, a microtask later. */
export class PipeLink implements RoomLinkSocket {
  private info: string | null = null;
  closed = false;
  constructor(
    readonly relay: number,
    private readonly deliver: (frame: string) => void,
  ) {}
  send(frame: string): void {
    if (this.closed) throw new Error("WebSocket send() after close");
    queueMicrotask(() => this.closed || this.deliver(frame));
  }
  close(): void {
    this.closed = true;
  }
  getLink(): LinkInfo | null {
    return this.info === null ? null : (JSON.parse(this.info) as LinkInfo);
  }
  setLink(info: LinkInfo): void {
    this.info = JSON.stringify(info);
  }
}

/** One relay object of the fuzz's room. */
export class FuzzRelay {
  readonly core: RelayCore<Card>;
  pipe: PipeLink | null = null;
  private lost: (() => void) | null = null;
  /** False once the relay crashed: its timers and its link do nothing more. */
  alive = true;

  constructor(
    readonly k: number,
    private readonly host: {
      room(): Room<Card>;
      clock: FuzzClock;
      members(k: number): RoomSocket[];
      lastPing(socket: RoomSocket): number | null;
      pipes: Set<PipeLink>;
      note(line: string): void;
    },
  ) {
    this.core = new RelayCore<Card>(
      "fuzz-room",
      {
        members: () => host.members(k),
        openLink: async (onFrame, onLost) => this.open(onFrame, onLost),
        now: () => host.clock.now(),
        setTimeout: (fn, ms) => host.clock.setTimeout(() => this.alive && fn(), ms),
        lastPing: (s) => host.lastPing(s),
        log: (line) => host.note(`relay ${k} log ${line.event} ${line.detail ?? ""}`),
      },
      cards,
      2,
    );
  }

  private open(onFrame: (data: string) => void, onLost: () => void): RelayLink {
    if (!this.alive) throw new Error("a crashed relay opens nothing");
    const pipe = new PipeLink(this.k, (frame) => this.alive && onFrame(frame));
    this.pipe = pipe;
    this.lost = onLost;
    this.host.pipes.add(pipe);
    this.host.room().linkOpened(pipe, this.k);
    this.host.note(`relay ${this.k} links to the room`);
    return {
      send: (frame) => {
        if (!pipe.closed) void this.host.room().linkMessage(pipe, frame);
      },
      close: () => this.closePipe(pipe, false),
    };
  }

  /** The link goes away: the room sees it close (unless its process died);
   * the relay too, unless it closed it itself. */
  closePipe(pipe: PipeLink, tellRelay: boolean, tellRoom = true): void {
    if (pipe.closed) return;
    pipe.closed = true;
    this.host.pipes.delete(pipe);
    if (tellRoom) void this.host.room().linkClosed(pipe);
    if (tellRelay && this.alive) this.lost?.();
  }

  /** The relay object dies: no close event reaches anything of it again. */
  crash(): void {
    this.alive = false;
    if (this.pipe) this.closePipe(this.pipe, false);
  }
}
