/**
 * The room core: the authoritative state machine of one room, with no host
 * inside and no knowledge of the app's records beyond the schema it is given. It knows nothing of PartyKit, partyserver or Durable Objects; the
 * adapters (durable-object.ts, partykit.ts) and the unit tests give it sockets, a
 * storage and a clock through `RoomHost`.
 *
 * Hibernation rules this file lives by:
 * - per-socket identity is in the socket's attachment (`ConnState`), never only here;
 * - everything held in fields is a cache, rebuilt from storage on the first event
 *   after a wake (`load`);
 * - the only timer is the one-shot cursor frame, which exists only while cursor
 *   moves wait for the room's send budget (a quiet room sends them at once).
 *
 * It runs past 400 lines (about 1,300) because it is the one place the room's
 * state changes: every handler (connect, hello, mutate, resync, presence,
 * cursor, history requests, alarm, close) runs in the room's single event
 * queue over the caches above, and the exactly-once path (`decide`, shared by
 * mutations, restores and imports) reads top to bottom here; the policy
 * (policy.ts), sync building (sync.ts), retained history (history.ts), webhooks
 * (webhooks.ts), storage and rate limits live beside it.
 */
import { planOps } from "../shared/apply.ts";
import { CommitOutbox } from "./commit-outbox.ts";
import {
  CURSOR_FRAME_MS,
  CURSOR_SEND_BURST,
  CURSOR_SENDS_PER_SEC,
  DEDUPE_MAX_ENTRIES,
  DEDUPE_MIN_RETENTION_MS,
  DEDUPE_RETENTION_MS,
  HELLO_TIMEOUT_MS,
  MAX_CONNECTIONS_PER_CLIENT,
  MAX_CONNECTIONS_PER_IDENTITY,
  MAX_CONNECTIONS_PER_ROOM,
  MAX_HELLO_BYTES,
  MAX_LIVE_BYTES,
  MAX_LIVE_KEYS,
  MAX_LIVE_ROOM_BYTES,
  MAX_MESSAGE_BYTES,
  REJECT_MAX_ENTRIES,
  REJECT_RETENTION_MS,
  SEEN_WRITE_EVERY_MS,
  STALE_AFTER_MS,
  SWEEP_INTERVAL_MS,
  SYNC_BYTES_BURST,
  SYNC_BYTES_PER_SEC,
} from "../shared/limits.ts";
import type { Access } from "./auth.ts";
import { migrateStored, versionRefusal } from "./version-skew.ts";
import {
  type Author,
  type Change,
  type ClientMessage,
  CloseCode,
  ErrorCode,
  type Op,
  type Peer,
  PING_FRAME,
  type PresenceStatus,
  PROTOCOL_VERSION,
  PONG_FRAME,
  type RecordBase,
  type Role,
  type ServerMessage,
  TRY_AGAIN_LATER,
} from "../shared/protocol.ts";
import type { RoomSchema } from "../shared/schema.ts";
import { type HistoryTarget, RoomHistory } from "./history.ts";
import { type CheckpointPolicy, diffBoards, type RetentionPolicy } from "./history-plan.ts";
import { type Budgeted, ConnectionPolicy } from "./policy.ts";
import { TokenBucket } from "./ratelimit.ts";
import type { OutboxEvent, RoomMeta, RoomStorage } from "./storage.ts";
import { type WebhookConfig, type WebhookEventType, Webhooks } from "./webhooks.ts";
import { SyncBuilder } from "./sync.ts";

/** What a socket's attachment holds. Small by construction (≤ ~300 bytes; the
 * platform wants ≤ 2 KB): ids, role, and the presence fields. */
export interface ConnState {
  /** Room-assigned connection id: the identity every broadcast is stamped with. */
  conn: string;
  role: Role;
  /** True once the hello was accepted (and until the room drops the socket). */
  ready: boolean;
  /** When the socket was accepted (ms): liveness baseline before any ping. */
  at: number;
  /** When its access token expires (ms), if access control is on. */
  exp?: number;
  /** Who holds it, for MAX_CONNECTIONS_PER_IDENTITY: `s:<token subject>` or
   * `i:<IP address>`; absent when neither is known (local development). */
  ident?: string;
  /** The token's subject, if any, for the app's authorization hook. */
  sub?: string;
  /** Its last frame (ms), written at most every SEEN_WRITE_EVERY_MS: silence
   * is measured from here across hibernation. */
  seen?: number;
  /** The epoch it was told, kept only while the room has never been written:
   * that epoch exists nowhere else, and a wake must not invent another. */
  epoch?: string;
  clientId?: string;
  name?: string;
  color?: string;
  status?: PresenceStatus;
}

/** The three things the room does with a socket, plus its attachment. */
export interface RoomSocket {
  send(frame: string): void;
  close(code: number, reason: string): void;
  getState(): ConnState | null;
  setState(state: ConnState): void;
}

export interface LogLine {
  level: "info" | "warn" | "error";
  event: string;
  room: string;
  conn?: string;
  type?: string;
  code?: string;
  detail?: string;
}

export interface RoomHost<R extends RecordBase = RecordBase> {
  readonly storage: RoomStorage<R>;
  /** The open sockets of this room (after a wake: all of them, with attachments). */
  sockets(): Iterable<RoomSocket>;
  now(): number;
  /** One-shot timer. Used only for cursor frames. */
  setTimeout(fn: () => void, ms: number): void;
  /** The room's single alarm (Durable Object alarms survive hibernation and eviction). */
  getAlarm(): Promise<number | null>;
  setAlarm(at: number): Promise<void>;
  /** When the runtime last auto-answered this socket's ping (ms), if it can tell. */
  lastPing(socket: RoomSocket): number | null;
  log(line: LogLine): void;
  /** Where this deployment's webhooks go (webhooks.ts); absent or null: off. */
  webhook?: WebhookConfig | null;
  /** The fetch webhooks are sent with (default: the global one). */
  fetch?: typeof fetch;
}

export interface RoomStats {
  room: string;
  /** null: the room was never written (nothing is stored for it). */
  epoch: string | null;
  connections: number;
  seq: number;
  records: number;
  logSize: number;
  /** Bytes of the op-log entries kept (bounded by LOG_MAX_BYTES). */
  logBytes: number;
  storageBytes: number | null;
  messagesPerSec: number;
  messages: number;
  mutations: number;
  rejects: number;
  duplicatesDropped: number;
  rateLimited: number;
  badFrames: number;
  /** Counters are kept in memory: they restart after a hibernation or eviction. */
  since: number;
}

/** What the adapter knows about a connection besides its token. */
export interface ConnectInfo {
  /** The client's address (CF-Connecting-IP); loopback addresses are ignored,
   * since local development and the benchmark connect everyone from one machine. */
  ip?: string | null;
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/** Who is asking, as the app's hooks see it. */
export interface Actor {
  conn: string;
  role: Role;
  clientId: string;
  /** The access token's subject, when the deployment uses tokens with one. */
  subject: string | null;
}

/** Who an HTTP API mutation is, to the app's hooks: an editor with the conn
 * id `api` (no socket has it: room-assigned ids are 8 characters). */
export const API_ACTOR: Actor = Object.freeze({ conn: "api", role: "editor", clientId: "api", subject: null });

/** What became of a mutation: the frame the socket gets, the body the HTTP API returns. */
export type MutationResult = { type: "ack"; mid: string; seq: number; dup?: true } | { type: "reject"; mid: string; code: ErrorCode; message: string };

/** The board at one seq (`epoch` null: never written). */
export interface RoomSnapshot<R extends RecordBase = RecordBase> {
  seq: number;
  epoch: string | null;
  records: R[];
}

/** The app's say in what the room does. Hooks run inside the room's one event
 * queue, so they see the room exactly as the mutation does. */
export interface RoomHooks<R extends RecordBase = RecordBase> {
  /**
   * May `actor` apply `op`? Called for every op of a mutation that passed the
   * schema, before anything is written, with the record as it is before the op
   * (`undefined` for a new one). Return `true`, or a sentence saying why not:
   * the whole mutation is then rejected with FORBIDDEN and that sentence —
   * inside the same exactly-once path as every mutation (a retried mid gets
   * the same answer while it is remembered). Throwing rejects it with INTERNAL.
   */
  authorize?(actor: Actor, op: Op<R>, before: R | undefined): true | string;
  /** A mutation was committed and acknowledged. Errors are logged, never sent
   * to a client; the room does not wait for a returned promise. */
  onCommit?(change: Change<R>, room: { id: string; records: ReadonlyMap<string, R> }): void | Promise<void>;
}

/** Per-room options; every limit defaults to its constant in limits.ts. */
export interface RoomOptions<R extends RecordBase = RecordBase> {
  hooks?: RoomHooks<R>;
  /** Retained history on or off (default: the schema's `history`, itself
   * default on): the benchmark compares the two. */
  history?: boolean;
  /** Overrides of the history policy's constants (tests; rooms that want more or less). */
  historyPolicy?: { checkpoint?: Partial<CheckpointPolicy>; retention?: Partial<RetentionPolicy> };
  /** Overrides for tests (and rooms of very large boards). */
  maxRoomBytes?: number;
  syncBytesPerSec?: number;
  syncBytesBurst?: number;
  /** The frame send budget (CURSOR_SENDS_PER_SEC / CURSOR_SEND_BURST); the
   * fuzz runs some seeds on a tiny one, so commits batch under its network. */
  frameSendsPerSec?: number;
  frameSendBurst?: number;
}

/** 8 random base-36 characters: a connection id nobody can choose. */
function randomId(): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  let s = "";
  for (const b of bytes) s += (b % 36).toString(36);
  return s;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Who a connection is, as history records it: its conn, name and token subject. */
function authorOf(st: ConnState): Author {
  return { by: st.conn, ...(st.name ? { name: st.name } : {}), ...(st.sub ? { sub: st.sub } : {}) };
}

/** Close a socket that may already be closing (the runtime throws on a second
 * close); one failed close must not abort a sweep over the other sockets. */
function closeQuietly(socket: RoomSocket, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    // already closed
  }
}

export class Room<R extends RecordBase = RecordBase> {
  private loading: Promise<void> | null = null;
  private meta: RoomMeta | null = null;
  /** False until the first commit: a room that was only read or joined has
   * nothing in storage, and its epoch lives only here. */
  private stored = false;
  private records = new Map<string, R>();
  private recordSeq = new Map<string, number>();
  /** Serialized size per record, and their sum (MAX_ROOM_BYTES). */
  private recordBytes = new Map<string, number>();
  private totalBytes = 0;
  private readonly sync: SyncBuilder;
  /** Sync bytes sent by the whole room (SYNC_BYTES_PER_SEC). */
  private readonly syncBudget: TokenBucket;
  /** Every event runs through this chain, one at a time, so a mutation's
   * read-validate-commit-ack sequence never interleaves with another's. */
  private queue: Promise<void> = Promise.resolve();
  private policies = new Map<string, ConnectionPolicy>();
  /** Commits (changes and their acks) waiting for the next frame, in seq order. */
  private readonly outbox = new CommitOutbox();
  private pendingCursors = new Map<string, [number, number] | null>();
  /** Live state (see `live`): what changed since the last frame, as
   * `[conn, key, data]` JSON entries, and the current value of every key. */
  private pendingLive = new Map<string, string>();
  private currentLive = new Map<string, Map<string, string>>();
  private liveBytes = 0;
  private lastCursors = new Map<string, [number, number]>();
  private frameScheduled = false;
  /** The cursor-frame send budget (limits.ts): sends left, refilled at
   * CURSOR_SENDS_PER_SEC up to CURSOR_SEND_BURST; a frame may overdraw it by
   * at most one CURSOR_FRAME_MS worth, so no frame ever waits longer. */
  private frameSends: number;
  private frameSendsAt = 0;
  private readonly frameRate: number;
  private readonly frameBurst: number;
  private alarmChecked = false;
  /** Syncs from a seq up to this one are snapshots: records were migrated at
   * load (version-skew.ts), and the op log before it holds the old shape. */
  private snapshotThrough = 0;
  private readonly counters = {
    messages: 0,
    mutations: 0,
    rejects: 0,
    duplicatesDropped: 0,
    rateLimited: 0,
    badFrames: 0,
  };
  private readonly since: number;
  /** Message counts per wall-clock second, last 10 seconds, for messages/s. */
  private readonly perSecond = new Map<number, number>();

  private readonly maxRoomBytes: number;
  /** Retained history (history.ts): checkpoints, previews, versions. */
  readonly history: RoomHistory<R>;
  private readonly webhooks: Webhooks;
  readonly roomId: string;
  private readonly host: RoomHost<R>;
  private readonly schema: RoomSchema<R>;
  private readonly hooks: RoomHooks<R>;

  constructor(roomId: string, host: RoomHost<R>, schema: RoomSchema<R>, options: RoomOptions<R> = {}) {
    this.roomId = roomId;
    this.host = host;
    this.schema = schema;
    this.hooks = options.hooks ?? {};
    this.since = host.now();
    this.maxRoomBytes = options.maxRoomBytes ?? schema.limits.maxRoomBytes;
    this.sync = new SyncBuilder(host.storage);
    this.history = new RoomHistory(host.storage, options.history ?? schema.history, options.historyPolicy);
    this.webhooks = new Webhooks(host.webhook ?? null, host.storage as RoomStorage, schema.party, roomId);
    this.frameRate = options.frameSendsPerSec ?? CURSOR_SENDS_PER_SEC;
    this.frameBurst = options.frameSendBurst ?? CURSOR_SEND_BURST;
    this.frameSends = this.frameBurst;
    this.syncBudget = new TokenBucket(options.syncBytesPerSec ?? SYNC_BYTES_PER_SEC, options.syncBytesBurst ?? SYNC_BYTES_BURST, host.now());
  }

  // -------------------------------------------------------------------------
  // Host entry points

  /** A socket was accepted. `access` is the adapter's verdict on its token (or a
   * promise of it): queued like every event, so no frame of this socket is
   * handled before its verdict, and a full room is refused in arrival order. */
  connect(socket: RoomSocket, access: Access | Promise<Access>, info: ConnectInfo = {}): Promise<void> {
    return this.enqueue(async () => {
      const verdict = await access;
      if (!verdict.ok) return this.refuse(socket, verdict.code, verdict.message, verdict.close, verdict.code);
      const ident = verdict.subject ? `s:${verdict.subject.slice(0, 64)}` : info.ip && !LOOPBACK.test(info.ip) ? `i:${info.ip.slice(0, 64)}` : undefined;
      let open = 0;
      let mine = 0;
      for (const s of this.host.sockets()) {
        const other = s !== socket ? s.getState() : null;
        if (!other) continue;
        open++;
        if (ident !== undefined && other.ident === ident) mine++;
      }
      // The identity's share first: one person cannot fill the room for the rest.
      if (mine >= MAX_CONNECTIONS_PER_IDENTITY) {
        const message = `you hold ${MAX_CONNECTIONS_PER_IDENTITY} connections to this room; close one (retrying)`;
        return this.refuse(socket, ErrorCode.TOO_MANY_CONNECTIONS, message, CloseCode.TOO_MANY_CONNECTIONS, "too many connections");
      }
      if (open >= MAX_CONNECTIONS_PER_ROOM) {
        const message = `room holds ${MAX_CONNECTIONS_PER_ROOM} connections (retrying)`;
        return this.refuse(socket, ErrorCode.ROOM_FULL, message, CloseCode.ROOM_FULL, "room full");
      }
      const state: ConnState = { conn: randomId(), role: verdict.role, ready: false, at: this.host.now() };
      if (verdict.expiresAt) state.exp = verdict.expiresAt;
      if (ident) state.ident = ident;
      if (verdict.subject) state.sub = verdict.subject.slice(0, 64);
      socket.setState(state);
      this.log("info", "connect", state.conn);
      await this.ensureSweep();
    });
  }

  /** Refuse a socket before it holds any state: say why, then close. */
  private refuse(socket: RoomSocket, code: ErrorCode, message: string, close: number, reason: string): void {
    this.sendTo(socket, { type: "error", code, message });
    closeQuietly(socket, close, reason);
    this.log("warn", "refused", undefined, undefined, code);
  }

  /** Resolves once every event queued so far has been handled. */
  settled(): Promise<void> {
    return this.enqueue(() => {});
  }

  /** The alarm fired: drop sockets that stopped pinging (half-open), then
   * re-arm only while sockets remain, so an empty room sleeps for good. */
  alarm(): Promise<void> {
    let sending: OutboxEvent[] = [];
    const swept = this.enqueue(async () => {
      const now = this.host.now();
      let remaining = 0;
      let left = false;
      for (const s of this.host.sockets()) {
        const st = s.getState();
        if (!st) continue;
        // Silence is measured from the newest sign of life that survives a
        // hibernation — the accept, the last frame written to the attachment,
        // the runtime's last auto-answered ping — or, while awake, the last
        // frame seen by this instance. No wake resets the clock.
        const seen = Math.max(st.at, st.seen ?? 0, this.host.lastPing(s) ?? 0, this.policies.get(st.conn)?.lastMessageAt ?? 0);
        const silent = now - seen > STALE_AFTER_MS;
        const noHello = !st.ready && now - st.at > HELLO_TIMEOUT_MS;
        if (st.exp !== undefined && now >= st.exp) {
          this.expire(s, st);
          continue;
        }
        if (!silent && !noHello) {
          remaining++;
          continue;
        }
        left ||= st.ready;
        this.dismiss(s, st, 1001, noHello ? "no hello" : "no ping");
        this.log("info", "stale", st.conn, undefined, undefined, noHello ? "no hello" : `silent ${now - seen} ms`);
      }
      this.alarmChecked = false;
      if (left) await this.noteEmpty();
      if (this.stored) {
        try {
          await this.history.tick({ meta: this.meta!, records: this.records }, now);
        } catch (err) {
          this.log("error", "checkpoint_failed", undefined, undefined, ErrorCode.INTERNAL, err instanceof Error ? err.stack : String(err));
        }
      }
      if (remaining > 0) await this.ensureSweep();
      if (this.webhooks.enabled) {
        await this.load();
        sending = await this.webhooks.due(now, this.meta!.seq);
        // Events not due yet keep the alarm set, sockets or not.
        const next = sending.length ? null : await this.webhooks.nextDue();
        if (next !== null) await this.wantAlarm(next);
      }
    });
    // Delivery runs outside the queue (a slow receiver holds up no edit);
    // recording the outcomes and re-arming the alarm run inside it.
    return swept.then(async () => {
      if (!sending.length) return;
      const attempts = await this.webhooks.send(sending, this.host.fetch ?? fetch, this.host.now());
      await this.enqueue(async () => {
        await this.webhooks.settle(attempts, this.host.now(), (event, detail) => this.log(event === "webhook_dropped" ? "warn" : "info", event, undefined, undefined, undefined, detail));
        const next = await this.webhooks.nextDue();
        if (next !== null) await this.wantAlarm(next);
      });
    });
  }

  /** Make sure the alarm fires by `at` (the sweep's and the webhooks' share one). */
  private async wantAlarm(at: number): Promise<void> {
    const current = await this.host.getAlarm();
    if (current === null || current > at) await this.host.setAlarm(at);
  }

  /** Queue a webhook event (after the ack: a failure is logged, never a reject). */
  private async notify(type: WebhookEventType, data: Record<string, unknown>): Promise<void> {
    if (!this.webhooks.enabled) return;
    try {
      const due = await this.webhooks.add(type, data, this.host.now(), (event, detail) => this.log("warn", event, undefined, undefined, undefined, detail));
      if (due !== null) await this.wantAlarm(due);
    } catch (err) {
      this.log("error", "webhook_failed", undefined, undefined, ErrorCode.INTERNAL, err instanceof Error ? err.stack : String(err));
    }
  }

  /** The last accepted connection left: `room.emptied`. */
  private async noteEmpty(): Promise<void> {
    if (!this.webhooks.enabled || this.readySockets().length > 0) return;
    await this.load();
    if (this.stored) await this.notify("room.emptied", { seq: this.meta!.seq, epoch: this.meta!.epoch });
  }

  /** A frame arrived. Never throws; resolves when the frame was handled. */
  message(socket: RoomSocket, data: string | ArrayBuffer | ArrayBufferView): Promise<void> {
    return this.enqueue(() => this.handle(socket, data));
  }

  /** The socket closed (cleanly or not). Broadcasts the leave. */
  close(socket: RoomSocket): Promise<void> {
    return this.enqueue(async () => {
      const st = socket.getState();
      if (!st) return;
      this.dropPresence(st);
      this.log("info", "close", st.conn);
      if (st.ready) await this.noteEmpty();
    });
  }

  private dropPresence(st: ConnState): void {
    this.policies.delete(st.conn);
    this.lastCursors.delete(st.conn);
    this.pendingCursors.delete(st.conn);
    // A peer's live state goes with it: `leave` implies it, like its cursor.
    for (const json of this.currentLive.get(st.conn)?.values() ?? []) this.liveBytes -= json.length;
    this.currentLive.delete(st.conn);
    for (const k of this.pendingLive.keys()) if (k.startsWith(`${st.conn}\u0000`)) this.pendingLive.delete(k);
    if (st.ready) this.broadcast({ type: "leave", conn: st.conn }, st.conn);
  }

  /** Arm the sweep alarm if none is set (checked once per object lifetime). */
  private async ensureSweep(): Promise<void> {
    if (this.alarmChecked) return;
    this.alarmChecked = true;
    if ((await this.host.getAlarm()) === null) await this.host.setAlarm(this.host.now() + SWEEP_INTERVAL_MS);
  }

  /** Reads only: the stats of a room that was never written create nothing. */
  async stats(): Promise<RoomStats> {
    await this.enqueue(() => this.load());
    const now = this.host.now();
    let recent = 0;
    for (const [sec, n] of this.perSecond) if (sec >= Math.floor(now / 1000) - 10 && sec < Math.floor(now / 1000)) recent += n;
    const meta = this.meta!;
    return {
      room: this.roomId,
      epoch: this.stored ? meta.epoch : null,
      connections: this.readySockets().length,
      seq: meta.seq,
      records: this.records.size,
      logSize: meta.seq - meta.logStart + 1,
      logBytes: this.sync.log.bytes,
      storageBytes: this.host.storage.sizeBytes(),
      messagesPerSec: recent / 10,
      ...this.counters,
      since: this.since,
    };
  }

  // -------------------------------------------------------------------------

  private enqueue(task: () => Promise<void> | void): Promise<void> {
    const run = this.queue.then(task).catch((err: unknown) => {
      // The room must outlive any bug in one handler; the client gets INTERNAL,
      // the stack stays in our logs.
      this.log("error", "handler_failed", undefined, undefined, ErrorCode.INTERNAL, err instanceof Error ? err.stack : String(err));
    });
    this.queue = run;
    return run;
  }

  /** Rebuild the cache from storage. Writes nothing: a room that was never
   * written gets an epoch in memory, persisted by its first commit. */
  private load(): Promise<void> {
    this.loading ??= (async () => {
      const loaded = await this.host.storage.load();
      this.stored = loaded.meta !== null;
      const meta = loaded.meta ?? { epoch: this.unwrittenEpoch() ?? randomId(), seq: 0, logStart: 1 };
      this.meta = meta;
      this.records = loaded.records;
      this.recordSeq = loaded.recordSeq;
      // Records older code stored are read through the app's migrations; no
      // delta reaches across that (its logged ops are in the old shape).
      const { migrated, unreadable } = migrateStored(this.schema, this.records);
      this.snapshotThrough = migrated > 0 ? meta.seq : 0;
      if (migrated || unreadable.length) this.log(unreadable.length ? "warn" : "info", "records_migrated", undefined, undefined, undefined, `${migrated} migrated to schema ${this.schema.version}; unreadable: ${unreadable.slice(0, 8).join(",") || "none"}`);
      this.recordBytes = new Map();
      this.totalBytes = 0;
      for (const [id, rec] of this.records) {
        const size = JSON.stringify(rec).length;
        this.recordBytes.set(id, size);
        this.totalBytes += size;
      }
      this.sync.log.reset(meta.logStart, loaded.logBytes);
      this.sync.invalidate();
    })().catch((err: unknown) => {
      this.loading = null; // let the next event retry the load
      throw err;
    });
    return this.loading;
  }

  /** The epoch sockets were told before the room's first write (see ConnState.epoch). */
  private unwrittenEpoch(): string | undefined {
    for (const s of this.host.sockets()) {
      const epoch = s.getState()?.epoch;
      if (epoch) return epoch;
    }
    return undefined;
  }

  private policyFor(conn: string): ConnectionPolicy {
    let policy = this.policies.get(conn);
    if (!policy) {
      policy = new ConnectionPolicy(this.host.now());
      this.policies.set(conn, policy);
    }
    return policy;
  }

  /**
   * Spend the connection's budget for a frame of `kind`. On "limited" the frame
   * is dropped and the client told (by `notice`, at most once a second when the
   * frame is lossy); past the policy's limit the connection is kicked. Returns
   * whether the frame may proceed.
   */
  private admit(socket: RoomSocket, st: ConnState, kind: Budgeted, notice: ServerMessage<R>, lossy = false): boolean {
    const policy = this.policyFor(st.conn);
    const verdict = policy.admit(kind, this.host.now());
    if (verdict === "ok") return true;
    this.counters.rateLimited++;
    if (verdict === "kick") {
      this.kick(socket, st, kind === "mutate" ? "mutation flood" : `${kind} flood`);
      return false;
    }
    if (!lossy || policy.shouldNotice(this.host.now())) this.sendTo(socket, notice);
    return false;
  }

  /** A frame the room cannot use: answer it, count it, kick past MAX_BAD_FRAMES. */
  private badFrame(socket: RoomSocket, st: ConnState, answer: ServerMessage<R>, why: string): void {
    this.counters.badFrames++;
    this.sendTo(socket, answer);
    if (this.policyFor(st.conn).badFrame() === "kick") this.kick(socket, st, why);
  }

  private async handle(socket: RoomSocket, data: string | ArrayBuffer | ArrayBufferView): Promise<void> {
    let st = socket.getState();
    if (!st) return; // refused at connect; nothing more to say
    const policy = this.policyFor(st.conn);
    // A flood keeps arriving after the kick (the runtime already queued it);
    // handling it would stall everyone else in the room for seconds.
    if (policy.closedByRoom) return;
    const now = this.host.now();
    policy.lastMessageAt = now;
    if (now - (st.seen ?? st.at) >= SEEN_WRITE_EVERY_MS) {
      st = { ...st, seen: now };
      socket.setState(st);
    }
    this.counters.messages++;
    const sec = Math.floor(now / 1000);
    this.perSecond.set(sec, (this.perSecond.get(sec) ?? 0) + 1);
    if (this.perSecond.size > 12) for (const k of this.perSecond.keys()) if (k < sec - 11) this.perSecond.delete(k);

    const parsed = this.schema.protocol.parseClientMessage(data, MAX_MESSAGE_BYTES);
    if (!parsed.ok) {
      this.log("warn", "bad_frame", st.conn, parsed.ref, parsed.code, parsed.message);
      if (parsed.mid) {
        // Recognisably a mutation: reject it by name so the client rolls it back.
        this.counters.rejects++;
        this.badFrame(socket, st, { type: "reject", mid: parsed.mid, code: parsed.code, message: parsed.message }, "too many bad frames");
      } else {
        this.badFrame(socket, st, { type: "error", code: parsed.code, message: parsed.message, ...(parsed.ref ? { ref: parsed.ref } : {}) }, "too many bad frames");
      }
      return;
    }
    const msg = parsed.value;
    // Small frames have small limits: nothing but the exact ping is free, and
    // a hello carries a few hundred bytes.
    if (msg.type === "ping" && data !== PING_FRAME) {
      return this.badFrame(socket, st, { type: "error", code: ErrorCode.BAD_MESSAGE, message: `send the exact ping frame ${PING_FRAME}`, ref: "ping" }, "bad pings");
    }
    if (msg.type === "hello" && (data as string).length > MAX_HELLO_BYTES) {
      const message = `a hello of ${(data as string).length} bytes exceeds ${MAX_HELLO_BYTES}`;
      return this.badFrame(socket, st, { type: "error", code: ErrorCode.TOO_LARGE, message, ref: "hello" }, "bad hellos");
    }
    if (st.exp !== undefined && now >= st.exp && msg.type !== "ping") {
      // Not handled: a mutation stays pending in the client and is resent once
      // it has reconnected with a fresh token.
      this.expire(socket, st);
      return;
    }
    try {
      await this.dispatch(socket, st, msg);
    } catch (err) {
      this.log("error", "handler_failed", st.conn, msg.type, ErrorCode.INTERNAL, err instanceof Error ? err.stack : String(err));
      if (msg.type === "mutate") {
        this.counters.rejects++;
        this.sendTo(socket, { type: "reject", mid: msg.mid, code: ErrorCode.INTERNAL, message: "the room could not apply this mutation; retry" });
      } else {
        this.sendTo(socket, { type: "error", code: ErrorCode.INTERNAL, message: "internal error", ref: msg.type });
      }
    }
  }

  private async dispatch(socket: RoomSocket, st: ConnState, msg: ClientMessage<R>): Promise<void> {
    if (msg.type === "ping") {
      socket.send(PONG_FRAME);
      return;
    }
    if (msg.type === "hello") return this.hello(socket, st, msg);
    if (!st.ready) {
      return this.badFrame(socket, st, { type: "error", code: ErrorCode.HANDSHAKE_REQUIRED, message: "send hello first", ref: msg.type }, "no hello");
    }
    switch (msg.type) {
      case "resync": {
        const limited = { type: "error", code: ErrorCode.RATE_LIMITED, message: "too many resync requests", ref: "resync" } as const;
        if (!this.admit(socket, st, "resync", limited)) return;
        await this.load();
        const sync = await this.sync.build(this.meta!, this.records, this.totalBytes, msg.lastSeq <= this.snapshotThrough && this.snapshotThrough > 0 ? null : msg.epoch, msg.lastSeq);
        if (!this.syncBudget.take(this.host.now(), sync.frame.length)) {
          this.counters.rateLimited++;
          this.sendTo(socket, { ...limited, message: "the room is busy sending syncs; retry shortly" });
          return;
        }
        this.sendFrame(socket, sync.frame);
        return;
      }
      case "mutate":
        return this.mutate(socket, st, msg.mid, msg.ops);
      case "cursor":
        return this.cursor(socket, st, msg.p);
      case "presence":
        return this.presence(socket, st, msg);
      case "live":
        return this.live(socket, st, msg.key, msg.data);
      case "history":
      case "preview":
      case "restore":
      case "version":
        return this.historyRequest(socket, st, msg);
    }
  }

  /** The four history messages (PROTOCOL.md §15): one token bucket; answers
   * to the asker only; previews charged to the room's sync budget. */
  private async historyRequest(socket: RoomSocket, st: ConnState, msg: Extract<ClientMessage<R>, { type: "history" | "preview" | "restore" | "version" }>): Promise<void> {
    const rid = "rid" in msg && msg.rid ? { rid: msg.rid } : {};
    const fail = (code: ErrorCode, message: string) => this.sendTo(socket, { type: "error", code, message, ref: msg.type, ...rid });
    const limited = msg.type === "restore" ? ({ type: "reject", mid: msg.mid, code: ErrorCode.RATE_LIMITED, message: "too many history requests; retry shortly" } as const) : ({ type: "error", code: ErrorCode.RATE_LIMITED, message: "too many history requests; slow down", ref: msg.type, ...rid } as const);
    if (!this.admit(socket, st, "history", limited)) return;
    await this.load();
    const view = { meta: this.meta!, records: this.records };
    const author = authorOf(st);
    if (msg.type === "history") {
      const page = await this.history.page(this.meta!.seq, msg.before, msg.limit ?? 100);
      return this.sendTo(socket, { type: "history", ...rid, ...page });
    }
    if (msg.type === "preview") {
      const board = await this.history.boardAt(msg.seq !== undefined ? { seq: msg.seq } : { version: msg.version! }, view);
      if ("code" in board) return fail(board.code, board.message);
      const frame = JSON.stringify({ type: "preview", ...rid, ...board });
      if (!this.syncBudget.take(this.host.now(), frame.length)) {
        this.counters.rateLimited++;
        return fail(ErrorCode.RATE_LIMITED, "the room is busy sending boards; retry shortly");
      }
      return this.sendFrame(socket, frame);
    }
    if (st.role !== "editor") {
      if (msg.type === "restore") return this.sendTo(socket, { type: "reject", mid: msg.mid, code: ErrorCode.FORBIDDEN, message: "viewers cannot restore this room" });
      return fail(ErrorCode.FORBIDDEN, "viewers cannot name versions");
    }
    if (msg.type === "version") {
      const saved = await this.history.nameVersion(msg.name, msg.seq, author, view, this.host.now());
      if ("code" in saved) return fail(saved.code, saved.message);
      return this.sendTo(socket, { type: "version", ...rid, ...saved });
    }
    const actor: Actor = { conn: st.conn, role: st.role, clientId: st.clientId ?? "", subject: st.sub ?? null };
    await this.restoreAs(actor, author, msg.mid, msg.seq !== undefined ? { seq: msg.seq } : { version: msg.version! }, (result) => {
      if (result.type === "reject") this.counters.rejects++;
      this.sendTo(socket, result);
    });
  }

  /**
   * Restore: one mutation, exactly once by `mid`, whose ops the room computes
   * (the diff from the current board to the one at `target`) and decides
   * through the same path as every mutation. Its change is marked `restored`.
   */
  private async restoreAs(actor: Actor, author: Author, mid: string, target: HistoryTarget, answer: (result: MutationResult) => void): Promise<void> {
    let restored = 0;
    const ops = async (): Promise<Op<R>[] | { code: ErrorCode; message: string }> => {
      const board = await this.history.boardAt(target, { meta: this.meta!, records: this.records });
      if ("code" in board) return board;
      restored = board.seq;
      const ops = diffBoards(this.schema.fixed, this.records, board.records);
      // Its change goes to every socket: charged like a sync, so restores in
      // a loop cannot make the room send boards without bound.
      if (!this.syncBudget.take(this.host.now(), JSON.stringify(ops).length)) {
        this.counters.rateLimited++;
        return { code: ErrorCode.RATE_LIMITED, message: "the room is busy sending boards; retry the restore shortly" };
      }
      return ops;
    };
    await this.decide(actor, mid, ops, answer, () => true, { author, kind: "restore", restored: () => restored });
  }

  private async hello(socket: RoomSocket, st: ConnState, msg: Extract<ClientMessage<R>, { type: "hello" }>): Promise<void> {
    const refusal = versionRefusal(msg, this.schema.version);
    if (refusal) {
      const message = refusal;
      this.sendTo(socket, { type: "error", code: ErrorCode.UNSUPPORTED_VERSION, message, ref: "hello", v: PROTOCOL_VERSION, schema: this.schema.version });
      closeQuietly(socket, CloseCode.UNSUPPORTED_VERSION, "unsupported protocol version");
      this.log("warn", "bad_version", st.conn, "hello", ErrorCode.UNSUPPORTED_VERSION, String(msg.v));
      return;
    }
    if (st.ready) {
      return this.badFrame(socket, st, { type: "error", code: ErrorCode.BAD_MESSAGE, message: "hello was already accepted; use resync", ref: "hello" }, "repeated hellos");
    }
    let sameClient = 0;
    for (const s of this.readySockets()) if (s.getState()!.clientId === msg.clientId) sameClient++;
    if (sameClient >= MAX_CONNECTIONS_PER_CLIENT) {
      const message = `client ${msg.clientId} holds ${MAX_CONNECTIONS_PER_CLIENT} connections to this room (retrying)`;
      this.dismiss(socket, st, CloseCode.TOO_MANY_CONNECTIONS, "too many connections", { code: ErrorCode.TOO_MANY_CONNECTIONS, message });
      this.log("warn", "refused", st.conn, "hello", ErrorCode.TOO_MANY_CONNECTIONS);
      return;
    }
    await this.load();
    const sync = await this.sync.build(this.meta!, this.records, this.totalBytes, msg.lastSeq <= this.snapshotThrough && this.snapshotThrough > 0 ? null : msg.epoch, msg.lastSeq);
    if (!this.syncBudget.take(this.host.now(), sync.frame.length)) {
      // Every joiner at once (a deploy, a popular link): the rest come back
      // with their own backoff and jitter instead of all being served now.
      this.counters.rateLimited++;
      const error = { code: ErrorCode.RATE_LIMITED, message: "the room is busy; reconnecting shortly" };
      this.dismiss(socket, st, TRY_AGAIN_LATER, "busy", error);
      this.log("warn", "sync_budget", st.conn, "hello", ErrorCode.RATE_LIMITED, `${sync.frame.length} bytes`);
      return;
    }
    // Commits still queued go to the sockets that were here; the newcomer's
    // sync already holds them.
    this.flushCommits();
    const next: ConnState = { ...st, ready: true, clientId: msg.clientId, name: msg.name, color: msg.color, status: "active" };
    if (!this.stored) next.epoch = this.meta!.epoch;
    socket.setState(next);
    const self = this.peerOf(next);
    const peers: Peer[] = [];
    for (const s of this.readySockets()) {
      const other = s.getState()!;
      if (other.conn !== next.conn) peers.push(this.peerOf(other));
    }
    this.sendTo(socket, { type: "welcome", v: PROTOCOL_VERSION, schema: this.schema.version, room: this.roomId, self, peers });
    this.sendFrame(socket, sync.frame);
    if (this.lastCursors.size || this.currentLive.size) {
      const f: string[] = [];
      for (const [conn, [x, y]] of this.lastCursors) if (conn !== next.conn) f.push(JSON.stringify([conn, x, y]));
      const l: string[] = [];
      for (const [conn, keys] of this.currentLive) if (conn !== next.conn) for (const [key, json] of keys) l.push(`[${JSON.stringify(conn)},${JSON.stringify(key)},${json}]`);
      if (f.length || l.length) this.sendFrame(socket, `{"type":"cursors","f":[${f.join(",")}]${l.length ? `,"l":[${l.join(",")}]` : ""}}`);
    }
    this.broadcast({ type: "join", peer: self }, next.conn);
    this.log("info", "hello", next.conn, "hello", undefined, sync.mode);
  }

  private async mutate(socket: RoomSocket, st: ConnState, mid: string, ops: Op<R>[]): Promise<void> {
    const answer = (result: MutationResult) => {
      if (result.type === "reject") {
        this.counters.rejects++;
        this.log("info", "reject", st.conn, "mutate", result.code, result.message);
      }
      this.sendTo(socket, result);
    };
    if (st.role !== "editor") return answer({ type: "reject", mid, code: ErrorCode.FORBIDDEN, message: "viewers cannot edit this room" });
    if (!this.admit(socket, st, "mutate", { type: "reject", mid, code: ErrorCode.RATE_LIMITED, message: "too many mutations; retry shortly" })) return;
    const actor: Actor = { conn: st.conn, role: st.role, clientId: st.clientId ?? "", subject: st.sub ?? null };
    const limited = { type: "reject", mid, code: ErrorCode.RATE_LIMITED, message: "too many refused mutations; retry shortly" } as const;
    await this.decide(actor, mid, ops, answer, () => this.admit(socket, st, "refusal", limited), { author: authorOf(st), ackTo: st.conn });
  }

  /**
   * A mutation from the HTTP API (party/engine/http-api.ts), as an editor
   * with the actor `API_ACTOR`. It runs in the room's one event queue, through
   * the same planner, authorization hook, exactly-once table and commit as a
   * socket's `mutate`; the room's sockets see it as an ordinary `change`.
   * Resolves with the ack or the typed reject (a repeated `mid`: the original).
   */
  apiMutate(mid: string, ops: Op<R>[]): Promise<MutationResult> {
    let out: MutationResult = { type: "reject", mid, code: ErrorCode.INTERNAL, message: "the room could not apply this mutation; retry" };
    return this.enqueue(async () => {
      try {
        await this.decide(API_ACTOR, mid, ops, (result) => (out = result), () => true);
      } catch (err) {
        this.log("error", "handler_failed", API_ACTOR.conn, "mutate", ErrorCode.INTERNAL, err instanceof Error ? err.stack : String(err));
      }
    }).then(() => out);
  }

  /** Run `task` in the room's queue after a load; `fallback` if it throws (logged). */
  private inQueue<T>(fallback: T, task: () => Promise<T>): Promise<T> {
    let out = fallback;
    return this.enqueue(async () => {
      await this.load();
      out = await task();
    }).then(() => out);
  }

  /** HTTP API: one page of history (PROTOCOL.md §15), read only. */
  apiHistory(before: number | undefined, limit: number): ReturnType<RoomHistory<R>["page"]> {
    return this.inQueue({ head: 0, floor: null, checkpoints: [], versions: [], changes: [], more: false }, () => this.history.page(this.meta!.seq, before, limit));
  }

  /** HTTP API: the board at a seq or version (or now, `target` null), read only. */
  apiBoard(target: HistoryTarget | null): Promise<(RoomSnapshot<R> & { version?: string }) | { code: ErrorCode; message: string }> {
    const failed = { code: ErrorCode.INTERNAL, message: "the room could not read its history; retry" };
    return this.inQueue<(RoomSnapshot<R> & { version?: string }) | { code: ErrorCode; message: string }>(failed, async () => {
      const epoch = this.stored ? this.meta!.epoch : null;
      if (target === null) return { seq: this.meta!.seq, epoch, records: [...this.records.values()] };
      const board = await this.history.boardAt(target, { meta: this.meta!, records: this.records });
      return "code" in board ? board : { ...board, epoch };
    });
  }

  /** HTTP API: restore as the API actor, exactly once by `mid`. */
  apiRestore(mid: string, target: HistoryTarget): Promise<MutationResult> {
    return this.inQueue<MutationResult>({ type: "reject", mid, code: ErrorCode.INTERNAL, message: "the room could not restore; retry" }, async () => {
      let out: MutationResult | null = null;
      await this.restoreAs(API_ACTOR, { by: API_ACTOR.conn }, mid, target, (r) => (out = r));
      return out ?? { type: "reject", mid, code: ErrorCode.INTERNAL, message: "the room could not restore; retry" };
    });
  }

  /** HTTP API import (or fork): `records` (already checked against the
   * schema) become the board of a room that was never written, as one
   * mutation, exactly once by `mid`; any other room refuses ROOM_NOT_EMPTY. */
  apiImport(mid: string, records: R[]): Promise<MutationResult> {
    return this.inQueue<MutationResult>({ type: "reject", mid, code: ErrorCode.INTERNAL, message: "the room could not import; retry" }, async () => {
      let out: MutationResult | null = null;
      const ops = async (): Promise<Op<R>[] | { code: ErrorCode; message: string }> =>
        this.stored || this.meta!.seq > 0 ? { code: ErrorCode.ROOM_NOT_EMPTY, message: "import only into a new, empty room" } : records.map((rec) => ({ op: "put" as const, rec }));
      await this.decide(API_ACTOR, mid, ops, (r) => (out = r), () => true, { author: { by: API_ACTOR.conn }, kind: "import" });
      return out ?? { type: "reject", mid, code: ErrorCode.INTERNAL, message: "the room could not import; retry" };
    });
  }

  /** The board as it is now, for the HTTP API. Reads only: a room that was
   * never written answers `{seq: 0, epoch: null, records: []}` and stays unstored. */
  snapshot(): Promise<RoomSnapshot<R>> {
    let out: RoomSnapshot<R> = { seq: 0, epoch: null, records: [] };
    return this.enqueue(async () => {
      await this.load();
      out = { seq: this.meta!.seq, epoch: this.stored ? this.meta!.epoch : null, records: [...this.records.values()] };
    }).then(() => out);
  }

  /**
   * Erase the room for good: every socket is told (`error` ROOM_DELETED) and
   * closed with `CloseCode.ROOM_DELETED`, then storage is wiped and the cache
   * forgotten. A later connection finds an unwritten room with a new epoch.
   */
  erase(): Promise<void> {
    return this.enqueue(async () => {
      for (const s of this.host.sockets()) {
        const st = s.getState();
        if (!st) {
          closeQuietly(s, CloseCode.ROOM_DELETED, "room deleted");
          continue;
        }
        this.dismiss(s, st, CloseCode.ROOM_DELETED, "room deleted", { code: ErrorCode.ROOM_DELETED, message: "this room was deleted" });
      }
      await this.host.storage.erase();
      this.loading = null;
      this.meta = null;
      this.stored = false;
      this.records = new Map();
      this.recordSeq = new Map();
      this.recordBytes = new Map();
      this.totalBytes = 0;
      this.sync.log.reset(1, []);
      this.sync.invalidate();
      this.history.reset();
      this.webhooks.reset();
      this.log("info", "erased");
    });
  }

  /**
   * Decide a mutation, exactly once, for any caller (a socket, the HTTP API):
   * repeat a remembered outcome, or plan, authorize, bound, commit, answer,
   * broadcast. `answer` is called once, with the ack as soon as the commit is
   * durable (before the broadcast), or with the reject. `mayRemember` spends the
   * caller's budget for a stored refusal; false means it already answered.
   */
  private async decide(
    actor: Actor,
    mid: string,
    source: Op<R>[] | (() => Promise<Op<R>[] | { code: ErrorCode; message: string }>),
    answer: (result: MutationResult) => void,
    mayRemember: () => boolean,
    mark: { author?: Author; kind?: "restore" | "import"; restored?: () => number; ackTo?: string } = {},
  ): Promise<void> {
    await this.load();
    const seen = await this.host.storage.findMutation(mid);
    if (seen !== undefined) {
      // Exactly once: already decided (maybe before a reconnect, eviction or
      // restart). Repeat the original result; apply nothing.
      this.counters.duplicatesDropped++;
      if ("seq" in seen) answer({ type: "ack", mid, seq: seen.seq, dup: true });
      else answer({ type: "reject", mid, code: seen.code, message: seen.message });
      return;
    }
    /** A refusal that would not change on a retry is remembered, so a late
     * copy of this mutation (one the client has already rolled back) can never
     * be applied after the fact — within the caller's refusal budget. */
    const refuse = async (code: ErrorCode, message: string) => {
      if (!mayRemember()) return;
      const now = this.host.now();
      await this.host.storage.rememberReject({ mid, code, message, at: now }, { before: now - REJECT_RETENTION_MS, max: REJECT_MAX_ENTRIES });
      answer({ type: "reject", mid, code, message });
    };
    // A restore's ops are computed only now that its mid is known to be new.
    const ops = typeof source === "function" ? await source() : source;
    if (!Array.isArray(ops)) return answer({ type: "reject", mid, ...ops });
    const plan = planOps(this.schema, this.records, ops);
    if (!plan.ok) return refuse(plan.code, plan.message);
    if (this.hooks.authorize) {
      const seen = new Map<string, R | null>();
      for (const op of plan.ops) {
        const id = op.op === "put" ? op.rec.id : op.id;
        const before = seen.has(id) ? (seen.get(id) ?? undefined) : this.records.get(id);
        const verdict = this.hooks.authorize(actor, op, before);
        if (verdict !== true) return answer({ type: "reject", mid, code: ErrorCode.FORBIDDEN, message: String(verdict).slice(0, 200) || "not allowed" });
        seen.set(id, plan.writes.get(id) ?? null);
      }
    }
    let bytes = this.totalBytes;
    for (const id of plan.writes.keys()) bytes += (plan.sizes.get(id) ?? 0) - (this.recordBytes.get(id) ?? 0);
    if (bytes > this.maxRoomBytes && bytes > this.totalBytes) {
      return refuse(ErrorCode.ROOM_LIMIT, `the room would hold ${bytes} bytes of records; the limit is ${this.maxRoomBytes}`);
    }

    const meta = this.meta!;
    const seq = meta.seq + 1;
    const change: Change<R> = { seq, by: actor.conn, mid, ops: plan.ops };
    if (mark.restored) change.restored = mark.restored();
    const changeJson = JSON.stringify(change);
    const nextMeta: RoomMeta = { ...meta, seq };
    const at = this.host.now();
    const summary = this.history.summary(change, mark.author ?? { by: actor.conn }, at, mark.kind);
    const first = !this.stored;
    // Persist before anything leaves the room: the ack promises durability.
    await this.host.storage.commit({ meta: nextMeta, change, changeJson, writes: plan.writes, at, first, ...(summary ? { summary } : {}) });
    this.stored = true;
    this.meta = nextMeta;
    for (const [id, value] of plan.writes) {
      if (value) {
        this.records.set(id, value);
        this.recordSeq.set(id, seq);
        this.recordBytes.set(id, plan.sizes.get(id) ?? 0);
      } else {
        this.records.delete(id);
        this.recordSeq.delete(id);
        this.recordBytes.delete(id);
      }
    }
    this.totalBytes = bytes;
    this.sync.log.append(changeJson.length);
    this.sync.invalidate();
    this.counters.mutations++;
    // The broadcast is the stored entry with its type: serialized once. It
    // waits in the outbox for the next frame (at once in a quiet room).
    const frame = `{"type":"change",${changeJson.slice(1)}`;
    if (typeof source === "function") {
      // Ops the room computed (a restore, an import): the author has no copy
      // of them to apply on the ack, so it gets the change too, just before
      // (answering a socket sends what the outbox holds first).
      this.outbox.push({ frame, except: null });
      answer({ type: "ack", mid, seq });
    } else if (mark.ackTo !== undefined) {
      // A socket's mutation: its ack travels in seq order with the changes.
      this.outbox.push({ frame, except: actor.conn, ackTo: mark.ackTo, ack: JSON.stringify({ type: "ack", mid, seq }) });
    } else {
      answer({ type: "ack", mid, seq });
      this.outbox.push({ frame, except: actor.conn });
    }
    this.scheduleFrame();
    if (this.hooks.onCommit) {
      const onCommit = this.hooks.onCommit;
      void Promise.resolve()
        .then(() => onCommit(change, { id: this.roomId, records: this.records }))
        .catch((err: unknown) => this.log("error", "hook_failed", actor.conn, "mutate", ErrorCode.INTERNAL, err instanceof Error ? err.stack : String(err)));
    }
    await this.compactIfDue();
    try {
      await this.history.afterCommit(changeJson.length, first, { meta: this.meta!, records: this.records }, this.host.now());
    } catch (err) {
      // Like compaction: the mutation is applied; the next commit or alarm retries.
      this.log("error", "checkpoint_failed", undefined, undefined, ErrorCode.INTERNAL, err instanceof Error ? err.stack : String(err));
    }
    await this.notify("room.changed", { fromSeq: seq, toSeq: null, epoch: meta.epoch });
    if (change.restored !== undefined) await this.notify("room.restored", { seq, restored: change.restored, mid, by: actor.conn, epoch: meta.epoch });
  }

  /** Housekeeping after the ack: a failure here must not turn into a reject of
   * a mutation that is already applied. The next commit retries it. */
  private async compactIfDue(): Promise<void> {
    const meta = this.meta!;
    const logStart = this.sync.log.compactionStart(meta.seq);
    if (logStart === null) return;
    const compacted: RoomMeta = { ...meta, logStart };
    try {
      const now = this.host.now();
      const dedupe = { before: now - DEDUPE_RETENTION_MS, max: DEDUPE_MAX_ENTRIES, floor: now - DEDUPE_MIN_RETENTION_MS };
      // History keeps the entries below the window that it still reaches.
      await this.host.storage.compact(compacted, dedupe, await this.history.logFloor(logStart));
      this.meta = compacted;
      this.sync.log.dropBefore(logStart);
      this.log("info", "compacted", undefined, undefined, undefined, `logStart=${logStart}`);
    } catch (err) {
      this.log("error", "compaction_failed", undefined, undefined, ErrorCode.INTERNAL, err instanceof Error ? err.stack : String(err));
    }
  }

  /** Live state: checked against the app's schema for `key`, bounded in size
   * and count, kept in memory only (lost on hibernation, like a cursor), and
   * sent with the next cursor frame. */
  private live(socket: RoomSocket, st: ConnState, key: string, data: unknown): void {
    if (!this.admit(socket, st, "live", { type: "error", code: ErrorCode.RATE_LIMITED, message: "live updates are limited; slow down", ref: "live" }, true)) return;
    const schema = this.schema.live[key];
    if (!schema) {
      return this.badFrame(socket, st, { type: "error", code: ErrorCode.BAD_MESSAGE, message: `no live key ${JSON.stringify(key)} in this room`, ref: "live" }, "bad live keys");
    }
    const keys = this.currentLive.get(st.conn) ?? new Map<string, string>();
    const before = keys.get(key);
    if (data === null) {
      if (before === undefined) return;
      keys.delete(key);
      this.liveBytes -= before.length;
      this.queueLive(st.conn, key, "null");
      if (keys.size === 0) this.currentLive.delete(st.conn);
      return;
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const message = `live ${key}: ${issue?.path.join(".") ?? ""} ${issue?.message ?? "invalid"}`.slice(0, 200);
      return this.badFrame(socket, st, { type: "error", code: ErrorCode.BAD_MESSAGE, message, ref: "live" }, "bad live values");
    }
    const json = JSON.stringify(parsed.data);
    const grows = json.length - (before?.length ?? 0);
    if (json.length > MAX_LIVE_BYTES || (before === undefined && keys.size >= MAX_LIVE_KEYS) || (grows > 0 && this.liveBytes + grows > MAX_LIVE_ROOM_BYTES)) {
      this.sendTo(socket, { type: "error", code: ErrorCode.TOO_LARGE, message: `live ${key} refused: at most ${MAX_LIVE_BYTES} bytes a value, ${MAX_LIVE_KEYS} keys a connection`, ref: "live" });
      return;
    }
    keys.set(key, json);
    this.currentLive.set(st.conn, keys);
    this.liveBytes += grows;
    this.queueLive(st.conn, key, json);
  }

  private queueLive(conn: string, key: string, json: string): void {
    this.pendingLive.set(`${conn}\u0000${key}`, json);
    this.scheduleFrame();
  }

  private cursor(socket: RoomSocket, st: ConnState, p: [number, number] | null): void {
    // Cursor moves are lossy: drop, tell the client at most once a second.
    const notice = { type: "error", code: ErrorCode.RATE_LIMITED, message: "cursor moves are limited; slow down", ref: "cursor" } as const;
    if (!this.admit(socket, st, "cursor", notice, true)) return;
    const pos: [number, number] | null = p ? [round1(p[0]), round1(p[1])] : null;
    this.pendingCursors.set(st.conn, pos);
    if (pos) this.lastCursors.set(st.conn, pos);
    else this.lastCursors.delete(st.conn);
    this.scheduleFrame();
  }

  private scheduleFrame(): void {
    if (this.frameScheduled) return;
    this.frameScheduled = true;
    // While the send budget lasts, the frame leaves at the end of this turn (a
    // microtask, not a 0 ms timer: a timer is one more event for the runtime
    // to run, measured as most of a small room's extra latency over a relay —
    // BENCHMARKS.md). Overdrawn, it waits until the budget is back at zero,
    // and every move of that time joins it.
    const left = this.refillFrameSends();
    if (left >= 0) queueMicrotask(() => this.flushFrames());
    else this.host.setTimeout(() => this.flushFrames(), Math.min(CURSOR_FRAME_MS, (-left * 1000) / this.frameRate));
  }

  private refillFrameSends(): number {
    const now = this.host.now();
    const elapsed = Math.max(0, now - this.frameSendsAt);
    this.frameSendsAt = now;
    this.frameSends = Math.min(this.frameBurst, this.frameSends + (elapsed * this.frameRate) / 1000);
    return this.frameSends;
  }

  /** One frame time: queued commits (commit-outbox.ts), then to every receiver
   * the same frame with the latest position of every cursor that moved. One
   * cursor string for everyone: tailoring a frame per mover
   * (leaving its own entry out) is O(N²) string work per frame, and measured
   * 16% of the runtime's CPU at 50 movers (BENCHMARKS.md). A receiver skips its
   * own entry (the client library does); a lone mover is not sent its own move. */
  private flushFrames(): void {
    this.frameScheduled = false;
    // Commits first: a live draft cleared by the author's change must not
    // vanish before the change arrives.
    const commitSends = this.outbox.flush(this.host.sockets());
    if (this.pendingCursors.size === 0 && this.pendingLive.size === 0) {
      if (commitSends) this.spendFrameSends(commitSends);
      return;
    }
    const entries: string[] = [];
    const movers = new Set<string>();
    for (const [conn, pos] of this.pendingCursors) {
      entries.push(pos ? JSON.stringify([conn, pos[0], pos[1]]) : JSON.stringify([conn]));
      movers.add(conn);
    }
    const live: string[] = [];
    for (const [k, json] of this.pendingLive) {
      const cut = k.indexOf("\u0000");
      const conn = k.slice(0, cut);
      live.push(`[${JSON.stringify(conn)},${JSON.stringify(k.slice(cut + 1))},${json}]`);
      movers.add(conn);
    }
    const onlyMover = movers.size === 1 ? movers.values().next().value : undefined;
    this.pendingCursors.clear();
    this.pendingLive.clear();
    const frame = `{"type":"cursors","f":[${entries.join(",")}]${live.length ? `,"l":[${live.join(",")}]` : ""}}`;
    const sent = this.broadcastFrame(frame, onlyMover ?? null);
    this.spendFrameSends(commitSends + sent + (onlyMover === undefined ? 0 : 1));
  }

  /** Charge `sends` to the frame budget; it may be overdrawn by one
   * CURSOR_FRAME_MS worth at most, so no frame ever waits longer. */
  private spendFrameSends(sends: number): void {
    this.frameSends = Math.max(-(this.frameRate * CURSOR_FRAME_MS) / 1000, this.refillFrameSends() - sends);
  }

  /** Send queued commits now, outside the frame cadence: before anything else
   * goes to a socket, so every socket sees the room's messages in order. */
  private flushCommits(): void {
    if (this.outbox.size === 0) return;
    this.spendFrameSends(this.outbox.flush(this.host.sockets()));
  }

  private presence(socket: RoomSocket, st: ConnState, msg: Extract<ClientMessage<R>, { type: "presence" }>): void {
    if (!this.admit(socket, st, "presence", { type: "error", code: ErrorCode.RATE_LIMITED, message: "presence updates are limited", ref: "presence" })) return;
    const next: ConnState = {
      ...st,
      name: msg.name ?? st.name,
      color: msg.color ?? st.color,
      status: msg.status ?? st.status,
    };
    socket.setState(next);
    this.broadcast({ type: "peer", peer: this.peerOf(next) }, st.conn);
  }

  /** The room closes a connection itself. The leave is broadcast now — a
   * half-open or misbehaving peer may never complete the close handshake, so no
   * close event may ever come for it — and whatever it still has queued is
   * dropped unread. `error` tells the client why, before the close. */
  private dismiss(socket: RoomSocket, st: ConnState, code: number, reason: string, error?: { code: ErrorCode; message: string }): void {
    this.dropPresence(st);
    this.policyFor(st.conn).closedByRoom = true;
    socket.setState({ ...st, ready: false });
    if (error) this.sendTo(socket, { type: "error", ...error });
    closeQuietly(socket, code, reason);
  }

  /** The connection's token ran out: it may reconnect with a fresh one (4002 is
   * one of the application close codes the client does not treat as final). */
  private expire(socket: RoomSocket, st: ConnState): void {
    const message = "the access token expired; reconnect with a fresh one";
    this.dismiss(socket, st, CloseCode.TOKEN_EXPIRED, "token expired", { code: ErrorCode.TOKEN_EXPIRED, message });
    this.log("info", "token_expired", st.conn);
  }

  private kick(socket: RoomSocket, st: ConnState, why: string): void {
    const message = `connection closed: ${why}`;
    this.dismiss(socket, st, CloseCode.POLICY_VIOLATION, why, { code: ErrorCode.POLICY_VIOLATION, message });
    this.log("warn", "kicked", st.conn, undefined, ErrorCode.POLICY_VIOLATION, why);
  }

  // -------------------------------------------------------------------------

  private peerOf(st: ConnState): Peer {
    return {
      conn: st.conn,
      clientId: st.clientId ?? "",
      name: st.name ?? "anonymous",
      color: st.color ?? "#888888",
      status: st.status ?? "active",
      role: st.role,
    };
  }

  private readySockets(): RoomSocket[] {
    const out: RoomSocket[] = [];
    for (const s of this.host.sockets()) if (s.getState()?.ready) out.push(s);
    return out;
  }

  private sendTo(socket: RoomSocket, msg: ServerMessage<R>): void {
    this.sendFrame(socket, JSON.stringify(msg));
  }

  private sendFrame(socket: RoomSocket, frame: string): void {
    this.flushCommits();
    try {
      socket.send(frame);
    } catch {
      // The socket is closing; its close event cleans up.
    }
  }

  /** Serialize once, send to every ready socket except `exceptConn`. */
  private broadcast(msg: ServerMessage<R>, exceptConn: string | null): void {
    this.broadcastFrame(JSON.stringify(msg), exceptConn);
  }

  /** Send `frame` to every ready socket except `exceptConn`; returns how many. */
  private broadcastFrame(frame: string, exceptConn: string | null): number {
    let sent = 0;
    for (const s of this.host.sockets()) {
      const st = s.getState();
      if (!st?.ready || st.conn === exceptConn) continue;
      this.sendFrame(s, frame);
      sent++;
    }
    return sent;
  }

  private log(level: LogLine["level"], event: string, conn?: string, type?: string, code?: string, detail?: string): void {
    const line: LogLine = { level, event, room: this.roomId };
    if (conn) line.conn = conn;
    if (type) line.type = type;
    if (code) line.code = code;
    if (detail) line.detail = detail;
    this.host.log(line);
  }
}
