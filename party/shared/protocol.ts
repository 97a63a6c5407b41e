/**
 * The edgeroom wire protocol: the one module shared by the room (`party/`) and
 * the client (`client/`). Schemas first, types inferred from them; every frame
 * from a socket is parsed here once and nothing downstream sees unparsed data.
 * Browser-safe: imports nothing host-specific. docs/PROTOCOL.md documents it.
 *
 * The engine knows nothing of the application's records beyond their `id`:
 * the messages that carry records (ops, changes, syncs) are built for a record
 * schema by `protocolFor(records)`; everything else is fixed here. The types
 * are generic in the record type `R`, inferred from the app's schema.
 *
 * At its ~600-line cap because the client↔room wire contract is one module on
 * purpose (both sides agree on every message; docs.test.ts checks PROTOCOL.md
 * against it); new pieces go beside it (audience.ts, mutation-age.ts) and compose here.
 */
import { z } from "zod";
import { Watching, type WatchingMessage } from "./audience.ts";
import { MadeAt, MutationAge } from "./mutation-age.ts";
import { CLIENT_ID_PATTERN, HISTORY_PAGE_MAX, ID_PATTERN, LIVE_KEY_PATTERN, MAX_COORD, MAX_NAME_CHARS, MAX_OPS_PER_MUTATION, MAX_VERSION_NAME_CHARS } from "./limits.ts";

/** Bumped on any incompatible change. The room refuses other versions with a
 * terminal UNSUPPORTED_VERSION error instead of risking silent corruption. */
export const PROTOCOL_VERSION = 2;
/** The oldest protocol a room still speaks: N and N−1 (docs/PROTOCOL.md §2).
 * 2 added `schema` to hello, welcome and the UNSUPPORTED_VERSION error, and
 * `v` to that error; a version-1 client omits them, which means schema 1. */
export const MIN_PROTOCOL_VERSION = 1;

/** The exact ping frame. On the Durable Object host the runtime answers it with
 * PONG_FRAME without waking the room (setWebSocketAutoResponse); on PartyKit the
 * room answers it. Byte-for-byte fixed because auto-response matches exact strings. */
export const PING_FRAME = '{"type":"ping"}';
export const PONG_FRAME = '{"type":"pong"}';

// ---------------------------------------------------------------------------
// Errors: a closed vocabulary. Codes also label stats and logs.

export const ErrorCode = {
  /** Not JSON, not an object, a binary frame, or a field of the wrong type. */
  BAD_MESSAGE: "BAD_MESSAGE",
  /** JSON with a `type` this protocol version does not have. */
  UNKNOWN_TYPE: "UNKNOWN_TYPE",
  /** Frame over MAX_MESSAGE_BYTES. */
  TOO_LARGE: "TOO_LARGE",
  /** The hello named a protocol version the room does not speak (terminal). */
  UNSUPPORTED_VERSION: "UNSUPPORTED_VERSION",
  /** A message other than hello/ping before the hello. */
  HANDSHAKE_REQUIRED: "HANDSHAKE_REQUIRED",
  /** Room id fails ROOM_ID_PATTERN (terminal). */
  INVALID_ROOM: "INVALID_ROOM",
  /** A mutation whose ops or resulting records break the schema. */
  INVALID_MUTATION: "INVALID_MUTATION",
  /** A patch or delete of a record that does not exist (e.g. someone deleted it). */
  RECORD_NOT_FOUND: "RECORD_NOT_FOUND",
  /** A record over MAX_RECORD_BYTES. */
  RECORD_TOO_LARGE: "RECORD_TOO_LARGE",
  /** The mutation would take the room over MAX_RECORDS_PER_ROOM. */
  ROOM_LIMIT: "ROOM_LIMIT",
  /** MAX_CONNECTIONS_PER_ROOM reached. Not final: the client retries with backoff. */
  ROOM_FULL: "ROOM_FULL",
  /** This identity (token subject or IP) or client id already holds its share
   * of the room's connections. Not final: retried with backoff. */
  TOO_MANY_CONNECTIONS: "TOO_MANY_CONNECTIONS",
  /** A per-connection token bucket is empty; the frame was dropped. */
  RATE_LIMITED: "RATE_LIMITED",
  /** The connection's role may not do this (a viewer mutating). */
  FORBIDDEN: "FORBIDDEN",
  /** Missing or invalid access token (terminal). */
  UNAUTHORIZED: "UNAUTHORIZED",
  /** The access token expired: fetch a fresh one, then reconnect. */
  TOKEN_EXPIRED: "TOKEN_EXPIRED",
  /** The connection was closed for abuse (floods, garbage). */
  POLICY_VIOLATION: "POLICY_VIOLATION",
  /** Something failed inside the room. Never carries a stack trace. */
  INTERNAL: "INTERNAL",
  /** The room was erased for good (HTTP API `DELETE`): its board is gone. */
  ROOM_DELETED: "ROOM_DELETED",
  SLOW_READER: "SLOW_READER", // over SOCKET_MAX_OWED_BYTES unread; not final: the client reconnects and resyncs
  /** A history request named a seq or version the room's retained history no
   * longer (or never) reaches, or history is switched off for this app. */
  HISTORY_UNAVAILABLE: "HISTORY_UNAVAILABLE",
  /** A named version with this name already exists in the room. */
  VERSION_EXISTS: "VERSION_EXISTS",
  /** An import into a room that already has a board (HTTP API `POST …/import`). */
  ROOM_NOT_EMPTY: "ROOM_NOT_EMPTY",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Application close codes (4000–4999). A client treats every one of them as
 * final — except those in RETRYABLE_CLOSES: TOKEN_EXPIRED (reconnect with a
 * fresh token), ROOM_FULL and TOO_MANY_CONNECTIONS (reconnect with backoff: a
 * room empties, a tab closes). Any other close (1000, 1001, 1006, 1011, 1013
 * "try again later", …) means "reconnect with backoff". */
export const CloseCode = {
  UNSUPPORTED_VERSION: 4000,
  UNAUTHORIZED: 4001,
  TOKEN_EXPIRED: 4002,
  ROOM_FULL: 4003,
  INVALID_ROOM: 4004,
  TOO_MANY_CONNECTIONS: 4005,
  /** The room was erased (HTTP API `DELETE`). Final: reconnecting would only
   * open a new, empty room under the same id. */
  ROOM_DELETED: 4006,
  POLICY_VIOLATION: 4008,
  SLOW_READER: 4009, // over SOCKET_MAX_OWED_BYTES unread: out of live delivery; it reconnects and resyncs from its last seq
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Closes after which the client reconnects although they are application codes. */
export const RETRYABLE_CLOSES: ReadonlySet<number> = new Set([CloseCode.TOKEN_EXPIRED, CloseCode.ROOM_FULL, CloseCode.TOO_MANY_CONNECTIONS, CloseCode.SLOW_READER]);

/** The room is busy (its sync budget is spent): the standard "try again later". */
export const TRY_AGAIN_LATER = 1013;

/** True when a close code means "do not reconnect" (see CloseCode). */
export function isTerminalClose(code: number): boolean {
  return code >= 4000 && code <= 4999 && !RETRYABLE_CLOSES.has(code);
}

// ---------------------------------------------------------------------------
// Shared pieces

export const MutationId = z.string().regex(ID_PATTERN);
/** A record id: 1–64 characters of A-Z a-z 0-9 _ - (newRecordId makes one). */
export const RecordId = z.string().regex(ID_PATTERN, "ids are 1-64 characters of A-Z a-z 0-9 _ -");
/** A finite coordinate (cursor positions). JSON can carry `1e999` (= Infinity once parsed); zod 4's number refuses it. */
export const Coord = z.number().min(-MAX_COORD).max(MAX_COORD);
/** A colour as #rrggbb (presence colours; apps use it in their records too). */
export const Color = z.string().regex(/^#[0-9a-fA-F]{6}$/, "colours are #rrggbb");
export const ClientId = z.string().regex(CLIENT_ID_PATTERN);
/** Sequence numbers: 0 means "nothing yet"; the first mutation gets 1. */
export const Seq = z.number().int().min(0);
/** Control and format characters (bidi overrides and marks, zero-width
 * spaces and joiners, soft hyphens, …): invisible in a name, and able to make
 * one name look like another or reverse the text around it. */
const INVISIBLE = /[\p{Cc}\p{Cf}]/gu;
/** A display name: invisible characters stripped, then trimmed, 1–40 left. */
export const Name = z
  .string()
  .max(MAX_NAME_CHARS * 4)
  .transform((s) => s.replace(INVISIBLE, "").trim())
  .pipe(z.string().min(1).max(MAX_NAME_CHARS));
/** Any text made into a name the room accepts and publishes unchanged (`Name`'s
 * cleaning, then cut to MAX_NAME_CHARS without splitting a character), or null
 * when nothing is left — so a client shows the name others will see. */
export function cleanName(raw: string): string | null {
  let name = "";
  for (const ch of raw.replace(INVISIBLE, "").trim()) {
    if (name.length + ch.length > MAX_NAME_CHARS) break;
    name += ch;
  }
  return name.trim() || null;
}
export const PresenceStatus = z.enum(["active", "idle", "away"]);
export type PresenceStatus = z.infer<typeof PresenceStatus>;
export const Role = z.enum(["editor", "viewer"]);
export type Role = z.infer<typeof Role>;

/** What every record is, to the engine: something with an id. */
export interface RecordBase {
  id: string;
}

/** Patch values: any JSON the merged record's schema then accepts or refuses.
 * Which fields a patch may not touch (`id`, and the schema's fixed fields) is
 * checked by the planner, which knows the schema. */
const PatchFields = z.record(z.string().max(32), z.unknown()).refine((o) => !("id" in o), { message: "a patch may not change id" });

/** One change to one record. */
export type Op<R extends RecordBase = RecordBase> =
  /** Create or replace a whole record. */
  | { op: "put"; rec: R }
  /** Change some fields of an existing record; the result must still be a valid record. */
  | { op: "patch"; id: string; set: Record<string, unknown> }
  /** Delete an existing record. */
  | { op: "del"; id: string };

/** A presence entry as the room publishes it. `conn` is stamped by the room. */
export const Peer = z.object({
  conn: z.string(),
  clientId: z.string(),
  name: z.string(),
  color: z.string(),
  status: PresenceStatus,
  role: Role,
});
export type Peer = z.infer<typeof Peer>;

/** One applied mutation as it appears in broadcasts and deltas. */
export interface Change<R extends RecordBase = RecordBase> {
  seq: number;
  /** The connection that made it (it may have left since). */
  by: string;
  /** The mutation id, so a reconnecting author recognises its own edit in a delta. */
  mid: string;
  ops: Op<R>[];
  /** Present on a restore (PROTOCOL.md §15): the seq whose board this change
   * turned the current one into. Absent on every ordinary mutation. */
  restored?: number;
}

// ---------------------------------------------------------------------------
// Client → room

export const Hello = z.object({
  type: z.literal("hello"),
  v: z.number().int(),
  /** The record schema version the client's code writes (absent: 1, a
   * version-1 client). */
  schema: z.number().int().min(1).max(1_000_000).optional(),
  clientId: ClientId,
  /** The room epoch the client's state belongs to (null: no state yet). */
  epoch: z.string().max(64).nullable(),
  /** The last seq the client applied (0: nothing). */
  lastSeq: Seq,
  name: Name,
  color: Color,
  reads: z.literal(true).optional(), // it sends `read` if the welcome has `ackEvery`, so it is bounded (SOCKET_MAX_OWED_BYTES); absent: never bounded
  watching: z.literal(true).optional(), // it reads `watching` (audience.ts): an audience room sends it the count of watchers
});
export const Resync = z.object({ type: z.literal("resync"), epoch: z.string().max(64).nullable(), lastSeq: Seq });
export const Cursor = z.object({
  type: z.literal("cursor"),
  /** World coordinates, or null when the pointer left the board. */
  p: z.tuple([Coord, Coord]).nullable(),
});
export const PresenceUpdate = z.object({
  type: z.literal("presence"),
  name: Name.optional(),
  color: Color.optional(),
  status: PresenceStatus.optional(),
});
export const Ping = z.object({ type: z.literal("ping") });
export const Read = z.object({ type: z.literal("read"), n: z.number().int().min(1).max(2 ** 31) }); // `n` more characters read, per `ackEvery`
/** Ephemeral, lossy, per-connection state under a key the app defines (a
 * drawing in progress, a viewport to follow, a laser trail): latest wins, sent
 * to the others with the cursor frames, never stored, gone when the
 * connection is. `data` is checked against the app's schema for `key`
 * (defineRoom `live`); null clears it. */
export const Live = z.object({ type: z.literal("live"), key: z.string().regex(LIVE_KEY_PATTERN), data: z.unknown() });

/** A request id the client picks to match an answer to its request (echoed as `rid`). */
export const RequestId = z.string().regex(ID_PATTERN);
/** A named version's name ("before the review"): cleaned like a display name, 1–60 left. */
export const VersionName = z
  .string()
  .max(MAX_VERSION_NAME_CHARS * 4)
  .transform((s) => s.replace(INVISIBLE, "").trim())
  .pipe(z.string().min(1).max(MAX_VERSION_NAME_CHARS));
const oneTarget = (m: { seq?: number | undefined; version?: string | undefined }) => (m.seq === undefined) !== (m.version === undefined);
const ONE_TARGET = { message: "name exactly one of seq or version" };
/** List the room's retained history (PROTOCOL.md §15): checkpoints, named
 * versions, and one page of change summaries, newest first, with seq < `before`
 * (default: all). Any role. */
export const HistoryRequest = z.object({
  type: z.literal("history"),
  rid: RequestId.optional(),
  before: Seq.optional(),
  limit: z.number().int().min(1).max(HISTORY_PAGE_MAX).optional(),
});
/** The board at a past seq or named version, read-only, to the asker only. Any role. */
export const PreviewRequest = z
  .object({ type: z.literal("preview"), rid: RequestId.optional(), seq: Seq.optional(), version: VersionName.optional() })
  .refine(oneTarget, ONE_TARGET);
/** Turn the current board into the one at `seq` or `version`: one mutation
 * with mutation id `mid`, exactly once, answered by `ack`/`reject` like a
 * `mutate`. Editors only. */
export const RestoreRequest = z
  .object({ type: z.literal("restore"), mid: MutationId, seq: Seq.optional(), version: VersionName.optional() })
  .refine(oneTarget, ONE_TARGET);
/** Name the board at `seq` (default: the current one) a version. Editors only. */
export const VersionRequest = z.object({ type: z.literal("version"), rid: RequestId.optional(), name: VersionName, seq: Seq.optional() });

export type MutateMessage<R extends RecordBase = RecordBase> = { type: "mutate"; mid: string; ops: Op<R>[]; age?: number };
export type ClientMessage<R extends RecordBase = RecordBase> =
  | z.infer<typeof Hello>
  | z.infer<typeof Resync>
  | MutateMessage<R>
  | z.infer<typeof Cursor>
  | z.infer<typeof PresenceUpdate>
  | z.infer<typeof Ping> | z.infer<typeof Read>
  | z.infer<typeof Live>
  | z.infer<typeof HistoryRequest>
  | z.infer<typeof PreviewRequest>
  | z.infer<typeof RestoreRequest>
  | z.infer<typeof VersionRequest>;
export type ClientMessageType = ClientMessage["type"];
const CLIENT_TYPES = new Set<string>(["hello", "resync", "mutate", "cursor", "presence", "ping", "read", "live", "history", "preview", "restore", "version"]);
/** Client messages whose `mid` names a mutation: a frame of these that fails its schema but has a valid mid is rejected by that mid. */
const MUTATION_TYPES = new Set<string>(["mutate", "restore"]);

// ---------------------------------------------------------------------------
// Room → client

export const Welcome = z.object({
  type: z.literal("welcome"),
  v: z.number().int(),
  /** The room's record schema version (absent from rooms before protocol 2). */
  schema: z.number().int().optional(),
  room: z.string(),
  self: Peer,
  /** Everyone else connected (their cursors follow in a `cursors` frame). */
  peers: z.array(Peer),
  ackEvery: z.number().int().min(1).optional(), // to a hello with `reads`: send `read` every this many characters (READ_ACK_EVERY_BYTES)
});
/** The document state: a full snapshot, or the changes since the client's lastSeq.
 * Sent right after `welcome`, and in answer to `resync`. */
export type SyncMessage<R extends RecordBase = RecordBase> =
  | { type: "sync"; mode: "snapshot"; epoch: string; seq: number; records: R[] }
  | { type: "sync"; mode: "delta"; epoch: string; seq: number; changes: Change<R>[] };
export type ChangeMessage<R extends RecordBase = RecordBase> = Change<R> & { type: "change" };
export const Ack = z.object({
  type: z.literal("ack"),
  mid: MutationId,
  seq: Seq,
  /** Present when this mid had already been applied: the original result is repeated. */
  dup: z.literal(true).optional(),
});
export const Reject = z.object({ type: z.literal("reject"), mid: MutationId, code: z.string(), message: z.string() });
export const Join = z.object({ type: z.literal("join"), peer: Peer });
export const PeerUpdate = z.object({ type: z.literal("peer"), peer: Peer });
export const Leave = z.object({ type: z.literal("leave"), conn: z.string() });
export type CursorEntry = [string, number, number] | [string];
function isCursorEntries(v: unknown): v is CursorEntry[] {
  if (!Array.isArray(v)) return false;
  for (const e of v) {
    if (!Array.isArray(e) || typeof e[0] !== "string") return false;
    if (e.length === 3) {
      if (typeof e[1] !== "number" || typeof e[2] !== "number") return false;
    } else if (e.length !== 1) return false;
  }
  return true;
}
/** `[conn, key, data]`: a connection's live state under `key` changed (data
 * null: cleared). */
export type LiveEntry = [string, string, unknown];
function isLiveEntries(v: unknown): v is LiveEntry[] {
  return Array.isArray(v) && v.every((e) => Array.isArray(e) && e.length === 3 && typeof e[0] === "string" && typeof e[1] === "string");
}
/** A coalesced cursor frame: `[conn, x, y]` per moved cursor, `[conn]` for a
 * hidden one, and `l`, the live state that changed since the last frame. The
 * entries are checked in one pass: this is the most frequent frame a client
 * parses (up to 60 per second, one entry per moving peer), and a per-entry
 * union schema costs several times more. */
export const CursorFrame = z.object({
  type: z.literal("cursors"),
  f: z.custom<CursorEntry[]>(isCursorEntries, { message: "f must be a list of [conn, x, y] or [conn]" }),
  l: z.custom<LiveEntry[]>(isLiveEntries, { message: "l must be a list of [conn, key, data]" }).optional(),
});
export const ErrorMessage = z.object({
  type: z.literal("error"),
  code: z.string(),
  message: z.string(),
  /** On UNSUPPORTED_VERSION: the newest protocol and the record schema
   * version the room speaks, so the client knows which side is older. */
  v: z.number().int().optional(),
  schema: z.number().int().optional(),
  /** The type of the client message that caused it, when known. */
  ref: z.string().optional(),
  /** The request id of the history request it answers, when it had one. */
  rid: z.string().optional(),
});

/** Who made a change or named a version, as the room stamped it. */
export const Author = z.object({
  /** The connection (`api` for the HTTP API). */
  by: z.string(),
  /** Its display name at the time, when it had said hello. */
  name: z.string().optional(),
  /** Its access token's subject, when it had one. */
  sub: z.string().optional(),
});
export type Author = z.infer<typeof Author>;
/** One retained change, summarised: who, when, and how much. */
export const ChangeSummary = Author.extend({
  seq: Seq,
  /** Wall-clock ms when it was committed. */
  at: z.number(),
  mid: MutationId,
  /** "restore": made by a restore (`restored` names the seq restored to);
   * "import": the HTTP API's import or fork. Absent: an ordinary mutation. */
  kind: z.enum(["restore", "import"]).optional(),
  restored: Seq.optional(),
  puts: z.number().int().min(0),
  patches: z.number().int().min(0),
  dels: z.number().int().min(0),
  /** The first few record ids it touched (HISTORY_SUMMARY_IDS). */
  ids: z.array(z.string()),
  /** Records it put, counted by their string `type` (HISTORY_SUMMARY_IDS kinds at most). */
  types: z.record(z.string(), z.number().int().min(0)).optional(),
  /** The first field names its patches set (HISTORY_SUMMARY_IDS). */
  fields: z.array(z.string()).optional(),
}).extend(MadeAt);
export type ChangeSummary = z.infer<typeof ChangeSummary>;
/** A full board kept at a seq: where previews and restores start from. */
export const CheckpointSummary = z.object({ seq: Seq, at: z.number(), records: z.number().int().min(0), bytes: z.number().int().min(0) });
export type CheckpointSummary = z.infer<typeof CheckpointSummary>;
/** A named version: a checkpoint with a name (`version`); `by`/`name`/`sub`
 * say who named it. */
export const VersionSummary = Author.extend({ version: z.string(), seq: Seq, at: z.number() });
export type VersionSummary = z.infer<typeof VersionSummary>;
/** The answer to `history`, to the asker only. */
export const HistoryPage = z.object({
  type: z.literal("history"),
  rid: z.string().optional(),
  /** The room's head seq. */
  head: Seq,
  /** The oldest seq a preview or restore can reach by replay (every seq in
   * floor..head is reachable, and every checkpoint's and version's seq);
   * null when history is off. */
  floor: Seq.nullable(),
  checkpoints: z.array(CheckpointSummary),
  versions: z.array(VersionSummary),
  /** Newest first, at most `limit`, all with seq < the request's `before`. */
  changes: z.array(ChangeSummary),
  /** More (older) changes exist: ask again with `before` = the last seq here. */
  more: z.boolean(),
});
/** The answer to `version`, to the asker only: the version now exists. */
export const VersionSaved = z.object({ type: z.literal("version"), rid: z.string().optional(), version: z.string(), seq: Seq, at: z.number() });
export const Pong = z.object({ type: z.literal("pong") });

export type WelcomeMessage = z.infer<typeof Welcome>;
export type AckMessage = z.infer<typeof Ack>;
export type RejectMessage = z.infer<typeof Reject>;
export type CursorFrameMessage = z.infer<typeof CursorFrame>;
export type ErrorMessage = z.infer<typeof ErrorMessage>;
export type HistoryPageMessage = z.infer<typeof HistoryPage>;
export type VersionSavedMessage = z.infer<typeof VersionSaved>;
/** The answer to `preview`, to the asker only: the board at `seq`. */
export type PreviewMessage<R extends RecordBase = RecordBase> = { type: "preview"; rid?: string; seq: number; version?: string; records: R[] };
export type ServerMessage<R extends RecordBase = RecordBase> =
  | WelcomeMessage
  | SyncMessage<R>
  | ChangeMessage<R>
  | AckMessage
  | RejectMessage
  | z.infer<typeof Join>
  | z.infer<typeof PeerUpdate>
  | z.infer<typeof Leave>
  | CursorFrameMessage
  | ErrorMessage
  | z.infer<typeof Pong>
  | HistoryPageMessage
  | PreviewMessage<R>
  | VersionSavedMessage
  | WatchingMessage;

// ---------------------------------------------------------------------------
// Parsing at the boundary

export type ParseResult<T> =
  | { ok: true; value: T }
  /** `mid` is set when the frame was recognisably a mutation: the room then
   * answers with a `reject` naming it, so the client can roll it back. */
  | { ok: false; code: ErrorCode; message: string; ref?: string; mid?: string };

/** Finds the mid of a mutate frame without parsing it (for oversize frames),
 * as the client library writes them: `{"type":"mutate","mid":"…",…`. */
const MUTATE_PREFIX = /^\s*\{\s*"type"\s*:\s*"mutate"\s*,\s*"mid"\s*:\s*"([A-Za-z0-9_-]{1,64})"/;

/** Turn a schema failure into one short, client-safe sentence (no stack, no dump). */
function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid message";
  const path = issue.path.length ? issue.path.join(".") + ": " : "";
  return (path + issue.message).slice(0, 200);
}

/** The messages that carry records, built for one record schema, and the two
 * parsers every frame goes through. Build it once per schema (`protocolFor`
 * caches it). */
export interface Protocol<R extends RecordBase> {
  readonly Op: z.ZodType<Op<R>>;
  readonly Change: z.ZodType<Change<R>>;
  readonly Mutate: z.ZodType<MutateMessage<R>>;
  readonly ClientMessage: z.ZodType<ClientMessage<R>>;
  readonly ServerMessage: z.ZodType<ServerMessage<R>>;
  /** Parse one frame from a client. Never throws. The size check comes first so
   * an oversize frame is refused before any parsing work is spent on it. */
  parseClientMessage(data: string | ArrayBuffer | ArrayBufferView, maxBytes: number): ParseResult<ClientMessage<R>>;
  /** Parse one frame from the room into its messages (a batch frame yields several). */
  parseServerFrame(data: string): ParseResult<ServerMessage<R>[]>;
}

const protocols = new WeakMap<z.ZodType, Protocol<RecordBase>>();

/** The protocol for records of `records`' schema (which must give every record
 * a string `id`). */
export function protocolFor<R extends RecordBase>(records: z.ZodType<R>, maxOps = MAX_OPS_PER_MUTATION): Protocol<R> {
  const cached = protocols.get(records);
  if (cached && maxOps === MAX_OPS_PER_MUTATION) return cached as unknown as Protocol<R>;
  const Op = z.discriminatedUnion("op", [
    z.object({ op: z.literal("put"), rec: records }),
    z.object({ op: z.literal("patch"), id: RecordId, set: PatchFields }),
    z.object({ op: z.literal("del"), id: RecordId }),
  ]) as unknown as z.ZodType<Op<R>>;
  const Change = z.object({ seq: Seq, by: z.string(), mid: MutationId, ops: z.array(Op), restored: Seq.optional() }) as unknown as z.ZodType<Change<R>>;
  const Mutate = z.object({ type: z.literal("mutate"), mid: MutationId, ops: z.array(Op).min(1).max(maxOps), age: MutationAge.optional() }) as unknown as z.ZodType<MutateMessage<R>>;
  const ClientMessage = z.discriminatedUnion("type", [
    Hello,
    Resync,
    Mutate as never,
    Cursor,
    PresenceUpdate,
    Ping, Read,
    Live,
    HistoryRequest,
    PreviewRequest,
    RestoreRequest,
    VersionRequest,
  ]) as unknown as z.ZodType<ClientMessage<R>>;
  const Sync = z.discriminatedUnion("mode", [
    z.object({ type: z.literal("sync"), mode: z.literal("snapshot"), epoch: z.string(), seq: Seq, records: z.array(records) }),
    z.object({ type: z.literal("sync"), mode: z.literal("delta"), epoch: z.string(), seq: Seq, changes: z.array(Change) }),
  ]);
  const ChangeMessage = z.object({ type: z.literal("change"), seq: Seq, by: z.string(), mid: MutationId, ops: z.array(Op), restored: Seq.optional() });
  const Preview = z.object({ type: z.literal("preview"), rid: z.string().optional(), seq: Seq, version: z.string().optional(), records: z.array(records) });
  const ServerMessage = z.discriminatedUnion("type", [
    Welcome,
    Sync as never,
    ChangeMessage,
    Ack,
    Reject,
    Join,
    PeerUpdate,
    Leave,
    CursorFrame,
    ErrorMessage,
    Pong,
    HistoryPage,
    Preview,
    VersionSaved,
    Watching,
  ]) as unknown as z.ZodType<ServerMessage<R>>;
  /** A room frame is one message or a batch of them (JSON array), applied in order. */
  const ServerFrame = z.union([ServerMessage, z.array(ServerMessage)]);
  const protocol: Protocol<R> = {
    Op,
    Change,
    Mutate,
    ClientMessage,
    ServerMessage,
    parseClientMessage: (data, maxBytes) => parseClient(ClientMessage, data, maxBytes),
    parseServerFrame(data) {
      let json: unknown;
      try {
        json = JSON.parse(data);
      } catch {
        return { ok: false, code: ErrorCode.BAD_MESSAGE, message: "frame is not valid JSON" };
      }
      const parsed = ServerFrame.safeParse(json);
      if (!parsed.success) return { ok: false, code: ErrorCode.BAD_MESSAGE, message: describe(parsed.error) };
      return { ok: true, value: Array.isArray(parsed.data) ? parsed.data : [parsed.data] };
    },
  };
  if (maxOps === MAX_OPS_PER_MUTATION) protocols.set(records, protocol as unknown as Protocol<RecordBase>);
  return protocol;
}

function parseClient<R extends RecordBase>(
  schema: z.ZodType<ClientMessage<R>>,
  data: string | ArrayBuffer | ArrayBufferView,
  maxBytes: number,
): ParseResult<ClientMessage<R>> {
  if (typeof data !== "string") {
    return { ok: false, code: ErrorCode.BAD_MESSAGE, message: "binary frames are not supported; send JSON text" };
  }
  if (data.length > maxBytes) {
    const mid = MUTATE_PREFIX.exec(data.slice(0, 200))?.[1];
    return { ok: false, code: ErrorCode.TOO_LARGE, message: `frame of ${data.length} bytes exceeds ${maxBytes}`, ...(mid ? { mid, ref: "mutate" } : {}) };
  }
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { ok: false, code: ErrorCode.BAD_MESSAGE, message: "frame is not valid JSON" };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return { ok: false, code: ErrorCode.BAD_MESSAGE, message: "a message is a JSON object with a type" };
  }
  const type = (json as { type?: unknown }).type;
  if (typeof type !== "string" || !CLIENT_TYPES.has(type)) {
    return {
      ok: false,
      code: ErrorCode.UNKNOWN_TYPE,
      message: `unknown message type ${JSON.stringify(String(type)).slice(0, 40)}`,
    };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const mid = (json as { mid?: unknown }).mid;
    if (MUTATION_TYPES.has(type) && MutationId.safeParse(mid).success) {
      return { ok: false, code: ErrorCode.INVALID_MUTATION, message: describe(parsed.error), ref: type, mid: mid as string };
    }
    return { ok: false, code: ErrorCode.BAD_MESSAGE, message: describe(parsed.error), ref: type };
  }
  return { ok: true, value: parsed.data };
}
