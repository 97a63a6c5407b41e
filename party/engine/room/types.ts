/**
 * The room's public types: what an adapter gives the room (`RoomHost`,
 * `RoomSocket`), what a socket's attachment holds (`ConnState`), what an app
 * gives it (`RoomOptions`, `RoomHooks`) and what it answers (`MutationResult`,
 * `RoomSnapshot`, `RoomStats`). Types and one frozen constant only, so every
 * part of the room imports them and they import no part (docs/ARCHITECTURE.md,
 * "the room core"). `party/engine/room.ts` re-exports all of them.
 */
import type { AssetPolicy } from "../../shared/assets.ts";
import type { Actor, RoomHooks } from "../../shared/hooks.ts";
import type { ErrorCode, PresenceStatus, RecordBase, Role } from "../../shared/protocol.ts";
import type { CheckpointPolicy, RetentionPolicy } from "../history-plan.ts";
import type { RoomStorage } from "../storage.ts";
import type { WebhookConfig } from "../webhooks.ts";

// The hooks' types are the app's contract (edgeroom/schema): defined in party/shared/hooks.ts.
export type { Actor, RoomHooks, RoomView } from "../../shared/hooks.ts";

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
  /** Its hello said `reads`: it acknowledges what it reads, and the room
   * bounds what it may owe (SOCKET_MAX_OWED_BYTES, read-windows.ts). */
  reads?: true;
  /** It reads the backend's broadcasts (ConnectInfo.broadcasts). */
  bc?: true;
  /** Its hello said `watching`: it reads the watcher count (party/shared/audience.ts). */
  watching?: true;
  clientId?: string;
  name?: string;
  color?: string;
  status?: PresenceStatus;
}

/** Where the room's frames go: anything it can send a string to. A member's
 * socket is one; the frame fan-out (room/fanout.ts) addresses only this. */
export interface FrameSender {
  send(frame: string): void;
}

/** The three things the room does with a socket, plus its attachment. */
export interface RoomSocket extends FrameSender {
  close(code: number, reason: string): void;
  getState(): ConnState | null;
  setState(state: ConnState): void;
}

/** A relay's link socket, as the room holds it (an audience room,
 * relay-face.ts): its attachment says which relay it is and its counts. */
export interface LinkInfo {
  relay: number;
  /** Members the relay holds (sockets), and of them watchers, as it reported. */
  members: number;
  watching: number;
  /** Subscribed: it gets the room's output. */
  live: boolean;
  /** Of its members, those that read the backend's broadcasts, as it reported. */
  bc?: number;
  /** The relay object's instance, from its `sub`. */
  inst?: string;
  /** When the link opened (ms): its silence is measured from here at the latest. */
  at?: number;
  /** The room gave it up (silent past RELAY_SILENT_MS, or closed): its close event does nothing more. */
  gone?: true;
}

export interface LinkSocket extends FrameSender {
  close(code: number, reason: string): void;
  getLink(): LinkInfo | null;
  setLink(info: LinkInfo): void;
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

/** What a step of asset collection (asset-gc.ts) sees of the room, in its queue. */
export interface AssetBoard {
  /** The head seq. */
  seq: number;
  records: Iterable<RecordBase>;
  /** The room's storage when history is on (its checkpoints and changes are read); null when off. */
  history: Pick<RoomStorage<RecordBase>, "historyIndex" | "readCheckpoint" | "changesBetween"> | null;
}

/** A step's outcome: when the alarm should fire next for collection (null:
 * nothing waits), and the R2 deletes it decided, run outside the room's queue. */
export interface AssetStep {
  next: number | null;
  collect?: () => Promise<void>;
}

/** What the room core asks of collection (RoomHost.assets). */
export interface AssetCollection {
  step(board: AssetBoard, now: number): Promise<AssetStep>;
}

export interface RoomHost<R extends RecordBase = RecordBase> {
  readonly storage: RoomStorage<R>;
  /** The open sockets of this room (after a wake: all of them, with attachments). */
  sockets(): Iterable<RoomSocket>;
  /** The links of the relays of an audience room (none on a host without relays). */
  links?(): Iterable<LinkSocket>;
  now(): number;
  /** One-shot timer: for cursor and live frames waiting for the room's budgets. */
  setTimeout(fn: () => void, ms: number): void;
  /** Resolves on the runtime's next turn, after the events that arrived
   * meanwhile: what a past board's build waits for between its steps
   * (room/past-boards.ts). Default: a 0 ms timer. */
  yieldTurn?(): Promise<void>;
  /** The room's single alarm (Durable Object alarms survive hibernation and eviction). */
  getAlarm(): Promise<number | null>;
  setAlarm(at: number): Promise<void>;
  /** When the runtime last auto-answered this socket's (or relay link's) ping (ms), if it can tell. */
  lastPing(socket: RoomSocket | LinkSocket): number | null;
  log(line: LogLine): void;
  /** Where this deployment's webhooks go (webhooks.ts); absent or null: off. */
  webhook?: WebhookConfig | null;
  /** The fetch webhooks are sent with (default: the global one). */
  fetch?: typeof fetch;
  /** Collection of the room's assets no record names (asset-gc.ts), a
   * bounded step per alarm; absent: the host keeps no assets. */
  assets?: AssetCollection;
  /** The rooms index (party/engine/rooms-index.ts): where the room reports its
   * activity, at most once per `everyMs`; absent: the room is not indexed. */
  roomsIndex?: { report(report: IndexReport): Promise<void>; everyMs: number } | null;
}

/** What a room tells the rooms index about itself. */
export interface IndexReport {
  room: string;
  /** Last activity (ms): its last write, metadata change, or member entering or leaving. */
  active: number;
  /** Members now: its own and its relays'. */
  members: number;
  seq: number;
  metadata: Record<string, unknown>;
  /** The room was erased: its row goes. */
  deleted?: true;
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
  /** An audience room: its relays, the members they hold, and of those the
   * watchers (viewers, counted and not announced). 0 in a room without relays. */
  relays: number;
  relayed: number;
  watching: number;
  /** Frames the room received on its relays' links, and the members' frames
   * they carried (counted in `messages` too): the room's own inbound messages
   * are `messages` − `relayedFrames` + `linkFrames`. In memory, like `messages`. */
  linkFrames: number;
  relayedFrames: number;
}

/** What the adapter knows about a connection besides its token. */
export interface ConnectInfo {
  /** The client's address (CF-Connecting-IP); loopback addresses are ignored,
   * since local development and the benchmark connect everyone from one machine. */
  ip?: string | null;
  /** It asked for the backend's broadcasts (party/shared/broadcast.ts). */
  broadcasts?: boolean;
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

/** Per-room options; every limit defaults to its constant in limits.ts. */
export interface RoomOptions<R extends RecordBase = RecordBase> {
  hooks?: RoomHooks<R>;
  /** Retained history on or off (default: the schema's `history`, itself
   * default on): the benchmark compares the two. */
  history?: boolean;
  /** Overrides of the history policy's constants (tests; rooms that want more or less). */
  historyPolicy?: { checkpoint?: Partial<CheckpointPolicy>; retention?: Partial<RetentionPolicy> };
  /** Which assets (images) the app's rooms take, and how large (party/shared/assets.ts,
   * docs/HTTP-API.md "Assets"). Unset: none; uploads are refused ASSETS_DISABLED. */
  assets?: AssetPolicy;
  /** Overrides for tests (and rooms of very large boards). */
  maxRoomBytes?: number;
  syncBytesPerSec?: number;
  syncBytesBurst?: number;
  /** Overrides of the history work bounds (tests). */
  pastBoards?: PastBoardsOptions;
  /** A room for an audience: past its editors, people watch instead of being refused. */
  audience?: AudienceOptions;
}

/**
 * `RoomOptions.audience` (PROTOCOL.md §16 "Roles"). Without it, everyone with
 * an editor role edits (every connection of a deployment without tokens), up
 * to MAX_EDITORS_PER_ROOM, and the next editor is refused ROOM_FULL (retried).
 * With it, the first `editors` edit and whoever says hello past them joins as
 * a viewer — a watcher on a relay — told so by its welcome's `self.role`; a
 * seat freed later is taken by the next to join, not by someone watching.
 */
export interface AudienceOptions {
  /** How many may edit at once: a whole number, default and at most
   * MAX_EDITORS_PER_ROOM (500); 0 makes every member a viewer (only the
   * backend's HTTP API edits). */
  editors?: number;
}

/** The history work bounds (room/past-boards.ts); defaults from limits.ts. */
export interface PastBoardsOptions {
  /** HISTORY_WORK_BYTES_PER_SEC */
  workBytesPerSec?: number;
  /** HISTORY_WORK_BYTES_BURST */
  workBytesBurst?: number;
  /** HISTORY_BUILD_STEP_BYTES */
  stepBytes?: number;
  /** HISTORY_BOARD_CACHE_BYTES */
  cacheBytes?: number;
}
