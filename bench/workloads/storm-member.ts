/**
 * A reconnect storm's member (W8): as light as a member can be while it
 * still does what the client library does over the library's own transport
 * (`partySocketTransport`: partysocket's delay growing ×1.5 from the minimum
 * to the cap, plus the library's jitter on every retry) — hello with its
 * epoch and last seq, a ping every PING_INTERVAL_MS, changes applied in seq
 * order, a resync on a gap. It keeps the ids it holds and counts anything it
 * got twice, so the storm can check that every member converged with every
 * edit exactly once. 500 full RoomClients would make this one-core generator,
 * not the room, the thing measured; the two editors are full RoomClients.
 */
import WebSocket from "ws";
import { partySocketTransport, type Transport } from "../../client/engine/connection.ts";
import { PING_INTERVAL_MS } from "../../party/shared/limits.ts";
import { PING_FRAME, PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import { whiteboard } from "../../party/whiteboard/schema.ts";
import { wallMs } from "../lib/clock.ts";

type Op = { op: "put"; rec: { id: string } } | { op: "del"; id: string } | { op: "patch"; id: string };
type Change = { seq: number; ops: Op[] };
type Sync = { mode: "snapshot" | "delta"; epoch: string; seq: number; records?: { id: string }[]; changes?: Change[] };

export class StormMember {
  seq = 0;
  epoch: string | null = null;
  live = false;
  /** When it last became live (wall ms). */
  liveAt = 0;
  readonly ids = new Set<string>();
  /** A put of an id it already held, or a change at a seq it already had. */
  doubled = 0;
  /** Sync frames received: when and how many characters. */
  readonly syncs: { at: number; chars: number }[] = [];
  private resyncing = false;
  private readonly transport: Transport;
  private readonly pinger: ReturnType<typeof setInterval>;

  /** `token`: a viewer's (the bench Worker's audience route); none: the plain route. */
  constructor(host: string, room: string, name: string, token?: string) {
    const hello = () => JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, schema: whiteboard.version, clientId: `storm-${name}`, epoch: this.epoch, lastSeq: this.seq, name, color: "#123456" });
    const party = token ? "whiteboard-audience" : whiteboard.party;
    this.transport = partySocketTransport({ host, party, room, WebSocket, ...(token ? { query: async () => ({ token }) } : {}) })({
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
    this.syncs.push({ at: wallMs(), chars });
    this.epoch = m.epoch;
    if (m.mode === "snapshot") {
      this.ids.clear();
      for (const r of m.records ?? []) this.ids.add(r.id);
      this.seq = m.seq;
    } else for (const c of m.changes ?? []) if (c.seq > this.seq) this.change(c); // a delta may overlap what it holds
    this.resyncing = false;
    this.live = true;
    this.liveAt = wallMs();
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
