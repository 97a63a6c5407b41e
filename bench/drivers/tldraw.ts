/**
 * tldraw sync, driven by a raw-protocol client that sends what `TLSyncClient`
 * sends: a `connect` with the serialized default schema and the last server
 * clock, `push` requests with a client clock carrying a document diff and/or a
 * presence op, and a `ping` every 5 s. Like `TLSyncClient` it pushes at most
 * 30 times a second: moves and cursor updates made in between are merged
 * into the next push (the newest presence, the diffs combined), and presence
 * carries `lastActivityTimestamp`. It applies `connect` and `patch`
 * diffs to a map of shape positions and honours `rebaseWithDiff`.
 *
 * Why not TLSyncClient itself: it needs a full tldraw `Store` with the editor's
 * side effects (the `tldraw` package, not a dependency here), and running 250
 * of them would make the generator — not the room — the bottleneck. The
 * edgeroom side pays the opposite price (its real client library), so this
 * choice can only flatter tldraw.
 *
 * Records are tldraw's own: `geo` rectangles with every prop the schema
 * requires, and an `instance_presence` record whose `cursor` moves.
 */
import { createTLSchema } from "@tldraw/tlschema";
import * as syncCore from "@tldraw/sync-core";
import type WebSocket from "ws";
import { until } from "../lib/clock.ts";
import { emptyWireStats } from "../lib/wire.ts";
import { openSocket } from "./socket.ts";
import type { BenchClient, BenchShape, DriverOptions } from "./types.ts";

const schema = createTLSchema();
const serializedSchema = JSON.parse(JSON.stringify(schema.serialize())) as unknown;
// Exported at runtime but marked @internal (left out of the .d.ts): the
// version TLSyncClient puts in its connect request.
const PROTOCOL_VERSION = (syncCore as unknown as { getTlsyncProtocolVersion(): number }).getTlsyncProtocolVersion();
/** The `connect` request TLSyncClient sends first (W6's raw watchers send it too). */
export function tldrawConnectFrame(sessionId: string, lastServerClock = -1): string {
  return JSON.stringify({ type: "connect", connectRequestId: `${sessionId}-0`, lastServerClock, protocolVersion: PROTOCOL_VERSION, schema: serializedSchema });
}
/** TLSyncClient pings every 5 s; the room drops sessions it has not heard from. */
export const PING_INTERVAL_MS = 5_000;
/** TLSyncClient's push cadence: at most 30 pushes a second. */
const PUSH_INTERVAL_MS = 1000 / 30;
/** Shapes per seeding push (~85 KB): big pushes are how a paste arrives. */
const SEED_BATCH = 200;

type ObjectDiff = Record<string, [string, unknown, ...unknown[]]>;
type RecordOp = ["put", Record<string, unknown>] | ["patch", ObjectDiff] | ["remove"];
type NetworkDiff = Record<string, RecordOp>;
type DataEvent =
  | { type: "patch"; diff: NetworkDiff; serverClock: number }
  | { type: "push_result"; clientClock: number; serverClock: number; action: "commit" | "discard" | { rebaseWithDiff: NetworkDiff } };
type ServerEvent =
  | { type: "connect"; diff: NetworkDiff; serverClock: number; hydrationType: string }
  | { type: "data"; data: DataEvent[] }
  | { type: "pong" }
  | { type: "incompatibility_error"; reason: string }
  | DataEvent;

function geoShape(s: BenchShape, index: number): Record<string, unknown> {
  return {
    id: `shape:${s.id}`,
    typeName: "shape",
    type: "geo",
    parentId: "page:page",
    // A valid fractional index ("a1" + fraction) that sorts in creation order;
    // the trailing "V" because a fraction may not end in "0".
    index: `a1${index.toString(36).padStart(4, "0")}V`,
    x: s.x,
    y: s.y,
    rotation: 0,
    isLocked: false,
    opacity: 1,
    meta: {},
    props: {
      geo: "rectangle", w: 100, h: 80, color: "black", labelColor: "black", fill: "none", dash: "draw",
      size: "m", font: "draw", align: "middle", verticalAlign: "middle", growY: 0, url: "", scale: 1,
      flipX: false, flipY: false, richText: { type: "doc", content: [] },
    },
  };
}

let seedIndex = 0;

export function tldrawClient(opts: DriverOptions): BenchClient {
  const wire = emptyWireStats();
  const sessionId = `bench-${opts.index}-${Math.random().toString(36).slice(2, 10)}`;
  const presenceId = `instance_presence:${sessionId}`;
  const view = new Map<string, { x: number; y: number }>();
  /** clientClock of each unacknowledged document push → how many patchShape calls it carries. */
  const docPushes = new Map<number, number>();
  let pendingPresence: RecordOp | null = null;
  let pendingDiff: NetworkDiff = {};
  let pendingPatches = 0;
  let lastPushAt = Number.NEGATIVE_INFINITY;
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  let ws: WebSocket | null = null;
  let clientClock = 0;
  let serverClock = -1;
  let connects = 0;
  let acked = 0;
  let presenceSent = false;
  let pinger: ReturnType<typeof setInterval> | null = null;

  const applyDiff = (diff: NetworkDiff, remote: boolean) => {
    for (const [key, op] of Object.entries(diff)) {
      if (key.startsWith("instance_presence:")) {
        if (!remote || key === presenceId || !client.onCursor) continue;
        const cursor = (op[0] === "put" ? op[1].cursor : op[0] === "patch" ? op[1].cursor?.[1] : null) as { x: number; y: number } | null | undefined;
        if (cursor) client.onCursor(cursor.x, cursor.y);
        continue;
      }
      if (!key.startsWith("shape:")) continue;
      const id = key.slice(6);
      if (op[0] === "put") view.set(id, { x: op[1].x as number, y: op[1].y as number });
      else if (op[0] === "remove") view.delete(id);
      else {
        const cur = view.get(id);
        if (!cur) continue;
        if (op[1].x?.[0] === "put") cur.x = op[1].x[1] as number;
        if (op[1].y?.[0] === "put") cur.y = op[1].y[1] as number;
        if (remote) client.onRemoteEdit?.(id, cur.x, cur.y);
      }
    }
  };

  const onData = (ev: DataEvent) => {
    if (ev.type === "patch") {
      serverClock = ev.serverClock;
      applyDiff(ev.diff, true);
    } else {
      serverClock = ev.serverClock;
      if (typeof ev.action === "object") applyDiff(ev.action.rebaseWithDiff, false);
      const patches = docPushes.get(ev.clientClock);
      if (patches !== undefined) {
        docPushes.delete(ev.clientClock);
        acked += patches;
        for (let i = 0; i < patches; i++) client.onAck?.();
      }
    }
  };

  const push = (msg: Record<string, unknown>) => ws?.send(JSON.stringify({ type: "push", clientClock: ++clientClock, ...msg }));
  // One throttled push carries everything that changed since the last one.
  const flush = () => {
    flushTimer = null;
    if (!ws) return;
    lastPushAt = performance.now();
    const msg: Record<string, unknown> = {};
    if (pendingPatches > 0) {
      msg.diff = pendingDiff;
      docPushes.set(clientClock + 1, pendingPatches);
    }
    if (pendingPresence) msg.presence = pendingPresence;
    pendingDiff = {};
    pendingPatches = 0;
    pendingPresence = null;
    push(msg);
  };
  const schedule = () => {
    flushTimer ??= setTimeout(flush, Math.max(0, lastPushAt + PUSH_INTERVAL_MS - performance.now()));
  };

  const open = async (lastServerClock: number) => {
    ws = await openSocket(`ws://${opts.host}/parties/tldraw/${opts.room}?sessionId=${sessionId}`, wire);
    ws.on("message", (data) => {
      const ev = JSON.parse(String(data)) as ServerEvent;
      switch (ev.type) {
        case "connect":
          if (ev.hydrationType === "wipe_all") view.clear();
          serverClock = ev.serverClock;
          applyDiff(ev.diff, false);
          connects++;
          return;
        case "data":
          for (const d of ev.data) onData(d);
          return;
        case "patch":
        case "push_result":
          onData(ev);
          return;
        case "incompatibility_error":
          throw new Error(`tldraw refused the bench client: ${ev.reason}`);
      }
    });
    ws.send(JSON.stringify({ type: "connect", connectRequestId: `${sessionId}-${connects}`, lastServerClock, protocolVersion: PROTOCOL_VERSION, schema: serializedSchema }));
    presenceSent = false;
    pinger = setInterval(() => ws?.send('{"type":"ping"}'), PING_INTERVAL_MS);
  };

  const client: BenchClient = {
    system: "tldraw",
    wire,
    acks: true,
    stateful: true,
    onCursor: null,
    onAck: null,
    onRemoteEdit: null,
    async connect() {
      const before = connects;
      await open(serverClock);
      await until(() => connects > before, 15_000, `tldraw ${opts.room} connect`, 1);
    },
    sendCursor(x, y) {
      const cursor = { x, y, type: "default", rotation: 0 };
      if (!presenceSent) {
        presenceSent = true;
        pendingPresence = ["put", {
          id: presenceId, typeName: "instance_presence", userId: `user:${sessionId}`, userName: `bench-${opts.index}`,
          lastActivityTimestamp: Date.now(), color: "#FF0000", camera: null, selectedShapeIds: [], currentPageId: "page:page",
          brush: null, scribbles: [], screenBounds: null, followingUserId: null, chatMessage: "", meta: {}, cursor,
        }];
      } else if (pendingPresence?.[0] === "put") {
        pendingPresence[1].cursor = cursor;
        pendingPresence[1].lastActivityTimestamp = Date.now();
      } else {
        pendingPresence = ["patch", { cursor: ["put", cursor], lastActivityTimestamp: ["put", Date.now()] }];
      }
      schedule();
    },
    async putShapes(shapes) {
      const target = acked + Math.ceil(shapes.length / SEED_BATCH);
      for (let i = 0; i < shapes.length; i += SEED_BATCH) {
        const diff: NetworkDiff = {};
        for (const s of shapes.slice(i, i + SEED_BATCH)) {
          diff[`shape:${s.id}`] = ["put", geoShape(s, seedIndex++)];
          view.set(s.id, { x: s.x, y: s.y });
        }
        docPushes.set(clientClock + 1, 1);
        push({ diff });
      }
      await until(() => acked >= target, 60_000, "tldraw seed acks");
    },
    patchShape(id, x, y) {
      const cur = view.get(id);
      if (cur) {
        cur.x = x;
        cur.y = y;
      }
      const key = `shape:${id}`;
      const prev = pendingDiff[key];
      // A shape put in this push already (never here) or patched: the newest x/y win.
      pendingDiff[key] = prev?.[0] === "patch" ? ["patch", { ...prev[1], x: ["put", x], y: ["put", y] }] : ["patch", { x: ["put", x], y: ["put", y] }];
      pendingPatches++;
      schedule();
    },
    shapes: () => new Map([...view].map(([id, p]) => [id, { ...p }])),
    async disconnect() {
      if (pinger) clearInterval(pinger);
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = null;
      const socket = ws;
      ws = null;
      if (socket) await new Promise<void>((r) => (socket.once("close", () => r()), socket.close()));
    },
    async reconnect() {
      await client.connect();
    },
    close() {
      if (pinger) clearInterval(pinger);
      if (flushTimer) clearTimeout(flushTimer);
      ws?.close();
      ws = null;
    },
  };
  return client;
}
