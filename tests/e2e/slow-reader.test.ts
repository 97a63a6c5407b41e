/**
 * A real stalled reader on wrangler dev (issue 23: > 100 MiB owed to a
 * WebSocket client that stopped reading, never closed). The reader says
 * `reads` and stops reading its socket (TCP backpressure: `ws.pause()`), so
 * it acknowledges nothing; a writer commits ~6 MB of changes. The room must
 * stop at SOCKET_MAX_OWED_BYTES and close it with SLOW_READER; when it reads
 * again it finds everything up to the cut, then the close, and its reconnect
 * (hello with the last seq it applied) brings exactly the rest: every seq
 * once, the same last seq as the writer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { SOCKET_MAX_OWED_BYTES } from "../../party/shared/limits.ts";
import { CloseCode, ErrorCode, PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import { WHITEBOARD_SCHEMA_VERSION } from "../../party/whiteboard/schema.ts";
import { type DevServer, startDevServer } from "../support/dev-server.ts";

type Rec = { id: string; x: number };
type Msg = { type: string; seq?: number; mid?: string; code?: string; epoch?: string; mode?: string; changes?: { seq: number }[]; records?: Rec[] };

const LABEL = "x".repeat(10_000);
/** ~100 KB a change: 10 labelled rects, rewritten. */
const ops = (i: number) =>
  Array.from({ length: 10 }, (_, j) => ({ op: "put", rec: { id: `r${j}`, type: "rect", x: i, y: j, z: i, color: "#000000", stroke: 2, w: 10, h: 10, fill: null, label: LABEL } }));
/** 1.5 × the bound: within the op log (LOG_MAX_BYTES), so the resync is a delta. */
const MUTATIONS = Math.ceil((SOCKET_MAX_OWED_BYTES * 1.5) / 100_000);

function open(url: string, name: string, lastSeq: number, epoch: string | null, onMsg: (m: Msg) => void): WebSocket {
  const ws = new WebSocket(url);
  ws.on("message", (d) => {
    const parsed = JSON.parse(String(d)) as Msg | Msg[];
    for (const m of Array.isArray(parsed) ? parsed : [parsed]) onMsg(m);
  });
  ws.on("error", () => {});
  ws.on("open", () => ws.send(JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, schema: WHITEBOARD_SCHEMA_VERSION, clientId: `c-${name}`, epoch, lastSeq, name, color: "#000000", reads: true })));
  return ws;
}

async function until(what: () => boolean, ms: number, label: string): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("wrangler dev: a WebSocket reader that stops reading", () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await startDevServer("wrangler");
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("is closed at the bound, and reading again resyncs to the writer's seq with every seq once", { timeout: 120_000 }, async () => {
    const url = `ws://${server.host}/parties/whiteboard/slow-reader-e2e`;
    const acks: number[] = [];
    const writer = open(url, "writer", 0, null, (m) => {
      if (m.type === "ack") acks.push(m.seq!);
    });
    // The reader applies what it reads, like the library: seqs in order.
    const applied: number[] = [];
    let epoch: string | null = null;
    let closeCode: number | null = null;
    const errors: string[] = [];
    let welcomes = 0;
    let syncMode = "none";
    let snapshot = null as { seq: number; records: Rec[] } | null;
    const apply = (m: Msg) => {
      if (m.type === "welcome") welcomes++;
      if (m.type === "sync") {
        epoch = m.epoch!;
        syncMode = m.mode!;
        if (m.mode === "delta") for (const c of m.changes!) applied.push(c.seq);
        else if (welcomes === 2) {
          // The room sends a snapshot when it is smaller than the delta: the
          // board as of `seq`, which the reader takes as its state.
          snapshot = { seq: m.seq!, records: m.records! };
        }
      }
      if (m.type === "change") applied.push(m.seq!);
      if (m.type === "error") errors.push(m.code!);
    };
    const reader = open(url, "reader", 0, null, apply);
    reader.on("close", (code) => void (closeCode = code));
    await until(() => welcomes === 1 && epoch !== null && writer.readyState === WebSocket.OPEN, 30_000, "both welcomed");
    reader.pause(); // stops reading the socket: nothing more is read, nothing acknowledged

    for (let i = 0; i < MUTATIONS; i++) {
      writer.send(JSON.stringify({ type: "mutate", mid: `m${i}`, ops: ops(i) }));
      // Within the mutation budget (30/s, burst 60).
      if (i >= 50) await new Promise((r) => setTimeout(r, 40));
    }
    await until(() => acks.length === MUTATIONS, 60_000, "every ack");
    const last = acks.at(-1)!;

    reader.resume(); // reads what the runtime held for it, then the close
    await until(() => closeCode !== null, 30_000, "the reader's close");
    expect(closeCode).toBe(CloseCode.SLOW_READER);
    expect(errors).toContain(ErrorCode.SLOW_READER);
    // It was cut before the end: the room did not hold everything for it.
    expect(applied.length).toBeLessThan(MUTATIONS);
    expect(applied.length * 100_000).toBeLessThanOrEqual(SOCKET_MAX_OWED_BYTES + 200_000);

    // Reconnect as the library does (4009 is not final), from the last seq applied.
    // Like the library: an attempt that has not opened after 5 s is retried.
    let again: WebSocket | null = null;
    for (let attempt = 0; attempt < 5 && again === null; attempt++) {
      const ws = open(url, "reader", applied.at(-1) ?? 0, epoch, apply);
      const opened = await new Promise<boolean>((r) => {
        ws.on("open", () => r(true));
        setTimeout(() => r(false), 5_000);
      });
      if (opened) again = ws;
      else ws.terminate();
    }
    expect(again, "reconnected").not.toBeNull();
    await until(() => welcomes === 2 && (snapshot !== null || applied.at(-1) === last), 30_000, `the resync (${syncMode}, last ${applied.at(-1)} of ${last})`);
    if (snapshot) {
      // What it read before the cut, every seq once and in order; then the
      // board at the writer's last seq: the last write of every record.
      expect(applied).toEqual(Array.from({ length: applied.length }, (_, i) => i + 1));
      expect(snapshot.seq).toBe(last);
      expect(snapshot.records.map((r) => r.x)).toEqual(Array.from({ length: 10 }, () => MUTATIONS - 1));
    } else {
      expect(applied).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    }
    again!.close();
    writer.close();
  });
});
