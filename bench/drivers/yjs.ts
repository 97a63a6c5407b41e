/**
 * Yjs, driven through each server's own provider, the way their READMEs set
 * them up: one `Y.Doc` per client, awareness for the cursor
 * (`setLocalStateField("cursor", …)`), and the board as a `Y.Map` of shapes,
 * each shape a nested `Y.Map` so a move is a small update of two fields.
 * The server differs per system; the client code is this one file:
 *
 * - `yjs`, `yjs-readme`: y-partyserver's `YProvider` (Durable Objects).
 * - `yjs-ws`: `y-websocket`'s `WebsocketProvider` against `@y/websocket-server` (Node).
 * - `hocuspocus`: `@hocuspocus/provider` against `@hocuspocus/server` (Node).
 *
 * BroadcastChannel is disabled where the provider has one: Node has one, and
 * clients of the same room in one process would otherwise talk past the server.
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import YProvider from "y-partyserver/provider";
import { WebsocketProvider } from "y-websocket";
import type { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";
import { until } from "../lib/clock.ts";
import { emptyWireStats, type WireStats } from "../lib/wire.ts";
import { countingWebSocket } from "./socket.ts";
import type { BenchClient, DriverOptions, SystemName } from "./types.ts";

/** Shapes per seeding transaction. */
const SEED_BATCH = 500;

/** What the driver needs from a provider, whichever server it talks to. */
interface YjsProvider {
  awareness: Awareness;
  connect(): void | Promise<unknown>;
  /** Calls `cb` each time the provider reports the document synced. */
  onSynced(cb: () => void): void;
  /** Bytes queued on the socket (0 once an update has left). */
  buffered(): number;
  disconnect(): Promise<void>;
  destroy(): void;
}

type ProviderFactory = (opts: DriverOptions, doc: Y.Doc, wire: WireStats) => YjsProvider;

function partyserverProvider(party: "yjs" | "yjs-readme"): ProviderFactory {
  return (opts, doc, wire) => {
    const p = new YProvider(opts.host, opts.room, doc, {
      party,
      connect: false,
      disableBc: true,
      WebSocketPolyfill: countingWebSocket(wire) as unknown as typeof WebSocket,
    });
    return {
      awareness: p.awareness,
      connect: () => p.connect(),
      onSynced: (cb) => p.on("synced", (synced: boolean) => synced && cb()),
      buffered: () => p.ws?.bufferedAmount ?? 0,
      async disconnect() {
        const ws = p.ws as unknown as { readyState: number; terminate(): void } | null;
        p.disconnect();
        // A hibernating server may not answer the close frame; after a
        // second, drop the TCP connection like a vanished tab would.
        if (ws) await until(() => ws.readyState === 3, 1_000, "yjs close").catch(() => ws.terminate());
      },
      destroy: () => p.destroy(),
    };
  };
}

const yWebsocketProvider: ProviderFactory = (opts, doc, wire) => {
  const p = new WebsocketProvider(`ws://${opts.host}`, opts.room, doc, {
    connect: false,
    disableBc: true,
    WebSocketPolyfill: countingWebSocket(wire) as unknown as typeof WebSocket,
  });
  return {
    awareness: p.awareness,
    connect: () => p.connect(),
    onSynced: (cb) => p.on("sync", (synced: boolean) => synced && cb()),
    buffered: () => p.ws?.bufferedAmount ?? 0,
    async disconnect() {
      p.disconnect();
    },
    destroy: () => p.destroy(),
  };
};

const hocuspocusProvider: ProviderFactory = (opts, doc, wire) => {
  const socket = new HocuspocusProviderWebsocket({
    url: `ws://${opts.host}`,
    autoConnect: false,
    WebSocketPolyfill: countingWebSocket(wire),
  });
  const p = new HocuspocusProvider({ websocketProvider: socket, name: opts.room, document: doc });
  const synced: (() => void)[] = [];
  p.on("synced", ({ state }: { state: boolean }) => {
    if (state) for (const cb of synced) cb();
  });
  return {
    awareness: p.awareness!,
    connect: async () => {
      p.attach();
      await socket.connect();
    },
    onSynced: (cb) => synced.push(cb),
    buffered: () => (socket as unknown as { webSocket?: { bufferedAmount: number } }).webSocket?.bufferedAmount ?? 0,
    async disconnect() {
      socket.disconnect();
    },
    destroy: () => {
      p.destroy();
      socket.destroy();
    },
  };
};

const PROVIDERS: Record<"yjs" | "yjs-readme" | "yjs-ws" | "hocuspocus", ProviderFactory> = {
  yjs: partyserverProvider("yjs"),
  "yjs-readme": partyserverProvider("yjs-readme"),
  "yjs-ws": yWebsocketProvider,
  hocuspocus: hocuspocusProvider,
};

export function yjsDriver(system: keyof typeof PROVIDERS): (opts: DriverOptions) => BenchClient {
  return (opts) => yjsClient(system, opts);
}

function yjsClient(system: keyof typeof PROVIDERS & SystemName, opts: DriverOptions): BenchClient {
  const wire = emptyWireStats();
  const doc = new Y.Doc();
  const shapes = doc.getMap<Y.Map<unknown>>("shapes");
  let syncs = 0;
  const provider = PROVIDERS[system](opts, doc, wire);
  provider.onSynced(() => syncs++);
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
    system,
    wire,
    acks: false,
    stateful: true,
    onCursor: null,
    onAck: null,
    onRemoteEdit: null,
    async connect() {
      const before = syncs;
      await provider.connect();
      await until(() => syncs > before, 15_000, `${system} ${opts.room} sync`, 1);
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
      await until(() => provider.buffered() === 0, 30_000, `${system} seed flush`);
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
      await provider.disconnect();
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
