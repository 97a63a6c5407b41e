/**
 * A light edgeroom member for W1's largest rooms (N > 250): a raw socket that
 * says hello, waits for its sync, pings as the library does and moves its
 * cursor — the room cannot tell it from a RoomClient (the same frames in) and
 * sends it the same frames out — but it never parses what it receives. At
 * N = 400, 400 full RoomClients would have this generator parse 3.2 million
 * cursor entries a second on its one core: it, not the room, would be
 * measured. W1 keeps up to W1_MEASURING_RECEIVERS full clients per room that
 * measure latency and staleness; the others are these.
 *
 * Its wire stats count what it sends (the room's inbound) but not what it
 * receives: bytes per delivered update stay those of the measuring clients.
 */
import WebSocket from "ws";
import { PING_INTERVAL_MS } from "../../party/shared/limits.ts";
import { PING_FRAME, PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import { whiteboard } from "../../party/whiteboard/schema.ts";
import { until } from "../lib/clock.ts";
import { emptyWireStats, frameBytes } from "../lib/wire.ts";
import type { BenchClient, DriverOptions } from "./types.ts";

export function edgeroomLightClient(opts: DriverOptions): BenchClient {
  const wire = emptyWireStats();
  let ws: WebSocket | null = null;
  let synced = false;
  let pinger: ReturnType<typeof setInterval> | null = null;
  const send = (frame: string) => {
    if (ws?.readyState !== WebSocket.OPEN) return;
    wire.framesOut++;
    wire.bytesOut += frameBytes(Buffer.byteLength(frame), true);
    ws.send(frame);
  };
  const unsupported = (what: string) => () => {
    throw new Error(`the light edgeroom member only moves a cursor (${what})`);
  };
  return {
    system: "edgeroom",
    wire,
    acks: false,
    stateful: false,
    onCursor: null,
    onAck: null,
    onRemoteEdit: null,
    async connect() {
      const name = `bench-${opts.index}`;
      ws = new WebSocket(`ws://${opts.host}/parties/whiteboard/${opts.room}`, { perMessageDeflate: false });
      ws.on("message", (data) => {
        if (!synced && String(data).includes(`"type":"sync"`)) synced = true;
      });
      ws.on("error", () => {});
      ws.on("open", () => send(JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, schema: whiteboard.version, clientId: `light-${name}-${Math.random().toString(36).slice(2, 8)}`, epoch: null, lastSeq: 0, name, color: "#3366ff" })));
      pinger = setInterval(() => send(PING_FRAME), PING_INTERVAL_MS);
      await until(() => synced || ws?.readyState === WebSocket.CLOSED, 15_000, `edgeroom light ${opts.room} sync`, 2);
      if (!synced) throw new Error(`edgeroom light ${opts.room}: closed before its sync`);
    },
    sendCursor(x, y) {
      send(`{"type":"cursor","p":[${x},${y}]}`);
    },
    putShapes: unsupported("putShapes"),
    patchShape: unsupported("patchShape"),
    shapes: () => new Map(),
    disconnect: unsupported("disconnect"),
    reconnect: unsupported("reconnect"),
    close() {
      if (pinger) clearInterval(pinger);
      ws?.terminate();
      ws = null;
    },
  };
}
