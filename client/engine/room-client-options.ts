/**
 * How a RoomClient connects: either to a server by host (it builds the
 * partysocket connection itself, with token and backoff) or through a
 * transport the caller built (the browser's online-aware wrapper, tests, the
 * fuzz harness, the benchmark). The two are exclusive: a transport would
 * silently ignore host settings, so the types forbid mixing them and
 * `transportFor` refuses it at run time.
 */
import { BROADCAST_QUERY } from "../../party/shared/broadcast.ts";
import type { RecordBase } from "../../party/shared/protocol.ts";
import type { RoomSchema } from "../../party/shared/schema.ts";
import type { LiveSchemas } from "../../party/shared/typed-ops.ts";
import type { Clock } from "./clock.ts";
import { partySocketTransport, type TransportFactory } from "./connection.ts";
import { fallbackTransport } from "./fallback-transport.ts";
import type { PendingStore } from "./pending-store.ts";

/** What every RoomClient takes, however it connects. */
export interface RoomClientBaseOptions<R extends RecordBase = RecordBase, F extends string = string, L extends LiveSchemas = LiveSchemas> {
  /** The app's schema (`defineRoom`): its party, its records and their limits
   * (and, for the types, its fixed fields and live keys). */
  schema: RoomSchema<R, F, L>;
  room: string;
  /** Stable id of this device/tab. Generated when omitted. */
  clientId?: string;
  name: string;
  color: string;
  /** Where pending edits wait across reloads (browser: IndexedDB). */
  pendingStore?: PendingStore;
  /** Cursor throttle interval (ms). */
  cursorIntervalMs?: number;
  /**
   * Share one connection among this browser profile's tabs on this room.
   * The tabs elect a leader (Web Locks) that holds the only socket; the others
   * reach the room through it (BroadcastChannel), so the room sees one
   * connection and one presence (the cursor of the tab used last), a tab
   * joining costs the room nothing, and closing the leader tab hands the
   * connection to another tab without losing or repeating a pending edit.
   * Every tab's client works as before: events, view, acks, rejects.
   *
   * Default: on in a browser page that has Web Locks and BroadcastChannel,
   * off elsewhere (Node, workers). `false` gives each tab its own
   * connection; `true` asks for sharing wherever both APIs exist (Node 22+
   * tests). Tabs share when they name the same party and room.
   */
  shareTabs?: boolean;
  /** When the room runs newer code than this page (an `outdated` event),
   * reload the page once the person is idle (reload-when-idle.ts). Default:
   * true in a browser page. Pending edits survive it (IndexedDB) and are
   * migrated to the new record schema after the reload. */
  reloadWhenOutdated?: boolean;
  /** Time for the client's timers and the durations between events (mutation
   * retries, pings, the cursor and live throttles, presence linger, history
   * timeouts). Default: the real one (`Date.now` and the global timers);
   * tests pass a clock they advance by hand instead of sleeping. */
  clock?: Clock;
}

/** Connect to a server by host: the client builds the partysocket connection. */
export interface RoomClientHostOptions<R extends RecordBase = RecordBase, F extends string = string, L extends LiveSchemas = LiveSchemas> extends RoomClientBaseOptions<R, F, L> {
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
  /**
   * Fall back to Server-Sent Events + POSTs when WebSockets cannot get
   * through (two sessions in a row without a frame), and probe every 30 s to
   * switch back (fallback-transport.ts; `connection.transport` says which is in
   * use). Default true; needs `EventSource` (browsers), else WebSockets only.
   */
  httpFallback?: boolean;
  transport?: never;
}

/** Connect through a transport built by the caller (the browser's online-aware
 * wrapper, tests, the fuzz harness, the benchmark). Host, token and backoff
 * belong to that transport, so they cannot be given here too. */
export interface RoomClientTransportOptions<R extends RecordBase = RecordBase, F extends string = string, L extends LiveSchemas = LiveSchemas> extends RoomClientBaseOptions<R, F, L> {
  transport: TransportFactory;
  host?: never;
  protocol?: never;
  WebSocket?: never;
  getToken?: never;
  minReconnectDelayMs?: never;
  maxReconnectDelayMs?: never;
  httpFallback?: never;
}

export type RoomClientOptions<R extends RecordBase = RecordBase, F extends string = string, L extends LiveSchemas = LiveSchemas> =
  | RoomClientHostOptions<R, F, L>
  | RoomClientTransportOptions<R, F, L>;

/** Options that configure the connection RoomClient builds itself: meaningless
 * next to a caller's transport. */
const HOST_ONLY_OPTIONS = ["host", "protocol", "WebSocket", "getToken", "minReconnectDelayMs", "maxReconnectDelayMs", "httpFallback"] as const;

/** The transport `options` ask for: the caller's, or partysocket to `host`.
 * Throws when both are asked for (JavaScript callers, casts): a transport
 * would silently ignore them. */
export function transportFor<R extends RecordBase>(options: RoomClientOptions<R>): TransportFactory {
  if (options.transport) {
    const ignored = HOST_ONLY_OPTIONS.filter((k) => options[k] !== undefined);
    if (ignored.length) throw new TypeError(`RoomClient: ${ignored.join(", ")} configure the default connection; with \`transport\` give them to the transport instead`);
    return options.transport;
  }
  if (!options.host) throw new TypeError("RoomClient: give either `host` or `transport`");
  const { getToken } = options;
  return (options.httpFallback === false ? partySocketTransport : fallbackTransport)({
    host: options.host,
    party: options.schema.party,
    room: options.room,
    protocol: options.protocol,
    WebSocket: options.WebSocket,
    minReconnectDelayMs: options.minReconnectDelayMs,
    maxReconnectDelayMs: options.maxReconnectDelayMs,
    // This library reads the backend's broadcasts (party/shared/broadcast.ts): it says so.
    query: async () => {
      const token = getToken ? await getToken() : null;
      return { [BROADCAST_QUERY]: "1", ...(token ? { token } : {}) };
    },
  });
}
