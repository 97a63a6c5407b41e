/**
 * Liveblocks, driven through its own client (`@liveblocks/client` 3.24) against
 * its local dev server (`liveblocks dev`, Bun): cursors as presence
 * (`updatePresence({ cursor })`, received through `subscribe("others")`), the
 * board as a `LiveMap` of `LiveObject` shapes in storage, a move = one
 * `LiveObject.update({ x, y })`. The client throttles presence and storage
 * pushes itself; the two systems are its default (100 ms) and its minimum
 * (16 ms), as its users would set it. Storage is initialised by the first
 * client of a room only (two clients entering with `initialStorage` at once
 * can leave one with a stale map — FIELD-NOTES).
 */
import { createClient, LiveMap, LiveObject, type Room } from "@liveblocks/client";
import { until } from "../lib/clock.ts";
import { emptyWireStats } from "../lib/wire.ts";
import { countingWebSocket } from "./socket.ts";
import type { BenchClient, DriverOptions } from "./types.ts";

/** Liveblocks' documented default client throttle, and its minimum. */
export const LIVEBLOCKS_THROTTLE_MS = { liveblocks: 100, "liveblocks-16ms": 16 } as const;
/** The dev server's fixed local key (FIELD-NOTES). */
const PUBLIC_KEY = "pk_localdev";

type Shape = LiveObject<{ id: string; x: number; y: number }>;
type Storage = { shapes: LiveMap<string, Shape> };
type Presence = { cursor: { x: number; y: number } | null };

export function liveblocksDriver(system: keyof typeof LIVEBLOCKS_THROTTLE_MS): (opts: DriverOptions) => BenchClient {
  return (opts) => {
    const wire = emptyWireStats();
    const lb = createClient({
      publicApiKey: PUBLIC_KEY,
      baseUrl: `http://${opts.host}`,
      throttle: LIVEBLOCKS_THROTTLE_MS[system],
      polyfills: { WebSocket: countingWebSocket(wire) as never },
    });
    let room: Room<Presence, Storage> | null = null;
    let leave: (() => void) | null = null;
    let shapes: LiveMap<string, Shape> | null = null;
    let local = false;
    const unsubs: (() => void)[] = [];

    const client: BenchClient = {
      system,
      wire,
      acks: false,
      stateful: true,
      onCursor: null,
      onAck: null,
      onRemoteEdit: null,
      async connect() {
        // Only the room's first client brings initial storage; the others
        // find it there (W4 has 100 rooms: one first client in each).
        const entered = lb.enterRoom<Presence, Storage>(opts.room, {
          initialPresence: { cursor: null },
          ...((opts.first ?? opts.index === 0) ? { initialStorage: { shapes: new LiveMap<string, Shape>() } } : {}),
        } as never);
        room = entered.room;
        leave = entered.leave;
        await until(() => room!.getStatus() === "connected", 15_000, `${system} ${opts.room} connect`, 5);
        const { root } = await room.getStorage();
        // A later client may arrive before the first one created the map.
        await until(() => root.get("shapes") !== undefined, 15_000, `${system} ${opts.room} storage`, 5);
        shapes = root.get("shapes");
        unsubs.push(
          room.subscribe("others", (_others, event) => {
            if (event.type !== "update" || !client.onCursor) return;
            const c = event.user.presence.cursor;
            if (c && "cursor" in event.updates) client.onCursor(c.x, c.y);
          }),
          room.subscribe(
            shapes,
            (updates) => {
              if (local || !client.onRemoteEdit) return;
              for (const u of updates) {
                if (u.type !== "LiveObject") continue;
                const o = u.node as Shape;
                client.onRemoteEdit(o.get("id"), o.get("x"), o.get("y"));
              }
            },
            { isDeep: true },
          ),
        );
      },
      sendCursor(x, y) {
        room?.updatePresence({ cursor: { x, y } });
      },
      async putShapes(list) {
        local = true;
        room!.batch(() => {
          for (const s of list) shapes!.set(s.id, new LiveObject({ id: s.id, x: s.x, y: s.y }));
        });
        local = false;
        // No per-edit acknowledgement: wait until storage reports synchronized.
        await until(() => room!.getStorageStatus() === "synchronized", 60_000, `${system} seed sync`);
      },
      patchShape(id, x, y) {
        local = true;
        shapes?.get(id)?.update({ x, y });
        local = false;
      },
      shapes() {
        const out = new Map<string, { x: number; y: number }>();
        if (shapes) for (const [id, o] of shapes) out.set(id, { x: o.get("x"), y: o.get("y") });
        return out;
      },
      async disconnect() {
        room?.disconnect();
      },
      async reconnect() {
        room?.reconnect();
        await until(() => room!.getStatus() === "connected", 15_000, `${system} reconnect`, 5);
      },
      close() {
        for (const u of unsubs.splice(0)) u();
        leave?.();
        leave = null;
        room = null;
      },
    };
    return client;
  };
}
