/**
 * The fuzz's network and host: every WebSocket between a RoomClient and the room
 * core is a `Link` with one queue per direction, and nothing moves unless the
 * harness says so — deliver this frame, drop that link, let this side notice
 * the close, evict the room, restart the process. The harness picks among those
 * with its seeded PRNG, so a seed replays exactly.
 *
 * What a link models (and what a real WebSocket allows):
 * - frames queue per direction; the harness delivers the head, or — when a seed
 *   asks for it — a later one (reordering) or a copy (duplication). Real sockets
 *   never reorder or duplicate inside one connection; the fuzz does it anyway to
 *   prove the client's gap detection and the room's dedupe, and the runner
 *   relaxes its end checks accordingly (see run.ts);
 * - a broken link loses every frame sent after the break, while frames already
 *   in flight may still arrive until that side notices the close — each side
 *   notices on its own, at a time the harness picks (half-open sockets);
 * - a room-initiated close reaches the client after the frames sent before it.
 */
import { type Card, cards } from "../cards.ts";
import type { Transport, TransportFactory, TransportHandlers } from "../../../client/engine/connection.ts";
import { PING_FRAME, PONG_FRAME, type Role } from "../../../party/shared/protocol.ts";
import { type ConnState, type LogLine, Room, type RoomSocket } from "../../../party/engine/room.ts";
import type { FrameBudget } from "../../../party/engine/room/fanout.ts";
import { KvRoomStorage } from "../../../party/engine/kv-storage.ts";
import { MemoryKv } from "../../../party/engine/testing/memory-kv.ts";
import type { FuzzClock } from "./clock.ts";
import { FuzzRelay, type PipeLink } from "./relays.ts";
import { CloseCode, ErrorCode } from "../../../party/shared/protocol.ts";

/** The room's side of one link: what the room core sends through and attaches to. */
class LinkSocket implements RoomSocket {
  private state: string | null = null;

  constructor(private readonly link: Link) {}

  send(frame: string): void {
    const l = this.link;
    // workerd throws on send after close; the room must cope.
    if (l.serverClosed || l.roomClose) throw new Error("WebSocket send() after close");
    if (l.broken) return; // lost on the wire
    l.down.push(frame);
  }

  close(code: number, reason: string): void {
    const l = this.link;
    if (l.roomClose || l.serverClosed) return;
    l.roomClose = { code, reason };
    l.broken = true;
    l.net.note(`room closes L${l.id} (${l.endpoint.label}) ${code} ${reason}`);
  }

  // Like a hibernatable socket's attachment: a serialized copy that survives a
  // new Room object, and must stay small.
  getState(): ConnState | null {
    return this.state === null ? null : (JSON.parse(this.state) as ConnState);
  }

  setState(state: ConnState): void {
    const json = JSON.stringify(state);
    if (json.length > 2048) throw new Error(`attachment of ${json.length} bytes`);
    this.state = json;
  }
}

export class Link {
  /** Client → room frames in flight. */
  readonly up: string[] = [];
  /** Room → client frames in flight. */
  readonly down: string[] = [];
  /** The path is gone: frames sent from now on are lost. */
  broken = false;
  /** The client saw the close (its transport reported it). */
  clientClosed = false;
  /** The room saw the close (room.close ran), or the process holding it died. */
  serverClosed = false;
  /** The room closed this socket; the client sees it once `down` has drained. */
  roomClose: { code: number; reason: string } | null = null;
  readonly socket: LinkSocket;
  /** When the runtime last auto-answered this socket's ping (see deliverUp). */
  lastPing: number | null = null;
  /** The relay object that holds this socket (an audience room), or null: the room. */
  relay: FuzzRelay | null = null;

  constructor(
    readonly net: FuzzNetwork,
    readonly id: number,
    readonly endpoint: Endpoint,
  ) {
    this.socket = new LinkSocket(this);
  }

  get done(): boolean {
    return this.clientClosed && this.serverClosed;
  }
}

/** A client's end of the network: one per RoomClient instance, owning at most
 * one live link at a time (what partysocket does with its WebSocket). */
export class Endpoint {
  handlers: TransportHandlers | null = null;
  link: Link | null = null;
  /** The client closed its transport for good (RoomClient.close or a terminal close). */
  closedForGood = false;

  constructor(
    readonly net: FuzzNetwork,
    readonly label: string,
  ) {}

  /** Give this to `new RoomClient({ schema: cards,  transport })`. */
  readonly transport: TransportFactory = (handlers) => {
    if (this.handlers) throw new Error(`${this.label}: transport factory called twice`);
    this.handlers = handlers;
    const ep = this;
    const transport: Transport = {
      get isOpen() {
        return ep.link !== null && !ep.link.clientClosed;
      },
      send(frame) {
        const l = ep.link;
        // partysocket with maxEnqueuedMessages: 0 drops frames sent while closed.
        if (!l || l.clientClosed) return;
        if (l.broken) return;
        l.up.push(frame);
      },
      reconnect() {
        // The client drops its socket; the harness opens a new one when it chooses.
        ep.net.clientDrop(ep, 1000, "reconnect");
      },
      close(code = 1000, reason = "") {
        ep.closedForGood = true;
        ep.net.clientDrop(ep, code, reason);
      },
    };
    return transport;
  };

  get wantsLink(): boolean {
    return this.handlers !== null && !this.closedForGood && this.link === null;
  }
}

export class FuzzNetwork {
  readonly kv = new MemoryKv();
  readonly links: Link[] = [];
  readonly logs: LogLine[] = [];
  /** Bumped by evict/restart: timers of a dead Room object must not fire. */
  private generation = 0;
  /** The room object's timers not fired yet: while one is set, the object is
   * not idle, and a Durable Object only hibernates when idle (FIELD-NOTES). */
  private pendingTimers = 0;
  /** The room's alarm; like a Durable Object alarm it outlives evictions and restarts. */
  alarmAt: number | null = null;
  /** How often each mutation id reached the room (duplicates and resends included). */
  readonly mutateDeliveries = new Map<string, number>();
  private nextLink = 1;
  room: Room<Card>;
  /** An audience room's relays (relays.ts), by index, and the room's links to them. */
  readonly relays = new Map<number, FuzzRelay>();
  readonly pipes = new Set<PipeLink>();

  constructor(
    readonly roomId: string,
    readonly clock: FuzzClock,
    readonly note: (line: string) => void,
    /** The room's frame send budget (a test-only knob, not a room option). */
    private readonly frameBudget: FrameBudget = {},
    /** An audience room: one direct member, then relays of two (relays.ts). */
    readonly audience = false,
  ) {
    this.room = this.build();
  }

  private build(): Room<Card> {
    const gen = ++this.generation;
    const room = new Room<Card>(this.roomId, {
      storage: new KvRoomStorage<Card>(this.kv),
      sockets: () => this.links.filter((l) => !l.serverClosed && l.relay === null).map((l) => l.socket),
      links: () => [...this.pipes],
      now: () => this.clock.now(),
      setTimeout: (fn, ms) => {
        this.pendingTimers++;
        this.clock.setTimeout(() => {
          if (gen !== this.generation) return;
          this.pendingTimers--;
          fn();
        }, ms);
      },
      getAlarm: async () => this.alarmAt,
      setAlarm: async (at) => void (this.alarmAt = at),
      lastPing: (socket) => this.links.find((l) => l.socket === socket)?.lastPing ?? null,
      log: (line) => {
        // Keep warnings and errors only: the fuzz produces thousands of info lines.
        if (line.level !== "info") this.logs.push(line);
      },
    }, cards, {}, this.frameBudget);
    if (this.audience) room.audienceBounds = { directMax: 1, relayMax: 2, relaysMax: 4 };
    return room;
  }

  /** Relay `k`, made when a socket is first handed to it (or after it crashed). */
  relay(k: number): FuzzRelay {
    let r = this.relays.get(k);
    if (!r) {
      r = new FuzzRelay(k, {
        room: () => this.room,
        clock: this.clock,
        members: (i) => this.links.filter((l) => l.relay?.k === i && l.relay === this.relays.get(i) && !l.serverClosed).map((l) => l.socket),
        lastPing: (s) => this.links.find((l) => l.socket === s)?.lastPing ?? null,
        pipes: this.pipes,
        note: this.note,
      });
      this.relays.set(k, r);
    }
    return r;
  }

  /** A relay object dies: its members' sockets are gone without a close event
   * reaching anything (each client notices on its own), its link closes. */
  crashRelay(k: number): void {
    const r = this.relays.get(k);
    if (!r) return;
    this.note(`relay ${k} crashes`);
    this.relays.delete(k);
    r.crash();
    for (const link of this.links) {
      if (link.relay !== r) continue;
      link.broken = true;
      link.serverClosed = true;
      link.up.length = 0;
    }
  }

  endpoint(label: string): Endpoint {
    return new Endpoint(this, label);
  }

  // -------------------------------------------------------------------------
  // Connection lifecycle

  /** Open a new link for `ep` (the WebSocket handshake succeeded). */
  async connect(ep: Endpoint, role: Role = "editor"): Promise<Link> {
    if (!ep.wantsLink) throw new Error(`${ep.label} cannot connect now`);
    const link = new Link(this, this.nextLink++, ep);
    this.links.push(link);
    ep.link = link;
    this.note(`connect ${ep.label} L${link.id}`);
    if (this.audience) {
      // Routed as the Durable Object adapter routes (durable-object.ts).
      const where = this.room.route(this.links.filter((l) => !l.serverClosed && l.relay === null && l !== link).length);
      if (where === null) {
        this.note(`L${link.id} refused: every relay full`);
        link.down.push(JSON.stringify({ type: "error", code: ErrorCode.ROOM_FULL, message: "full (fuzz)" }));
        link.roomClose = { code: CloseCode.ROOM_FULL, reason: "room full" };
        link.broken = true;
        link.serverClosed = true;
        ep.handlers!.open();
        return link;
      }
      if (where !== "direct") {
        link.relay = this.relay(where);
        this.note(`L${link.id} goes to relay ${where}`);
        link.relay.core.connect(link.socket, { ok: true, role, subject: null });
        ep.handlers!.open();
        return link;
      }
    }
    await this.room.connect(link.socket, { ok: true, role, subject: null });
    ep.handlers!.open();
    return link;
  }

  /** The alarm is due: run it as the runtime would (alarms are one-shot). */
  alarmDue(): boolean {
    return this.alarmAt !== null && this.alarmAt <= this.clock.now();
  }

  async fireAlarm(): Promise<void> {
    this.note("alarm");
    this.alarmAt = null;
    await this.room.alarm();
  }

  /** The client closed its own socket: it knows at once; the room learns later. */
  clientDrop(ep: Endpoint, code: number, reason: string): void {
    const link = ep.link;
    if (!link) return;
    link.broken = true;
    this.clientNotice(link, code, reason);
  }

  /** The network path breaks under a link. Neither side knows yet. */
  breakLink(link: Link): void {
    link.broken = true;
    this.note(`break L${link.id} (${link.endpoint.label}); in flight up=${link.up.length} down=${link.down.length}`);
  }

  /** The client side of a broken link notices the close; frames still in flight to it are lost. */
  clientNotice(link: Link, code = 1006, reason = ""): void {
    if (link.clientClosed) return;
    if (link.roomClose) ({ code, reason } = link.roomClose);
    link.clientClosed = true;
    link.down.length = 0;
    const ep = link.endpoint;
    if (ep.link === link) ep.link = null;
    this.note(`${ep.label} sees L${link.id} close ${code}`);
    ep.handlers!.close(code, reason);
  }

  /** The room side of a broken link notices the close (webSocketClose). */
  async serverNotice(link: Link): Promise<void> {
    if (link.serverClosed) return;
    link.serverClosed = true;
    link.up.length = 0;
    this.note(`${link.relay ? `relay ${link.relay.k}` : "room"} sees L${link.id} (${link.endpoint.label}) close`);
    if (link.relay) return link.relay.core.close(link.socket);
    await this.room.close(link.socket);
  }

  /** A new Room object over the same storage and the same (hibernated) sockets:
   * what a Durable Object eviction does. In-memory state is lost. Only an idle
   * object hibernates: with a timer set (a cursor frame, commits waiting for
   * their frame) it stays; returns whether it was evicted. */
  evict(): boolean {
    if (this.pendingTimers > 0) {
      this.note("evict skipped: a room timer is set, the object is not idle");
      return false;
    }
    this.note("evict");
    this.room = this.build();
    return true;
  }

  /** The process dies and comes back on its storage: every socket is gone
   * without a close event reaching the new room; clients notice one by one. */
  restart(): void {
    this.note("restart");
    this.pendingTimers = 0;
    for (const link of this.links) {
      if (link.relay) continue; // held by a relay object, which lives on
      link.broken = true;
      if (!link.serverClosed) {
        link.serverClosed = true;
        link.up.length = 0;
      }
    }
    this.room = this.build();
    // The relays' links to the room died with it: each relay opens its link
    // again and subscribes from what it holds.
    for (const r of this.relays.values()) if (r.pipe) r.closePipe(r.pipe, true, false);
  }

  // -------------------------------------------------------------------------
  // Deliveries

  /** Deliver up-frame `index` of `link` to the room; `keepCopy` leaves a
   * duplicate at `copyAt` to be delivered again later. */
  async deliverUp(link: Link, index = 0, copyAt: number | null = null): Promise<void> {
    const [frame] = link.up.splice(index, 1);
    if (frame === undefined) throw new Error(`L${link.id}: no up frame ${index}`);
    if (copyAt !== null) link.up.splice(Math.min(copyAt, link.up.length), 0, frame);
    if (frame === PING_FRAME) {
      // setWebSocketAutoResponse: the runtime answers and timestamps the ping
      // without waking the room.
      link.lastPing = this.clock.now();
      if (!link.broken) link.down.push(PONG_FRAME);
      return;
    }
    const mid = /^\{"type":"mutate","mid":"([^"]+)"/.exec(frame)?.[1];
    if (mid) this.mutateDeliveries.set(mid, (this.mutateDeliveries.get(mid) ?? 0) + 1);
    this.note(`up L${link.id} ${link.endpoint.label} ${summarize(frame)}${index ? ` (reordered from #${index})` : ""}${copyAt !== null ? " (duplicated)" : ""}`);
    if (link.relay) return link.relay.core.message(link.socket, frame);
    await this.room.message(link.socket, frame);
  }

  deliverDown(link: Link, index = 0, copyAt: number | null = null): void {
    const [frame] = link.down.splice(index, 1);
    if (frame === undefined) throw new Error(`L${link.id}: no down frame ${index}`);
    if (copyAt !== null) link.down.splice(Math.min(copyAt, link.down.length), 0, frame);
    this.note(`down L${link.id} ${link.endpoint.label} ${summarize(frame)}${index ? ` (reordered from #${index})` : ""}${copyAt !== null ? " (duplicated)" : ""}`);
    link.endpoint.handlers!.message(frame);
  }

  /** Links whose up frames can still reach the room. */
  upReady(): Link[] {
    return this.links.filter((l) => !l.serverClosed && l.up.length > 0);
  }

  /** Links whose down frames can still reach the client. */
  downReady(): Link[] {
    return this.links.filter((l) => !l.clientClosed && l.down.length > 0);
  }

  /** Broken links whose client has not noticed yet. A room-initiated close is
   * seen only after the frames sent before it. */
  clientNoticeReady(): Link[] {
    return this.links.filter((l) => l.broken && !l.clientClosed && (!l.roomClose || l.down.length === 0));
  }

  serverNoticeReady(): Link[] {
    return this.links.filter((l) => l.broken && !l.serverClosed);
  }

  /** Forget links both sides are done with (keeps the per-step scans short). */
  prune(): void {
    for (let i = this.links.length - 1; i >= 0; i--) if (this.links[i]!.done) this.links.splice(i, 1);
  }

  get idle(): boolean {
    return this.upReady().length === 0 && this.downReady().length === 0 && this.clientNoticeReady().length === 0 && this.serverNoticeReady().length === 0;
  }
}

/** A short, readable form of a frame for the trace. */
function summarize(frame: string): string {
  try {
    const msg = JSON.parse(frame) as unknown;
    const one = (m: Record<string, unknown>): string => {
      const type = String(m.type);
      if (type === "mutate") return `mutate ${String(m.mid)}`;
      if (type === "ack") return `ack ${String(m.mid)}@${String(m.seq)}${m.dup ? " dup" : ""}`;
      if (type === "reject") return `reject ${String(m.mid)} ${String(m.code)}`;
      if (type === "change") return `change @${String(m.seq)} ${String(m.mid)}`;
      if (type === "sync") return `sync ${String(m.mode)} @${String(m.seq)}`;
      if (type === "hello" || type === "resync") return `${type} lastSeq=${String(m.lastSeq)}`;
      if (type === "error") return `error ${String(m.code)}`;
      return type;
    };
    if (Array.isArray(msg)) return msg.map((m) => one(m as Record<string, unknown>)).join(", ");
    return one(msg as Record<string, unknown>);
  } catch {
    return frame.slice(0, 40);
  }
}
