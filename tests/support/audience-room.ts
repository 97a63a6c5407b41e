/**
 * An audience room in memory (issue 18; docs/ARCHITECTURE.md "One room over
 * many objects"): the room core and its relays (`RelayCore`) in one process,
 * each relay's link a pair of in-memory ends delivering frames in order on
 * the next microtask, as the Durable Object adapter wires them
 * (durable-object.ts, relay-object.ts). A test can hold a link's frames (a
 * relay that does not read), crash a relay, evict the room, and move a fake
 * clock that fires the relays' and the room's timers.
 *
 * Members are `TestSocket`s; `join` routes each as the adapter does: the room
 * itself below its direct bound, else the relay `route` names.
 */
import { KvRoomStorage } from "../../party/engine/kv-storage.ts";
import { RelayCore } from "../../party/engine/relay.ts";
import { type AudienceBounds, type LinkInfo, type LinkSocket, type LogLine, Room } from "../../party/engine/room.ts";
import { TestSocket } from "../../party/engine/testing/memory-host.ts";
import { MemoryKv } from "../../party/engine/testing/memory-kv.ts";
import type { WebhookConfig } from "../../party/engine/webhooks.ts";
import { PING_FRAME, PONG_FRAME, PROTOCOL_VERSION, type Role } from "../../party/shared/protocol.ts";
import { type Card, cards } from "./cards.ts";

/** A relay's link as the room holds it; `hold` keeps what the room sends. */
export class MemoryLink implements LinkSocket {
  private info: LinkInfo | null = null;
  closed = false;
  /** Frames the room sent, in order (all of them). */
  readonly sent: string[] = [];
  /** Frames the relay has not been given yet (while held). */
  private held: string[] | null = null;
  readonly relay: number;
  private readonly deliver: (frame: string) => void;
  onLost: () => void = () => {};
  /** When the room's runtime last answered the relay's ping on it. */
  pingAt: number | null = null;
  /** Silently dead: nothing passes either way, and no close reaches either end. */
  severed = false;

  constructor(relay: number, deliver: (frame: string) => void) {
    this.relay = relay;
    this.deliver = deliver;
  }
  send(frame: string): void {
    if (this.closed) throw new Error("send on a closed link");
    if (this.severed) return;
    this.sent.push(frame);
    if (this.held) this.held.push(frame);
    else queueMicrotask(() => this.closed || this.deliver(frame));
  }
  close(): void {
    this.closed = true;
  }
  getLink(): LinkInfo | null {
    return this.info;
  }
  setLink(info: LinkInfo): void {
    this.info = JSON.parse(JSON.stringify(info)) as LinkInfo;
  }
  /** The link dies silently (the room evicted without its close reaching the
   * relay, a relay that hangs): frames are lost both ways, no close comes. */
  sever(): void {
    this.severed = true;
  }
  /** The relay stops reading: frames wait here. */
  hold(): void {
    this.held ??= [];
  }
  /** The relay reads again: what waited is delivered, in order. */
  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const f of held) queueMicrotask(() => this.closed || this.deliver(f));
  }
}

/** One relay object: its members' sockets and its core. */
export class MemoryRelay {
  readonly sockets = new Set<TestSocket<Card>>();
  readonly core: RelayCore<Card>;
  link: MemoryLink | null = null;
  readonly k: number;
  /** The relay hangs: its timers never fire again (and it sends nothing). */
  hung = false;

  constructor(room: AudienceRoom, k: number) {
    this.k = k;
    this.core = new RelayCore<Card>(
      room.roomId,
      {
        members: () => [...this.sockets].filter((s) => !s.closed),
        openLink: async (onFrame, onClose) => room.openLink(this, onFrame, onClose),
        now: () => room.clock,
        setTimeout: (fn, ms) => room.timer(() => this.hung || fn(), ms),
        log: (line) => void room.logs.push({ ...line, detail: `relay:${k} ${line.detail ?? ""}` }),
      },
      cards,
      room.bounds.relayMax,
    );
  }
}

export class AudienceRoom {
  readonly roomId = "audience-room";
  readonly kv = new MemoryKv();
  readonly direct = new Set<TestSocket<Card>>();
  readonly links = new Set<MemoryLink>();
  readonly relays = new Map<number, MemoryRelay>();
  readonly logs: LogLine[] = [];
  clock = 1_700_000_000_000;
  alarmAt: number | null = null;
  private timers: { at: number; fn: () => void; room: boolean }[] = [];
  room: Room<Card>;
  readonly bounds: AudienceBounds;
  /** Webhooks for the room, and the fetch they go through (set at construction). */
  private readonly hooks: { webhook: WebhookConfig; fetch: typeof fetch } | undefined;
  /** Which relay (or the room, -1) each member was routed to. */
  readonly where = new Map<TestSocket<Card>, number>();

  constructor(bounds: AudienceBounds, hooks?: { webhook: WebhookConfig; fetch: typeof fetch }) {
    this.bounds = bounds;
    this.hooks = hooks;
    this.room = this.build();
  }

  private build(): Room<Card> {
    const room = new Room<Card>(
      this.roomId,
      {
        storage: new KvRoomStorage<Card>(this.kv),
        sockets: () => [...this.direct].filter((s) => !s.closed),
        links: () => [...this.links].filter((l) => !l.closed),
        now: () => this.clock,
        setTimeout: (fn, ms) => this.timer(fn, ms, true),
        getAlarm: async () => this.alarmAt,
        setAlarm: async (at) => void (this.alarmAt = at),
        lastPing: (s) => (s instanceof MemoryLink ? s.pingAt : null),
        log: (line) => void this.logs.push(line),
        ...(this.hooks ? { webhook: this.hooks.webhook, fetch: this.hooks.fetch } : {}),
      },
      cards,
    );
    room.audienceBounds = this.bounds;
    return room;
  }

  timer(fn: () => void, ms: number, room = false): void {
    this.timers.push({ at: this.clock + ms, fn, room });
  }

  relay(k: number): MemoryRelay {
    let r = this.relays.get(k);
    if (!r) {
      r = new MemoryRelay(this, k);
      this.relays.set(k, r);
    }
    return r;
  }

  openLink(relay: MemoryRelay, onFrame: (data: string) => void, onLost: () => void): { send(frame: string): void; close(): void } {
    const link = new MemoryLink(relay.k, onFrame);
    link.onLost = onLost;
    this.links.add(link);
    this.room.linkOpened(link, relay.k);
    relay.link = link;
    return {
      send: (frame) => {
        if (link.closed || link.severed) return;
        if (frame === PING_FRAME) {
          // The room's runtime answers a ping itself, without waking the room.
          link.pingAt = this.clock;
          queueMicrotask(() => link.closed || link.severed || onFrame(PONG_FRAME));
          return;
        }
        void this.room.linkMessage(link, frame);
      },
      close: () => this.dropLink(link),
    };
  }

  private dropLink(link: MemoryLink): void {
    // A severed link's close never reaches the room.
    if (link.closed || link.severed) return;
    link.closed = true;
    this.links.delete(link);
    void this.room.linkClosed(link);
  }

  /** A member opens a socket and says hello; routed as the adapter routes. */
  join(name: string, role: Role = "viewer", from: { epoch?: string | null; lastSeq?: number; reads?: true; watching?: true; expiresAt?: number; broadcasts?: true } = {}): TestSocket<Card> {
    const s = this.open(role, from.expiresAt, undefined, from.broadcasts);
    const flags = { ...(from.reads ? { reads: true } : {}), ...(from.watching ? { watching: true } : {}) };
    this.send(s, { type: "hello", v: PROTOCOL_VERSION, clientId: `c-${name}`, epoch: from.epoch ?? null, lastSeq: from.lastSeq ?? 0, name, color: "#224466", ...flags });
    return s;
  }

  /** A socket opens (no hello yet), routed as the adapter routes. */
  open(role: Role = "viewer", expiresAt?: number, s: TestSocket<Card> = new TestSocket<Card>(), broadcasts = false): TestSocket<Card> {
    let direct = 0;
    for (const d of this.direct) if (!d.closed) direct++;
    const where = this.room.route(direct);
    const access = { ok: true as const, role, subject: null, ...(expiresAt ? { expiresAt } : {}) };
    if (where === null) {
      s.close(4003, "room full");
      return s;
    }
    if (where === "direct") {
      this.direct.add(s);
      this.where.set(s, -1);
      void this.room.connect(s, access, { broadcasts });
    } else {
      const r = this.relay(where);
      r.sockets.add(s);
      this.where.set(s, where);
      r.core.connect(s, access, { broadcasts });
    }
    return s;
  }

  /** A frame from a member, to whichever object holds its socket. */
  send(s: TestSocket<Card>, msg: unknown): void {
    const frame = typeof msg === "string" ? msg : JSON.stringify(msg);
    const k = this.where.get(s);
    if (k === undefined || s.closed) return;
    if (k === -1) void this.room.message(s, frame);
    else this.relay(k).core.message(s, frame);
  }

  /** A member closes its socket. */
  leave(s: TestSocket<Card>): void {
    s.close(1000, "bye");
    this.ended(s);
  }

  /** The runtime's close event for a socket the member or its object closed. */
  private ended(s: TestSocket<Card>): void {
    const k = this.where.get(s);
    this.where.delete(s);
    if (k === undefined) return;
    if (k === -1) {
      void this.room.close(s);
      this.direct.delete(s);
    } else {
      this.relay(k).core.close(s);
      this.relay(k).sockets.delete(s);
    }
  }

  /** A relay object dies (reset, crash): its members' sockets close, its link too. */
  crashRelay(k: number): void {
    const r = this.relays.get(k);
    if (!r) return;
    this.relays.delete(k);
    for (const s of r.sockets) {
      s.close(1006, "relay gone");
      this.where.delete(s);
    }
    if (r.link) this.dropLink(r.link);
  }

  /** The room object evicted with its sockets hibernating: a new instance
   * over the same storage, sockets and links. */
  evictRoom(): void {
    this.timers = this.timers.filter((t) => !t.room);
    this.room = this.build();
  }

  /** Let every frame in flight arrive and every event settle; deliver the
   * close events of sockets an object closed. */
  async settle(): Promise<void> {
    for (let i = 0; i < 20; i++) {
      await this.room.settled();
      await new Promise((r) => setTimeout(r, 0));
      for (const s of [...this.where.keys()]) if (s.closed) this.ended(s);
    }
  }

  /** Move the clock by `ms`, in steps, firing the timers that come due. */
  async advance(ms: number, step = 10): Promise<void> {
    const end = this.clock + ms;
    while (this.clock < end) {
      this.clock = Math.min(end, this.clock + step);
      const due = this.timers.filter((t) => t.at <= this.clock);
      this.timers = this.timers.filter((t) => t.at > this.clock);
      for (const t of due) t.fn();
      if (this.alarmAt !== null && this.alarmAt <= this.clock) {
        this.alarmAt = null;
        await this.room.alarm();
      }
      await this.settle();
    }
  }
}

/** The seqs a member applied, in order: its delta syncs', every change's and its own acks'. */
export function appliedSeqs(s: TestSocket<Card>): number[] {
  const seqs: number[] = [];
  for (const m of s.inbox) {
    if (m.type === "sync" && m.mode === "delta") seqs.push(...m.changes.map((c) => c.seq));
    if (m.type === "change") seqs.push(m.seq);
    if (m.type === "ack" && !m.dup) seqs.push(m.seq);
  }
  return seqs;
}

/** The seq a member holds: its last sync's, then what it applied in order since. */
export function heldSeq(s: TestSocket<Card>): number {
  let seq = 0;
  for (const m of s.inbox) {
    if (m.type === "sync") seq = m.seq;
    if ((m.type === "change" || (m.type === "ack" && !m.dup)) && m.seq === seq + 1) seq = m.seq;
  }
  return seq;
}
