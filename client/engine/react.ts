/**
 * `edgeroom/react`: React hooks over a RoomClient, through
 * useSyncExternalStore. `useRoom` owns the client (built on mount, closed on
 * unmount or when the room changes); `useRecords`, `usePeers`, `useSelf`,
 * `useConnection`, `usePendingEdits`, `useRoomStats`, `useCursors`, `useLive`,
 * `useOthers` and `useMutation` read it — given the client, or from the nearest
 * `RoomProvider` when given none. Every hook renders on a server too
 * (`react-dom/server`: each passes a getServerSnapshot; with no client it
 * shows an empty room, "connecting"), so a page using them can be
 * server-rendered.
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
import { createContext, createElement, type ReactNode, useContext, useEffect, useRef, useState, useSyncExternalStore } from "react";
import type { EditOp, LiveEntries, LiveSchemas } from "../../party/shared/typed-ops.ts";
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
const watchings = new WeakMap<RoomClient<never>, ExternalSource<number>>();
const stats = new WeakMap<RoomClient<never>, ExternalSource<RoomStats>>();
const lives = new WeakMap<RoomClient<never>, ExternalSource<ReadonlyMap<string, ReadonlyMap<string, unknown>>>>();
const others = new WeakMap<RoomClient<never>, ExternalSource<ReadonlyMap<string, Other>>>();
const people = new WeakMap<RoomClient<never>, ExternalSource<ReadonlyMap<string, Person>>>();

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

/** How far this client is: what a debug panel or a status line shows. */
export interface RoomStats {
  /** The last change of the room this client has (`RoomClient.seq`). */
  seq: number;
  /** Edits not yet confirmed, and the mutations behind them. */
  pendingEdits: number;
  pendingMutations: number;
  /** Records shown (confirmed and pending). */
  records: number;
}
const NO_STATS: RoomStats = { seq: 0, pendingEdits: 0, pendingMutations: 0, records: 0 };

/** The client's seq, pending edits and mutations, and record count: O(1) to
 * read (no copy of the records), a new snapshot only when one of them moved. */
export function roomStatsSource<R extends RecordBase>(client: RoomClient<R>): ExternalSource<RoomStats> {
  const read = (): RoomStats => ({ seq: client.seq, pendingEdits: client.pendingEditCount, pendingMutations: client.pendingCount, records: client.records().size });
  return cached(stats, client as unknown as RoomClient<never>, () => copyingSource((fn) => client.on("change", fn), read, sameFields, (live) => live));
}

/** Others watching an audience room (`RoomClient.watching`). */
export function watchingSource<R extends RecordBase>(client: RoomClient<R>): ExternalSource<number> {
  return cached(watchings, client as unknown as RoomClient<never>, () => ({
    subscribe: (fn) => client.on("watching", fn),
    getSnapshot: () => client.watching,
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
export function useRoom<R extends RecordBase, F extends string = string, L extends LiveSchemas = LiveSchemas>(options: RoomClientOptions<R, F, L>): RoomClient<R, F, L> | null {
  const [client, setClient] = useState<RoomClient<R, F, L> | null>(null);
  const latest = useRef(options);
  latest.current = options;
  useEffect(() => {
    const c = new RoomClient<R, F, L>(latest.current);
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

const RoomContext = createContext<RoomClient<never> | null>(null);

/** Makes `client` the room of every hook below it that is given no client
 * (`useRecords()`, …). `client` may be null (not built yet: `useRoom`'s
 * first render, a server render). */
export function RoomProvider<R extends RecordBase>(props: { client: RoomClient<R> | null; children?: ReactNode }): ReactNode {
  return createElement(RoomContext.Provider, { value: props.client as unknown as RoomClient<never> | null }, props.children);
}

/** The client given, or the nearest RoomProvider's when given none (undefined). */
export function useRoomClient<R extends RecordBase = RecordBase, F extends string = string, L extends LiveSchemas = LiveSchemas>(client?: RoomClient<R, F, L> | null): RoomClient<R, F, L> | null {
  const provided = useContext(RoomContext) as unknown as RoomClient<R, F, L> | null;
  return client === undefined ? provided : client;
}

/** useSyncExternalStore over `source`, or `empty` without a client; the
 * server snapshot is the same as the client's, so a server render shows what
 * the client has (an empty room without one). */
function useSource<T>(source: ExternalSource<T> | null, empty: T): T {
  const read = source?.getSnapshot ?? (() => empty);
  return useSyncExternalStore(source?.subscribe ?? noSubscription, read, read);
}

/** The records to show; an empty map while there is no client. */
export function useRecords<R extends RecordBase>(client?: RoomClient<R> | null): ReadonlyMap<string, R> {
  const c = useRoomClient(client);
  return useSource(c ? recordsSource(c) : null, EMPTY_MAP);
}

/** Everyone else here (with, briefly, those who just left: `useOthers` marks them); an empty map while there is no client. */
export function usePeers<R extends RecordBase>(client?: RoomClient<R> | null): ReadonlyMap<string, Peer> {
  const c = useRoomClient(client);
  return useSource(c ? peersSource(c) : null, EMPTY_MAP);
}

/** This connection as the room knows it; null while there is no client or no welcome yet. */
export function useSelf<R extends RecordBase>(client?: RoomClient<R> | null): Peer | null {
  const c = useRoomClient(client);
  return useSource(c ? selfSource(c) : null, null);
}

/** Edits not yet confirmed by the room (0 while there is no client). */
export function usePendingEdits<R extends RecordBase>(client?: RoomClient<R> | null): number {
  const c = useRoomClient(client);
  return useSource(c ? pendingEditsSource(c) : null, 0);
}

/** The client's seq, pending edits and mutations, and record count (all 0 while there is no client). */
export function useRoomStats<R extends RecordBase>(client?: RoomClient<R> | null): RoomStats {
  const c = useRoomClient(client);
  return useSource(c ? roomStatsSource(c) : null, NO_STATS);
}

/** How many others watch an audience room without being among its peers ("1,284 watching"); 0 elsewhere or with no client. */
export function useWatching<R extends RecordBase>(client?: RoomClient<R> | null): number {
  const c = useRoomClient(client);
  return useSource(c ? watchingSource(c) : null, 0);
}

/** The connection state ("connecting" while there is no client). */
export function useConnection<R extends RecordBase>(client?: RoomClient<R> | null): ConnectionState {
  const c = useRoomClient(client);
  return useSource(c ? connectionSource(c) : null, NO_CLIENT_CONNECTION);
}

/** Remote cursors; an empty map while there is no client. */
export function useCursors<R extends RecordBase>(client?: RoomClient<R> | null): ReadonlyMap<string, RemoteCursor> {
  const c = useRoomClient(client);
  return useSource(c ? cursorsSource(c) : null, EMPTY_MAP);
}

const sameLive = (a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>) => sameMap(a, b);
const copyLive = (m: ReadonlyMap<string, ReadonlyMap<string, unknown>>) => new Map([...m].map(([conn, keys]) => [conn, new Map(keys)]));

/** Everyone else's live state (`setLive`), by conn, then key; someone who
 * left is gone at once (live state does not linger). */
export function liveSource<R extends RecordBase, F extends string, L extends LiveSchemas>(client: RoomClient<R, F, L>): ExternalSource<ReadonlyMap<string, LiveEntries<L>>> {
  const c = client as unknown as RoomClient<RecordBase>;
  return cached(lives, c as unknown as RoomClient<never>, () =>
    copyingSource<ReadonlyMap<string, ReadonlyMap<string, unknown>>>(
      (fn) => {
        const offs = [c.on("live", fn), c.on("change", fn)];
        return () => offs.forEach((off) => off());
      },
      () => c.live(),
      (held, live) => sameMap(held, live, sameLive),
      copyLive,
    ),
  ) as unknown as ExternalSource<ReadonlyMap<string, LiveEntries<L>>>;
}

/** Someone else in the room, with their live state. `left`: they left a
 * moment ago (still listed for a few seconds, so a reload does not make them
 * flicker; their live state is already gone). */
export interface Other<L extends LiveSchemas = LiveSchemas> {
  peer: Peer;
  live: LiveEntries<L>;
  left: boolean;
}

const NO_LIVE: ReadonlyMap<string, unknown> = new Map();

/** The people in the room with their live state, by conn. */
export function othersSource<R extends RecordBase, F extends string, L extends LiveSchemas>(client: RoomClient<R, F, L>): ExternalSource<ReadonlyMap<string, Other<L>>> {
  const c = client as unknown as RoomClient<RecordBase>;
  const people = peersSource(c);
  const live = liveSource(c);
  return cached(others, c as unknown as RoomClient<never>, () => {
    let held: { peers: unknown; live: unknown; present: string; value: ReadonlyMap<string, Other> } | null = null;
    return {
      subscribe: live.subscribe,
      getSnapshot() {
        const p = people.getSnapshot();
        const l = live.getSnapshot() as ReadonlyMap<string, ReadonlyMap<string, unknown>>;
        const present = [...p.keys()].filter((conn) => c.present(conn)).join(" ");
        if (held && held.peers === p && held.live === l && held.present === present) return held.value;
        const value = new Map([...p].map(([conn, peer]) => [conn, { peer, live: (l.get(conn) ?? NO_LIVE) as LiveEntries, left: !c.present(conn) }]));
        held = { peers: p, live: l, present, value };
        return value;
      },
    };
  }) as unknown as ExternalSource<ReadonlyMap<string, Other<L>>>;
}

/** Someone else in the room without their live state; `left` as in `Other`. */
export interface Person {
  peer: Peer;
  left: boolean;
}

/** The people in the room by conn, one who just left marked `left` — without
 * their live state, so a list of people does not re-render for every draft,
 * laser or view someone streams (`othersSource` does: its value carries them). */
export function peopleSource<R extends RecordBase>(client: RoomClient<R>): ExternalSource<ReadonlyMap<string, Person>> {
  const c = client as unknown as RoomClient<RecordBase>;
  const known = peersSource(c);
  return cached(people, c as unknown as RoomClient<never>, () => {
    let held: { peers: unknown; present: string; value: ReadonlyMap<string, Person> } | null = null;
    return {
      // A leave arrives as "live" (its live state goes) before the roster's "change".
      subscribe: (fn) => {
        const offs = [c.on("change", fn), c.on("live", fn)];
        return () => offs.forEach((off) => off());
      },
      getSnapshot() {
        const p = known.getSnapshot();
        const present = [...p.keys()].filter((conn) => c.present(conn)).join(" ");
        if (held && held.peers === p && held.present === present) return held.value;
        const value = new Map([...p].map(([conn, peer]) => [conn, { peer, left: !c.present(conn) }]));
        held = { peers: p, present, value };
        return value;
      },
    };
  });
}

/** Everyone else's live state by conn (an empty map while there is no client). */
export function useLive<R extends RecordBase, F extends string, L extends LiveSchemas>(client?: RoomClient<R, F, L> | null): ReadonlyMap<string, LiveEntries<L>> {
  const c = useRoomClient(client);
  return useSource(c ? liveSource(c) : null, EMPTY_MAP);
}

/** The people in the room with their live state, by conn; one who just left
 * is marked `left` until they are gone (an empty map while there is no client). */
export function useOthers<R extends RecordBase, F extends string, L extends LiveSchemas>(client?: RoomClient<R, F, L> | null): ReadonlyMap<string, Other<L>> {
  const c = useRoomClient(client);
  return useSource(c ? othersSource(c) : null, EMPTY_MAP);
}

/** The people in the room without their live state (`peopleSource`): for a
 * list of people, which need not re-render when someone's draft moves; an
 * empty map while there is no client. */
export function usePeople<R extends RecordBase>(client?: RoomClient<R> | null): ReadonlyMap<string, Person> {
  const c = useRoomClient(client);
  return useSource(c ? peopleSource(c) : null, EMPTY_MAP);
}

/** A stable `mutate` for event handlers: the client's (typed like it),
 * returning the mutation id, or null while there is no client (nothing is
 * applied). Throws `MutationError` as `RoomClient.mutate` does. */
export function useMutation<R extends RecordBase, F extends string = string, L extends LiveSchemas = LiveSchemas>(
  client?: RoomClient<R, F, L> | null,
): (ops: readonly EditOp<R, F>[], options?: { mid?: string; edit?: string }) => string | null {
  const c = useRoomClient(client);
  const latest = useRef(c);
  latest.current = c;
  const [mutate] = useState(() => (ops: readonly EditOp<R, F>[], options?: { mid?: string; edit?: string }) => latest.current?.mutate(ops, options) ?? null);
  return mutate;
}
