/**
 * Yjs through y-partyserver's own provider (`YProvider`), as its README sets it
 * up: one `Y.Doc` per client, awareness for the cursor
 * (`setLocalStateField("cursor", …)`), and the board as a `Y.Map` of shapes,
 * each shape a nested `Y.Map` so a move is a small update of two fields.
 *
 * BroadcastChannel is disabled: Node has one, and clients of the same room in
 * one process would otherwise talk past the server.
 */
import YProvider from "y-partyserver/provider";
import * as Y from "yjs";
import { until } from "../lib/clock.ts";
import { emptyWireStats } from "../lib/wire.ts";
import { countingWebSocket } from "./socket.ts";
import type { BenchClient, DriverOptions } from "./types.ts";

/** Shapes per seeding transaction. */
const SEED_BATCH = 500;

export function yjsClient(opts: DriverOptions): BenchClient {
  const wire = emptyWireStats();
  const doc = new Y.Doc();
  const shapes = doc.getMap<Y.Map<unknown>>("shapes");
  let syncs = 0;
  const provider = new YProvider(opts.host, opts.room, doc, {
    party: "yjs",
    connect: false,
    disableBc: true,
    WebSocketPolyfill: countingWebSocket(wire) as unknown as typeof WebSocket,
  });
  provider.on("synced", (synced: boolean) => {
    if (synced) syncs++;
  });
  const awareness = provider.awareness;
  const self = doc.clientID;

  awareness.on("update", ({ added, updated }: { added: number[]; updated: number[] }, origin: unknown) => {
    if (origin === "local" || !client.onCursor) return;
    const states = awareness.getStates();
    for (const id of [...added, ...updated]) {
      if (id === self) continue;
      const cursor = states.get(id)?.cursor as { x: number; y: number } | undefined;
      if (cursor) client.onCursor(cursor.x, cursor.y);
    }
  });
  shapes.observeDeep((events) => {
    if (!client.onRemoteEdit) return;
    for (const ev of events) {
      if (ev.transaction.local || ev.target === shapes) continue;
      const id = ev.path[0] as string;
      const shape = ev.target as Y.Map<unknown>;
      client.onRemoteEdit(id, shape.get("x") as number, shape.get("y") as number);
    }
  });

  const client: BenchClient = {
    system: "yjs",
    wire,
    acks: false,
    stateful: true,
    onCursor: null,
    onAck: null,
    onRemoteEdit: null,
    async connect() {
      const before = syncs;
      await provider.connect();
      await until(() => syncs > before, 15_000, `yjs ${opts.room} sync`, 1);
    },
    sendCursor(x, y) {
      awareness.setLocalStateField("cursor", { x, y });
    },
    async putShapes(list) {
      for (let i = 0; i < list.length; i += SEED_BATCH) {
        doc.transact(() => {
          for (const s of list.slice(i, i + SEED_BATCH)) {
            const m = new Y.Map<unknown>();
            for (const [k, v] of Object.entries({ type: "rect", x: s.x, y: s.y, w: 100, h: 80, color: "#3366ff", stroke: 2 })) m.set(k, v);
            shapes.set(s.id, m);
          }
        });
      }
      // Yjs has no acknowledgement: wait until the updates left the socket.
      await until(() => (provider.ws?.bufferedAmount ?? 0) === 0, 30_000, "yjs seed flush");
    },
    patchShape(id, x, y) {
      const m = shapes.get(id);
      if (!m) return;
      doc.transact(() => {
        m.set("x", x);
        m.set("y", y);
      });
    },
    shapes() {
      const out = new Map<string, { x: number; y: number }>();
      for (const [id, m] of shapes) out.set(id, { x: m.get("x") as number, y: m.get("y") as number });
      return out;
    },
    async disconnect() {
      const ws = provider.ws as unknown as { readyState: number; terminate(): void } | null;
      provider.disconnect();
      // y-partyserver's hibernating server may not answer the close frame;
      // after a second, drop the TCP connection like a vanished tab would.
      if (ws) await until(() => ws.readyState === 3, 1_000, "yjs close").catch(() => ws.terminate());
    },
    async reconnect() {
      await client.connect();
    },
    close() {
      provider.destroy();
      doc.destroy();
    },
  };
  return client;
}
