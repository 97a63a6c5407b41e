/**
 * The room core: the authoritative state machine of one room, with no host
 * inside and no knowledge of the app's records beyond the schema it is given.
 * It knows nothing of PartyKit, partyserver or Durable Objects; the adapters
 * (durable-object.ts, partykit.ts) and the unit tests give it sockets, a
 * storage and a clock through `RoomHost`.
 *
 * This file is the facade: the `Room` class the adapters hold, whose methods
 * each run one event through the room's queue and hand it to the part that
 * owns it (party/engine/room/, docs/ARCHITECTURE.md "the room core"):
 * - `document.ts`: load, the one exactly-once `decide`, syncs, compaction;
 * - `sessions.ts`: admission, hello, presence, kicks, per-connection policy;
 * - `fanout.ts`: the send budget, the commit outbox, cursor and live frames;
 * - `dispatch.ts` and `history-requests.ts`: parse and dispatch a frame;
 * - `alarm.ts` and `alarm-schedule.ts`: the sweep, history's timed work, webhooks;
 * - `http-face.ts`: the HTTP API's reads and writes;
 * - `types.ts`: the public types, re-exported here.
 *
 * Hibernation rules the room lives by: per-socket identity is in the socket's
 * attachment (`ConnState`), never only in memory; everything held in fields
 * is a cache, rebuilt from storage on the first event after a wake; timers
 * exist only while work waits: the one-shot frame timer while frames wait for
 * the room's send budget (a quiet room sends them at once), the live timer
 * while live values wait for the live budget, and a past board's turns while
 * it is being built (room/past-boards.ts).
 */
import type { WatchersPage } from "../shared/audience.ts";
import { CloseCode, ErrorCode, type Op, type RecordBase } from "../shared/protocol.ts";
import type { RoomSchema } from "../shared/schema.ts";
import type { Access } from "./auth.ts";
import { type HistoryTarget, RoomHistory } from "./history.ts";
import { AlarmSchedule } from "./room/alarm-schedule.ts";
import { RoomAlarm } from "./room/alarm.ts";
import { roomContext, type RoomContext } from "./room/context.ts";
import { Dispatcher } from "./room/dispatch.ts";
import { RoomDocument } from "./room/document.ts";
import { type FrameBudget, FrameFanout } from "./room/fanout.ts";
import { BackendFace, type RoomPresence } from "./room/backend-face.ts";
import { HttpFace } from "./room/http-face.ts";
import { IndexReporter } from "./room/index-reporter.ts";
import { PastBoards } from "./room/past-boards.ts";
import { EventQueue } from "./room/queue.ts";
import { ReadWindows } from "./room/read-windows.ts";
import { readySocketReceivers, readySockets } from "./room/receivers.ts";
import { RelayLinks } from "./room/relay-face.ts";
import type { AudienceBounds } from "./room/relay-route.ts";
import { EditorSeats } from "./room/editor-seats.ts";
import { Sessions, unwrittenEpoch } from "./room/sessions.ts";
import type { ConnectInfo, LinkSocket, MutationResult, RoomHost, RoomOptions, RoomSnapshot, RoomSocket, RoomStats } from "./room/types.ts";

export type { AudienceBounds } from "./room/relay-route.ts";
export {
  type Actor,
  API_ACTOR,
  type ConnectInfo,
  type ConnState,
  type FrameSender,
  type LinkInfo,
  type LinkSocket,
  type LogLine,
  type MutationResult,
  type RoomHooks,
  type RoomHost,
  type RoomOptions,
  type RoomSnapshot,
  type RoomSocket,
  type RoomStats,
  type RoomView,
} from "./room/types.ts";

/** The next turn of the runtime: a 0 ms timer, so the events that arrived
 * meanwhile (a member's commit) run before the next step of a build. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export class Room<R extends RecordBase = RecordBase> {
  readonly roomId: string;
  /** Retained history (history.ts): checkpoints, previews, versions. */
  readonly history: RoomHistory<R>;
  private readonly ctx: RoomContext<R>;
  private readonly queue: EventQueue;
  private readonly doc: RoomDocument<R>;
  private readonly sessions: Sessions<R>;
  private readonly dispatcher: Dispatcher<R>;
  private readonly alarms: RoomAlarm<R>;
  private readonly api: HttpFace<R>;
  /** Presence, metadata and broadcasts for the backend (room/backend-face.ts). */
  readonly backend: BackendFace<R>;
  /** Its reports to the rooms index (room/index-reporter.ts). */
  readonly index: IndexReporter<R>;
  /** Past boards for previews, restores and the HTTP API (room/past-boards.ts). */
  readonly pastBoards: PastBoards<R>;
  private readonly relays: RelayLinks<R>;
  private readonly since: number;

  /**
   * `frameBudget` is internal: tests set the send budget's rate and burst
   * through it (the fuzz runs half its seeds on a tiny one); apps have no
   * reason to, so it is not a room option.
   */
  constructor(roomId: string, host: RoomHost<R>, schema: RoomSchema<R>, options: RoomOptions<R> = {}, frameBudget: FrameBudget = {}) {
    this.roomId = roomId;
    this.since = host.now();
    const ctx = roomContext(roomId, host, schema, options);
    this.ctx = ctx;
    this.queue = new EventQueue(ctx.log);
    this.history = new RoomHistory(host.storage, options.history ?? schema.history, options.historyPolicy);
    const schedule = new AlarmSchedule(ctx);
    // A member over its read window is closed in the room's queue, after the
    // frame that found it (never inside a broadcast).
    const reads = new ReadWindows(
      (conn) => [...host.sockets()].some((s) => s.getState()?.conn === conn && s.getState()?.reads === true),
      (conn) => void this.queue.enqueue(() => this.sessions.slowReader(conn)),
    );
    const out = new FrameFanout<R>(host, readySocketReceivers(host), reads, frameBudget);
    this.doc = new RoomDocument(ctx, this.history, options.maxRoomBytes ?? schema.limits.maxRoomBytes, {
      publish: (commit, then) => out.publish(commit, then),
      notify: (type, data) => schedule.notify(type, data),
    }, () => unwrittenEpoch(host.sockets()));
    this.sessions = new Sessions(ctx, this.doc, out, schedule);
    this.pastBoards = new PastBoards(this.history, () => host.now(), host.yieldTurn ?? nextTurn, options.pastBoards);
    const enqueue = (task: () => Promise<void> | void) => this.queue.enqueue(task);
    this.dispatcher = new Dispatcher(ctx, this.doc, this.sessions, out, { boards: this.pastBoards, enqueue });
    this.alarms = new RoomAlarm(ctx, this.queue, this.doc, this.sessions, schedule);
    this.api = new HttpFace(ctx, this.queue, this.doc, this.sessions, schedule, this.pastBoards);
    this.relays = new RelayLinks(ctx, this.doc, this.sessions, this.dispatcher, out);
    this.backend = new BackendFace(ctx, this.queue, out, () => this.relays.counts().relayed);
    this.index = new IndexReporter(ctx, this.queue, this.doc, () => readySockets(host).length + this.relays.counts().relayed);
    schedule.onEvent = (type) => (type === "room.deleted" ? this.index.erased() : this.index.touch());
    this.backend.onMetadata = () => this.index.touch();
    this.sessions.relayedPeers = () => this.relays.peers();
    this.sessions.watchingFrame = () => this.relays.watchingFrame();
    this.sessions.relayedMembers = () => this.relays.counts().relayed;
    // How many may edit, counted at both doors (the room's hello, a relay's join).
    const editing = () => readySockets(host).filter((s) => s.getState()!.role === "editor").length + this.relays.editorStates().length;
    this.sessions.seats = new EditorSeats(options.audience, editing, () => this.relays.bounds.editorsMax);
    // What a direct member gets, a relayed one gets too: broadcasts, the
    // room's deletion; and a relay's silent link is swept like a silent socket.
    this.backend.relays = this.relays;
    this.api.onErase = () => this.relays.end(JSON.stringify({ type: "error", code: ErrorCode.ROOM_DELETED, message: "this room was deleted" }), CloseCode.ROOM_DELETED, "room deleted");
    this.relays.armSweep = () => schedule.ensureSweep();
    this.alarms.links = (now) => this.relays.sweep(now);
  }

  // An audience room's relays (room/relay-face.ts; docs/ARCHITECTURE.md "One
  // room over many objects").

  /** Where a new member's socket goes, given the direct members open now:
   * "direct" (this object, as in every small room), a relay index, or null
   * (every relay full: refuse ROOM_FULL). */
  route(direct: number): "direct" | number | null {
    return this.relays.route(direct);
  }

  /** The sockets this object holds for the room now — but those past their
   * hello deadline, which the next accept closes: the `direct` for `route`. */
  holding(): number {
    return this.sessions.holding(this.ctx.host.now());
  }

  /** Lower the audience bounds (tests only; the adapter passes them once). */
  set audienceBounds(bounds: AudienceBounds) {
    this.relays.bounds = bounds;
  }

  /** A relay opened its link (accepted by the adapter, not a member). */
  linkOpened(link: LinkSocket, relay: number): void {
    this.relays.opened(link, relay);
  }

  /** A frame on a relay's link: a subscription or one tick of its members. */
  linkMessage(link: LinkSocket, data: string | ArrayBuffer | ArrayBufferView): Promise<void> {
    return this.queue.enqueue(() => this.relays.message(link, data));
  }

  /** A relay's link closed: its editors leave. */
  linkClosed(link: LinkSocket): Promise<void> {
    return this.queue.enqueue(() => this.relays.closed(link));
  }

  /** A socket was accepted. `access` is the adapter's verdict on its token (or a
   * promise of it): queued like every event, so no frame of this socket is
   * handled before its verdict, and a full room is refused in arrival order. */
  connect(socket: RoomSocket, access: Access | Promise<Access>, info: ConnectInfo = {}): Promise<void> {
    return this.queue.enqueue(async () => this.sessions.accept(socket, await access, info));
  }

  /** A frame arrived. Never throws; resolves when the frame was handled. */
  message(socket: RoomSocket, data: string | ArrayBuffer | ArrayBufferView): Promise<void> {
    return this.queue.enqueue(() => this.dispatcher.handle(socket, data));
  }

  /** The socket closed (cleanly or not). Broadcasts the leave. */
  close(socket: RoomSocket): Promise<void> {
    return this.queue.enqueue(() => this.sessions.closed(socket));
  }

  /** The alarm fired: the sweep, history's timed work, due webhooks (alarm.ts). */
  alarm(): Promise<void> {
    return this.alarms.fire();
  }

  /** Resolves when every webhook delivery an alarm started has been sent and
   * recorded (a receiver that never answers: after WEBHOOK_TIMEOUT_MS). */
  webhookDeliveries(): Promise<void> {
    return this.alarms.deliveries();
  }

  /** Resolves once every event queued so far has been handled, with the
   * past boards they started and the answers those boards were for. */
  async settled(): Promise<void> {
    await this.queue.enqueue(() => {});
    await this.pastBoards.idle();
    await this.queue.enqueue(() => {});
  }

  /** Reads only: the stats of a room that was never written create nothing. */
  async stats(): Promise<RoomStats> {
    await this.queue.enqueue(() => this.doc.load());
    const { host, counters } = this.ctx;
    const meta = this.doc.meta;
    return {
      room: this.roomId,
      epoch: this.doc.stored ? meta.epoch : null,
      connections: readySockets(host).length,
      seq: meta.seq,
      records: this.doc.records.size,
      logSize: meta.seq - meta.logStart + 1,
      logBytes: this.doc.logBytes,
      storageBytes: host.storage.sizeBytes(),
      messagesPerSec: counters.messagesPerSec(host.now()),
      ...counters.snapshot(),
      since: this.since,
      ...this.relays.counts(),
    };
  }

  // The HTTP face (room/http-face.ts), for party/engine/http-api.ts.

  /**
   * A mutation from the HTTP API, as an editor with the actor `API_ACTOR`. It
   * runs in the room's one event queue, through the same planner,
   * authorization hook, exactly-once table and commit as a socket's `mutate`;
   * the room's sockets see it as an ordinary `change`. Resolves with the ack
   * or the typed reject (a repeated `mid`: the original).
   */
  apiMutate(mid: string, ops: Op<R>[]): Promise<MutationResult> {
    return this.api.mutate(mid, ops);
  }

  /** One page of history (PROTOCOL.md §15), read only. */
  apiHistory(before: number | undefined, limit: number): ReturnType<HttpFace<R>["history"]> {
    return this.api.history(before, limit);
  }

  /** The board at a seq or version (or now, `target` null), read only. */
  apiBoard(target: HistoryTarget | null): ReturnType<HttpFace<R>["board"]> {
    return this.api.board(target);
  }

  /** Restore as the API actor, exactly once by `mid`. */
  apiRestore(mid: string, target: HistoryTarget): Promise<MutationResult> {
    return this.api.restore(mid, target);
  }

  /** Import (or fork): `records` (already checked against the schema) become
   * the board of a room that was never written, as one mutation, exactly once
   * by `mid`; any other room refuses ROOM_NOT_EMPTY. */
  apiImport(mid: string, records: R[]): Promise<MutationResult> {
    return this.api.import(mid, records);
  }

  /** Who is in the room now (the backend's `GET …/presence`). */
  apiPresence(): Promise<RoomPresence> {
    return this.backend.presence();
  }

  /** A page of the watchers on the room's relays (`GET …/presence?watchers`),
   * asked of one relay; null when it did not answer in time. */
  apiWatchers(cursor: string | null, limit: number): Promise<WatchersPage | null> {
    return this.relays.list.page(cursor, limit);
  }

  /** The webhook endpoints, what waits in the outbox, and the delivery log
   * (newest first), read only. */
  apiWebhooks(): ReturnType<HttpFace<R>["webhooks"]> {
    return this.api.webhooks();
  }

  /** The board as it is now. Reads only: a room that was never written
   * answers `{seq: 0, epoch: null, records: []}` and stays unstored. */
  snapshot(): Promise<RoomSnapshot<R>> {
    return this.api.snapshot();
  }

  /**
   * Erase the room for good: every socket is told (`error` ROOM_DELETED) and
   * closed with `CloseCode.ROOM_DELETED`, then storage is wiped and the cache
   * forgotten. A later connection finds an unwritten room with a new epoch.
   */
  erase(): Promise<void> {
    return this.api.erase();
  }
}
