/**
 * What a RoomClient tells its users, and how: the connection state as a
 * person would want to see it, the events (change, status, cursors, reject,
 * error, message), and the small typed emitter that delivers them.
 */
import type { BroadcastMessage } from "../../party/shared/broadcast.ts";
import type { Op, RecordBase, ServerMessage } from "../../party/shared/protocol.ts";
import type { LiveEntries, LiveSchemas, RejectCode } from "../../party/shared/typed-ops.ts";
import type { TransportKind } from "./connection.ts";
import type { RemoteCursor } from "./peer-roster.ts";

/** Where the connection is, as a person would want to see it. */
/** `waiting`: the room runs older code than this client (a deploy on its way);
 * the client retries with backoff until it is updated (docs/PROTOCOL.md §2). */
export type ConnectionStatus = "connecting" | "live" | "reconnecting" | "offline" | "waiting" | "error";

export interface ConnectionState {
  status: ConnectionStatus;
  /** Reconnect attempts since the connection was last live. */
  attempt: number;
  /** When the client last caught up with the room (ms), or null. */
  lastSyncedAt: number | null;
  /** Set when status is "error" (the terminal error the room sent) or
   * "waiting" (why: the room's version). */
  error: { code: string; message: string } | null;
  /** What carries the connection since it last opened: a WebSocket, or the
   * HTTP fallback (`sse`) on a network that refuses WebSockets. */
  transport?: TransportKind;
}

export interface RejectNotice<R extends RecordBase = RecordBase> {
  mid: string;
  /** Why: a protocol `ErrorCode` (FORBIDDEN, INVALID_MUTATION, RECORD_NOT_FOUND…)
   * or an `AssetErrorCode` for an edit that waited for a refused upload. */
  code: RejectCode;
  message: string;
  ops: Op<R>[];
}

export interface RoomClientEvents<R extends RecordBase = RecordBase, L extends LiveSchemas = LiveSchemas> {
  /** Anything drawn changed: records, pending edits, peers, connection state. */
  change: () => void;
  status: (state: ConnectionState) => void;
  /** Remote cursors moved (fired per received frame, not part of `change`). */
  cursors: (cursors: ReadonlyMap<string, RemoteCursor>) => void;
  /** Someone's live state changed (RoomClient.setLive): by conn, then key. */
  live: (live: ReadonlyMap<string, LiveEntries<L>>) => void;
  /** How many others watch an audience room without being among its peers
   * (`RoomClient.watching`): sent when it changes, at most once a second. */
  watching: (n: number) => void;
  /** A local edit was refused and rolled back. */
  reject: (notice: RejectNotice<R>) => void;
  /** A non-fatal error the room reported (rate limited, bad message, …). */
  error: (error: { code: string; message: string }) => void;
  /** This client's code is older than the room's (protocol or record
   * schema): it cannot continue until the page has newer code. In a browser
   * page the client reloads itself when idle unless `reloadWhenOutdated` is
   * false; its pending edits are kept, migrated and sent after the reload. */
  outdated: (info: { code: string; message: string }) => void;
  /** An event your backend broadcast into the room (`POST …/broadcast`,
   * docs/HTTP-API.md): ephemeral — only clients connected at that moment get
   * it, and it is never stored or replayed. */
  broadcast: (message: BroadcastMessage) => void;
  /** Every parsed room message, after it was applied (for tests and debugging). */
  message: (msg: ServerMessage<R>) => void;
}

/** Typed listeners per event name; a listener added is removed by the function `on` returns. */
export class Emitter<E extends { [K in keyof E]: (...args: never[]) => void }> {
  private readonly listeners = new Map<keyof E, Set<(...args: never[]) => void>>();

  on<K extends keyof E>(event: K, listener: E[K]): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set!.delete(listener);
  }

  emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const l of set) (l as (...a: Parameters<E[K]>) => void)(...args);
  }
}
