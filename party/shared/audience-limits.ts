/**
 * The bounds of an audience room (issue 18; docs/ARCHITECTURE.md "One room
 * over many objects"; docs/PROTOCOL.md §12, §16): past AUDIENCE_DIRECT_MAX
 * direct members the room hands new sockets to relay objects; the room stays
 * the one authority. Kept apart from limits.ts (its length), which
 * re-exports every one of them.
 */
/** Members a room object holds itself; the next socket goes to a relay. Below
 * MAX_CONNECTIONS_PER_ROOM, so a small room is exactly one object. */
export const AUDIENCE_DIRECT_MAX = 200;
/** Members per relay object; a full relay gets no more, the next index opens. */
export const RELAY_MAX_MEMBERS = 250;
/** Relays per room: with the direct members, the room's total (50,200). */
export const MAX_RELAYS_PER_ROOM = 200;
/** Editors (active people) through relays: admitted by the room only while
 * the room's editors, direct and relayed, are fewer (ROOM_FULL past it).
 * Twice the 256 people a room held before relays, so a room of people all
 * moving cursors (a deployment without tokens: everyone an editor) is not
 * stopped at the old cap. */
export const MAX_EDITORS_PER_ROOM = 500;
/** Changes a relay keeps to serve deltas from (and their characters). */
export const RELAY_RING_CHANGES = 1000;
export const RELAY_RING_BYTES = 4 * 1024 * 1024;
/** A relay sends the room at most one frame per this many ms. */
export const RELAY_UP_MS = 50;
/** A frame that carries only the relay's counts (watchers joining, leaving)
 * goes at most once per this many ms: an audience's churn costs the room at
 * most one message a second per relay. */
export const RELAY_COUNTS_MS = 1000;
/** What the room sends a relay's link and the relay has not yet acknowledged
 * (characters of commits and broadcasts; the relay acknowledges with its up
 * frames): past it the room sends that link nothing more and tells it to
 * resubscribe, and it is brought up to date by one sync, not a queue. Four
 * members' windows (SOCKET_MAX_OWED_BYTES): a relay carries the same frames. */
export const RELAY_LINK_MAX_OWED_BYTES = 16 * 1024 * 1024;
/** A relay pings its link this often (the exact PING_FRAME: the room's
 * runtime answers it without waking the room, and records when). */
export const RELAY_PING_MS = 10_000;
/** A relay gives up a link that brought nothing, not even a pong, for this
 * long (the room evicted without its close reaching the relay): it closes it
 * and subscribes on a new one — within RELAY_ROOM_SILENT_MS + RELAY_PING_MS
 * (30 s), before the room would give the relay up. */
export const RELAY_ROOM_SILENT_MS = 20_000;
/** The room gives up a link that brought no frame and no ping for this long
 * (a relay that hangs, or whose close never came): it closes it and takes
 * the relay's members out of presence — within RELAY_SILENT_MS +
 * SWEEP_INTERVAL_MS (55 s). Longer than the relay's own bound, so a live
 * relay has opened its new link first. */
export const RELAY_SILENT_MS = 40_000;
/** What a relay sends its watchers (viewers; relay-watch.ts, PROTOCOL.md
 * §16): every change, broadcast and cursor frame of a tick in one frame, on
 * a send budget of its own — WATCH_SENDS_PER_SEC socket sends a second per
 * relay, WATCH_SEND_BURST of them at once, a frame costing one send per
 * watcher. While it lasts (a quiet room, a relay of few watchers) a frame
 * leaves in the event its contents arrived in; once spent, the next waits
 * watchers × 1000 / WATCH_SENDS_PER_SEC ms, never more than WATCH_FRAME_MS:
 * a full relay (RELAY_MAX_MEMBERS) sends each watcher 10 frames a second
 * whatever the editors do. Editors on a relay keep the room's own cadence. */
export const WATCH_FRAME_MS = 100;
export const WATCH_SENDS_PER_SEC = 2_500;
export const WATCH_SEND_BURST = 250;
/** Watchers per page of `GET …/presence?watchers` (docs/HTTP-API.md): one
 * relay's members, asked over its link and answered with its next frame. */
export const WATCHERS_PAGE_MAX = 100;
/** How long the room waits for a relay's page of watchers; past it the
 * request is answered 503 (retry with the same cursor). */
export const WATCHERS_WAIT_MS = 5_000;
