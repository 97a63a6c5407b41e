/**
 * The room's face to its relays (an audience room, issue 18;
 * docs/ARCHITECTURE.md "One room over many objects"). Each relay holds members'
 * sockets and one link socket to the room. Here:
 * - the links are a `RelaySink` of the fan-out: every commit whole and every
 *   broadcast with who it skips, queued per link and sent as one frame per
 *   link per turn;
 * - a relayed member is a *virtual socket*: its state is what its relay sent,
 *   its sends and closes become items of its relay's next frame, and its frames
 *   go through the room's own `Dispatcher` (same parsing, budgets, `decide`);
 * - where a new socket goes (`route`): the room itself below
 *   AUDIENCE_DIRECT_MAX direct members, else the lowest relay with room.
 *
 * Virtual sockets are memory only; after a restart the room asks each link
 * for its roster again, and every frame carries its member's identity.
 */
import { AUDIENCE_DIRECT_MAX, MAX_EDITORS_PER_ROOM, MAX_RELAYS_PER_ROOM, RELAY_LINK_MAX_OWED_BYTES, RELAY_MAX_MEMBERS } from "../../shared/limits.ts";
import { CloseCode, ErrorCode, type Peer, type RecordBase } from "../../shared/protocol.ts";
import { type DownItem, type MemberInfo, parseLinkUp, type UpItem } from "../../shared/relay-protocol.ts";
import type { QueuedCommit, RelaySink } from "./commit-outbox.ts";
import type { RoomContext } from "./context.ts";
import type { Dispatcher } from "./dispatch.ts";
import type { RoomDocument } from "./document.ts";
import type { FrameFanout } from "./fanout.ts";
import { ReadWindows } from "./read-windows.ts";
import { readySockets } from "./receivers.ts";
import { peerOf, type Sessions } from "./sessions.ts";
import { WatchingCount } from "./watching.ts";
import type { ConnState, LinkInfo, LinkSocket, RoomSocket } from "./types.ts";

/** The audience bounds; only tests lower them (the deployment variables
 * AUDIENCE_DIRECT, RELAY_MEMBERS, AUDIENCE_RELAYS and AUDIENCE_EDITORS,
 * durable-object.ts). */
export interface AudienceBounds {
  /** Default AUDIENCE_DIRECT_MAX. */
  directMax?: number;
  /** Default RELAY_MAX_MEMBERS. */
  relayMax?: number;
  /** Default MAX_RELAYS_PER_ROOM. */
  relaysMax?: number;
  /** Default MAX_EDITORS_PER_ROOM. */
  editorsMax?: number;
  /** Default RELAY_LINK_MAX_OWED_BYTES. */
  linkOwedMax?: number;
}

/** A relayed member, as the room's parts see it. */
class VirtualSocket implements RoomSocket {
  private st: ConnState;
  private readonly links: RelayLinks;
  readonly relay: number;
  constructor(links: RelayLinks, relay: number, st: ConnState) {
    this.links = links;
    this.relay = relay;
    this.st = st;
  }
  send(frame: string): void {
    this.links.push(this.relay, { k: "to", conn: this.st.conn, f: frame });
  }
  close(code: number, reason: string): void {
    this.links.dropVirtual(this.relay, this.st.conn);
    this.links.push(this.relay, { k: "close", conn: this.st.conn, code, reason });
  }
  getState(): ConnState {
    return this.st;
  }
  setState(state: ConnState): void {
    this.st = state;
  }
}

/** What the room remembers of one relay, in memory. */
interface LinkMemory {
  out: DownItem[];
  members: Map<string, VirtualSocket>;
  /** Admitted editors: announced with `join`, counted against MAX_EDITORS_PER_ROOM. */
  editors: Set<string>;
}

export class RelayLinks<R extends RecordBase = RecordBase> implements RelaySink {
  private readonly memory = new Map<number, LinkMemory>();
  /** Sockets handed to each relay and not yet seen in its reported count. */
  private readonly handed = new Map<number, number>();
  private flushScheduled = false;
  /** Frames received on links, and members' frames they carried (stats; in memory). */
  private linkFrames = 0;
  private relayedFrames = 0;
  /** What each link owes (characters of commits and broadcasts not yet
   * acknowledged by its relay's `r`), keyed by relay index; made at first use,
   * after the adapter set the bounds. */
  private windows: ReadWindows | undefined;
  /** Relays over their bound: sent nothing but `behind` (and their members'
   * closes and admits) until they subscribe again. */
  private readonly behind = new Set<number>();
  /** The watcher count as members hear it (watching.ts). */
  private readonly watching: WatchingCount<R>;
  /** Set once by the adapter (tests lower them). */
  bounds: AudienceBounds = {};
  private readonly ctx: RoomContext<R>;
  private readonly doc: RoomDocument<R>;
  private readonly sessions: Sessions<R>;
  private readonly dispatcher: Dispatcher<R>;
  private readonly out: FrameFanout<R>;

  constructor(ctx: RoomContext<R>, doc: RoomDocument<R>, sessions: Sessions<R>, dispatcher: Dispatcher<R>, out: FrameFanout<R>) {
    this.ctx = ctx;
    this.doc = doc;
    this.sessions = sessions;
    this.dispatcher = dispatcher;
    this.out = out;
    this.watching = new WatchingCount(ctx, out, () => this.counts().watching, (frame) => this.cast(frame, null));
    // A woken room with relays attached sends them its output from the start.
    for (const _ of this.links()) {
      out.relays = this;
      break;
    }
  }

  private *links(): Iterable<LinkSocket> {
    if (this.ctx.host.links) yield* this.ctx.host.links();
  }

  private mem(relay: number): LinkMemory {
    let m = this.memory.get(relay);
    if (!m) {
      m = { out: [], members: new Map(), editors: new Set() };
      this.memory.set(relay, m);
    }
    return m;
  }

  /** Where a new member's socket goes: "direct" (the room itself), a relay
   * index, or null (every relay full: ROOM_FULL). */
  route(direct: number): "direct" | number | null {
    const bounds = this.bounds;
    if (direct < (bounds.directMax ?? AUDIENCE_DIRECT_MAX)) return "direct";
    const relayMax = bounds.relayMax ?? RELAY_MAX_MEMBERS;
    const counts = new Map<number, number>();
    for (const l of this.links()) {
      const info = l.getLink();
      if (info) counts.set(info.relay, info.members);
    }
    for (let k = 0; k < (bounds.relaysMax ?? MAX_RELAYS_PER_ROOM); k++) {
      const handed = this.handed.get(k) ?? 0;
      if ((counts.get(k) ?? 0) + handed < relayMax) {
        this.handed.set(k, handed + 1);
        return k;
      }
    }
    return null;
  }

  /** Stats: relays, the members they hold, the watchers among them. */
  counts(): { relays: number; relayed: number; watching: number; linkFrames: number; relayedFrames: number } {
    let relays = 0;
    let relayed = 0;
    let watching = 0;
    for (const l of this.links()) {
      const info = l.getLink();
      if (!info) continue;
      relays++;
      relayed += info.members;
      watching += info.watching;
    }
    return { relays, relayed, watching, linkFrames: this.linkFrames, relayedFrames: this.relayedFrames };
  }

  /** A relay opened its link. */
  opened(link: LinkSocket, relay: number): void {
    link.setLink({ relay, members: 0, watching: 0, live: false });
  }

  async message(link: LinkSocket, data: string | ArrayBuffer | ArrayBufferView): Promise<void> {
    const info = link.getLink();
    const msg = typeof data === "string" ? parseLinkUp(data) : null;
    if (!info || !msg) return;
    this.linkFrames++;
    if (!this.memory.has(info.relay) && info.live) {
      // The room restarted under a live link: its members are unknown here.
      this.mem(info.relay);
      sendQuietly(link, `{"t":"roster"}`);
    }
    if (msg.t === "sub") return this.subscribe(link, info, msg.epoch, msg.seq);
    if (msg.r) this.owed().read(String(info.relay), msg.r);
    if (msg.members !== info.members || msg.watching !== info.watching) {
      const arrived = msg.members - info.members;
      if (arrived > 0) this.handed.set(info.relay, Math.max(0, (this.handed.get(info.relay) ?? 0) - arrived));
      link.setLink({ ...info, members: msg.members, watching: msg.watching });
      if (msg.watching !== info.watching) this.watching.changed();
    }
    // Its last members left: an editor's leave asks whether the room is empty
    // now; watchers say so only by the count, so ask here.
    const editors = this.memory.get(info.relay)?.editors;
    const editorLeft = msg.i.some((i) => (i as UpItem).k === "leave" && editors?.has((i as { conn: string }).conn));
    for (const item of msg.i) await this.item(info.relay, item as UpItem);
    if (msg.members === 0 && info.members > 0 && !editorLeft) await this.sessions.noteEmpty();
  }

  private async subscribe(link: LinkSocket, info: LinkInfo, epoch: string | null, seq: number): Promise<void> {
    // Commits queued before this go to the links already live; this one's
    // sync holds them.
    this.out.flushCommits();
    const sync = await this.doc.syncFor(epoch, seq);
    const peers: Peer[] = [];
    for (const s of readySockets(this.ctx.host)) peers.push(peerOf(s.getState()!));
    peers.push(...this.peers());
    this.mem(info.relay);
    // Counted from this sync on (the sync itself is bounded by what it answers).
    this.behind.delete(info.relay);
    this.owed().forget(String(info.relay));
    this.owed().open(String(info.relay), true);
    // What is queued for the links goes first (a relay ignores commits its
    // sync already holds), then the sync.
    this.flush();
    // With the cursors and live values on the board now, for its joiners.
    const c = this.out.live.catchUp("");
    sendQuietly(link, JSON.stringify({ t: "sync", f: sync.frame, peers, w: this.watching.sent, ...(c ? { c } : {}) }));
    link.setLink({ ...info, live: true });
    this.out.relays = this;
    this.ctx.log("info", "relay_subscribed", `relay:${info.relay}`, undefined, undefined, sync.mode);
  }

  private async item(relay: number, item: UpItem): Promise<void> {
    const m = this.mem(relay);
    if (item.k === "leave") {
      const vs = m.members.get(item.conn);
      if (vs) await this.leave(m, vs);
      return;
    }
    if (item.k === "join") return this.join(relay, m, item.m, item.again === true);
    if (item.k !== "frame" || typeof item.f !== "string") return;
    const vs = m.members.get(item.m.conn) ?? this.virtual(relay, m, item.m);
    this.relayedFrames++;
    await this.dispatcher.handle(vs, item.f);
  }

  private virtual(relay: number, m: LinkMemory, info: MemberInfo): VirtualSocket {
    const st: ConnState = { conn: info.conn, role: info.role === "editor" ? "editor" : "viewer", ready: true, at: this.ctx.host.now() };
    st.clientId = info.clientId;
    st.name = info.name;
    st.color = info.color;
    st.status = "active";
    if (info.sub) {
      st.sub = info.sub.slice(0, 64);
      st.ident = `s:${st.sub}`;
    }
    if (typeof info.exp === "number") st.exp = info.exp;
    const vs = new VirtualSocket(this, relay, st);
    m.members.set(info.conn, vs);
    return vs;
  }

  /** An editor said hello at a relay: admitted within MAX_EDITORS_PER_ROOM. */
  private join(relay: number, m: LinkMemory, info: MemberInfo, again: boolean): void {
    if (m.editors.has(info.conn)) return;
    const editorsMax = this.bounds.editorsMax ?? MAX_EDITORS_PER_ROOM;
    if (!again && this.editors() >= editorsMax) {
      const message = `room holds ${editorsMax} editors (retrying); join with a viewer token to watch`;
      this.push(relay, { k: "to", conn: info.conn, f: JSON.stringify({ type: "error", code: ErrorCode.ROOM_FULL, message }) });
      this.push(relay, { k: "close", conn: info.conn, code: CloseCode.ROOM_FULL, reason: "room full" });
      this.ctx.log("warn", "refused", info.conn, "hello", ErrorCode.ROOM_FULL, "editors");
      return;
    }
    const vs = m.members.get(info.conn) ?? this.virtual(relay, m, info);
    m.editors.add(info.conn);
    this.out.broadcast({ type: "join", peer: peerOf(vs.getState()) }, info.conn);
    this.push(relay, { k: "admit", conn: info.conn });
  }

  /** The relayed editors, as presence entries (a direct member's welcome). */
  peers(): Peer[] {
    const peers: Peer[] = [];
    for (const m of this.memory.values()) for (const conn of m.editors) peers.push(peerOf(m.members.get(conn)!.getState()));
    return peers;
  }

  private editors(): number {
    let n = 0;
    for (const s of readySockets(this.ctx.host)) if (s.getState()!.role === "editor") n++;
    for (const m of this.memory.values()) n += m.editors.size;
    return n;
  }

  private async leave(m: LinkMemory, vs: VirtualSocket): Promise<void> {
    const st = vs.getState();
    // A watcher was never announced: no leave for it either.
    if (!m.editors.has(st.conn)) vs.setState({ ...st, ready: false });
    m.members.delete(st.conn);
    m.editors.delete(st.conn);
    await this.sessions.closed(vs);
  }

  /** A relay's link closed (the relay was evicted or restarted, or let go):
   * its editors leave now; its members resync through another relay. */
  async closed(link: LinkSocket): Promise<void> {
    const info = link.getLink();
    if (!info) return;
    const m = this.memory.get(info.relay);
    this.memory.delete(info.relay);
    this.handed.delete(info.relay);
    this.behind.delete(info.relay);
    this.owed().forget(String(info.relay));
    // An editor's leave asks whether the room is empty now; with none, ask here:
    // a relay that died with watchers may have held the room's last members.
    const editorLeft = (m?.editors.size ?? 0) > 0;
    if (m) for (const vs of m.members.values()) await this.leave(m, vs);
    this.watching.changed();
    if (info.members > 0 && !editorLeft) await this.sessions.noteEmpty();
    this.ctx.log("info", "relay_closed", `relay:${info.relay}`);
  }

  /** The `watching` frame for a member who just said hello, or null with nobody watching. */
  watchingFrame(): string | null {
    return this.watching.frame();
  }

  /** The room closed a virtual socket itself (a kick, an expiry). */
  dropVirtual(relay: number, conn: string): void {
    const m = this.memory.get(relay);
    m?.members.delete(conn);
    m?.editors.delete(conn);
  }

  commits(queued: readonly QueuedCommit[]): void {
    for (const l of this.links()) {
      const info = l.getLink();
      if (!info?.live) continue;
      for (const c of queued) {
        if (!this.charge(l, info, c.frame.length)) break;
        const item: DownItem = { k: "commit", seq: c.seq ?? 0, f: c.frame, x: c.except };
        if (c.ackTo !== undefined) Object.assign(item, { to: c.ackTo, ack: c.ack });
        this.push(info.relay, item);
      }
    }
  }

  cast(frame: string, except: string | null): void {
    for (const l of this.links()) {
      const info = l.getLink();
      if (info?.live && this.charge(l, info, frame.length)) this.push(info.relay, { k: "cast", f: frame, x: except });
    }
  }

  private owed(): ReadWindows {
    this.windows ??= new ReadWindows(
      () => true,
      () => {},
      this.bounds.linkOwedMax ?? RELAY_LINK_MAX_OWED_BYTES,
    );
    return this.windows;
  }

  /** May `chars` more go to this link? Past its bound it falls behind: its
   * queue is dropped, it is sent nothing more, and it is told to subscribe
   * again — one sync instead of an unbounded queue. */
  private charge(link: LinkSocket, info: LinkInfo, chars: number): boolean {
    if (this.owed().charge(String(info.relay), chars)) return true;
    const m = this.mem(info.relay);
    // Closes and admits are small and not repeated by the resubscribe.
    m.out = m.out.filter((i) => i.k === "close" || i.k === "admit");
    link.setLink({ ...info, live: false });
    this.behind.add(info.relay);
    sendQuietly(link, `{"t":"behind"}`);
    this.ctx.log("warn", "relay_behind", `relay:${info.relay}`, undefined, undefined, `over ${this.bounds.linkOwedMax ?? RELAY_LINK_MAX_OWED_BYTES} characters owed`);
    return false;
  }

  /** Queue an item for a relay's next frame (the end of this turn). */
  push(relay: number, item: DownItem): void {
    // Answers to a relay that fell behind are dropped: it resends its
    // unanswered mutations and resyncs after it subscribes again.
    if (item.k === "to" && this.behind.has(relay)) return;
    this.mem(relay).out.push(item);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    for (const l of this.links()) {
      const info = l.getLink();
      const m = info ? this.memory.get(info.relay) : undefined;
      if (!m || m.out.length === 0) continue;
      const frame = `{"t":"tick","i":${JSON.stringify(m.out)}}`;
      m.out = [];
      sendQuietly(l, frame);
    }
  }
}

/** Send on a link that may be closing (the runtime throws then); its close
 * event cleans up. */
function sendQuietly(link: LinkSocket, frame: string): void {
  try {
    link.send(frame);
  } catch {
    // closing
  }
}
