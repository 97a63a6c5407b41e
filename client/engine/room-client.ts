/**
 * The edgeroom room client: connection (partysocket) → event processor (parse,
 * dedupe, order, detect gaps) → store (confirmed + pending). Usable without
 * React — the whiteboard UI, the tests and the benchmark all drive rooms
 * through this class. No UI code touches the socket.
 *
 * Its parts live beside it: how it connects (room-client-options.ts), what it
 * emits (room-events.ts), who else is here (peer-roster.ts), the half-open
 * check (liveness.ts), the pending edits (pending-edits.ts) and the document
 * (store.ts). What stays here is the event processor — one switch over the
 * room's messages, so the order of effects per message reads top to bottom;
 * that is why this file is ~550 lines (with the TSDoc of its public methods;
 * the history requests are one-line delegations to room-history.ts).
 */
import { planOps } from "../../party/shared/apply.ts";
import {
  type Change,
  CloseCode,
  ErrorCode,
  type HistoryPageMessage,
  isTerminalClose,
  type Op,
  type Peer,
  type PresenceStatus,
  PROTOCOL_VERSION,
  type ServerMessage,
  type VersionSavedMessage,
} from "../../party/shared/protocol.ts";
import { DEDUPE_RETENTION_MS, MAX_MESSAGE_BYTES, MAX_NAME_CHARS } from "../../party/shared/limits.ts";
import type { Transport, TransportFactory } from "./connection.ts";
import { newShortId } from "./ids.ts";
import { OFFLINE_REASON } from "./offline-transport.ts";
import { migratePending } from "./pending-migration.ts";
import { reloadWhenIdle } from "./reload-when-idle.ts";
import { LivenessWatch } from "./liveness.ts";
import { PendingEdits, type PendingEditsView, type PendingMutation } from "./pending-edits.ts";
import { PeerRoster, type RemoteCursor } from "./peer-roster.ts";
import { type RoomClientOptions, transportFor } from "./room-client-options.ts";
import { type ConnectionState, Emitter, type RoomClientEvents } from "./room-events.ts";
import { type HistoryTarget, type PreviewBoard, type RestoreResult, RoomHistory } from "./room-history.ts";
import { type ApplyOutcome, DocumentStore } from "./store.ts";
import type { RecordBase } from "../../party/shared/protocol.ts";
import type { RoomSchema } from "../../party/shared/schema.ts";
import { CursorThrottle, cursorIntervalFor, type Point } from "./throttle.ts";
import { channelTransport, type FollowerState, tabChannelName } from "./tab-channel.ts";
import { TabHub } from "./tab-hub.ts";
import { electTabLeader, type TabLeadership, tabSharingSupport } from "./tab-leader.ts";

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
/** Retry backoff while the room runs older code than this client (a deploy
 * rolling out): 2 s doubling to 1 min — deploys take seconds to minutes, and a
 * room full of new clients must not hammer an old one. */
const WAIT_MIN_MS = 2_000;
const WAIT_MAX_MS = 60_000;

/**
 * A live connection to one room.
 *
 * ```ts
 * const client = new RoomClient({ host: "127.0.0.1:8787", room: "r1", name: "Ada", color: "#3366ff" });
 * client.on("change", () => draw(client.records()));
 * client.mutate([{ op: "put", rec: shape }]);
 * ```
 */
export class RoomClient<R extends RecordBase = RecordBase> {
  readonly clientId: string;
  readonly room: string;
  readonly schema: RoomSchema<R>;
  private readonly pendingEdits: PendingEdits<R>;
  private readonly store: DocumentStore<R>;
  private readonly events = new Emitter<RoomClientEvents<R>>();
  private socket: Transport | null = null;
  private connState: ConnectionState = { status: "connecting", attempt: 0, lastSyncedAt: null, error: null };
  /** True between our hello and the room's sync: nothing but hello goes out. */
  private welcomed = false;
  private resyncing = false;
  private selfPeer: Peer | null = null;
  private readonly roster = new PeerRoster(() => {
    this.emit("change");
    this.emit("cursors", this.roster.cursors());
  });
  private readonly liveness = new LivenessWatch(() => this.socket);
  private readonly throttle: CursorThrottle;
  /** The caller chose the cursor interval; otherwise it follows the room's size. */
  private readonly fixedCursorInterval: boolean;
  private readonly cursorIntervalMs: number;
  private readonly pendingLive = new Map<string, unknown>();
  private liveTimer: ReturnType<typeof setTimeout> | null = null;
  private lastLiveAt = Number.NEGATIVE_INFINITY;
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
  /** What the last UNSUPPORTED_VERSION said: whose code is behind. */
  private versionSkew: "outdated" | "room-behind" | null = null;
  private waitTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly reloadWhenOutdated: boolean;
  /** Set while this tab shares its connection with the browser's other tabs. */
  private leadership: TabLeadership | null = null;
  private hub: TabHub<R> | null = null;
  /** History requests and their answers (room-history.ts). */
  private readonly historyRequests: RoomHistory<R>;

  constructor(options: RoomClientOptions<R>) {
    this.schema = options.schema;
    this.transport = transportFor(options);
    this.clientId = options.clientId ?? newShortId();
    this.room = options.room;
    this.name = cleanName(options.name);
    this.color = cleanColor(options.color);
    this.reloadWhenOutdated = options.reloadWhenOutdated ?? true;
    const sharing = options.shareTabs === false || (options.shareTabs === undefined && typeof document === "undefined") ? null : tabSharingSupport();
    if (sharing) this.transport = this.shareWithTabs(options, sharing.locks);
    this.pendingEdits = new PendingEdits<R>(options.pendingStore);
    this.store = new DocumentStore<R>(options.schema, this.pendingEdits);
    this.fixedCursorInterval = options.cursorIntervalMs !== undefined;
    this.cursorIntervalMs = options.cursorIntervalMs ?? cursorIntervalFor(0);
    this.throttle = new CursorThrottle((p) => this.sendCursor(p), options.cursorIntervalMs ?? cursorIntervalFor(0));
    this.historyRequests = new RoomHistory<R>({ send: (frame) => this.isLive() && (this.send(frame), true) });
    this.events.on("message", (m) => this.historyRequests.receive(m));
    this.events.on("status", (s) => this.historyRequests.status(s.status === "live"));
    // Older than the room's dedupe memory: resending could apply it twice.
    this.ready = this.pendingEdits.load(Date.now(), DEDUPE_RETENTION_MS).then((taken) => {
      // Edits older code wrote, in its record shape: brought up to ours.
      this.pendingEdits.rewrite((m) => migratePending(this.schema, m));
      if (taken) this.emit("change");
      if (!this.closed) this.open();
    });
  }

  // -------------------------------------------------------------------------
  // Reading

  /** What to draw: confirmed records with pending edits applied. */
  records(): ReadonlyMap<string, R> {
    return this.store.view();
  }
  /** Records the room has acknowledged. */
  confirmedRecords(): ReadonlyMap<string, R> {
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
  get pending(): PendingEditsView<R> {
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
    return this.roster.peers();
  }
  cursors(): ReadonlyMap<string, RemoteCursor> {
    return this.roster.cursors();
  }

  on<K extends keyof RoomClientEvents<R>>(event: K, listener: RoomClientEvents<R>[K]): () => void {
    return this.events.on(event, listener);
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
  mutate(ops: Op<R>[], options: { edit?: string } = {}): string {
    const mid = newShortId();
    // The room's own checks, run here first: an edit the room would refuse as a
    // whole frame (schema, size) must never sit in the pending queue forever.
    const frame = this.schema.protocol.Mutate.safeParse({ type: "mutate", mid, ops });
    if (!frame.success) throw new Error(`${ErrorCode.INVALID_MUTATION}: ${frame.error.issues[0]?.message ?? "invalid ops"}`);
    if (JSON.stringify(frame.data).length > MAX_MESSAGE_BYTES) throw new Error(`${ErrorCode.TOO_LARGE}: split this edit into smaller mutations`);
    const plan = planOps(this.schema, this.store.view(), frame.data.ops);
    if (!plan.ok) throw new Error(`${plan.code}: ${plan.message}`);
    const m: PendingMutation<R> = { mid, ops: frame.data.ops, createdAt: Date.now() };
    if (options.edit !== undefined) m.edit = options.edit;
    if (this.schema.version > 1) m.schema = this.schema.version;
    this.pendingEdits.add(m);
    if (this.isLive()) this.sendMutation(m);
    this.emit("change");
    return m.mid;
  }

  /**
   * Resolves once every edit made so far has reached the pending store: from
   * then on it outlives this page (a reload, a navigation) and is sent by the
   * next client of this room, acknowledged or not. Resolves at once with the
   * default in-memory store.
   */
  saved(): Promise<void> {
    return this.pendingEdits.flushed();
  }

  // -------------------------------------------------------------------------
  // History (PROTOCOL.md §15; room-history.ts matches the answers)

  /**
   * The room's retained history: checkpoints, named versions, and one page of
   * change summaries (who, when, how much), newest first. Rejects with a
   * HistoryError (`OFFLINE` when not connected, `TIMEOUT`, or the room's code).
   */
  history(options: { before?: number; limit?: number } = {}): Promise<HistoryPageMessage> {
    return this.historyRequests.list(options);
  }

  /** The board as it was at `target` (a seq or a version name), for this
   * client only: nothing changes in the room, nobody else sees it. */
  previewAt(target: HistoryTarget): Promise<PreviewBoard<R>> {
    return this.historyRequests.preview(target);
  }

  /**
   * Turn the room's board into the one at `target`: one mutation the room
   * computes, applied exactly once by its mutation id (resent after a
   * reconnect), broadcast to everyone as an ordinary change. Resolves with
   * the ack; this client's view follows with the change (it resyncs).
   */
  restore(target: HistoryTarget, options: { mid?: string } = {}): Promise<RestoreResult> {
    return this.historyRequests.restore(target, options.mid);
  }

  /** Name the board at `seq` (default: now) a version, e.g. "before the review". */
  nameVersion(name: string, options: { seq?: number } = {}): Promise<VersionSavedMessage> {
    return this.historyRequests.nameVersion(name, options.seq);
  }

  /** Move this client's cursor (world coordinates), or hide it with null.
   * Throttled; dropped — not queued — while not live. */
  moveCursor(x: number, y: number): void {
    this.throttle.push([x, y]);
  }
  hideCursor(): void {
    this.throttle.push(null);
  }

  /**
   * Set this connection's live state under `key` (one of the app's
   * `defineRoom({ live })` keys), or clear it with null: ephemeral, lossy,
   * latest wins — sent at the cursor rate, never queued while offline, never
   * stored, gone for the others when this connection leaves. For what others
   * should see as it happens (a stroke being drawn, a viewport to follow).
   */
  setLive(key: string, data: unknown): void {
    this.pendingLive.set(key, data);
    if (this.liveTimer !== null) return;
    const wait = Math.max(0, this.lastLiveAt + this.throttleInterval() - Date.now());
    this.liveTimer = setTimeout(() => this.flushLive(), wait);
  }

  /** Everyone else's live state: by conn, then key. */
  live(): ReadonlyMap<string, ReadonlyMap<string, unknown>> {
    return this.roster.liveState();
  }

  private flushLive(): void {
    this.liveTimer = null;
    this.lastLiveAt = Date.now();
    const pending = [...this.pendingLive];
    this.pendingLive.clear();
    if (!this.isLive()) return; // lossy by design: never queued
    for (const [key, data] of pending) this.send({ type: "live", key, data });
  }

  private throttleInterval(): number {
    return this.fixedCursorInterval ? this.cursorIntervalMs : cursorIntervalFor(this.roster.peers().size);
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

  /** Whether this tab holds the connection it shares with the browser's other
   * tabs on this room (`leader`), reaches the room through the tab that does
   * (`follower`), or has a connection of its own (`null`: `shareTabs` off or
   * unsupported). A follower becomes the leader when the leader tab closes. */
  get tabRole(): "leader" | "follower" | null {
    return this.leadership === null ? null : this.hub ? "leader" : "follower";
  }

  /**
   * For the tab hub (tab-hub.ts) only, on the client that holds a shared
   * connection: send a mutation another tab made, under that tab's mutation
   * id. It is already in the shared durable queue. Not for apps.
   * @internal
   */
  forward(m: PendingMutation<R>): void {
    this.pendingEdits.adopt(m);
    if (this.isLive()) this.sendMutation(m);
  }

  /** Close for good. Pending edits stay in the durable pending store. */
  close(): void {
    this.closed = true;
    if (this.waitTimer !== null) clearTimeout(this.waitTimer);
    this.hub?.close();
    this.hub = null;
    this.leadership?.release();
    this.historyRequests.close();
    this.throttle.cancel();
    if (this.liveTimer !== null) clearTimeout(this.liveTimer);
    this.liveTimer = null;
    this.liveness.stop();
    this.roster.dispose();
    this.socket?.close(1000, "client closed");
    this.socket = null;
    this.setStatus({ status: "offline" });
  }

  // -------------------------------------------------------------------------
  // Connection

  /** This client talks to the room through the tab channel; when this tab
   * wins the election it also starts the hub, whose inner client holds the
   * real connection (tab-hub.ts). Returns the transport to the channel. */
  private shareWithTabs(options: RoomClientOptions<R>, locks: Parameters<typeof electTabLeader>[0]): TransportFactory {
    const name = tabChannelName(this.schema.party, this.room);
    const tabId = newShortId();
    const follower: FollowerState = { leaderClientId: null };
    const real = this.transport;
    this.leadership = electTabLeader(locks, name, () => {
      if (this.closed) return;
      this.hub = new TabHub<R>({
        schema: this.schema,
        channelName: name,
        tabId,
        transport: real,
        // The previous leader's client id, so the room's peers see the same
        // person reconnect rather than one leave and another join.
        makeInner: (transport) =>
          new RoomClient<R>({
            schema: this.schema,
            room: this.room,
            clientId: follower.leaderClientId ?? this.clientId,
            name: this.name,
            color: this.color,
            ...(options.pendingStore ? { pendingStore: options.pendingStore } : {}),
            ...(options.cursorIntervalMs === undefined ? {} : { cursorIntervalMs: options.cursorIntervalMs }),
            transport,
            shareTabs: false,
            reloadWhenOutdated: false, // the tab's own client decides that
          }),
      });
      this.emit("status", this.connState);
    });
    return channelTransport(name, tabId, follower);
  }

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
    this.connState = { ...this.connState, transport: this.socket?.kind ?? "websocket" };
    this.welcomed = false;
    this.resyncing = false;
    this.throttle.reset();
    this.send({
      type: "hello",
      v: PROTOCOL_VERSION,
      schema: this.schema.version,
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
    this.liveness.stop();
    this.roster.disconnected();
    if (this.closed) return;
    if (code === CloseCode.UNSUPPORTED_VERSION && this.versionSkew === "room-behind") {
      // Not the end: the room's code is older and a deploy is on its way.
      this.versionSkew = null;
      const attempt = this.connState.attempt + 1;
      this.setStatus({ status: "waiting", attempt });
      this.waitTimer = setTimeout(() => {
        this.waitTimer = null;
        if (!this.closed) this.socket?.reconnect();
      }, Math.min(WAIT_MAX_MS, WAIT_MIN_MS * 2 ** Math.min(attempt - 1, 10)));
      return;
    }
    if (isTerminalClose(code)) {
      this.setStatus({ status: "error", error: this.connState.error ?? { code: String(code), message: reason || "closed by the room" } });
      this.socket?.close();
      if (this.versionSkew === "outdated") {
        const info = this.connState.error ?? { code: ErrorCode.UNSUPPORTED_VERSION, message: reason };
        this.emit("outdated", info);
        if (this.reloadWhenOutdated) reloadWhenIdle(() => this.pendingEdits.flushed());
      }
      return;
    }
    const offline = reason === OFFLINE_REASON || (typeof navigator !== "undefined" && navigator.onLine === false);
    this.setStatus({ status: offline ? "offline" : "reconnecting", attempt: this.connState.attempt + 1 });
    this.emit("cursors", this.roster.cursors());
  }

  private onFrame(data: unknown): void {
    this.framesReceived++;
    this.liveness.frame();
    if (typeof data !== "string") return;
    const parsed = this.schema.protocol.parseServerFrame(data);
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

  /** Cursor moves go out faster in small rooms (client/engine/throttle.ts). */
  private retuneCursor(): void {
    if (!this.fixedCursorInterval) this.throttle.retune(cursorIntervalFor(this.roster.peers().size));
  }

  private process(msg: ServerMessage<R>): void {
    switch (msg.type) {
      case "welcome":
        this.selfPeer = msg.self;
        this.roster.welcome(msg.peers);
        this.retuneCursor();
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
          this.liveness.start();
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
      case "join":
        this.roster.join(msg.peer);
        this.retuneCursor();
        this.emit("change");
        this.emit("cursors", this.roster.cursors());
        return;
      case "peer":
        this.roster.update(msg.peer);
        this.emit("change");
        return;
      case "leave":
        this.roster.leave(msg.conn);
        this.retuneCursor();
        this.emit("live", this.roster.liveState());
        return;
      case "cursors":
        this.roster.cursorFrame(msg.f, this.selfPeer?.conn, Date.now());
        if (msg.l) {
          this.roster.liveFrame(msg.l, this.selfPeer?.conn);
          this.emit("live", this.roster.liveState());
        }
        this.emit("cursors", this.roster.cursors());
        return;
      case "error":
        if (msg.code === ErrorCode.RATE_LIMITED && msg.ref === "resync") {
          // The room refused the resync for now: ask again shortly, or we would
          // ignore every change until the next reconnect.
          this.resyncing = false;
          setTimeout(() => this.requestResync(true), RETRY_DELAY_MS);
        }
        if (msg.code === ErrorCode.UNSUPPORTED_VERSION) {
          // Who is behind? A room that does not say (before protocol 2) is.
          const roomNewer = (msg.v ?? 0) > PROTOCOL_VERSION || (msg.schema ?? 0) > this.schema.version;
          this.versionSkew = roomNewer ? "outdated" : "room-behind";
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

  private emit<K extends keyof RoomClientEvents<R>>(event: K, ...args: Parameters<RoomClientEvents<R>[K]>): void {
    this.events.emit(event, ...args);
  }
}

export type { Change, Op, Peer, RemoteCursor };
export type { RoomClientBaseOptions, RoomClientHostOptions, RoomClientOptions, RoomClientTransportOptions } from "./room-client-options.ts";
export type { ConnectionState, ConnectionStatus, RejectNotice, RoomClientEvents } from "./room-events.ts";
export { CloseCode };
