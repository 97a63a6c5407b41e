/**
 * The relay has no protocol: a client sends a frame, every other client gets
 * the same bytes. Cursor frames carry the sender index because a relay that
 * parses nothing cannot stamp identity. Edits are relayed the same way (no
 * acks, no state), so the relay has no W3 and no ack latency.
 */
import type WebSocket from "ws";
import { emptyWireStats } from "../lib/wire.ts";
import { openSocket } from "./socket.ts";
import type { BenchClient, BenchShape, DriverOptions } from "./types.ts";

export function relayClient(opts: DriverOptions): BenchClient {
  const wire = emptyWireStats();
  const view = new Map<string, { x: number; y: number }>();
  let ws: WebSocket | null = null;
  const client: BenchClient = {
    system: "relay",
    wire,
    acks: false,
    stateful: false,
    onCursor: null,
    onAck: null,
    onRemoteEdit: null,
    async connect() {
      ws = await openSocket(`ws://${opts.host}/parties/relay/${opts.room}`, wire);
      ws.on("message", (data) => {
        const msg = JSON.parse(String(data)) as { t: "c"; p: [number, number] } | { t: "e"; id: string; p: [number, number] };
        if (msg.t === "c") client.onCursor?.(msg.p[0], msg.p[1]);
        else {
          view.set(msg.id, { x: msg.p[0], y: msg.p[1] });
          client.onRemoteEdit?.(msg.id, msg.p[0], msg.p[1]);
        }
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
      ws?.send(JSON.stringify({ t: "e", id, p: [x, y] }));
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
