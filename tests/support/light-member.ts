/**
 * A reconnect storm's member (the chaos tier's tests/e2e/storm.test.ts and
 * the benchmark's W8, bench/workloads/w8-reconnect-storm.ts): as light as a
 * member can be while it still does what the client library does, over the
 * library's own transport (`partySocketTransport`: partysocket's delay
 * growing ×1.5 from the minimum to the cap, the library's jitter on every
 * retry, its growing connect timeout) — hello with its epoch and last seq, a
 * ping every PING_INTERVAL_MS, changes applied in seq order, a resync on a
 * gap. It keeps the ids it holds and counts anything it got twice, so a storm
 * can check that every member converged with every edit exactly once. A few
 * hundred full RoomClients would make the one test or generator process, not
 * the room, the thing measured.
 *
 * It knows no app: the caller gives the party and the schema version.
 */
import WebSocket from "ws";
import { partySocketTransport, type Transport } from "../../client/engine/connection.ts";
import { PING_INTERVAL_MS } from "../../party/shared/limits.ts";
import { PING_FRAME, PROTOCOL_VERSION } from "../../party/shared/protocol.ts";

type Op = { op: "put"; rec: { id: string } } | { op: "del"; id: string } | { op: "patch"; id: string };
type Change = { seq: number; ops: Op[] };
type Sync = { mode: "snapshot" | "delta"; epoch: string; seq: number; records?: { id: string }[]; changes?: Change[] };

export interface LightMemberOptions {
  host: string;
  /** The app's party (`/parties/<party>/<room>`). */
  party: string;
  room: string;
  name: string;
  /** The app's record schema version, as its hello says it. */
  schema: number;
  /** A token for the upgrade's query (none: the room runs without tokens). */
  token?: string;
  /** Timestamps of syncs and of going live (default `Date.now`). */
  clock?: () => number;
}

export class LightMember {
  seq = 0;
  epoch: string | null = null;
  live = false;
  /** When it last became live (the clock's ms). */
  liveAt = 0;
  readonly ids = new Set<string>();
  /** A put of an id it already held, or a change at a seq it already had. */
  doubled = 0;
  /** Sync frames received: when and how many characters. */
  readonly syncs: { at: number; chars: number }[] = [];
  private resyncing = false;
  private readonly transport: Transport;
  private readonly pinger: ReturnType<typeof setInterval>;
  private readonly clock: () => number;

  constructor(o: LightMemberOptions) {
    this.clock = o.clock ?? Date.now;
    const hello = () => JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, schema: o.schema, clientId: `light-${o.name}`, epoch: this.epoch, lastSeq: this.seq, name: o.name, color: "#123456" });
    const token = o.token;
    this.transport = partySocketTransport({ host: o.host, party: o.party, room: o.room, WebSocket, ...(token ? { query: async () => ({ token }) } : {}) })({
      open: () => this.transport.send(hello()),
      message: (data) => this.frame(String(data)),
      close: () => void (this.live = false),
    });
    this.pinger = setInterval(() => this.transport.isOpen && this.transport.send(PING_FRAME), PING_INTERVAL_MS);
  }

  close(): void {
    clearInterval(this.pinger);
    this.transport.close();
  }

  private frame(text: string): void {
    if (!text.includes(`"type":"sync"`) && !text.includes(`"type":"change"`)) return; // cursors, presence: not looked into
    const parsed = JSON.parse(text) as { type: string } | { type: string }[];
    for (const m of Array.isArray(parsed) ? parsed : [parsed]) {
      if (m.type === "sync") this.sync(m as unknown as Sync, text.length);
      else if (m.type === "change") this.change(m as unknown as Change);
    }
  }

  private sync(m: Sync, chars: number): void {
    this.syncs.push({ at: this.clock(), chars });
    this.epoch = m.epoch;
    if (m.mode === "snapshot") {
      this.ids.clear();
      for (const r of m.records ?? []) this.ids.add(r.id);
      this.seq = m.seq;
    } else for (const c of m.changes ?? []) if (c.seq > this.seq) this.change(c); // a delta may overlap what it holds
    this.resyncing = false;
    this.live = true;
    this.liveAt = this.clock();
  }

  private change(c: Change): void {
    if (c.seq <= this.seq) {
      this.doubled++;
      return;
    }
    if (c.seq !== this.seq + 1) {
      // A gap: ask once for what is missing, as the library does.
      if (!this.resyncing) this.transport.send(JSON.stringify({ type: "resync", epoch: this.epoch, lastSeq: this.seq }));
      this.resyncing = true;
      return;
    }
    for (const op of c.ops) {
      if (op.op === "put") {
        if (this.ids.has(op.rec.id)) this.doubled++;
        this.ids.add(op.rec.id);
      } else if (op.op === "del") this.ids.delete(op.id);
    }
    this.seq = c.seq;
  }
}
