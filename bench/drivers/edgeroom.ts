/**
 * edgeroom, driven through its own client library: `RoomClient` does the
 * hello, parses and orders every frame (zod), keeps the optimistic store,
 * throttles cursor moves (50 ms) and resumes from its last seq on reconnect.
 *
 * The one substitution is the transport — RoomClient's documented injection
 * point (`transport`), used by its own tests: a plain `ws` socket that counts
 * bytes and reconnects exactly when the workload says so, instead of
 * partysocket's jittered backoff (which would put a random 0.5–0.75 s into the
 * W3 reconnect time and none of it is the room's work).
 */
import { whiteboard } from "../../party/whiteboard/schema.ts";
import WebSocket from "ws";
import { RoomClient } from "../../client/engine/room-client.ts";
import type { Transport, TransportHandlers } from "../../client/engine/connection.ts";
import { CURSOR_THROTTLE_MIN_MS, CURSOR_THROTTLE_MS } from "../../client/engine/throttle.ts";
import { MUTATION_BURST, MUTATION_RATE_PER_SEC, MAX_OPS_PER_MUTATION } from "../../party/shared/limits.ts";
import type { Op, ServerMessage } from "../../party/whiteboard/schema.ts";
import type { Shape } from "../../party/whiteboard/records.ts";
import { sleep, until } from "../lib/clock.ts";
import { emptyWireStats, frameBytes, payloadLength, type WireStats } from "../lib/wire.ts";
import type { BenchClient, BenchShape, DriverOptions } from "./types.ts";

/** The results' label for edgeroom, from the library's own constants. */
export const EDGEROOM_LABEL = `edgeroom WhiteboardRoom (party/) through its own Worker; RoomClient (client/engine) with its adaptive cursor throttle (${CURSOR_THROTTLE_MIN_MS} ms up to 9 peers, ${CURSOR_THROTTLE_MS} ms from 31)`;

/** A transport the bench can drop and resume on cue. */
class BenchTransport implements Transport {
  private ws: WebSocket | null = null;
  constructor(
    private readonly url: string,
    private readonly handlers: TransportHandlers,
    private readonly wire: WireStats,
  ) {
    this.open();
  }
  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }
  open(): void {
    const ws = new WebSocket(this.url, { perMessageDeflate: false });
    this.ws = ws;
    ws.on("open", () => this.handlers.open());
    ws.on("message", (data) => {
      this.wire.framesIn++;
      this.wire.bytesIn += frameBytes(payloadLength(data), false);
      this.handlers.message(String(data));
    });
    ws.on("close", (code, reason) => {
      if (this.ws === ws) this.ws = null;
      this.handlers.close(code, String(reason));
    });
    ws.on("error", () => {
      // the close event follows
    });
  }
  send(frame: string): void {
    if (!this.isOpen) return;
    this.wire.framesOut++;
    this.wire.bytesOut += frameBytes(Buffer.byteLength(frame), true);
    this.ws!.send(frame);
  }
  reconnect(): void {
    this.ws?.close(1000, "reconnect");
    this.open();
  }
  /** Bench control: close without reopening (resolves when closed). */
  drop(): Promise<void> {
    const ws = this.ws;
    if (!ws) return Promise.resolve();
    return new Promise((resolve) => {
      ws.once("close", () => resolve());
      ws.close(1000, "bench drop");
    });
  }
  close(code?: number, reason?: string): void {
    const ws = this.ws;
    this.ws = null;
    ws?.close(code ?? 1000, reason);
  }
}

const COLOR = "#3366ff";

function rect(s: BenchShape): Shape {
  return { id: s.id, type: "rect", x: s.x, y: s.y, z: 0, color: COLOR, stroke: 2, w: 100, h: 80, fill: null };
}

export function edgeroomClient(opts: DriverOptions): BenchClient {
  const wire = emptyWireStats();
  let transport: BenchTransport | null = null;
  let syncs = 0;
  let acked = 0;
  // bench/peers/worker.ts serves the room with history off under its own party path.
  const party = opts.variant === "history-off" ? "whiteboard-nohistory" : "whiteboard";
  const url = `ws://${opts.host}/parties/${party}/${opts.room}`;
  const room = new RoomClient({ schema: whiteboard,
    room: opts.room,
    name: `bench-${opts.index}`,
    color: COLOR,
    transport: (handlers) => (transport = new BenchTransport(url, handlers, wire)),
    // Experiments only (`--experiment=…`, never a published run): another
    // client throttle. Unset, RoomClient keeps its own default.
    ...(process.env.BENCH_EDGEROOM_CURSOR_MS ? { cursorIntervalMs: Number(process.env.BENCH_EDGEROOM_CURSOR_MS) } : {}),
  });
  const client: BenchClient = {
    system: "edgeroom",
    wire,
    acks: true,
    stateful: true,
    onCursor: null,
    onAck: null,
    onRemoteEdit: null,
    async connect() {
      await until(() => syncs > 0, 15_000, `edgeroom ${opts.room} sync`, 2);
    },
    sendCursor(x, y) {
      room.moveCursor(x, y);
    },
    async putShapes(shapes) {
      // Pace under the room's per-connection mutation bucket (a client that
      // floods gets RATE_LIMITED and retries a second later: slower, not lost).
      const perMutation = MAX_OPS_PER_MUTATION;
      const interval = 1000 / (MUTATION_RATE_PER_SEC - 2);
      const target = acked + Math.ceil(shapes.length / perMutation);
      let sent = 0;
      for (let i = 0; i < shapes.length; i += perMutation) {
        const ops: Op[] = shapes.slice(i, i + perMutation).map((s) => ({ op: "put", rec: rect(s) }));
        room.mutate(ops);
        sent++;
        if (sent >= MUTATION_BURST - 10) await sleep(interval);
      }
      await until(() => acked >= target, 60_000, "edgeroom seed acks");
    },
    patchShape(id, x, y) {
      room.mutate([{ op: "patch", id, set: { x, y } }]);
    },
    shapes() {
      const out = new Map<string, { x: number; y: number }>();
      for (const [id, rec] of room.records()) out.set(id, { x: rec.x, y: rec.y });
      return out;
    },
    async disconnect() {
      await transport?.drop();
    },
    async reconnect() {
      const before = syncs;
      transport?.open();
      await until(() => syncs > before, 15_000, "edgeroom resync", 1);
    },
    close() {
      room.close();
    },
  };
  room.on("message", (msg: ServerMessage) => {
    switch (msg.type) {
      case "cursors":
        if (client.onCursor) for (const e of msg.f) if (e.length === 3) client.onCursor(e[1], e[2]);
        return;
      case "sync":
        syncs++;
        return;
      case "ack":
        acked++;
        client.onAck?.();
        return;
      case "change":
        if (client.onRemoteEdit) {
          for (const op of msg.ops) {
            if (op.op === "patch") client.onRemoteEdit(op.id, op.set.x as number, op.set.y as number);
          }
        }
        return;
    }
  });
  return client;
}
