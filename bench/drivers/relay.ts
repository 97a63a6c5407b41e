/**
 * The relay has no protocol: a client sends a frame, every other client gets
 * the same bytes. Cursor frames carry the sender index because a relay that
 * parses nothing cannot stamp identity. Edits are relayed the same way (no
 * acks, no state), so the relay has no W3 and no ack latency.
 *
 * The coalescing relay sends a JSON array of the raw frames of each 16 ms
 * window instead of one frame per frame; this driver reads both.
 */
import type WebSocket from "ws";
import { emptyWireStats } from "../lib/wire.ts";
import { openSocket } from "./socket.ts";
import type { BenchClient, BenchShape, DriverOptions } from "./types.ts";

type RelayFrame = { t: "c"; p: [number, number] } | { t: "e"; id: string; p: [number, number]; s: number };

export function relayDriver(system: "relay" | "relay-coalescing"): (opts: DriverOptions) => BenchClient {
  return (opts) => relayClient(system, opts);
}

function relayClient(system: "relay" | "relay-coalescing", opts: DriverOptions): BenchClient {
  const wire = emptyWireStats();
  const view = new Map<string, { x: number; y: number }>();
  let ws: WebSocket | null = null;
  const client: BenchClient = {
    system,
    wire,
    acks: false,
    stateful: false,
    onCursor: null,
    onAck: null,
    onRemoteEdit: null,
    async connect() {
      ws = await openSocket(`ws://${opts.host}/parties/${system}/${opts.room}`, wire);
      const take = (msg: RelayFrame) => {
        if (msg.t === "c") client.onCursor?.(msg.p[0], msg.p[1]);
        else {
          // A batch carries this client's own edits too: they are not remote.
          if (msg.s === opts.index) return;
          view.set(msg.id, { x: msg.p[0], y: msg.p[1] });
          client.onRemoteEdit?.(msg.id, msg.p[0], msg.p[1]);
        }
      };
      ws.on("message", (data) => {
        const msg = JSON.parse(String(data)) as RelayFrame | RelayFrame[];
        if (Array.isArray(msg)) for (const m of msg) take(m);
        else take(msg);
      });
    },
    sendCursor(x, y) {
      ws?.send(`{"t":"c","p":[${x},${y}]}`);
    },
    async putShapes(shapes: BenchShape[]) {
      for (const s of shapes) view.set(s.id, { x: s.x, y: s.y });
    },
    patchShape(id, x, y) {
      view.set(id, { x, y });
      ws?.send(JSON.stringify({ t: "e", id, p: [x, y], s: opts.index }));
    },
    shapes: () => new Map(view),
    async disconnect() {
      ws?.close();
      ws = null;
    },
    async reconnect() {
      await client.connect();
    },
    close() {
      ws?.close();
      ws = null;
    },
  };
  return client;
}
