/**
 * The edgeroom room client: connection (partysocket) → event processor (parse,
 * dedupe, order, detect gaps) → store (confirmed + pending). Usable without
 * React — the whiteboard UI, the tests and the benchmark all drive rooms
 * through this class. No UI code touches the socket.
 */
import { planOps } from "../../party/shared/apply.ts";
import {
  type Change,
  CloseCode,
  ErrorCode,
  isTerminalClose,
  Mutate,
  type Op,
  PING_FRAME,
  type Peer,
  type PresenceStatus,
  PROTOCOL_VERSION,
  parseServerFrame,
  type ServerMessage,
} from "../../party/shared/protocol.ts";
import { DEDUPE_RETENTION_MS, LEAVE_LINGER_MS, MAX_MESSAGE_BYTES, MAX_NAME_CHARS, PING_INTERVAL_MS, PONG_TIMEOUT_MS } from "../../party/shared/limits.ts";
import { partySocketTransport, type Transport, type TransportFactory } from "./connection.ts";
import { newShortId } from "./ids.ts";
import { PendingEdits, type PendingEditsView, type PendingMutation } from "./pending-edits.ts";
import type { PendingStore } from "./pending-store.ts";
import { type ApplyOutcome, DocumentStore } from "./store.ts";
import type { DocRecord } from "./view.ts";
import { CursorThrottle, type Point } from "./throttle.ts";

/** Where the connection is, as a person would want to see it. */
export type ConnectionStatus = "connecting" | "live" | "reconnecting" | "offline" | "error";

export interface ConnectionState {
  status: ConnectionStatus;
  /** Reconnect attempts since the connection was last live. */
  attempt: number;
  /** When the client last caught up with the room (ms), or null. */
  lastSyncedAt: number | null;
  /** Set when status is "error": the terminal error the room sent. */
  error: { code: string; message: string } | null;
}

export interface RemoteCursor {
  conn: string;
  x: number;
  y: number;
  /** Receive time (ms): the interpolator animates between received points. */
  at: number;
}

export interface RejectNotice {
  mid: string;
  code: string;
  message: string;
  ops: Op[];
}

export interface RoomClientEvents {
  /** Anything drawn changed: records, pending edits, peers, connection state. */
  change: () => void;
  status: (state: ConnectionState) => void;
  /** Remote cursors moved (fired per received frame, not part of `change`). */
  cursors: (cursors: ReadonlyMap<string, RemoteCursor>) => void;
  /** A local edit was refused and rolled back. */
  reject: (notice: RejectNotice) => void;
  /** A non-fatal error the room reported (rate limited, bad message, …). */
  error: (error: { code: string; message: string }) => void;
  /** Every parsed room message, after it was applied (for tests and debugging). */
  message: (msg: ServerMessage) => void;
}

/** What every RoomClient takes, however it connects. */
export interface RoomClientBaseOptions {
  room: string;
  /** Stable id of this device/tab. Generated when omitted. */
  clientId?: string;
  name: string;
  color: string;
  /** Where pending edits wait across reloads (browser: IndexedDB). */
  pendingStore?: PendingStore;
  /** Cursor throttle interval (ms). */
  cursorIntervalMs?: number;
}

/** Connect to a server by host: the client builds the partysocket connection. */
export interface RoomClientHostOptions extends RoomClientBaseOptions {
  /** `host:port` of the Worker or PartyKit server. */
  host: string;
  /** "ws" or "wss"; defaults to wss except for localhost/127.0.0.1. */
  protocol?: "ws" | "wss";
  /** WebSocket implementation (Node: `ws`). Defaults to the global one. */
  WebSocket?: unknown;
  /** Returns an access token, asked again before every (re)connect. */
  getToken?: () => Promise<string | null> | string | null;
  /** Reconnect backoff (ms): min × 1.5ⁿ capped at max, plus a random 0–min of jitter. */
  minReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  transport?: never;
}

/** Connect through a transport built by the caller (the browser's online-aware
 * wrapper, tests, the fuzz harness, the benchmark). Host, token and backoff
 * belong to that transport, so they cannot be given here too. */
export interface RoomClientTransportOptions extends RoomClientBaseOptions {
  transport: TransportFactory;
  host?: never;
  protocol?: never;
  WebSocket?: never;
  getToken?: never;
  minReconnectDelayMs?: never;
  maxReconnectDelayMs?: never;
}

export type RoomClientOptions = RoomClientHostOptions | RoomClientTransportOptions;

/** Options that configure the connection RoomClient builds itself: meaningless
 * next to a caller's transport. */
const HOST_ONLY_OPTIONS = ["host", "protocol", "WebSocket", "getToken", "minReconnectDelayMs", "maxReconnectDelayMs"] as const;

/** The transport `options` ask for: the caller's, or partysocket to `host`.
 * Throws when both are asked for (JavaScript callers, casts): a transport
 * would silently ignore them. */
function transportFor(options: RoomClientOptions): TransportFactory {
  if (options.transport) {
    const ignored = HOST_ONLY_OPTIONS.filter((k) => options[k] !== undefined);
    if (ignored.length) throw new TypeError(`RoomClient: ${ignored.join(", ")} configure the default connection; with \`transport\` give them to the transport instead`);
    return options.transport;
  }
  if (!options.host) throw new TypeError("RoomClient: give either `host` or `transport`");
  const { getToken } = options;
  return partySocketTransport({
    host: options.host,
    room: options.room,
    protocol: options.protocol,
    WebSocket: options.WebSocket,
    minReconnectDelayMs: options.minReconnectDelayMs,
    maxReconnectDelayMs: options.maxReconnectDelayMs,
    query: async () => {
      const token = getToken ? await getToken() : null;
      return token ? { token } : ({} as Record<string, string>);
    },
  });
}

type Listener<K extends keyof RoomClientEvents> = RoomClientEvents[K];

/** A name the room accepts (1–40 characters after trimming). */
function cleanName(name: string): string {
  return name.trim().slice(0, MAX_NAME_CHARS) || "anonymous";
}
/** A colour the room accepts (#rrggbb). */
function cleanColor(color: string): string {
  return /^#[0-9a-fA-F]{6}$/.test(color) ? color : "#888888";
}


/** Retry budget for mutations the room could not take *right now* (rate limit,
 * internal error): they stay pending and go again after a pause. */
const RETRY_DELAY_MS = 1_000;
const MAX_RETRIES = 5;
const RETRYABLE = new Set<string>([ErrorCode.RATE_LIMITED, ErrorCode.INTERNAL]);

/**
 * A live connection to one whiteboard room.
 *
 * ```ts
 * const client = new RoomClient({ host: "127.0.0.1:8787", room: "r1", name: "Ada", color: "#3366ff" });
 * client.on("change", () => draw(client.records()));
 * client.mutate([{ op: "put", rec: shape }]);
 * ```
 */
export class RoomClient {
  readonly clientId: string;
  readonly room: string;
  private readonly pendingEdits: PendingEdits;
  private readonly store: DocumentStore;
  private readonly listeners = new Map<keyof RoomClientEvents, Set<(...args: never[]) => void>>();
  private socket: Transport | null = null;
  private connState: ConnectionState = { status: "connecting", attempt: 0, lastSyncedAt: null, error: null };
  /** True between our hello and the room's sync: nothing but hello goes out. */
  private welcomed = false;
  private resyncing = false;
  private selfPeer: Peer | null = null;
  private readonly peerMap = new Map<string, Peer>();
  /** Peers that left less than LEAVE_LINGER_MS ago: still shown, so a quick
   * reconnect (same client id, new connection) does not flicker. */
  private readonly departed = new Map<string, { peer: Peer; timer: ReturnType<typeof setTimeout> }>();
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  /** When the current connection last delivered any frame (ms). */
  private lastFrameAt = 0;
  private readonly cursorMap = new Map<string, RemoteCursor>();
  private readonly throttle: CursorThrottle;
  private readonly retries = new Map<string, number>();
  private name: string;
  private color: string;
  private status: PresenceStatus = "active";
  private closed = false;
  /** Resolves when pending edits were loaded from the pending store. */
  readonly ready: Promise<void>;
  /** Frames received, for the debug overlay's messages/s. */
  framesReceived = 0;

  private readonly transport: TransportFactory;

  constructor(options: RoomClientOptions) {
    this.transport = transportFor(options);
    this.clientId = options.clientId ?? newShortId();
    this.room = options.room;
    this.name = cleanName(options.name);
    this.color = cleanColor(options.color);
    this.pendingEdits = new PendingEdits(options.pendingStore);
    this.store = new DocumentStore(this.pendingEdits);
    this.throttle = new CursorThrottle((p) => this.sendCursor(p), options.cursorIntervalMs);
    // Older than the room's dedupe memory: resending could apply it twice.
    this.ready = this.pendingEdits.load(Date.now(), DEDUPE_RETENTION_MS).then((taken) => {
      if (taken) this.emit("change");
      if (!this.closed) this.open();
    });
  }

  // -------------------------------------------------------------------------
  // Reading

  /** What to draw: confirmed records with pending edits applied. */
  records(): ReadonlyMap<string, DocRecord> {
    return this.store.view();
  }
  /** Records the room has acknowledged. */
  confirmedRecords(): ReadonlyMap<string, DocRecord> {
    return this.store.confirmedRecords();
  }
  /** Ids with an unacknowledged edit. */
  pendingIds(): Set<string> {
    return this.pendingEdits.ids();
  }
  /** Mutations not acknowledged yet (one edit can be several). */
  get pendingCount(): number {
    return this.pendingEdits.size;
  }
  /** Edits not all acknowledged yet, as the person counts them: the
   * mutations `mutate` was given one `edit` id for count once. */
  get pendingEditCount(): number {
    return this.pendingEdits.editCount();
  }
  /** This client's pending edits, read-only (they change only through the room's answers). */
  get pending(): PendingEditsView {
    return this.pendingEdits;
  }
  /** Seq of the last room change this client has applied. */
  get seq(): number {
    return this.store.seq;
  }
  get epoch(): string | null {
    return this.store.epoch;
  }
  get connection(): ConnectionState {
    return this.connState;
  }
  /** This connection as the room sees it (after the welcome). */
  get self(): Peer | null {
    return this.selfPeer;
  }
  /** Everyone else in the room (including, briefly, those who just left). */
  peers(): ReadonlyMap<string, Peer> {
    if (this.departed.size === 0) return this.peerMap;
    const all = new Map(this.peerMap);
    for (const [conn, { peer }] of this.departed) all.set(conn, peer);
    return all;
  }
  cursors(): ReadonlyMap<string, RemoteCursor> {
    return this.cursorMap;
  }

  on<K extends keyof RoomClientEvents>(event: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (...args: never[]) => void);
    return () => set!.delete(listener as (...args: never[]) => void);
  }

  // -------------------------------------------------------------------------
  // Writing

  /**
   * Apply `ops` locally at once (optimistic) and send them. Returns the mutation
   * id, or throws if the ops are invalid against the current view (the room
   * would refuse them too). The edit is kept in PendingEdits (and its durable
   * store) until the room settles it, so it survives a reload while offline.
   * `edit` groups mutations that are one thing the person did (a drag
   * committed several times, an edit split to fit the room's limits); it is
   * kept locally for `pendingEditCount` and never sent.
   */
  mutate(ops: Op[], options: { edit?: string } = {}): string {
    const mid = newShortId();
    // The room's own checks, run here first: an edit the room would refuse as a
    // whole frame (schema, size) must never sit in the pending queue forever.
    const frame = Mutate.safeParse({ type: "mutate", mid, ops });
    if (!frame.success) throw new Error(`${ErrorCode.INVALID_MUTATION}: ${frame.error.issues[0]?.message ?? "invalid ops"}`);
    if (JSON.stringify(frame.data).length > MAX_MESSAGE_BYTES) throw new Error(`${ErrorCode.TOO_LARGE}: split this edit into smaller mutations`);
    const plan = planOps(this.store.view(), frame.data.ops);
    if (!plan.ok) throw new Error(`${plan.code}: ${plan.message}`);
    const m: PendingMutation = { mid, ops: frame.data.ops, createdAt: Date.now() };
    if (options.edit !== undefined) m.edit = options.edit;
    this.pendingEdits.add(m);
    if (this.isLive()) this.sendMutation(m);
    this.emit("change");
    return m.mid;
  }

  /** Move this client's cursor (world coordinates), or hide it with null.
   * Throttled; dropped — not queued — while not live. */
  moveCursor(x: number, y: number): void {
    this.throttle.push([x, y]);
  }
  hideCursor(): void {
    this.throttle.push(null);
  }

  /** Change this client's name, colour or status; remembered across reconnects. */
  setPresence(p: { name?: string; color?: string; status?: PresenceStatus }): void {
    const update: { name?: string; color?: string; status?: PresenceStatus } = {};
    if (p.name !== undefined) this.name = update.name = cleanName(p.name);
    if (p.color !== undefined) this.color = update.color = cleanColor(p.color);
    if (p.status !== undefined) this.status = update.status = p.status;
    if (this.selfPeer) this.selfPeer = { ...this.selfPeer, name: this.name, color: this.color, status: this.status };
    if (this.isLive()) this.send({ type: "presence", ...update });
    this.emit("change");
  }

  /** Drop the connection now and reconnect (after a jittered backoff). */
  reconnect(): void {
    this.socket?.reconnect();
  }

  /** Close for good. Pending edits stay in the durable pending store. */
  close(): void {
    this.closed = true;
    this.throttle.cancel();
    this.stopPinging();
    for (const { timer } of this.departed.values()) clearTimeout(timer);
    this.departed.clear();
    this.socket?.close(1000, "client closed");
    this.socket = null;
    this.setStatus({ status: "offline" });
  }

  // -------------------------------------------------------------------------
  // Connection

  private open(): void {
    this.socket = this.transport({
      open: () => this.onOpen(),
      message: (data) => this.onFrame(data),
      close: (code, reason) => this.onClose(code, reason),
    });
  }

  private isLive(): boolean {
    return this.welcomed && this.socket?.isOpen === true;
  }

  private onOpen(): void {
    this.welcomed = false;
    this.resyncing = false;
    this.throttle.reset();
    this.send({
      type: "hello",
      v: PROTOCOL_VERSION,
      clientId: this.clientId,
      epoch: this.store.epoch,
      lastSeq: this.store.seq,
      name: this.name,
      color: this.color,
    });
  }

  private onClose(code: number, reason: string): void {
    this.welcomed = false;
    this.throttle.cancel();
    this.stopPinging();
    this.peerMap.clear();
    this.cursorMap.clear();
    if (this.closed) return;
    if (isTerminalClose(code)) {
      this.setStatus({ status: "error", error: this.connState.error ?? { code: String(code), message: reason || "closed by the room" } });
      this.socket?.close();
      return;
    }
    const offline = typeof navigator !== "undefined" && navigator.onLine === false;
    this.setStatus({ status: offline ? "offline" : "reconnecting", attempt: this.connState.attempt + 1 });
    this.emit("cursors", this.cursorMap);
  }

  private onFrame(data: unknown): void {
    this.framesReceived++;
    this.lastFrameAt = Date.now();
    if (typeof data !== "string") return;
    const parsed = parseServerFrame(data);
    if (!parsed.ok) {
      // A room we cannot understand: never guess, resync from a snapshot.
      this.emit("error", { code: parsed.code, message: `unreadable frame from the room: ${parsed.message}` });
      this.requestResync(true);
      return;
    }
    for (const msg of parsed.value) {
      this.process(msg);
      this.emit("message", msg);
    }
  }

  // -------------------------------------------------------------------------
  // Event processor

  private process(msg: ServerMessage): void {
    switch (msg.type) {
      case "welcome":
        this.selfPeer = msg.self;
        this.peerMap.clear();
        for (const p of msg.peers) this.peerMap.set(p.conn, p);
        this.emit("change");
        return;
      case "sync": {
        this.resyncing = false;
        if (msg.mode === "snapshot") {
          this.store.applySnapshot(msg.epoch, msg.seq, msg.records);
        } else {
          let broken = msg.epoch !== this.store.epoch;
          for (const c of msg.changes) {
            if (broken) break;
            broken = this.store.applyChange(c) === "gap";
          }
          if (broken || this.store.seq !== msg.seq) {
            this.requestResync(true);
            return;
          }
        }
        const firstSync = !this.welcomed;
        this.welcomed = true;
        if (firstSync) {
          this.startPinging();
          // Everything not yet acknowledged goes (again) now; the room applies
          // each mutation id at most once.
          for (const m of this.pendingEdits.list) this.sendMutation(m);
          if (this.status !== "active") this.send({ type: "presence", status: this.status });
        }
        this.setStatus({ status: "live", attempt: 0, lastSyncedAt: Date.now(), error: null });
        this.emit("change");
        return;
      }
      case "change": {
        // Our own pending edit can come back as a change: sent on an earlier
        // connection (or by this tab before a reload) and applied from there.
        // The store confirms it (PendingEdits forgets it, durably too).
        const outcome = this.resyncing ? "gap" : this.store.applyChange(msg);
        if (outcome === "applied") this.retries.delete(msg.mid);
        this.onOutcome(outcome);
        this.markSynced();
        return;
      }
      case "ack": {
        this.retries.delete(msg.mid);
        this.onOutcome(this.store.ack(msg.mid, msg.seq));
        this.markSynced();
        return;
      }
      case "reject":
        return this.onReject(msg.mid, msg.code, msg.message);
      case "join": {
        // Back within the linger window (reload, network blip): the new
        // connection takes over the old one's place and cursor, no flicker.
        for (const [conn, { peer, timer }] of this.departed) {
          if (peer.clientId !== msg.peer.clientId) continue;
          clearTimeout(timer);
          this.departed.delete(conn);
          const cursor = this.cursorMap.get(conn);
          this.cursorMap.delete(conn);
          if (cursor) this.cursorMap.set(msg.peer.conn, { ...cursor, conn: msg.peer.conn });
        }
        this.peerMap.set(msg.peer.conn, msg.peer);
        this.emit("change");
        this.emit("cursors", this.cursorMap);
        return;
      }
      case "peer":
        this.peerMap.set(msg.peer.conn, msg.peer);
        this.emit("change");
        return;
      case "leave": {
        const peer = this.peerMap.get(msg.conn);
        this.peerMap.delete(msg.conn);
        if (!peer) return;
        const timer = setTimeout(() => {
          this.departed.delete(msg.conn);
          this.cursorMap.delete(msg.conn);
          this.emit("change");
          this.emit("cursors", this.cursorMap);
        }, LEAVE_LINGER_MS);
        this.departed.set(msg.conn, { peer, timer });
        return;
      }
      case "cursors": {
        const now = Date.now();
        const self = this.selfPeer?.conn;
        for (const entry of msg.f) {
          if (entry[0] === self) continue; // the room never echoes, but be sure
          if (entry.length === 3) this.cursorMap.set(entry[0], { conn: entry[0], x: entry[1], y: entry[2], at: now });
          else this.cursorMap.delete(entry[0]);
        }
        this.emit("cursors", this.cursorMap);
        return;
      }
      case "error":
        if (msg.code === ErrorCode.RATE_LIMITED && msg.ref === "resync") {
          // The room refused the resync for now: ask again shortly, or we would
          // ignore every change until the next reconnect.
          this.resyncing = false;
          setTimeout(() => this.requestResync(true), RETRY_DELAY_MS);
        }
        if (msg.code === ErrorCode.UNSUPPORTED_VERSION || msg.code === ErrorCode.UNAUTHORIZED || msg.code === ErrorCode.INVALID_ROOM || msg.code === ErrorCode.POLICY_VIOLATION) {
          // The close that follows is terminal; keep the reason for the UI.
          this.connState = { ...this.connState, error: { code: msg.code, message: msg.message } };
        }
        this.emit("error", { code: msg.code, message: msg.message });
        return;
      case "pong":
        return;
    }
  }

  private onOutcome(outcome: ApplyOutcome): void {
    if (outcome === "gap") this.requestResync(false);
    else if (outcome === "applied") this.emit("change");
    else if (outcome === "duplicate") this.emit("change");
  }

  private onReject(mid: string, code: string, message: string): void {
    if (RETRYABLE.has(code)) {
      const n = (this.retries.get(mid) ?? 0) + 1;
      if (n <= MAX_RETRIES) {
        this.retries.set(mid, n);
        setTimeout(() => {
          const m = this.pendingEdits.get(mid);
          if (m && this.isLive()) this.sendMutation(m);
        }, RETRY_DELAY_MS * n);
        return;
      }
    }
    this.retries.delete(mid);
    const m = this.store.reject(mid);
    if (m) this.emit("reject", { mid, code, message, ops: m.ops });
    this.emit("change");
  }

  /** Ask the room for what we missed. `fromScratch` forgets our seq (snapshot). */
  private requestResync(fromScratch: boolean): void {
    if (this.resyncing || !this.socket?.isOpen) return;
    this.resyncing = true;
    this.send({ type: "resync", epoch: fromScratch ? null : this.store.epoch, lastSeq: fromScratch ? 0 : this.store.seq });
  }

  /** The exact ping frame every PING_INTERVAL_MS: on Cloudflare the runtime
   * answers it without waking the room, and the room's alarm sweep reads its
   * timestamp to tell live sockets from half-open ones. */
  private startPinging(): void {
    this.stopPinging();
    this.lastFrameAt = Date.now();
    this.pingTimer = setInterval(() => {
      if (!this.socket?.isOpen) return;
      if (Date.now() - this.lastFrameAt > PONG_TIMEOUT_MS) {
        // Half-open: pings go out, nothing comes back. Reconnect; pending
        // edits are resent after the next sync.
        this.stopPinging();
        this.socket.reconnect();
        return;
      }
      this.socket.send(PING_FRAME);
    }, PING_INTERVAL_MS);
  }

  private stopPinging(): void {
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  private markSynced(): void {
    if (this.connState.status === "live") this.connState = { ...this.connState, lastSyncedAt: Date.now() };
  }

  private sendMutation(m: PendingMutation): void {
    this.send({ type: "mutate", mid: m.mid, ops: m.ops });
  }

  private sendCursor(p: Point): void {
    if (!this.isLive()) return; // lossy by design: never queued
    this.send({ type: "cursor", p: p ? [p[0], p[1]] : null });
  }

  private send(msg: object): void {
    this.socket?.send(JSON.stringify(msg));
  }

  private setStatus(patch: Partial<ConnectionState>): void {
    this.connState = { ...this.connState, ...patch };
    this.emit("status", this.connState);
    this.emit("change");
  }

  private emit<K extends keyof RoomClientEvents>(event: K, ...args: Parameters<RoomClientEvents[K]>): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const l of set) (l as (...a: Parameters<RoomClientEvents[K]>) => void)(...args);
  }
}

export type { Change, DocRecord, Op, Peer };
export { CloseCode };
