/**
 * `edgeroom/react`: React hooks over a RoomClient, through
 * useSyncExternalStore. `useRoom` owns the client (built on mount, closed on
 * unmount or when the room changes); `useRecords`, `usePeers`, `useSelf`,
 * `useConnection`, `usePendingEdits` and `useCursors` read it.
 *
 * Each hook's subscribe/getSnapshot pair is a plain exported function
 * (`recordsSource`, …) so it can be tested without React: a snapshot keeps its
 * identity while nothing it shows changed (React re-renders only on a new
 * identity) and gets a new one as soon as something did. getSnapshot compares
 * with the live state itself rather than trusting a "dirty" flag, because
 * React also calls it before it subscribes. Records and peers are compared
 * entry by entry (the client replaces a record object when it changes, never
 * edits it in place; an acknowledged record equal field by field to the
 * optimistic one counts as unchanged), so a render costs O(records): fine for the small
 * documents these hooks are for; a large canvas (the whiteboard) reads
 * `client.records()` in its own render loop instead.
 */
import { useEffect, useRef, useState, useSyncExternalStore } from "react";
import type { Peer, RecordBase } from "../../party/shared/protocol.ts";
import type { RemoteCursor } from "./peer-roster.ts";
import { RoomClient } from "./room-client.ts";
import type { RoomClientOptions } from "./room-client-options.ts";
import type { ConnectionState } from "./room-events.ts";

/** What useSyncExternalStore takes: subscribe to changes, read the current snapshot. */
export interface ExternalSource<T> {
  subscribe(onChange: () => void): () => void;
  getSnapshot(): T;
}

const EMPTY_MAP: ReadonlyMap<string, never> = new Map<string, never>();
const NO_CLIENT_CONNECTION: ConnectionState = { status: "connecting", attempt: 0, lastSyncedAt: null, error: null };
const noSubscription = () => () => {};

/** Same keys, and each value the same object (or equal by `same`). */
function sameMap<V>(a: ReadonlyMap<string, V>, b: ReadonlyMap<string, V>, same: (x: V, y: V) => boolean = Object.is): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w === undefined || !same(v, w)) return false;
  }
  return true;
}

/** Same fields with the same values, one level deep: an acknowledged edit
 * comes back as a new object equal to the optimistic one, and should not
 * re-render. (Nested values compare by identity: at worst one render too many.) */
function sameFields(a: object, b: object): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.is((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

/** A source whose snapshot is a copy of `read()`, replaced only when it differs. */
function copyingSource<T>(subscribe: (onChange: () => void) => () => void, read: () => T, same: (held: T, live: T) => boolean, copy: (live: T) => T): ExternalSource<T> {
  let held: T | undefined;
  return {
    subscribe,
    getSnapshot() {
      const live = read();
      if (held === undefined || !same(held, live)) held = copy(live);
      return held;
    },
  };
}

const records = new WeakMap<RoomClient<never>, ExternalSource<ReadonlyMap<string, RecordBase>>>();
const peers = new WeakMap<RoomClient<never>, ExternalSource<ReadonlyMap<string, Peer>>>();
const connections = new WeakMap<RoomClient<never>, ExternalSource<ConnectionState>>();
const cursors = new WeakMap<RoomClient<never>, ExternalSource<ReadonlyMap<string, RemoteCursor>>>();
const selves = new WeakMap<RoomClient<never>, ExternalSource<Peer | null>>();
const pendingEdits = new WeakMap<RoomClient<never>, ExternalSource<number>>();

/** One source per client, shared by every component that reads it. */
function cached<T>(map: WeakMap<RoomClient<never>, ExternalSource<T>>, client: RoomClient<never>, build: () => ExternalSource<T>): ExternalSource<T> {
  let source = map.get(client);
  if (!source) map.set(client, (source = build()));
  return source;
}

/** The records as the client shows them (confirmed + pending), by id. */
export function recordsSource<R extends RecordBase>(client: RoomClient<R>): ExternalSource<ReadonlyMap<string, R>> {
  const key = client as unknown as RoomClient<never>;
  return cached(records, key, () =>
    copyingSource<ReadonlyMap<string, R>>((fn) => client.on("change", fn), () => client.records(), (a, b) => sameMap(a, b, sameFields), (m) => new Map(m)),
  ) as unknown as ExternalSource<ReadonlyMap<string, R>>;
}

/** Everyone else in the room, by connection id. */
export function peersSource<R extends RecordBase>(client: RoomClient<R>): ExternalSource<ReadonlyMap<string, Peer>> {
  return cached(peers, client as unknown as RoomClient<never>, () =>
    copyingSource<ReadonlyMap<string, Peer>>((fn) => client.on("change", fn), () => client.peers(), sameMap, (m) => new Map(m)),
  );
}

const sameConnection = (a: ConnectionState, b: ConnectionState) =>
  a.status === b.status && a.transport === b.transport && a.attempt === b.attempt && a.lastSyncedAt === b.lastSyncedAt && a.error?.code === b.error?.code && a.error?.message === b.error?.message;

/** This connection as the room knows it (conn, name, colour, role); null until the room welcomed it. */
export function selfSource<R extends RecordBase>(client: RoomClient<R>): ExternalSource<Peer | null> {
  return cached(selves, client as unknown as RoomClient<never>, () =>
    copyingSource<Peer | null>(
      (fn) => client.on("change", fn),
      () => client.self,
      (a, b) => a === b || (a !== null && b !== null && sameFields(a, b)),
      (p) => (p ? { ...p } : null),
    ),
  );
}

/** Edits this person made that the room has not confirmed yet ("3 unsaved
 * edits"): a drag committed several times, or a paste split over several
 * mutations, counts once (`RoomClient.pendingEditCount`). */
export function pendingEditsSource<R extends RecordBase>(client: RoomClient<R>): ExternalSource<number> {
  return cached(pendingEdits, client as unknown as RoomClient<never>, () => ({
    subscribe: (fn) => client.on("change", fn),
    getSnapshot: () => client.pendingEditCount,
  }));
}

/** The connection as a person would see it: status, transport, reconnect attempt, last sync, terminal error. */
export function connectionSource<R extends RecordBase>(client: RoomClient<R>): ExternalSource<ConnectionState> {
  return cached(connections, client as unknown as RoomClient<never>, () =>
    copyingSource<ConnectionState>((fn) => client.on("status", fn), () => client.connection, sameConnection, (c) => ({ ...c })),
  );
}

const sameCursor = (a: RemoteCursor, b: RemoteCursor) => a.x === b.x && a.y === b.y && a.at === b.at;

/** Remote cursors by connection id (20 updates a second while people move). */
export function cursorsSource<R extends RecordBase>(client: RoomClient<R>): ExternalSource<ReadonlyMap<string, RemoteCursor>> {
  return cached(cursors, client as unknown as RoomClient<never>, () =>
    copyingSource<ReadonlyMap<string, RemoteCursor>>(
      (fn) => client.on("cursors", fn),
      () => client.cursors(),
      (held, live) => sameMap(held, live, sameCursor),
      (m) => new Map([...m].map(([k, c]) => [k, { ...c }])),
    ),
  );
}

/**
 * A RoomClient for as long as the component is mounted; `null` until the
 * first effect has run (and never built during render, so StrictMode's double
 * mount opens and closes one cleanly). A new schema, room, host or transport
 * builds a new client; a new name or color is sent as presence.
 */
export function useRoom<R extends RecordBase>(options: RoomClientOptions<R>): RoomClient<R> | null {
  const [client, setClient] = useState<RoomClient<R> | null>(null);
  const latest = useRef(options);
  latest.current = options;
  useEffect(() => {
    const c = new RoomClient<R>(latest.current);
    setClient(c);
    return () => {
      c.close();
      setClient(null);
    };
  }, [options.schema, options.room, options.host, options.transport]);
  useEffect(() => {
    client?.setPresence({ name: options.name, color: options.color });
  }, [client, options.name, options.color]);
  return client;
}

/** The records to show; an empty map while there is no client. */
export function useRecords<R extends RecordBase>(client: RoomClient<R> | null): ReadonlyMap<string, R> {
  const source = client ? recordsSource(client) : null;
  return useSyncExternalStore(source?.subscribe ?? noSubscription, source?.getSnapshot ?? (() => EMPTY_MAP));
}

/** Everyone else here; an empty map while there is no client. */
export function usePeers<R extends RecordBase>(client: RoomClient<R> | null): ReadonlyMap<string, Peer> {
  const source = client ? peersSource(client) : null;
  return useSyncExternalStore(source?.subscribe ?? noSubscription, source?.getSnapshot ?? (() => EMPTY_MAP));
}

/** This connection as the room knows it; null while there is no client or no welcome yet. */
export function useSelf<R extends RecordBase>(client: RoomClient<R> | null): Peer | null {
  const source = client ? selfSource(client) : null;
  return useSyncExternalStore(source?.subscribe ?? noSubscription, source?.getSnapshot ?? (() => null));
}

/** Edits not yet confirmed by the room (0 while there is no client). */
export function usePendingEdits<R extends RecordBase>(client: RoomClient<R> | null): number {
  const source = client ? pendingEditsSource(client) : null;
  return useSyncExternalStore(source?.subscribe ?? noSubscription, source?.getSnapshot ?? (() => 0));
}

/** The connection state ("connecting" while there is no client). */
export function useConnection<R extends RecordBase>(client: RoomClient<R> | null): ConnectionState {
  const source = client ? connectionSource(client) : null;
  return useSyncExternalStore(source?.subscribe ?? noSubscription, source?.getSnapshot ?? (() => NO_CLIENT_CONNECTION));
}

/** Remote cursors; an empty map while there is no client. */
export function useCursors<R extends RecordBase>(client: RoomClient<R> | null): ReadonlyMap<string, RemoteCursor> {
  const source = client ? cursorsSource(client) : null;
  return useSyncExternalStore(source?.subscribe ?? noSubscription, source?.getSnapshot ?? (() => EMPTY_MAP));
}
