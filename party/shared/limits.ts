/**
 * Every limit the room enforces, in one place, with its unit and its reason.
 * The protocol schemas, the room core and docs/PROTOCOL.md all read these;
 * nothing else in the code base may hard-code a limit.
 */

/** Largest text frame the room parses, counted in UTF-16 code units (= bytes for
 * ASCII JSON). Room for a mutation of several large records plus framing, small
 * enough that one frame cannot make the room spend noticeable CPU in JSON.parse. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

/** Largest serialized record (JSON, UTF-16 code units). Keeps every record far
 * under the 2 MB Durable Object value limit and one snapshot row cheap to send.
 * It is what bounds a pen stroke in practice (~2,500 points with pressure). */
export const MAX_RECORD_BYTES = 64 * 1024;

/** Records (shapes) per room. W3 of the benchmark needs 10,000; a snapshot of
 * 20,000 small shapes is about 3 MB, the most we want a cold join to carry. */
export const MAX_RECORDS_PER_ROOM = 20_000;

/** Serialized records per room, in total. A room's records live in the
 * object's memory (128 MB on Cloudflare; objects take ~3× their JSON), so
 * MAX_RECORDS_PER_ROOM × MAX_RECORD_BYTES (1.3 GB) must not be reachable. */
export const MAX_ROOM_BYTES = 24 * 1024 * 1024;

/** Ops in one mutation. 100 keeps one mutation's storage writes in a single
 * atomic key-value batch (128 keys) on the PartyKit host with room for the log,
 * dedupe and meta keys. Clients split larger edits (a paste) into several mutations. */
export const MAX_OPS_PER_MUTATION = 100;

/** Open connections per room; the next one is closed with ROOM_FULL (4003),
 * which clients retry with backoff: rooms empty. */
export const MAX_CONNECTIONS_PER_ROOM = 256;
// An audience room's bounds (issue 18): party/shared/audience-limits.ts,
// re-exported here so every limit is read from this module.
export * from "./audience-limits.ts";
/** Open connections per identity per room — the token's subject when it has
 * one, else the client's IP address (CF-Connecting-IP) — checked before the
 * room's own cap, so one person or one machine can hold at most an eighth of a
 * room. 32 leaves room for an office behind one NAT; raise it for bigger ones. */
export const MAX_CONNECTIONS_PER_IDENTITY = 32;
/** Open connections per client id (one per tab; a duplicated tab shares its
 * id), checked at hello: a runaway page cannot hold more than this. */
export const MAX_CONNECTIONS_PER_CLIENT = 8;

/** Largest hello frame: version, ids, epoch, a 40-character name and a colour
 * need a few hundred bytes; a padded hello is a bad frame. */
export const MAX_HELLO_BYTES = 2_048;

/** Room ids: URL-safe, short enough to log and to use as a Durable Object name. */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Record ids and mutation ids share this alphabet; clients generate them. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Client ids: a stable per-device id chosen by the client library. */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Coordinates (cursor positions) are world units; anything beyond ±1e7 is a
 * bug or an attack (and breaks canvas maths), so the schema refuses it. */
export const MAX_COORD = 10_000_000;
/** Characters in a display name. */
export const MAX_NAME_CHARS = 40;

/** Mutation token bucket: 30 mutations/s sustained, bursts of 60 (a fast drag
 * with a 50 ms commit throttle is 20/s). */
export const MUTATION_RATE_PER_SEC = 30;
export const MUTATION_BURST = 60;
/** Cursor token bucket: the library sends at most 60 Hz (in small rooms,
 * client/engine/throttle.ts); some headroom for jitter. */
export const CURSOR_RATE_PER_SEC = 70;
export const CURSOR_BURST = 140;
/** Live state (ephemeral per-connection data under app-defined keys: drafts,
 * viewports, laser trails): sent with pointer moves, so the cursor rate. */
export const LIVE_RATE_PER_SEC = 70;
export const LIVE_BURST = 140;
/** One live value, serialized: a drawing in progress, not a document. */
export const MAX_LIVE_BYTES = 16 * 1024;
/** Live keys one connection may hold at once. */
export const MAX_LIVE_KEYS = 4;
/** All live state of a room together: 256 connections × 4 keys × 16 KiB would
 * be 16 MiB of memory; the room refuses new values past this instead. */
export const MAX_LIVE_ROOM_BYTES = 2 * 1024 * 1024;
/** Live values sent out by one room (room/fanout.ts): each value in a frame
 * counts its characters once per receiver it goes to. Past the budget, live
 * values wait in the room, the latest per member and key replacing the one
 * before (nothing of the document is lost: live state is ephemeral), oldest
 * waiting first; cursors and commits are not held back. 140 drafts of 16 KiB
 * sent ~400 MiB in 4–9 s before (issue 23). A room of 30 with five people
 * drawing 4 KB strokes at 20 Hz uses ~12 MB/s. The burst holds the largest
 * value sent to a full room (MAX_LIVE_BYTES × MAX_CONNECTIONS_PER_ROOM ≈ 4 MiB)
 * with room to spare; a value larger than a full bucket still goes, overdrawing it. */
export const LIVE_BYTES_OUT_PER_SEC = 16 * 1024 * 1024;
export const LIVE_BYTES_OUT_BURST = 32 * 1024 * 1024;
/** Live keys are short names the app chooses. */
export const LIVE_KEY_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
/** Presence (name/colour/status) changes are rare. */
export const PRESENCE_RATE_PER_SEC = 5;
export const PRESENCE_BURST = 20;
/** Resync requests: a client needs one after a gap, not a stream of them
 * (each may cost the room a full snapshot). */
export const RESYNC_RATE_PER_SEC = 1;
export const RESYNC_BURST = 5;
/** Refusals the room must remember (a deterministic reject): a client with a
 * bug or in a conflict may hit a burst of them; one that keeps at it gets
 * RATE_LIMITED rejects (not remembered: it may retry) instead of growing the
 * refusal table. */
export const REFUSAL_RATE_PER_SEC = 2;
export const REFUSAL_BURST = 50;
/** The refusal bucket is kept per identity (token subject, else address, else
 * client id), not per connection: a reconnect must not refresh the burst. A
 * room instance keeps at most this many such buckets (~100 bytes each); past
 * it, the one used longest ago is forgotten. 4 × MAX_CONNECTIONS_PER_ROOM:
 * every identity that can be connected at once, and those that just left. */
export const REFUSAL_IDENTITIES_MAX = 1024;
/** Sync bytes (snapshots and deltas) the room sends per second, all joiners and
 * resyncs together. The burst must hold the largest snapshot twice over (a
 * room at MAX_ROOM_BYTES plus framing), or a full room could never be joined.
 * A hello over budget is closed with 1013 (try again later) and the client
 * reconnects with backoff; a resync over budget gets RATE_LIMITED and is retried. */
export const SYNC_BYTES_PER_SEC = 16 * 1024 * 1024;
export const SYNC_BYTES_BURST = 64 * 1024 * 1024;
/** Frames dropped by a rate limit before the connection is closed as abusive
 * (POLICY_VIOLATION). A well-behaved client never gets near this. */
export const MAX_RATE_LIMITED_FRAMES = 2_000;
/** Unparseable frames tolerated before the connection is closed. */
export const MAX_BAD_FRAMES = 50;
/** Characters of frames one connection may have parsed: a bucket refilled at
 * PARSE_BYTES_PER_SEC up to PARSE_BYTES_BURST, charged by a frame's length
 * before it is parsed. A flood of padded but valid frames made the room parse
 * ~600 MiB for one connection before the kick (issue 23): every frame a
 * budget dropped was parsed first. Past the bucket a frame is dropped
 * unparsed and counts toward MAX_RATE_LIMITED_FRAMES, so parse work before a
 * kick is ≤ PARSE_BYTES_BURST + PARSE_BYTES_PER_SEC × the flood's duration.
 * 8 MiB/s and 16 MiB sit just above the mutation budget at the largest frame
 * (30/s and a burst of 60 × MAX_MESSAGE_BYTES = 7.5 / 15 MiB), so no client
 * within its other budgets ever meets this one. The exact ping is free. */
export const PARSE_BYTES_PER_SEC = 8 * 1024 * 1024;
export const PARSE_BYTES_BURST = 16 * 1024 * 1024;

/** Frames: the room coalesces cursor moves into shared frames and commits
 * into batch frames (commit-outbox.ts), paced by one budget —
 * CURSOR_SENDS_PER_SEC socket sends of those frames per room, of which
 * CURSOR_SEND_BURST may be spent at once. While sending every move at once
 * fits the budget, a move leaves in the turn it arrived (a quiet or small
 * room behaves like a bare relay). Past it the room is busy: each receiver
 * gets one cursor frame per tick with every move of the tick in it, the tick
 * as short as the budget allows for the receivers (receivers × 1000 /
 * CURSOR_SENDS_PER_SEC ms), never shorter than CURSOR_TICK_MS (a display
 * frame: a receiver cannot show more) and never longer than CURSOR_FRAME_MS
 * (20 Hz: smooth with client interpolation, far under the per-object request
 * budget; reached at 200 receivers). One mechanism, every room size. */
export const CURSOR_FRAME_MS = 50;
export const CURSOR_TICK_MS = 16;
export const CURSOR_SENDS_PER_SEC = 4_000;
/** 50 ms of the budget: a 10-person room whose members all move in the same
 * instant still gets every move at once. */
export const CURSOR_SEND_BURST = 200;

/** The op log keeps at least this many recent entries so a reconnecting client
 * gets a delta; compaction runs when the log reaches LOG_COMPACT_AT entries. */
export const LOG_KEEP = 1_000;
export const LOG_COMPACT_AT = 2_000;
/** The op log is compacted by bytes too: when its entries pass LOG_MAX_BYTES it
 * keeps at most LOG_KEEP_BYTES of the newest. (A delta is only sent when it is
 * smaller than the snapshot, so entries beyond the board's size are rarely
 * useful anyway; this bounds what rewrites of large records can store.) */
export const LOG_MAX_BYTES = 8 * 1024 * 1024;
export const LOG_KEEP_BYTES = 4 * 1024 * 1024;

/** A processed mutation id is remembered (with its result) for 7 days; beyond
 * the newest DEDUPE_MAX_ENTRIES of them an id may be forgotten sooner, but never
 * before DEDUPE_MIN_RETENTION_MS, however busy the room. So a retry is always
 * recognised within an hour, and within 7 days in any room with fewer than
 * 100,000 mutations in that time. The client library drops pending mutations
 * older than DEDUPE_RETENTION_MS for exactly this reason. */
export const DEDUPE_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
export const DEDUPE_MAX_ENTRIES = 100_000;
export const DEDUPE_MIN_RETENTION_MS = 60 * 60 * 1000;
/** Refused mutation ids are remembered for a day, and at most the newest
 * REJECT_MAX_ENTRIES of them (~300 B each: ≤ 3 MB), pruned whenever one is
 * added. A refusal matters only until the client that sent it has heard the
 * reject — seconds, or one reconnect — so a day and 10,000 are generous. */
export const REJECT_RETENTION_MS = 24 * 60 * 60 * 1000;
export const REJECT_MAX_ENTRIES = 10_000;

/** Liveness without waking the room: clients send the exact ping frame every
 * PING_INTERVAL_MS; the Durable Object runtime answers it and records the time
 * (getWebSocketAutoResponseTimestamp). An alarm — not an interval timer — sweeps
 * every SWEEP_INTERVAL_MS while sockets are open and drops any socket silent for
 * STALE_AFTER_MS. A half-open socket's cursor is therefore gone within
 * STALE_AFTER_MS + SWEEP_INTERVAL_MS = 45 s; with no sockets, no alarm is set. */
export const PING_INTERVAL_MS = 10_000;
/** The client's side of the same check: a connection that has delivered no
 * frame at all (not even a pong) for this long is half-open — the client drops
 * it and reconnects, instead of showing "live" while edits go nowhere. */
export const PONG_TIMEOUT_MS = 25_000;
export const STALE_AFTER_MS = 30_000;
export const SWEEP_INTERVAL_MS = 15_000;
/** No hello this long after the accept: closed at the next accept or the alarm set for it. */
export const HELLO_TIMEOUT_MS = 10_000;
/** An identity's sockets without a hello; the next closes the oldest of them. */
export const MAX_HELLOLESS_PER_IDENTITY = 8;
/** The room writes a connection's last-message time into its attachment at
 * most this often, so silence is measured across hibernation (an in-memory
 * clock restarts on every wake) at the cost of one small write per 5 s of
 * activity per socket. */
export const SEEN_WRITE_EVERY_MS = 5_000;

/** Clients keep a departed peer (and its cursor) this long, so a reload or a
 * quick reconnect — same client id, new connection — does not flicker. */
export const LEAVE_LINGER_MS = 3_000;

// HTTP fallback (party/engine/fallback.ts): Server-Sent Events down, POSTs up,
// for networks that refuse WebSocket upgrades. An open stream keeps the
// Durable Object awake (no hibernation), so streams are few and bounded.
/** Fallback streams a room holds at once: far fewer than MAX_CONNECTIONS_PER_ROOM. */
export const MAX_FALLBACK_STREAMS_PER_ROOM = 16;
/** Per identity (token subject, else a non-loopback client address). */
export const MAX_FALLBACK_STREAMS_PER_IDENTITY = 2;
/** A stream is ended after this long (close 1001 "stream duration") and the
 * client reopens at once: no client keeps a room awake without asking again,
 * and proxies that cut long responses do not do it mid-frame. */
export const FALLBACK_STREAM_MAX_MS = 600_000;
/** Frames in one POST: a batch of the client's queued frames. */
export const MAX_FRAMES_PER_POST = 32;
/** UTF-16 code units in one POST body (each frame also ≤ MAX_MESSAGE_BYTES). */
export const MAX_POST_BYTES = 524_288;
/** POSTs per second per stream / burst: the library keeps one in flight, so
 * this binds only a client that does not; its frames meet the room's own
 * per-connection budgets besides. */
export const FALLBACK_POSTS_PER_SEC = 20;
export const FALLBACK_POSTS_BURST = 40;
/** Room opens (WebSocket upgrades and fallback streams) per identity — token
 * subject, else a non-loopback client address — per minute, counted at the
 * Worker before any room is woken: a room's object is created by its first
 * open, so this bounds how many rooms one identity can create (issue 23: one
 * client created 111–257 rooms in 8 s). A person opens a few boards a minute;
 * a reconnecting client backs off to 10 s. The value is configured in
 * wrangler.toml's `[[ratelimits]]` (ROOM_OPENS, a 60 s window); this states it,
 * and tests/workerd/room-opens.test.ts checks the binding enforces exactly it.
 * Over it: `429` / socket `1013` with `RATE_LIMITED`, retried with backoff. */
export const ROOM_OPENS_PER_MINUTE = 60;

/** A fallback ticket (`POST …/ticket` with `Authorization: Bearer`, then
 * `GET …/events?ticket=`) is redeemable once, for this long: an EventSource
 * cannot send headers, so the stream's URL carries this instead of the token —
 * useless once used, and to anyone who reads it from a log 30 s later. */
export const FALLBACK_TICKET_TTL_MS = 30_000;
/** Tickets a room holds unredeemed at once (each a few hundred bytes of
 * memory until it is used or expires). */
export const MAX_FALLBACK_TICKETS = 64;

/** UTF-8 bytes a stream may hold queued for its reader behind the frame it
 * is reading: a reader that stops reading (a stalled tab, a hostile client)
 * would otherwise make the room hold every frame for it. 4 MiB is a few
 * seconds of a busy room's traffic on a slow link; 16 streams × 4 MiB keep
 * the worst case well inside a Durable Object's 128 MB. Over it, the stream is
 * ended at once (its queue dropped) and the client reopens and resyncs. */
export const FALLBACK_STREAM_MAX_OWED_BYTES = 4 * 1024 * 1024;
/** What a WebSocket member may owe the room: characters (UTF-16 code units,
 * one byte each for ASCII JSON) of broadcast frames — commits, live and cursor
 * frames, joins and leaves — sent to it and not yet acknowledged. The room
 * cannot see a socket's buffer, so a client that says `reads` in its hello
 * acknowledges what it has read (`read`, every READ_ACK_EVERY_BYTES); one that
 * stops reading (a frozen tab, a stalled link) would otherwise make the room
 * and the runtime hold every frame for it (> 100 MiB in issue 23; a Durable
 * Object has 128 MB). 4 MiB, like a fallback stream's bound, is seconds of a
 * busy room's traffic; the sync and the answers to the member's own requests
 * are not counted (their own budgets bound them), so no big snapshot trips it.
 * Over it, the member is dropped from live delivery and closed with
 * SLOW_READER (4009); it reconnects and resyncs from its last seq. */
export const SOCKET_MAX_OWED_BYTES = 4 * 1024 * 1024;
/** How often a client acknowledges what it has read: one `read` message per
 * 64 Ki characters received, never per frame (inbound messages are billed
 * 20:1, and pings cannot carry it: the runtime answers them without waking
 * the room). 64 KiB is 1/64 of SOCKET_MAX_OWED_BYTES, so an acknowledging
 * reader never comes near the bound by the granularity of its acks. */
export const READ_ACK_EVERY_BYTES = 64 * 1024;

/** Retained history (party/engine/history.ts, PROTOCOL.md §15): a full board
 * (a checkpoint) is kept every HISTORY_CHECKPOINT_CHANGES changes, or once
 * HISTORY_CHECKPOINT_MS have passed since the last one with changes in
 * between, or once the changes since the last one pass
 * HISTORY_CHECKPOINT_BYTES — so a preview or restore replays at most that
 * much onto its nearest checkpoint. 500 changes is a few minutes of busy
 * editing; 10 minutes is the granularity a person scrubbing expects. */
export const HISTORY_CHECKPOINT_CHANGES = 500;
export const HISTORY_CHECKPOINT_MS = 10 * 60 * 1000;
export const HISTORY_CHECKPOINT_BYTES = 4 * 1024 * 1024;
/** Retention: checkpoints (and the changes after them) older than 30 days go,
 * and the oldest go first while there are more than HISTORY_MAX_CHECKPOINTS or
 * history holds more than HISTORY_MAX_BYTES (checkpoints plus retained
 * changes). The newest checkpoint is never dropped, so a room over the byte
 * cap keeps one board plus the changes after it (≤ MAX_ROOM_BYTES +
 * HISTORY_CHECKPOINT_BYTES + one change). */
export const HISTORY_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
export const HISTORY_MAX_CHECKPOINTS = 200;
export const HISTORY_MAX_BYTES = 64 * 1024 * 1024;
/** A mutation may say how long before it was sent it was made (`mutate`'s
 * `age`, party/shared/mutation-age.ts): history then stamps it with that
 * time, clamped to at most MUTATION_AGE_MAX_MS before it arrived, so a client
 * cannot backdate its edits further. 7 days is DEDUPE_RETENTION_MS: the
 * client library drops pending edits older than that, so no honest edit is. */
export const MUTATION_AGE_MAX_MS = 7 * 24 * 60 * 60 * 1000;
/** Named versions per room (each is a checkpoint, counted in the caps above). */
export const HISTORY_MAX_VERSIONS = 50;
/** Characters in a version name ("before the review"). */
export const MAX_VERSION_NAME_CHARS = 60;
/** Change summaries in one `history` answer (a page; ask again with `before`). */
export const HISTORY_PAGE_MAX = 200;
/** Record ids listed, record kinds counted and patched field names listed (each cut to 64 characters) per change summary: enough to say "what", bounded. */
export const HISTORY_SUMMARY_IDS = 8;
/** History requests (list, preview, restore, name) per connection: a person
 * scrubbing a timeline sends a few a second; each preview may cost a board's
 * worth of reads, so it is also charged to the room's sync budget. */
export const HISTORY_RATE_PER_SEC = 4;
export const HISTORY_BURST = 20;
/** History work per room (party/engine/room/past-boards.ts): a preview,
 * restore or HTTP board read that needs a past board built is charged its
 * estimated size (the base checkpoint's bytes plus the changes replayed onto
 * it, or the board's bytes at the head) BEFORE anything is read; past the
 * budget it is refused RATE_LIMITED. A build may overdraw it (a board larger
 * than the burst is still buildable) and the next waits for the debt to
 * refill. A cached board or one already being built costs no work. */
export const HISTORY_WORK_BYTES_PER_SEC = 8 * 1024 * 1024;
export const HISTORY_WORK_BYTES_BURST = 16 * 1024 * 1024;
/** A past board is built in steps of at most this much JSON (parsed,
 * replayed or serialised), each its own turn of the runtime, so a commit
 * waits for one step at most, never a whole build. One step is the base
 * checkpoint's read (one storage read, ≤ MAX_ROOM_BYTES). */
export const HISTORY_BUILD_STEP_BYTES = 256 * 1024;
/** Built past boards kept per room (their JSON characters): repeated
 * previews of one point share one build. Least recently used go first; a
 * board larger than this is shared only while it is being built. */
export const HISTORY_BOARD_CACHE_BYTES = 8 * 1024 * 1024;

/** Webhooks (party/engine/webhooks.ts, docs/WEBHOOKS.md): `room.changed` is
 * sent at most once per WEBHOOK_DEBOUNCE_MS per room, covering every seq since
 * the last one; a failed delivery is retried after WEBHOOK_RETRY_BASE_MS × 2^n
 * (at most WEBHOOK_RETRY_MAX_MS apart) until WEBHOOK_RETRY_FOR_MS after the
 * event, then dropped (and logged). */
export const WEBHOOK_DEBOUNCE_MS = 2_000;
export const WEBHOOK_RETRY_BASE_MS = 1_000;
export const WEBHOOK_RETRY_MAX_MS = 60 * 60 * 1000;
export const WEBHOOK_RETRY_FOR_MS = 24 * 60 * 60 * 1000;
/** Endpoints per deployment (WEBHOOK_ENDPOINTS + WEBHOOK_URL); newest entries kept in a room's delivery log. */
export const WEBHOOK_ENDPOINTS_MAX = 8;
export const WEBHOOK_LOG_MAX = 200;
/** A receiver gets this long to answer before the attempt counts as failed. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Undelivered events per room and endpoint; past it that endpoint's oldest
 * is dropped (logged), so a dead receiver cannot grow a room's storage nor
 * push out another endpoint's events. */
export const WEBHOOK_OUTBOX_MAX = 100;
/** Receivers should refuse a signature whose timestamp is further than this
 * from their clock (replay protection; the verification snippet uses it). */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

/** The backend's room surface (docs/HTTP-API.md): metadata ≤ ROOM_METADATA_MAX_KEYS keys and _BYTES of
 * JSON, strings ≤ _VALUE_CHARS; one broadcast event ≤ MAX_BROADCAST_BYTES of JSON; a room reports to the
 * rooms index ≤ once per ROOMS_INDEX_REPORT_MS (activity coalesced); a listing page ≤ ROOMS_INDEX_PAGE_MAX. */
export const ROOM_METADATA_MAX_KEYS = 50;
export const ROOM_METADATA_MAX_BYTES = 4 * 1024;
export const ROOM_METADATA_VALUE_CHARS = 512;
export const MAX_BROADCAST_BYTES = 16 * 1024;
export const ROOMS_INDEX_REPORT_MS = 5_000;
export const ROOMS_INDEX_PAGE_MAX = 200;

/** An export file (HTTP API `GET …/export`, `POST …/import`) holds at most a
 * full room's records plus framing. */
export const MAX_IMPORT_BYTES = 32 * 1024 * 1024;

/** Largest asset file (party/shared/assets.ts), bytes. Holds a photo at full
 * camera resolution as JPEG and a 4,096 × 4,096 screenshot as PNG in most
 * cases; the room reads a file into memory once (128 MB per isolate), so
 * tens of MB would be too much. An app may lower it (`assets.maxFileBytes`). */
export const MAX_ASSET_BYTES = 8 * 1024 * 1024;
/** Asset bytes one room may hold in R2: a board of ~100 large photos. Charged
 * once per distinct hash (the same bytes again cost nothing), given back when
 * an asset no record names is collected (ASSET_GRACE_MS) or the room is
 * deleted. */
export const MAX_ROOM_ASSET_BYTES = 256 * 1024 * 1024;
/** Assets one room may hold, whatever their size: bounds the room's asset
 * table and the work of deleting a room (one R2 list + delete per 1,000). */
export const MAX_ASSETS_PER_ROOM = 2_000;
/** An asset that no retained record names — not the board's, not a
 * checkpoint's, not a change history keeps (so restore, preview and fork
 * still find their pictures) — is deleted from R2 by the room's alarm once it
 * has been so this long: counted from its upload for one never seen named
 * (uploaded, then the page died), else from the first collection pass that
 * found it unnamed (party/engine/asset-gc.ts). */
export const ASSET_GRACE_MS = 24 * 60 * 60 * 1000;
/** A collection pass runs at most this often after the room changed (and
 * when an upload's grace ends, or a waiting asset's). */
export const ASSET_GC_INTERVAL_MS = 24 * 60 * 60 * 1000;
/** Work of one alarm's collection step: characters of history (checkpoint
 * boards and changes) read, at least one checkpoint. A pass spans alarms. */
export const ASSET_GC_STEP_CHARS = 1024 * 1024;
/** R2 objects one step deletes (one batch delete); more wait for the next. */
export const ASSET_GC_DELETES = 100;
