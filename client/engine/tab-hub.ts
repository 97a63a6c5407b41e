/**
 * The leader tab's side of a shared connection. It runs a headless RoomClient
 * (the "inner" client) that holds the one socket to the room, its pending
 * queue and its presence, and serves every tab of the room — its own tab's
 * visible RoomClient included — over the tab channel (tab-channel.ts):
 *
 * - a tab's `hello` is answered here: a welcome with the shared connection's
 *   peer and the room's peers, and a snapshot of the confirmed state, so a tab
 *   joining costs the room nothing;
 * - a tab's `mutate` joins the inner client's pending queue under its own
 *   mutation id (the exactly-once key) unless it is already there, so an edit
 *   resent by two tabs, or by a tab and a new leader that reloaded the
 *   IndexedDB queue, still goes out once; one already settled gets its answer
 *   again from a small memory of recent results;
 * - `cursor`, `presence` and `live` go out as the one connection's: the cursor
 *   of the tab that moved last (a hide counts only from that tab), the most
 *   present status of any tab, the latest name and colour;
 * - a history request (`history`, `preview`, `version`, `restore`;
 *   PROTOCOL.md §15) is made again by the inner client, and its answer goes
 *   to the asking tab only, under the tab's request id (a restore: its mid,
 *   so the room's dedupe still makes it exactly once);
 * - what the room sends is relayed in order after the inner client applied it.
 *   An ack goes to the tab that made the edit; every other tab gets it as the
 *   `change` the room would have broadcast to another connection (the hub
 *   knows the ops: the edit is in the inner client's queue).
 */
import { planOps } from "../../party/shared/apply.ts";
import { MAX_MESSAGE_BYTES } from "../../party/shared/limits.ts";
import type { ClientMessage, HistoryPageMessage, Peer, PresenceStatus, RecordBase, ServerMessage, VersionSavedMessage } from "../../party/shared/protocol.ts";
import { ErrorCode, PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import type { RoomSchema } from "../../party/shared/schema.ts";
import type { TransportFactory, TransportKind } from "./connection.ts";
import type { PendingMutation } from "./pending-edits.ts";
import { HistoryError, type HistoryTarget, type PreviewBoard, type RestoreResult } from "./room-history.ts";
import type { RelayedMessage, TabMessage } from "./tab-channel.ts";

/** Settled mutation ids remembered, to answer a tab that resends one the
 * room already answered: a memory bound (a few hundred bytes each). Past it
 * the resend goes to the room, whose own dedupe answers it. */
const SETTLED_MEMORY = 2_000;

/** What the hub needs of the inner RoomClient. */
export interface HubClient<R extends RecordBase> {
  readonly room: string;
  readonly clientId: string;
  readonly self: Peer | null;
  readonly seq: number;
  readonly epoch: string | null;
  readonly connection: { status: string; transport?: TransportKind };
  peers(): ReadonlyMap<string, Peer>;
  confirmedRecords(): ReadonlyMap<string, R>;
  readonly pending: { get(mid: string): PendingMutation<R> | undefined } & { readonly list: readonly PendingMutation<R>[] };
  forward(m: PendingMutation<R>): void;
  moveCursor(x: number, y: number): void;
  hideCursor(): void;
  setPresence(p: { name?: string; color?: string; status?: PresenceStatus }): void;
  setLive(key: string, data: unknown): void;
  history(options: { before?: number; limit?: number }): Promise<HistoryPageMessage>;
  previewAt(target: HistoryTarget): Promise<PreviewBoard<R>>;
  restore(target: HistoryTarget, options: { mid?: string }): Promise<RestoreResult>;
  nameVersion(name: string, options: { seq?: number }): Promise<VersionSavedMessage>;
  close(): void;
}

/** Answers to history requests: the hub asked for them on a tab's behalf and
 * replies to that tab itself, so they are not relayed to every tab. */
const HISTORY_TYPES = new Set<string>(["history", "preview", "version"]);

const STATUS_RANK: Record<PresenceStatus, number> = { active: 2, idle: 1, away: 0 };

export class TabHub<R extends RecordBase> {
  private readonly channel: BroadcastChannel;
  private readonly inner: HubClient<R>;
  private readonly schema: RoomSchema<R>;
  private readonly tabId: string;
  /** Tabs that said hello, with the presence each asked for. */
  private readonly tabs = new Map<string, { status: PresenceStatus }>();
  /** Which tab each forwarded edit came from: its author gets the ack. */
  private readonly origin = new Map<string, string>();
  /** Recently settled mids and the room's answer (oldest first). */
  private readonly settled = new Map<string, ServerMessage>();
  private cursorTab: string | null = null;
  /** What the inner client was last told, so a tab's hello repeats nothing to the room. */
  private presence: { name?: string; color?: string; status?: PresenceStatus } = {};
  private live = false;
  /** The room's last error on the current connection, for tabs that were not
   * open to see it (a refused hello: they must know why, and who is behind). */
  private lastError: ServerMessage | null = null;
  private closed = false;

  /** `makeInner` builds the inner client on the transport it is given (the
   * real one, wrapped so the hub sees each room frame before the client does). */
  constructor(options: {
    schema: RoomSchema<R>;
    channelName: string;
    tabId: string;
    transport: TransportFactory;
    makeInner: (transport: TransportFactory) => HubClient<R>;
  }) {
    this.schema = options.schema;
    this.tabId = options.tabId;
    this.channel = new BroadcastChannel(options.channelName);
    this.channel.onmessage = (e: MessageEvent<TabMessage>) => this.onTab(e.data);
    // Followers drop whatever they had: a new leader and a new connection.
    this.post({ k: "lead", leader: this.tabId });
    this.inner = options.makeInner((handlers) =>
      options.transport({
        open: () => handlers.open(),
        close: (code, reason) => {
          handlers.close(code, reason);
          // Every failed attempt too: the tabs show what this one shows.
          // Plain values only: a transport may hand over an event object here,
          // and the channel would refuse to clone it.
          const down: TabMessage = { k: "down", leader: this.tabId, code: typeof code === "number" ? code : 1006, reason: typeof reason === "string" ? reason : "" };
          if (this.lastError) down.error = this.lastError;
          this.lastError = null;
          this.post(down);
          this.live = false;
        },
        message: (data) => this.onRoomFrame(data, handlers.message),
      }),
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.live) this.post({ k: "down", leader: this.tabId, code: 1001, reason: "leader tab left" });
    this.inner.close();
    this.channel.close();
  }

  // -------------------------------------------------------------------------
  // From the room

  private onRoomFrame(data: unknown, deliver: (data: unknown) => void): void {
    const parsed = typeof data === "string" ? this.schema.protocol.parseServerFrame(data) : null;
    if (!parsed?.ok) return deliver(data); // the inner client reports it and resyncs
    const out: RelayedMessage[] = [];
    let synced = false;
    for (const m of parsed.value) {
      switch (m.type) {
        case "welcome":
        case "pong":
          break; // per connection: the hub answers tabs itself
        case "sync":
          synced = true;
          break;
        case "history":
        case "preview":
        case "version":
          break;
        case "error":
          if (m.ref && HISTORY_TYPES.has(m.ref)) break;
          this.lastError = m;
          out.push({ m });
          break;
        case "ack": {
          const p = this.inner.pending.get(m.mid);
          const author = this.origin.get(m.mid);
          const plan = p && m.seq === this.inner.seq + 1 && this.inner.self ? planOps(this.schema, this.inner.confirmedRecords(), p.ops, Number.POSITIVE_INFINITY) : null;
          if (plan?.ok) {
            // The author settles its own edit by the ack; the others see the
            // change any other connection would have seen.
            const change = { type: "change" as const, seq: m.seq, by: this.inner.self!.conn, mid: m.mid, ops: plan.ops } as ServerMessage;
            out.push(author === undefined ? { m: change } : { m, to: author }, ...(author === undefined ? [] : [{ m: change, not: author }]));
          } else out.push({ m });
          this.remember(m.mid, { ...m, dup: true });
          break;
        }
        default:
          out.push({ m });
      }
    }
    deliver(data);
    for (const m of parsed.value) if (m.type === "reject" && !this.inner.pending.get(m.mid)) this.remember(m.mid, m);
    if (synced) {
      if (!this.live) {
        this.live = true;
        this.post({ k: "up", leader: this.tabId, clientId: this.inner.clientId, transport: this.inner.connection.transport ?? "websocket" });
      } else out.push({ m: this.snapshot() }); // a resync: every tab catches up from it
    }
    if (out.length) this.post({ k: "msgs", leader: this.tabId, msgs: out });
  }

  private remember(mid: string, answer: ServerMessage): void {
    this.origin.delete(mid);
    this.settled.delete(mid);
    this.settled.set(mid, answer);
    if (this.settled.size > SETTLED_MEMORY) this.settled.delete(this.settled.keys().next().value!);
  }

  private snapshot(): ServerMessage {
    return { type: "sync", mode: "snapshot", epoch: this.inner.epoch ?? "", seq: this.inner.seq, records: [...this.inner.confirmedRecords().values()] } as ServerMessage;
  }

  // -------------------------------------------------------------------------
  // From the tabs

  private onTab(msg: TabMessage): void {
    if (this.closed) return;
    if (msg.k === "query") {
      if (this.live) this.post({ k: "up", leader: this.tabId, clientId: this.inner.clientId, transport: this.inner.connection.transport ?? "websocket" });
    } else if (msg.k === "bye") {
      this.tabs.delete(msg.from);
      if (this.cursorTab === msg.from) this.inner.hideCursor();
      this.updateStatus();
    } else if (msg.k === "frame") {
      // Same origin, but still a boundary: parse it as the room would.
      const parsed = this.schema.protocol.parseClientMessage(msg.data, MAX_MESSAGE_BYTES);
      if (parsed.ok) this.onTabMessage(msg.from, parsed.value);
    }
  }

  private onTabMessage(tab: string, m: ClientMessage<R>): void {
    const reply = (...msgs: ServerMessage[]) => this.post({ k: "msgs", leader: this.tabId, msgs: msgs.map((x) => ({ m: x, to: tab })) });
    switch (m.type) {
      case "hello": {
        const self = this.inner.self;
        if (!this.live || !self) return; // it hears `up` when we are
        this.tabs.set(tab, { status: "active" });
        this.setPresence({ name: m.name, color: m.color });
        this.updateStatus();
        const welcome = { type: "welcome", v: PROTOCOL_VERSION, room: this.inner.room, self, peers: [...this.inner.peers().values()] } as ServerMessage;
        return reply(welcome, this.snapshot());
      }
      case "resync":
        if (this.live) reply(this.snapshot());
        return;
      case "mutate": {
        const answer = this.settled.get(m.mid);
        if (answer) return reply(answer);
        if (this.inner.pending.get(m.mid)) return; // already on its way
        this.origin.set(m.mid, tab);
        this.inner.forward({ mid: m.mid, ops: m.ops, createdAt: Date.now() });
        return;
      }
      case "cursor":
        if (m.p) {
          this.cursorTab = tab;
          this.inner.moveCursor(m.p[0], m.p[1]);
        } else if (this.cursorTab === tab) this.inner.hideCursor();
        return;
      case "presence": {
        const t = this.tabs.get(tab);
        if (t && m.status) t.status = m.status;
        const { name, color } = m;
        this.setPresence({ ...(name === undefined ? {} : { name }), ...(color === undefined ? {} : { color }) });
        this.updateStatus();
        return;
      }
      case "live":
        this.inner.setLive(m.key, m.data);
        return;
      case "ping":
        return reply({ type: "pong" });
      case "history":
      case "preview":
      case "version":
      case "restore":
        return this.onHistoryRequest(m, reply);
    }
  }

  /** A tab's history request, made again by the inner client; the answer goes to that tab only. */
  private onHistoryRequest(m: Extract<ClientMessage<R>, { type: "history" | "preview" | "version" | "restore" }>, reply: (...msgs: ServerMessage[]) => void): void {
    const rid = m.type !== "restore" && m.rid ? { rid: m.rid } : {};
    const fail = (e: unknown) => {
      const code = e instanceof HistoryError ? e.code : ErrorCode.INTERNAL;
      const message = e instanceof Error ? e.message : String(e);
      reply((m.type === "restore" ? { type: "reject", mid: m.mid, code, message } : { type: "error", code, message, ref: m.type, ...rid }) as ServerMessage);
    };
    const answer = (x: object) => {
      const { rid: _inner, ...rest } = x as { rid?: string };
      reply({ ...rest, ...rid } as ServerMessage);
    };
    if (m.type === "history") {
      const options = { ...(m.before === undefined ? {} : { before: m.before }), ...(m.limit === undefined ? {} : { limit: m.limit }) };
      this.inner.history(options).then(answer, fail);
      return;
    }
    if (m.type === "version") {
      this.inner.nameVersion(m.name, m.seq === undefined ? {} : { seq: m.seq }).then(answer, fail);
      return;
    }
    const target: HistoryTarget = m.seq !== undefined ? { seq: m.seq } : { version: m.version! };
    if (m.type === "preview") {
      this.inner.previewAt(target).then((b) => answer({ type: "preview", ...b }), fail);
      return;
    }
    this.inner.restore(target, { mid: m.mid }).then((r) => reply({ type: "ack", mid: r.mid, seq: r.seq, ...(r.dup ? { dup: true as const } : {}) } as ServerMessage), fail);
  }

  /** The one connection is as present as its most present tab. */
  private updateStatus(): void {
    let best: PresenceStatus = "away";
    for (const t of this.tabs.values()) if (STATUS_RANK[t.status] > STATUS_RANK[best]) best = t.status;
    if (this.tabs.size) this.setPresence({ status: best });
  }

  private setPresence(p: { name?: string; color?: string; status?: PresenceStatus }): void {
    const changed: typeof p = {};
    if (p.name !== undefined && p.name !== this.presence.name) changed.name = this.presence.name = p.name;
    if (p.color !== undefined && p.color !== this.presence.color) changed.color = this.presence.color = p.color;
    if (p.status !== undefined && p.status !== this.presence.status) changed.status = this.presence.status = p.status;
    if (Object.keys(changed).length) this.inner.setPresence(changed);
  }

  private post(msg: TabMessage): void {
    if (!this.closed || msg.k === "down") this.channel.postMessage(msg);
  }
}
