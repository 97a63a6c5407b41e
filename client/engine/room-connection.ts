/**
 * The room client's connection lifecycle: it opens the transport, says hello
 * on every open, parses each room frame once and hands the messages to the
 * event processor (room-processor.ts), keeps the connection state a person
 * sees (connecting, live, reconnecting n, offline, waiting, error), pings
 * for liveness, and decides what a close means — a drop to reconnect from, a
 * room running older code to wait for, or the end (a terminal close code;
 * an outdated page reloads when idle). It also tells the room what it has
 * read (`read`, once per `ackEvery` characters, when the welcome asks), so the
 * room can tell a reader that stopped from one that reads (PROTOCOL.md §7).
 */
import { parseBroadcast } from "../../party/shared/broadcast.ts";
import { CloseCode, type ClientMessage, ErrorCode, type ErrorMessage, isTerminalClose, type RecordBase, type ServerMessage } from "../../party/shared/protocol.ts";
import type { RoomSchema } from "../../party/shared/schema.ts";
import type { Clock } from "./clock.ts";
import type { Transport, TransportFactory } from "./connection.ts";
import { LivenessWatch } from "./liveness.ts";
import { OFFLINE_REASON } from "./offline-transport.ts";
import { reloadWhenIdle } from "./reload-when-idle.ts";
import { LEADER_CHANGED_CLOSE } from "./tab-channel.ts";
import type { ConnectionState, RoomClientEvents } from "./room-events.ts";
import type { RoomProcessor } from "./room-processor.ts";
import { TabRouter } from "./tab-router.ts";

/** Retry backoff while the room runs older code than this client (a deploy
 * rolling out): 2 s doubling to 1 min — deploys take seconds to minutes, and a
 * room full of new clients must not hammer an old one. */
export const WAIT_MIN_MS = 2_000;
export const WAIT_MAX_MS = 60_000;

/** What the lifecycle needs of the rest of the client. */
export interface ConnectionHost<R extends RecordBase> {
  readonly schema: RoomSchema<R>;
  readonly clock: Clock;
  readonly processor: RoomProcessor<R>;
  /** The hello for a connection that just opened. */
  hello(): ClientMessage<R>;
  /** Every parsed room message, after the processor applied it. */
  processed(msg: ServerMessage<R>): void;
  /** The connection opened or closed (the cursor throttle starts afresh). */
  reset(): void;
  /** Resolves once the pending edits reached their durable store. */
  flushed(): Promise<void>;
  emit<K extends keyof RoomClientEvents<R>>(event: K, ...args: Parameters<RoomClientEvents<R>[K]>): void;
}

export class RoomConnection<R extends RecordBase = RecordBase> {
  private socket: Transport | null = null;
  /** Bumped whenever the socket is replaced: a replaced one's late events are ignored. */
  private generation = 0;
  /** Set while this tab holds the connection its browser's tabs share on this room. */
  private router: TabRouter<R> | null = null;
  private state: ConnectionState = { status: "connecting", attempt: 0, lastSyncedAt: null, error: null };
  /** What the last UNSUPPORTED_VERSION said: whose code is behind. */
  private versionSkew: "outdated" | "room-behind" | null = null;
  private waitTimer: unknown = null;
  private readonly liveness: LivenessWatch;
  private closedForGood = false;
  /** Frames received, for the debug overlay's messages/s. */
  framesReceived = 0;
  /** How often to acknowledge (from the welcome; 0: the room did not ask),
   * and characters read since the last `read`. */
  private ackEvery = 0;
  private unacked = 0;
  private readonly host: ConnectionHost<R>;
  private transport: TransportFactory;
  private readonly reloadWhenOutdated: boolean;

  constructor(host: ConnectionHost<R>, transport: TransportFactory, reloadWhenOutdated: boolean) {
    this.host = host;
    this.transport = transport;
    this.reloadWhenOutdated = reloadWhenOutdated;
    this.liveness = new LivenessWatch(() => this.socket, host.clock);
  }

  get connection(): ConnectionState {
    return this.state;
  }

  get isClosed(): boolean {
    return this.closedForGood;
  }

  open(): void {
    if (this.closedForGood) return;
    const gen = ++this.generation;
    const mine = () => gen === this.generation;
    this.socket = this.transport({
      open: () => mine() && this.onOpen(),
      message: (data) => mine() && this.onFrame(data),
      close: (code, reason) => {
        if (!mine()) return;
        // Plain values only: a transport may hand over an event object here,
        // and the tab channel would refuse to clone it.
        this.router?.socketClosed(typeof code === "number" ? code : 1006, typeof reason === "string" ? reason : "");
        this.onClose(code, reason);
      },
    });
  }

  /**
   * This tab won the lead of its browser's tabs on this room (tab-leader.ts):
   * from now on it holds the socket (`transport`, the real one) and routes
   * for the other tabs (tab-router.ts). The channel to the previous leader is
   * dropped like a socket, and the client says hello on the real one — with
   * `clientId`, the previous leader's, so the room sees the same person.
   */
  lead(transport: TransportFactory, share: { channelName: string; tabId: string; clientId: string; room: string }): void {
    if (this.closedForGood) return;
    const was = this.socket;
    const wasOpen = was?.isOpen === true;
    this.generation++; // the channel's own close, if any, is not this connection's news
    this.socket = null;
    was?.close(1000, "tab leads");
    if (wasOpen) this.onClose(LEADER_CHANGED_CLOSE, "tab leader changed");
    const processor = this.host.processor;
    const conn = this;
    this.router = new TabRouter<R>({
      schema: this.host.schema,
      channelName: share.channelName,
      tabId: share.tabId,
      clientId: share.clientId,
      leader: {
        room: share.room,
        get synced() {
          return processor.synced;
        },
        get resyncing() {
          return processor.isResyncing;
        },
        get seq() {
          return processor.store.seq;
        },
        get epoch() {
          return processor.store.epoch;
        },
        get self() {
          return processor.self;
        },
        get transport() {
          return conn.state.transport ?? "websocket";
        },
        peers: () => processor.roster.peers(),
        confirmedRecords: () => processor.store.confirmedRecords(),
      },
      link: {
        socketSend: (frame) => this.socket?.send(frame),
        deliverLocal: (m) => this.apply(m),
      },
    });
    this.transport = transport;
    this.open();
  }

  /** Whether this tab holds a connection it shares with the browser's other tabs. */
  get leads(): boolean {
    return this.router !== null;
  }

  /** True while the room takes edits: the socket is open and this connection synced. */
  isLive(): boolean {
    return this.host.processor.synced && this.connected();
  }

  /** True while a frame sent now reaches the room (before the sync too). */
  connected(): boolean {
    return this.socket?.isOpen === true;
  }

  send(msg: ClientMessage<R>): void {
    if (this.router) this.router.local(msg);
    else this.socket?.send(JSON.stringify(msg));
  }

  /** Drop the connection now and reconnect (after a jittered backoff). */
  reconnect(): void {
    this.socket?.reconnect();
  }

  close(): void {
    this.closedForGood = true;
    this.router?.close();
    if (this.waitTimer !== null) this.host.clock.clearTimeout(this.waitTimer);
    this.waitTimer = null;
    this.liveness.stop();
    this.socket?.close(1000, "client closed");
    this.socket = null;
    this.setStatus({ status: "offline" });
  }

  /** The processor applied a sync; `first`: this connection is live now. */
  synced(first: boolean): void {
    if (first) this.liveness.start();
    this.setStatus({ status: "live", attempt: 0, lastSyncedAt: Date.now(), error: null });
  }

  /** A change or ack was applied while live: the last-synced time moves, quietly. */
  caughtUp(): void {
    if (this.state.status === "live") this.state = { ...this.state, lastSyncedAt: Date.now() };
  }

  /** The room said why it refuses us: the close that follows is terminal (or a wait). */
  roomError(msg: ErrorMessage, skew: "outdated" | "room-behind" | null): void {
    if (skew) this.versionSkew = skew;
    this.state = { ...this.state, error: { code: msg.code, message: msg.message } };
  }

  private onOpen(): void {
    this.state = { ...this.state, transport: this.socket?.kind ?? "websocket" };
    this.host.processor.opened();
    this.host.reset();
    this.ackEvery = 0;
    this.unacked = 0;
    const hello = this.host.hello();
    // `reads`: this client acknowledges what it reads, if the room asks;
    // `watching`: it reads an audience room's watcher count.
    this.send(hello.type === "hello" ? { ...hello, reads: true, watching: true } : hello);
  }

  private onClose(code: number, reason: string): void {
    this.host.processor.closed();
    this.host.reset();
    this.liveness.stop();
    if (this.closedForGood) return;
    if (code === CloseCode.UNSUPPORTED_VERSION && this.versionSkew === "room-behind") {
      // Not the end: the room's code is older and a deploy is on its way.
      this.versionSkew = null;
      const attempt = this.state.attempt + 1;
      this.setStatus({ status: "waiting", attempt });
      this.waitTimer = this.host.clock.setTimeout(() => {
        this.waitTimer = null;
        if (!this.closedForGood) this.socket?.reconnect();
      }, Math.min(WAIT_MAX_MS, WAIT_MIN_MS * 2 ** Math.min(attempt - 1, 10)));
      return;
    }
    if (isTerminalClose(code)) {
      this.setStatus({ status: "error", error: this.state.error ?? { code: String(code), message: reason || "closed by the room" } });
      this.socket?.close();
      if (this.versionSkew === "outdated") {
        const info = this.state.error ?? { code: ErrorCode.UNSUPPORTED_VERSION, message: reason };
        this.host.emit("outdated", info);
        if (this.reloadWhenOutdated) reloadWhenIdle(() => this.host.flushed());
      }
      return;
    }
    const offline = reason === OFFLINE_REASON || (typeof navigator !== "undefined" && navigator.onLine === false);
    this.setStatus({ status: offline ? "offline" : "reconnecting", attempt: this.state.attempt + 1 });
    this.host.emit("cursors", this.host.processor.roster.cursors());
  }

  /** Each frame is parsed here, once, and applied message by message; in a
   * leader tab the router takes each message just before it is applied (it
   * routes by the state the message applies to) and passes the others their
   * share once the whole frame is applied. */
  private onFrame(data: unknown): void {
    this.framesReceived++;
    this.liveness.frame();
    if (typeof data !== "string") return;
    // The backend's broadcasts are a frame of their own (party/shared/broadcast.ts).
    const broadcast = parseBroadcast(data);
    if (broadcast) {
      this.host.emit("broadcast", broadcast);
      this.router?.broadcast(data);
      return this.read(data);
    }
    const parsed = this.host.schema.protocol.parseServerFrame(data);
    if (!parsed.ok) return this.host.processor.unreadable(parsed.code, parsed.message);
    const router = this.router;
    for (const msg of parsed.value) {
      if (msg.type === "welcome") this.ackEvery = msg.ackEvery ?? 0;
      const mine = router ? router.incoming(msg) : msg;
      if (mine) this.apply(mine);
    }
    router?.frameDone(data);
    this.read(data);
  }

  /** Read, so acknowledged: never per frame, once per ackEvery characters. */
  private read(data: string): void {
    this.unacked += data.length;
    if (this.ackEvery > 0 && this.unacked >= this.ackEvery) {
      this.send({ type: "read", n: this.unacked });
      this.unacked = 0;
    }
  }

  private apply(msg: ServerMessage<R>): void {
    this.host.processor.process(msg);
    this.host.processed(msg);
  }

  private setStatus(patch: Partial<ConnectionState>): void {
    this.state = { ...this.state, ...patch };
    this.host.emit("status", this.state);
    this.host.emit("change");
  }
}
