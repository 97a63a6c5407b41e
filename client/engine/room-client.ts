/**
 * The edgeroom room client: connection (partysocket) → event processor (parse,
 * dedupe, order, detect gaps) → store (confirmed + pending). Usable without
 * React — the whiteboard UI, the tests and the benchmark all drive rooms
 * through this class. No UI code touches the socket.
 *
 * This file is the facade: what an app calls, and what this tab says about
 * itself (name, colour, status, cursor, live state). The work is done beside
 * it: the connection lifecycle (room-connection.ts: open, hello, close,
 * liveness, the state a person sees), the event processor
 * (room-processor.ts: a room message in, state and events out), the history
 * requests (room-history.ts), who else is here (peer-roster.ts), the pending
 * edits (pending-edits.ts) and the document (store.ts); how it connects
 * (room-client-options.ts) and what it emits (room-events.ts).
 */
import { planOps } from "../../party/shared/apply.ts";
import {
  type Change,
  type ClientMessage,
  cleanName,
  CloseCode,
  ErrorCode,
  type HistoryPageMessage,
  type Op,
  type Peer,
  type PresenceStatus,
  PROTOCOL_VERSION,
  type RecordBase,
  type VersionSavedMessage,
} from "../../party/shared/protocol.ts";
import { DEDUPE_RETENTION_MS, MAX_MESSAGE_BYTES } from "../../party/shared/limits.ts";
import type { RoomSchema } from "../../party/shared/schema.ts";
import type { EditOp, LiveEntries, LiveSchemas } from "../../party/shared/typed-ops.ts";
import type { z } from "zod";
import { type Clock, systemClock } from "./clock.ts";
import type { TransportFactory } from "./connection.ts";
import { newShortId } from "./ids.ts";
import { migratePending } from "./pending-migration.ts";
import { MutationError } from "./mutation-error.ts";
import { PendingEdits, type PendingEditsView, type PendingMutation } from "./pending-edits.ts";
import type { RemoteCursor } from "./peer-roster.ts";
import { type RoomClientOptions, transportFor } from "./room-client-options.ts";
import { RoomConnection } from "./room-connection.ts";
import { type ConnectionState, Emitter, type RoomClientEvents } from "./room-events.ts";
import { type HistoryTarget, type PreviewBoard, type RestoreResult, RoomHistory } from "./room-history.ts";
import { RoomProcessor } from "./room-processor.ts";
import { CursorThrottle, cursorIntervalFor, LiveStateThrottle, type Point } from "./throttle.ts";
import { channelTransport, type FollowerState, tabChannelName } from "./tab-channel.ts";
import { electTabLeader, type LockManagerLike, type TabLeadership, tabSharingSupport } from "./tab-leader.ts";

/** A name the room accepts and publishes as it is (protocol.ts `cleanName`). */
const nameFor = (name: string): string => cleanName(name) ?? "anonymous";
/** A colour the room accepts (#rrggbb). */
function cleanColor(color: string): string {
  return /^#[0-9a-fA-F]{6}$/.test(color) ? color : "#888888";
}

/**
 * A live connection to one room.
 *
 * ```ts
 * const client = new RoomClient({ host: "127.0.0.1:8787", room: "r1", name: "Ada", color: "#3366ff" });
 * client.on("change", () => draw(client.records()));
 * client.mutate([{ op: "put", rec: shape }]);
 * ```
 */
export class RoomClient<R extends RecordBase = RecordBase, F extends string = string, L extends LiveSchemas = LiveSchemas> {
  readonly clientId: string;
  readonly room: string;
  readonly schema: RoomSchema<R, F, L>;
  /** Resolves when pending edits were loaded from the pending store. */
  readonly ready: Promise<void>;
  private readonly pendingEdits: PendingEdits<R>;
  private readonly events = new Emitter<RoomClientEvents<R, L>>();
  private readonly clock: Clock;
  private readonly processor: RoomProcessor<R>;
  private readonly conn: RoomConnection<R>;
  private readonly throttle: CursorThrottle;
  /** The caller chose the cursor interval; otherwise it follows the room's size. */
  private readonly fixedCursorInterval: boolean;
  private readonly cursorIntervalMs: number;
  private readonly liveState: LiveStateThrottle;
  private name: string;
  private color: string;
  private status: PresenceStatus = "active";
  private closed = false;
  /** Set while this tab shares its connection with the browser's other tabs. */
  private leadership: TabLeadership | null = null;
  /** History requests and their answers (room-history.ts). */
  private readonly historyRequests: RoomHistory<R>;

  constructor(options: RoomClientOptions<R, F, L>) {
    this.schema = options.schema;
    let transport = transportFor(options);
    this.clientId = options.clientId ?? newShortId();
    this.room = options.room;
    this.name = nameFor(options.name);
    this.color = cleanColor(options.color);
    this.clock = options.clock ?? systemClock;
    const sharing = options.shareTabs === false || (options.shareTabs === undefined && typeof document === "undefined") ? null : tabSharingSupport();
    if (sharing) transport = this.shareWithTabs(transport, sharing.locks);
    this.pendingEdits = new PendingEdits<R>(options.pendingStore);
    this.fixedCursorInterval = options.cursorIntervalMs !== undefined;
    this.cursorIntervalMs = options.cursorIntervalMs ?? cursorIntervalFor(0);
    this.throttle = new CursorThrottle((p) => this.sendCursor(p), this.cursorIntervalMs, this.clock);
    this.liveState = new LiveStateThrottle(
      (entries) => {
        if (!this.isLive()) return; // lossy by design: never queued
        for (const [key, data] of entries) this.send({ type: "live", key, data });
      },
      () => (this.fixedCursorInterval ? this.cursorIntervalMs : cursorIntervalFor(this.processor.roster.peers().size)),
      this.clock,
    );
    const emit = this.emit.bind(this);
    this.processor = new RoomProcessor<R>(this.schema, this.pendingEdits, {
      clock: this.clock,
      connected: () => this.conn.connected(),
      send: (msg) => this.conn.send(msg),
      emit,
      synced: (first) => {
        if (first && this.status !== "active") this.send({ type: "presence", status: this.status });
        this.conn.synced(first);
      },
      caughtUp: () => this.conn.caughtUp(),
      peersChanged: () => this.retuneCursor(),
      roomError: (msg, skew) => this.conn.roomError(msg, skew),
    });
    this.conn = new RoomConnection<R>(
      {
        schema: this.schema,
        clock: this.clock,
        processor: this.processor,
        hello: () => ({ type: "hello", v: PROTOCOL_VERSION, schema: this.schema.version, clientId: this.clientId, epoch: this.processor.store.epoch, lastSeq: this.processor.store.seq, name: this.name, color: this.color }),
        processed: (msg) => this.emit("message", msg),
        reset: () => this.throttle.reset(),
        flushed: () => this.pendingEdits.flushed(),
        emit,
      },
      transport,
      options.reloadWhenOutdated ?? true,
    );
    this.historyRequests = new RoomHistory<R>({ send: (frame) => this.isLive() && (this.conn.send(frame), true) }, this.clock);
    this.events.on("message", (m) => this.historyRequests.receive(m));
    this.events.on("status", (s) => this.historyRequests.status(s.status === "live"));
    this.ready = this.loadPending().then(() => {
      if (!this.closed) this.conn.open();
    });
  }

  // -------------------------------------------------------------------------
  // Reading

  /** What to draw: confirmed records with pending edits applied. */
  records(): ReadonlyMap<string, R> {
    return this.processor.store.view();
  }
  /** Records the room has acknowledged. */
  confirmedRecords(): ReadonlyMap<string, R> {
    return this.processor.store.confirmedRecords();
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
    return this.processor.store.seq;
  }
  get epoch(): string | null {
    return this.processor.store.epoch;
  }
  get connection(): ConnectionState {
    return this.conn.connection;
  }
  /** This connection as the room sees it (after the welcome). */
  get self(): Peer | null {
    return this.processor.self;
  }
  /** Everyone else in the room (including, briefly, those who just left: `present(conn)` is false for them). */
  peers(): ReadonlyMap<string, Peer> {
    return this.processor.roster.peers();
  }
  present(conn: string): boolean { return this.processor.roster.present(conn); }
  cursors(): ReadonlyMap<string, RemoteCursor> { return this.processor.roster.cursors(); }
  /** Others watching (an audience room's watchers, counted, not in `peers()`; PROTOCOL.md §16); 0 elsewhere. */
  get watching(): number { return this.processor.watching; }
  /** Frames received, for the debug overlay's messages/s. */
  get framesReceived(): number {
    return this.conn.framesReceived;
  }

  on<K extends keyof RoomClientEvents<R, L>>(event: K, listener: RoomClientEvents<R, L>[K]): () => void {
    return this.events.on(event, listener);
  }

  // -------------------------------------------------------------------------
  // Writing

  /**
   * Apply `ops` locally at once (optimistic) and send them. Returns the mutation
   * id, or throws a `MutationError` (its `code` an `ErrorCode`) if the ops are
   * invalid against the current view (the room would refuse them too);
   * `patch.set` is typed by the record, less `id` and the fixed fields. The edit is kept in PendingEdits (and its durable
   * store) until the room settles it, so it survives a reload while offline.
   * `edit` groups mutations that are one thing the person did (a drag
   * committed several times, an edit split to fit the room's limits); it is
   * kept locally for `pendingEditCount` and never sent. `mid` names the
   * mutation, an app-chosen idempotency key (a backend's retries): a pending
   * one with that id is left as it is, and the room applies a mid once;
   * `awaits` holds it, drawn but unsent, until the assets with those hashes
   * are stored (RoomAssets: `awaitsFor(ops)`).
   */
  mutate(edits: readonly EditOp<R, F>[], options: { edit?: string; mid?: string; awaits?: readonly string[] } = {}): string {
    const ops = edits as readonly Op<R>[]; // the wire's Op: `set` as loose as JSON
    if (options.mid !== undefined && this.pendingEdits.get(options.mid)) return options.mid;
    const mid = options.mid ?? newShortId();
    // The room's own checks, run here first: an edit the room would refuse as a
    // whole frame (schema, size) must never sit in the pending queue forever.
    const frame = this.schema.protocol.Mutate.safeParse({ type: "mutate", mid, ops });
    if (!frame.success) throw new MutationError(ErrorCode.INVALID_MUTATION, frame.error.issues[0]?.message ?? "invalid ops");
    if (JSON.stringify(frame.data).length > MAX_MESSAGE_BYTES) throw new MutationError(ErrorCode.TOO_LARGE, "split this edit into smaller mutations");
    const plan = planOps(this.schema, this.processor.store.view(), frame.data.ops);
    if (!plan.ok) throw new MutationError(plan.code, plan.message);
    const m: PendingMutation<R> = { mid, ops: frame.data.ops, createdAt: Date.now() };
    if (options.edit !== undefined) m.edit = options.edit;
    if (this.schema.version > 1) m.schema = this.schema.version;
    if (options.awaits?.length) m.awaits = [...new Set(options.awaits)];
    this.pendingEdits.add(m);
    // Not past a mutation that waits for its asset (nor this one, if it waits).
    if (this.isLive() && this.pendingEdits.heldFrom() === this.pendingEdits.size) this.processor.sendMutation(m);
    this.emit("change");
    return m.mid;
  }

  /** The asset `hash` that mutations wait for (`awaits`) was stored — they
   * go now — or refused for good (`refused`): they are rolled back, each
   * with a `reject` event. Called by RoomAssets (room-assets.ts). */
  settleAsset(hash: string, refused?: { code: string; message: string }): void {
    if (refused) this.processor.assetRefused(hash, refused.code, refused.message);
    else this.processor.assetStored(hash);
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
  setLive<K extends keyof L & string>(key: K, data: z.input<L[K]> | null): void {
    this.liveState.set(key, data);
  }

  /** Everyone else's live state: by conn, then key (`get(key)` is typed by
   * the schema's `live`). Someone who left is not in it. */
  live(): ReadonlyMap<string, LiveEntries<L>> {
    return this.processor.roster.liveState() as ReadonlyMap<string, LiveEntries<L>>;
  }

  /** Change this client's name, colour or status; remembered across reconnects. */
  setPresence(p: { name?: string; color?: string; status?: PresenceStatus }): void {
    const update: { name?: string; color?: string; status?: PresenceStatus } = {};
    if (p.name !== undefined) this.name = update.name = nameFor(p.name);
    if (p.color !== undefined) this.color = update.color = cleanColor(p.color);
    if (p.status !== undefined) this.status = update.status = p.status;
    const self = this.processor.self;
    if (self) this.processor.self = { ...self, name: this.name, color: this.color, status: this.status };
    if (this.isLive()) this.send({ type: "presence", ...update });
    this.emit("change");
  }

  /** Drop the connection now and reconnect (after a jittered backoff). */
  reconnect(): void {
    this.conn.reconnect();
  }

  /** Whether this tab holds the connection it shares with the browser's other
   * tabs on this room (`leader`), reaches the room through the tab that does
   * (`follower`), or has a connection of its own (`null`: `shareTabs` off or
   * unsupported). A follower becomes the leader when the leader tab closes. */
  get tabRole(): "leader" | "follower" | null {
    return this.leadership === null ? null : this.conn.leads ? "leader" : "follower";
  }

  /** Close for good. Pending edits stay in the durable pending store. */
  close(): void {
    this.closed = true;
    this.leadership?.release();
    this.historyRequests.close();
    this.throttle.cancel();
    this.liveState.cancel();
    this.processor.dispose();
    this.conn.close();
  }

  // -------------------------------------------------------------------------
  // Connection

  /** What the pending store holds that this client does not yet: at load,
   * and again when this tab takes the lead (a closed leader tab's edits wait
   * there). Older than the room's dedupe memory is dropped: resending could
   * apply it twice. */
  private async loadPending(): Promise<void> {
    const taken = await this.pendingEdits.load(Date.now(), DEDUPE_RETENTION_MS);
    // Edits older code wrote, in its record shape: brought up to ours.
    this.pendingEdits.rewrite((m) => migratePending(this.schema, m));
    if (taken) this.emit("change");
  }

  /** This client reaches the room through the tab channel (tab-channel.ts)
   * until this tab wins the lead. Returns the transport to the channel. */
  private shareWithTabs(real: TransportFactory, locks: LockManagerLike): TransportFactory {
    const channelName = tabChannelName(this.schema.party, this.room);
    const tabId = newShortId();
    const follower: FollowerState = { leaderClientId: null };
    this.leadership = electTabLeader(locks, channelName, () => {
      void this.ready
        .then(() => (this.closed ? undefined : this.loadPending()))
        .then(() => {
          if (this.closed) return;
          this.conn.lead(real, { channelName, tabId, clientId: follower.leaderClientId ?? this.clientId, room: this.room });
          this.emit("status", this.conn.connection);
        });
    });
    return channelTransport(channelName, tabId, follower);
  }

  private isLive(): boolean {
    return this.conn.isLive();
  }

  /** Cursor moves go out faster in small rooms (client/engine/throttle.ts). */
  private retuneCursor(): void {
    if (!this.fixedCursorInterval) this.throttle.retune(cursorIntervalFor(this.processor.roster.peers().size));
  }

  private sendCursor(p: Point): void {
    if (!this.isLive()) return; // lossy by design: never queued
    this.send({ type: "cursor", p: p ? [p[0], p[1]] : null });
  }

  private send(msg: ClientMessage<R>): void {
    this.conn.send(msg);
  }

  private emit<K extends keyof RoomClientEvents<R, L>>(event: K, ...args: Parameters<RoomClientEvents<R, L>[K]>): void {
    this.events.emit(event, ...args);
  }
}

export type { Change, Op, Peer, RemoteCursor };
export type { RoomClientBaseOptions, RoomClientHostOptions, RoomClientOptions, RoomClientTransportOptions } from "./room-client-options.ts";
export type { ConnectionState, ConnectionStatus, RejectNotice, RoomClientEvents } from "./room-events.ts";
export { CloseCode };
