/**
 * The leader tab's router: its RoomClient holds the one socket to the room,
 * and this routes — between that socket, that client and the browser's
 * other tabs (over tab-channel.ts). It holds no document: what it needs of
 * the state it reads from the leader's own client, which holds it once.
 *
 * - A tab's `hello` is answered here, from the leader client's state: a
 *   welcome with the shared connection's peer and the room's peers, and a
 *   snapshot of the confirmed records — a tab joining costs the room nothing.
 *   So is its `ping`, and its `resync` (unless the leader is resyncing itself:
 *   then the room's answer reaches every tab).
 * - A `mutate` or `restore`, from any tab, leaves once per connection under
 *   its own mutation id (the exactly-once key): one already sent is not sent
 *   again (a tab's resend, or the new leader and a follower both resending
 *   the IndexedDB queue), and one settled recently gets its answer again.
 * - The room's frames are routed message by message, before the leader's
 *   client applies each: an `ack` goes to the tabs that sent the edit, and
 *   every other tab gets the `change` another connection would have seen
 *   (the ops are known from the mutate, applied to the leader's confirmed
 *   records as the room did); a history answer goes to the tab that asked
 *   (by request id); a `welcome` and the first `sync` of a connection, and
 *   `pong`, stay with the leader; the rest goes to every tab. A frame every
 *   tab gets whole is passed on as the room's own bytes.
 * - `cursor`, `presence` and `live` go out as the one connection's: the
 *   cursor of the tab that moved last (a hide counts only from that tab), the
 *   most present status of any tab, the latest name and colour.
 */
import { planOps } from "../../party/shared/apply.ts";
import { MAX_MESSAGE_BYTES } from "../../party/shared/limits.ts";
import {
  type ClientMessage,
  ErrorCode,
  type ErrorMessage,
  type Op,
  type Peer,
  type PresenceStatus,
  PROTOCOL_VERSION,
  type RecordBase,
  type ServerMessage,
} from "../../party/shared/protocol.ts";
import type { RoomSchema } from "../../party/shared/schema.ts";
import type { TransportKind } from "./connection.ts";
import type { TabMessage } from "./tab-channel.ts";

/** Settled mutation ids remembered, to answer a tab that resends one the
 * room already answered: a memory bound (a few hundred bytes each). Past it
 * the resend goes to the room, whose own dedupe answers it. */
const SETTLED_MEMORY = 2_000;

const STATUS_RANK: Record<PresenceStatus, number> = { active: 2, idle: 1, away: 0 };
/** Refusals that may pass if the same mid is sent again: not remembered. */
const RETRYABLE = new Set<string>([ErrorCode.RATE_LIMITED, ErrorCode.INTERNAL]);
const HISTORY_ANSWERS = new Set<string>(["history", "preview", "version"]);

/** What the router reads of the leader tab's own client. */
export interface LeaderState<R extends RecordBase> {
  readonly room: string;
  /** The first sync of this connection was applied, and no resync is asked for. */
  readonly synced: boolean;
  readonly resyncing: boolean;
  readonly seq: number;
  readonly epoch: string | null;
  readonly self: Peer | null;
  readonly transport: TransportKind;
  peers(): ReadonlyMap<string, Peer>;
  confirmedRecords(): ReadonlyMap<string, R>;
}

/** The leader tab's socket and client, as the router uses them. */
export interface RouterLink<R extends RecordBase> {
  /** Send a frame on the socket. */
  socketSend(frame: string): void;
  /** Deliver a room message to the leader's own client (an answer the router gives it). */
  deliverLocal(m: ServerMessage<R>): void;
}

/** Who a room message goes to among the follower tabs: all of them, or those named. */
interface Routed<R extends RecordBase> {
  m: ServerMessage<R>;
  to: "all" | Set<string>;
}

export class TabRouter<R extends RecordBase> {
  /** The tab id the leader's own client has in the tables below. */
  readonly tabId: string;
  /** The client id the connection says hello with: the previous leader's,
   * so the room's peers see the same person reconnect, not a leave and a join. */
  readonly clientId: string;
  private readonly schema: RoomSchema<R>;
  private readonly channel: BroadcastChannel;
  private readonly leader: LeaderState<R>;
  private readonly link: RouterLink<R>;
  /** Tabs that said hello on this connection, with the presence each asked for (the leader's own too). */
  private readonly tabs = new Map<string, PresenceStatus>();
  /** Mutations and restores sent on this connection and not answered: their ops (null: a restore) and the tabs that sent them. */
  private readonly inFlight = new Map<string, { ops: Op<R>[] | null; senders: Set<string> }>();
  /** Recently settled mids and the room's answer (oldest first). */
  private readonly settled = new Map<string, ServerMessage<R>>();
  /** History requests on this connection: request id → the asking tab and kind. */
  private readonly requests = new Map<string, { tab: string; kind: string }>();
  /** This frame's messages for the follower tabs, and whether each is the room's own. */
  private frame: Routed<R>[] = [];
  private frameWhole = true;
  private cursorTab: string | null = null;
  /** What the connection last told the room of its presence. */
  private sent: { name?: string; color?: string; status?: PresenceStatus } = {};
  private up = false;
  /** The room's last error on the current connection, for the tabs' `down`. */
  private lastError: ErrorMessage | null = null;
  private closed = false;

  constructor(options: {
    schema: RoomSchema<R>;
    channelName: string;
    tabId: string;
    clientId: string;
    leader: LeaderState<R>;
    link: RouterLink<R>;
  }) {
    this.schema = options.schema;
    this.tabId = options.tabId;
    this.clientId = options.clientId;
    this.leader = options.leader;
    this.link = options.link;
    this.channel = new BroadcastChannel(options.channelName);
    this.channel.onmessage = (e: MessageEvent<TabMessage>) => this.onTab(e.data);
    // Followers drop whatever they had: a new leader and a new connection.
    this.post({ k: "lead", leader: this.tabId });
  }

  /** The leader tab closes: the others hear it at once, and the next in line leads. */
  close(): void {
    if (this.closed) return;
    if (this.up) this.post({ k: "down", leader: this.tabId, code: 1001, reason: "leader tab left" });
    this.closed = true;
    this.channel.close();
  }

  // -------------------------------------------------------------------------
  // The socket

  /** The socket closed (every failed attempt too): the tabs show what the leader shows. */
  socketClosed(code: number, reason: string): void {
    const down: TabMessage = { k: "down", leader: this.tabId, code, reason };
    if (this.lastError) down.error = this.lastError;
    this.post(down);
    this.up = false;
    this.lastError = null;
    this.tabs.clear();
    this.inFlight.clear();
    this.requests.clear();
    this.cursorTab = null;
  }

  /** One room message, before the leader's client applies it. Returns what
   * that client applies (null: nothing; it is another tab's). */
  incoming(m: ServerMessage<R>): ServerMessage<R> | null {
    switch (m.type) {
      case "welcome":
      case "pong":
        this.frameWhole = false;
        return m;
      case "sync":
        // A connection's first sync: the tabs say hello once it is applied.
        // A resync's answer: every tab catches up from it.
        if (this.up) this.frame.push({ m, to: "all" });
        else this.frameWhole = false;
        return m;
      case "ack":
        return this.onAck(m);
      case "reject":
        this.inFlight.delete(m.mid);
        if (!RETRYABLE.has(m.code)) this.remember(m.mid, m);
        this.frame.push({ m, to: "all" }); // whichever tab has it pending rolls it back
        return m;
      case "history":
      case "preview":
      case "version":
        return this.toAsker(m, m.rid);
      case "error":
        if (m.ref && HISTORY_ANSWERS.has(m.ref)) return this.toAsker(m, m.rid ?? this.oldestRequest(m.ref));
        this.lastError = m;
        this.frame.push({ m, to: "all" });
        return m;
      default:
        this.frame.push({ m, to: "all" });
        return m;
    }
  }

  /** A backend broadcast (a frame of its own, party/shared/broadcast.ts): every other tab gets it as is. */
  broadcast(raw: string): void {
    if (this.up && this.tabs.size - (this.tabs.has(this.tabId) ? 1 : 0) > 0) this.post({ k: "room", leader: this.tabId, data: raw });
  }

  /** The frame's messages were all applied by the leader's client: each other tab gets its share. */
  frameDone(raw: string): void {
    const routed = this.frame;
    const whole = this.frameWhole;
    this.frame = [];
    this.frameWhole = true;
    if (!this.up && this.leader.synced) {
      this.up = true;
      this.post({ k: "up", leader: this.tabId, clientId: this.clientId, transport: this.leader.transport });
    }
    // Nobody to tell (a browser with this one tab on the room): nothing crosses the channel.
    if (routed.length === 0 || this.tabs.size - (this.tabs.has(this.tabId) ? 1 : 0) === 0) return;
    if (whole && routed.every((r) => r.to === "all")) return this.post({ k: "room", leader: this.tabId, data: raw });
    // Tabs that get the same messages share one serialisation.
    const groups = new Map<string, { tabs: string[]; msgs: ServerMessage<R>[] }>();
    for (const tab of this.tabs.keys()) {
      if (tab === this.tabId) continue;
      const mine = routed.filter((r) => r.to === "all" || r.to.has(tab));
      if (!mine.length) continue;
      const key = mine.map((r) => routed.indexOf(r)).join(",");
      const group = groups.get(key) ?? { tabs: [], msgs: mine.map((r) => r.m) };
      group.tabs.push(tab);
      groups.set(key, group);
    }
    for (const g of groups.values()) this.post({ k: "room", leader: this.tabId, data: JSON.stringify(g.msgs), to: g.tabs });
  }

  private onAck(m: Extract<ServerMessage<R>, { type: "ack" }>): ServerMessage<R> | null {
    const sent = this.inFlight.get(m.mid);
    this.inFlight.delete(m.mid);
    this.remember(m.mid, { ...m, dup: true });
    const self = this.leader.self;
    const plan = sent?.ops && self && this.leader.synced && !this.leader.resyncing && m.seq === this.leader.seq + 1 ? planOps(this.schema, this.leader.confirmedRecords(), sent.ops, Number.POSITIVE_INFINITY) : null;
    if (!sent || !plan?.ok) {
      // No change to give (a restore, or the leader is not where the room
      // was): every tab takes the ack, and one not expecting it resyncs.
      this.frameWhole = false;
      this.frame.push({ m, to: "all" });
      return m;
    }
    // The senders settle their edit by the ack; the others see the change
    // any other connection would have seen.
    const change: ServerMessage<R> = { type: "change", seq: m.seq, by: self!.conn, mid: m.mid, ops: plan.ops };
    this.frameWhole = false;
    this.frame.push({ m, to: sent.senders }, { m: change, to: new Set([...this.tabs.keys()].filter((t) => !sent.senders.has(t))) });
    return sent.senders.has(this.tabId) ? m : change;
  }

  /** A history answer: to the tab that asked only. */
  private toAsker(m: ServerMessage<R>, rid: string | undefined): ServerMessage<R> | null {
    const asker = rid === undefined ? undefined : this.requests.get(rid);
    if (rid !== undefined) this.requests.delete(rid);
    this.frameWhole = false;
    if (!asker || asker.tab === this.tabId) return m;
    this.frame.push({ m, to: new Set([asker.tab]) });
    return null;
  }

  /** A refusal without its request id answers the oldest request of that kind. */
  private oldestRequest(kind: string): string | undefined {
    for (const [rid, r] of this.requests) if (r.kind === kind) return rid;
    return undefined;
  }

  private remember(mid: string, answer: ServerMessage<R>): void {
    this.settled.delete(mid);
    this.settled.set(mid, answer);
    if (this.settled.size > SETTLED_MEMORY) this.settled.delete(this.settled.keys().next().value!);
  }

  // -------------------------------------------------------------------------
  // The tabs: the leader's own client, and the others over the channel

  /** A message the leader's own client sends the room. */
  local(m: ClientMessage<R>): void {
    if (m.type === "hello") {
      // The connection's hello: under the connection's client id.
      this.tabs.clear();
      this.tabs.set(this.tabId, "active");
      this.sent = { name: m.name, color: m.color, status: "active" };
      this.link.socketSend(JSON.stringify({ ...m, clientId: this.clientId }));
      return;
    }
    this.fromTab(this.tabId, m, null);
  }

  private onTab(msg: TabMessage): void {
    if (this.closed) return;
    if (msg.k === "query") {
      if (this.up) this.post({ k: "up", leader: this.tabId, clientId: this.clientId, transport: this.leader.transport });
    } else if (msg.k === "bye") {
      this.tabs.delete(msg.from);
      if (this.cursorTab === msg.from) {
        this.cursorTab = null;
        this.link.socketSend(JSON.stringify({ type: "cursor", p: null }));
      }
      this.setPresence({});
    } else if (msg.k === "frame") {
      // Same origin, but still a boundary: parse it as the room would.
      const parsed = this.schema.protocol.parseClientMessage(msg.data, MAX_MESSAGE_BYTES);
      if (parsed.ok) this.fromTab(msg.from, parsed.value, msg.data);
    }
  }

  /** A tab's message for the room; `raw` its frame as the tab wrote it (null: the leader's own). */
  private fromTab(tab: string, m: ClientMessage<R>, raw: string | null): void {
    const send = () => this.link.socketSend(raw ?? JSON.stringify(m));
    switch (m.type) {
      case "hello":
        return this.onHello(tab, m);
      case "resync":
        if (tab === this.tabId) return send();
        if (this.up && !this.leader.resyncing) this.reply(tab, this.snapshot());
        return;
      case "ping":
        if (tab === this.tabId) return send();
        return this.reply(tab, { type: "pong" });
      case "mutate":
      case "restore": {
        const answer = this.settled.get(m.mid);
        if (answer) return this.reply(tab, answer);
        const sent = this.inFlight.get(m.mid);
        if (sent) return void sent.senders.add(tab); // already on its way
        this.inFlight.set(m.mid, { ops: m.type === "mutate" ? m.ops : null, senders: new Set([tab]) });
        return send();
      }
      case "cursor":
        if (m.p) this.cursorTab = tab;
        else if (this.cursorTab !== tab) return; // another tab's cursor is the one shown
        return send();
      case "presence": {
        if (m.status && this.tabs.has(tab)) this.tabs.set(tab, m.status);
        return this.setPresence({ ...(m.name === undefined ? {} : { name: m.name }), ...(m.color === undefined ? {} : { color: m.color }) });
      }
      case "live":
        return send();
      case "read":
        // What the socket's reader read: only the leader's own client reads the room.
        if (tab === this.tabId) return send();
        return;
      case "history":
      case "preview":
      case "version":
        if (m.rid) this.requests.set(m.rid, { tab, kind: m.type });
        return send();
    }
  }

  private onHello(tab: string, m: Extract<ClientMessage<R>, { type: "hello" }>): void {
    const self = this.leader.self;
    if (!this.up || !self) return; // it hears `up` when we are
    this.tabs.set(tab, "active");
    this.setPresence({ name: m.name, color: m.color });
    const welcome: ServerMessage<R> = { type: "welcome", v: PROTOCOL_VERSION, room: this.leader.room, self, peers: [...this.leader.peers().values()] };
    this.reply(tab, welcome, this.snapshot());
  }

  private snapshot(): ServerMessage<R> {
    return { type: "sync", mode: "snapshot", epoch: this.leader.epoch ?? "", seq: this.leader.seq, records: [...this.leader.confirmedRecords().values()] };
  }

  /** The one connection is as present as its most present tab; name and colour are the latest. */
  private setPresence(p: { name?: string; color?: string }): void {
    let status: PresenceStatus = "away";
    for (const s of this.tabs.values()) if (STATUS_RANK[s] > STATUS_RANK[status]) status = s;
    const changed: { name?: string; color?: string; status?: PresenceStatus } = {};
    if (p.name !== undefined && p.name !== this.sent.name) changed.name = this.sent.name = p.name;
    if (p.color !== undefined && p.color !== this.sent.color) changed.color = this.sent.color = p.color;
    if (this.tabs.size && status !== this.sent.status) changed.status = this.sent.status = status;
    if (Object.keys(changed).length) this.link.socketSend(JSON.stringify({ type: "presence", ...changed }));
  }

  /** Messages for one tab: its own client's go to it directly (later: never inside the frame being applied). */
  private reply(tab: string, ...msgs: ServerMessage<R>[]): void {
    if (tab === this.tabId) {
      queueMicrotask(() => {
        if (!this.closed) for (const m of msgs) this.link.deliverLocal(m);
      });
      return;
    }
    this.post({ k: "room", leader: this.tabId, data: JSON.stringify(msgs), to: [tab] });
  }

  private post(msg: TabMessage): void {
    if (!this.closed) this.channel.postMessage(msg);
  }
}
