/**
 * W6 audience (issue 18): one room, 10 editors (5 edits/s among them, each
 * moving a cursor at 20 Hz) and V members watching, V from the ladder
 * (250, 1,000, 2,500, 5,000, 10,000), as far as this machine's generator
 * holds. Members are lightweight raw sockets holding a viewer token (the
 * bench Worker's `/parties/whiteboard-audience/<room>` route turns tokens on
 * with a secret the generator shares, bench/peers/audience-secret.ts); they
 * say hello, wait for their sync, and then only count: every frame's bytes,
 * and the send stamp of each change (an edit's `x` is its send time).
 *
 * Per V: edit → member latency p50/p99 (every member, every edit), join time
 * p50/p99 (socket open → sync), bytes per member per second, the room
 * object's inbound messages/s (its /stats: frames from its direct members and
 * from relay links) and relays, and workerd's CPU per edit (the room and its
 * relays together: one workerd runs them all, and no per-object CPU is
 * visible from outside). The property that makes the audience scale is the
 * room's inbound messages and per-edit CPU staying flat as V grows.
 *
 * The ladder stops at the first V whose members could not all get in, whose
 * edits did not all arrive, or where the generator itself lagged (its event
 * loop's p99 delay over GENERATOR_LAG_MS: it was measuring itself): the row
 * says which. edgeroom only: the peers stop at their published room caps
 * (tldraw ~30 collaborators, Liveblocks 50 connections) far below V = 250.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import WebSocket from "ws";
import { mintToken } from "../../party/engine/auth.ts";
import { PING_FRAME, PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import { WHITEBOARD_SCHEMA_VERSION } from "../../party/whiteboard/schema.ts";
import { AUDIENCE_SECRET } from "../peers/audience-secret.ts";
import { sleep, stampSince, until, wallMs } from "../lib/clock.ts";
import { Histogram } from "../lib/histogram.ts";
import { cpuWindow, waitForQuiet, type WorkerdPids } from "../lib/proc.ts";

export const W6_EDITORS = 10;
export const W6_EDITS_PER_SEC = 5;
export const W6_CURSOR_HZ = 20;
/** A generator whose event loop lagged this much at p99 measured itself. */
const GENERATOR_LAG_MS = 50;
const JOIN_WAVE = 100;

export interface W6Row {
  v: number;
  joined: number;
  joinP50Ms: number;
  joinP99Ms: number;
  editP50Ms: number;
  editP99Ms: number;
  /** Changes that reached members / changes that should have. */
  deliveredRatio: number;
  bytesPerMemberPerSec: number;
  roomInboundPerSec: number;
  relays: number;
  workerdCpuMsPerEdit: number;
  generatorLagP99Ms: number;
  /** Why the ladder stopped here, if it did. */
  stop?: string;
}

export interface W6Options {
  host: string;
  ladder: number[];
  windowMs: number;
  epochMs: number;
  workerdPids: WorkerdPids;
  quietWaitMs: number;
  runId: string;
  /** No new rung starts past this wall-clock time (the run's budget). */
  deadline: number;
  log: (line: string) => void;
}

interface Member {
  ws: WebSocket;
  openedAt: number;
  joinMs: number | null;
  bytes: number;
  changes: number;
}

const rect = (id: string, x: number) => ({ op: "put", rec: { id, type: "rect", x, y: 0, z: 1, color: "#000000", stroke: 2, w: 10, h: 10, fill: null } });

function connect(url: string, name: string, latency: Histogram | null, epochMs: number, counting: { on: boolean }): Member {
  const m: Member = { ws: new WebSocket(url), openedAt: wallMs(), joinMs: null, bytes: 0, changes: 0 };
  m.ws.on("message", (data) => {
    const text = String(data);
    if (m.joinMs === null) {
      if (text.includes(`"type":"sync"`)) m.joinMs = wallMs() - m.openedAt;
      return;
    }
    if (!counting.on) return;
    m.bytes += text.length;
    // Only changes are looked into (cursor frames are counted, not parsed).
    let at = text.indexOf(`"type":"change"`);
    while (at >= 0) {
      const x = /"x":(-?[\d.]+)/.exec(text.slice(at));
      if (x) {
        m.changes++;
        latency?.add(stampSince(epochMs) - Number(x[1]));
      }
      at = text.indexOf(`"type":"change"`, at + 1);
    }
  });
  m.ws.on("error", () => {});
  m.ws.on("open", () => m.ws.send(JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, schema: WHITEBOARD_SCHEMA_VERSION, clientId: `w6-${name}`, epoch: null, lastSeq: 0, name, color: "#000000" })));
  return m;
}

const quantile = (xs: number[], q: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]! : NaN);

export async function runW6(opts: W6Options): Promise<W6Row[]> {
  const rows: W6Row[] = [];
  for (const v of opts.ladder) {
    if (Date.now() > opts.deadline) {
      rows.push({ v, stop: "not run: the run's time budget is spent" } as W6Row);
      break;
    }
    const row = await runOne(v, opts).catch((e: unknown) => ({ v, stop: String(e) }) as W6Row);
    rows.push(row);
    opts.log(`W6 V=${v}: ${JSON.stringify(row)}`);
    if (row.stop) break;
  }
  return rows;
}

async function runOne(v: number, opts: W6Options): Promise<W6Row> {
  const room = `w6-${v}-${opts.runId}`;
  const token = (role: "editor" | "viewer") => mintToken(AUDIENCE_SECRET, { room, role });
  const url = async (role: "editor" | "viewer") => `ws://${opts.host}/parties/whiteboard-audience/${room}?token=${await token(role)}`;
  const counting = { on: false };
  const latency = new Histogram();
  const editorUrl = await url("editor");
  const viewerUrl = await url("viewer");
  const editors = Array.from({ length: W6_EDITORS }, (_, i) => connect(editorUrl, `editor-${i}`, null, opts.epochMs, counting));
  await until(() => editors.every((e) => e.joinMs !== null), 30_000, "W6 editors in");
  const members: Member[] = [];
  const pings = setInterval(() => {
    for (const m of [...editors, ...members]) if (m.ws.readyState === WebSocket.OPEN) m.ws.send(PING_FRAME);
  }, 10_000);
  const lag = monitorEventLoopDelay({ resolution: 10 });
  try {
    for (let i = 0; i < v; i += JOIN_WAVE) {
      const wave = Array.from({ length: Math.min(JOIN_WAVE, v - i) }, (_, j) => connect(viewerUrl, `v${i + j}`, latency, opts.epochMs, counting));
      members.push(...wave);
      await until(() => wave.every((m) => m.joinMs !== null || m.ws.readyState === WebSocket.CLOSED), 60_000, `W6 V=${v} wave ${i}`).catch(() => {});
    }
    const joined = members.filter((m) => m.joinMs !== null);
    const joins = joined.map((m) => m.joinMs!);
    await waitForQuiet(opts.workerdPids, opts.quietWaitMs);

    // The window: edits round-robin over the editors, cursors from each.
    const stats0 = await roomStats(opts.host, room, await token("viewer"));
    const cpu = cpuWindow(opts.workerdPids);
    counting.on = true;
    lag.enable();
    let edits = 0;
    const started = wallMs();
    const cursorTimer = setInterval(() => {
      for (const [i, e] of editors.entries()) e.ws.send(JSON.stringify({ type: "cursor", p: [stampSince(opts.epochMs), i] }));
    }, 1000 / W6_CURSOR_HZ);
    const editTimer = setInterval(() => {
      const e = editors[edits % W6_EDITORS]!;
      e.ws.send(JSON.stringify({ type: "mutate", mid: `w6-${opts.runId}-${v}-${edits}`, ops: [rect(`s${edits % 50}`, stampSince(opts.epochMs))] }));
      edits++;
    }, 1000 / W6_EDITS_PER_SEC);
    await sleep(opts.windowMs);
    clearInterval(cursorTimer);
    clearInterval(editTimer);
    // The last edits' changes are still on their way: wait for them, bounded.
    await until(() => joined.every((m) => m.changes >= edits), 5_000, "W6 last changes").catch(() => {});
    const wallSec = (wallMs() - started) / 1000;
    counting.on = false;
    lag.disable();
    const used = cpu.stop();
    const stats1 = await roomStats(opts.host, room, await token("viewer"));
    const delivered = joined.reduce((n, m) => n + Math.min(m.changes, edits), 0);
    const lagP99 = lag.percentile(99) / 1e6;
    const row: W6Row = {
      v,
      joined: joined.length,
      joinP50Ms: Math.round(quantile(joins, 0.5)),
      joinP99Ms: Math.round(quantile(joins, 0.99)),
      editP50Ms: Math.round(latency.quantile(0.5) * 10) / 10,
      editP99Ms: Math.round(latency.quantile(0.99) * 10) / 10,
      deliveredRatio: edits && joined.length ? Math.round((delivered / (edits * joined.length)) * 1000) / 1000 : 0,
      bytesPerMemberPerSec: joined.length ? Math.round(joined.reduce((n, m) => n + m.bytes, 0) / joined.length / wallSec) : 0,
      roomInboundPerSec: Math.round((inbound(stats1) - inbound(stats0)) / wallSec * 10) / 10,
      relays: stats1.relays,
      workerdCpuMsPerEdit: edits ? Math.round((used.workerdCpuSec * 1000 * 100) / edits) / 100 : 0,
      generatorLagP99Ms: Math.round(lagP99),
    };
    if (joined.length < v) row.stop = `${v - joined.length} of ${v} members could not get in`;
    else if (row.deliveredRatio < 1) row.stop = `only ${row.deliveredRatio * 100}% of the changes reached the members`;
    else if (lagP99 > GENERATOR_LAG_MS) row.stop = `generator-bound: its event loop lagged ${Math.round(lagP99)} ms at p99 (the latency includes its own delay)`;
    return row;
  } finally {
    clearInterval(pings);
    for (const m of [...editors, ...members]) m.ws.terminate();
  }
}

interface Stats {
  messages: number;
  linkFrames: number;
  relayedFrames: number;
  relays: number;
}

/** The room object's own inbound messages (PROTOCOL.md §13, stats). */
const inbound = (s: Stats) => s.messages - s.relayedFrames + s.linkFrames;

async function roomStats(host: string, room: string, token: string): Promise<Stats> {
  const s = (await (await fetch(`http://${host}/parties/whiteboard-audience/${room}/stats?token=${token}`)).json()) as Record<string, number>;
  return { messages: s.messages ?? 0, linkFrames: s.linkFrames ?? 0, relayedFrames: s.relayedFrames ?? 0, relays: s.relays ?? 0 };
}
