/**
 * The room's face to its relays (an audience room, issue 18;
 * docs/ARCHITECTURE.md "One room over many objects"): the links are a
 * `RelaySink` of the fan-out (commits whole, broadcasts with who they skip,
 * one frame per link per turn); a relayed member is a `VirtualSocket` whose
 * frames go through the room's own `Dispatcher`; where a socket goes is
 * relay-route.ts. In memory: after a restart the room asks each link for its
 * roster again. A link silent past RELAY_SILENT_MS is given up (`sweep`).
 */
import { RELAY_LINK_MAX_OWED_BYTES, RELAY_SILENT_MS } from "../../shared/limits.ts";
import { CloseCode, ErrorCode, type Peer, type RecordBase } from "../../shared/protocol.ts";
import { type DownItem, type MemberInfo, parseLinkUp, type UpItem } from "../../shared/relay-protocol.ts";
import type { QueuedCommit, RelaySink } from "./commit-outbox.ts";
import type { RoomContext } from "./context.ts";
import type { Dispatcher } from "./dispatch.ts";
import type { RoomDocument } from "./document.ts";
import type { FrameFanout } from "./fanout.ts";
import { ReadWindows } from "./read-windows.ts";
import { readySockets } from "./receivers.ts";
import { type AudienceBounds, RelayRoute } from "./relay-route.ts";
import { peerOf, type Sessions } from "./sessions.ts";
import { WatcherList } from "./watcher-list.ts";
import { WatchingCount } from "./watching.ts";
import type { ConnState, LinkInfo, LinkSocket } from "./types.ts";
import { sendQuietly, type VirtualOwner, VirtualSocket, virtualState } from "./virtual-socket.ts";

/** What the room remembers of one relay, in memory. */
interface LinkMemory {
  out: DownItem[];
  members: Map<string, VirtualSocket>;
  /** Admitted editors: announced with `join`, counted against the room's editors (editor-seats.ts). */
  editors: Set<string>;
}

export class RelayLinks<R extends RecordBase = RecordBase> implements RelaySink, VirtualOwner {
  private readonly memory = new Map<number, LinkMemory>();
  /** Where new sockets go (relay-route.ts). */
  private readonly router = new RelayRoute();
  private flushScheduled = false;
  /** Frames received on links, and members' frames they carried (stats). */
  private linkFrames = 0;
  private relayedFrames = 0;
  /** What each link owes (characters of commits and broadcasts its relay's `r`
   * has not acknowledged), by relay index; made after the adapter set the bounds. */
  private windows: ReadWindows | undefined;
  /** Relays over their bound: sent nothing but `behind` (and their members'
   * closes and admits) until they subscribe again. */
  private readonly behind = new Set<number>();
  /** Relays told the room was deleted, until they subscribe again. */
  private readonly ended = new Set<number>();
  /** Links given up (silent, or closed): their close event does nothing more. */
  private readonly gone = new WeakSet<LinkSocket>();
  /** When each link last brought a frame (in memory; the runtime's ping times survive hibernation). */
  private readonly heard = new WeakMap<LinkSocket, number>();
  /** Watchers listed on request (watcher-list.ts). */
  readonly list: WatcherList;
  /** Keep the room's sweep alarm set while links are open (room.ts). */
  armSweep: (() => Promise<void>) | null = null;
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
    const { host } = ctx;
    const liveRelays = () => [...this.links()].filter((l) => l.getLink()?.live && !this.gone.has(l)).map((l) => l.getLink()!.relay);
    this.list = new WatcherList({ liveRelays, push: (k, i) => this.push(k, i), watching: () => this.counts().watching, setTimeout: (fn, ms) => host.setTimeout(fn, ms) });
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
    return this.router.route(direct, this.bounds, this.links());
  }

  /** Stats: relays, the members they hold, the watchers among them. */
  counts(): { relays: number; relayed: number; watching: number; linkFrames: number; relayedFrames: number } {
    let relays = 0;
    let relayed = 0;
    let watching = 0;
    for (const l of this.links()) {
      const info = l.getLink();
      if (!info || this.gone.has(l)) continue;
      relays++;
      relayed += info.members;
      watching += info.watching;
    }
    return { relays, relayed, watching, linkFrames: this.linkFrames, relayedFrames: this.relayedFrames };
  }

  /** A relay opened its link. */
  opened(link: LinkSocket, relay: number): void {
    link.setLink({ relay, members: 0, watching: 0, live: false, at: this.ctx.host.now() });
  }

  async message(link: LinkSocket, data: string | ArrayBuffer | ArrayBufferView): Promise<void> {
    const info = link.getLink();
    const msg = typeof data === "string" ? parseLinkUp(data) : null;
    if (!info || this.gone.has(link)) return;
    this.heard.set(link, this.ctx.host.now());
    if (!msg) return;
    this.linkFrames++;
    if (!this.memory.has(info.relay) && info.live) {
      // The room restarted under a live link: its members are unknown here.
      this.mem(info.relay);
      sendQuietly(link, `{"t":"roster"}`);
    }
    if (msg.t === "sub") this.ended.delete(info.relay);
    if (msg.t === "sub") return this.subscribe(link, typeof msg.inst === "string" ? { ...info, inst: msg.inst.slice(0, 16) } : info, msg.epoch, msg.seq);
    if (msg.r) this.owed().read(String(info.relay), msg.r);
    if (msg.members !== info.members || msg.watching !== info.watching || (msg.bc ?? 0) !== (info.bc ?? 0)) {
      const arrived = msg.members - info.members;
      if (arrived > 0) this.router.arrived(info.relay, arrived);
      link.setLink({ ...info, members: msg.members, watching: msg.watching, bc: msg.bc ?? 0 });
      if (msg.watching !== info.watching) this.watching.changed();
    }
    // Its last members left: an editor's leave asks whether the room is empty
    // now; watchers say so only by the count, so ask here.
    const editors = this.memory.get(info.relay)?.editors;
    const editorLeft = msg.i.some((i) => (i as UpItem).k === "leave" && editors?.has((i as { conn: string }).conn));
    // What a relay sent before it heard of the room's deletion is for the room that is gone.
    if (!this.ended.has(info.relay)) for (const item of msg.i) await this.item(info.relay, item as UpItem);
    if (msg.members === 0 && info.members > 0 && !editorLeft) await this.sessions.noteEmpty();
  }

  private async subscribe(link: LinkSocket, info: LinkInfo, epoch: string | null, seq: number): Promise<void> {
    // A relay holds one link: an older one of this relay is dead (it gave it
    // up as silent, or it restarted). The same relay object keeps its members.
    for (const l of [...this.links()]) {
      const old = l !== link && !this.gone.has(l) ? l.getLink() : null;
      if (old?.relay !== info.relay) continue;
      this.giveUp(l, old, "superseded");
      if (old.inst !== undefined && old.inst === info.inst) this.gone.add(l);
      else await this.closed(l);
    }
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
    await this.armSweep?.();
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
    if (item.k === "listed") return this.list.answered(item);
    if (item.k !== "frame" || typeof item.f !== "string") return;
    const vs = m.members.get(item.m.conn) ?? this.virtual(relay, m, item.m);
    this.relayedFrames++;
    await this.dispatcher.handle(vs, item.f);
  }

  private virtual(relay: number, m: LinkMemory, info: MemberInfo): VirtualSocket {
    const vs = new VirtualSocket(this, relay, virtualState(info, this.ctx.host.now()));
    m.members.set(info.conn, vs);
    return vs;
  }

  /** An editor said hello at a relay: admitted, seated as a watcher (RoomOptions.audience) or refused (editor-seats.ts). */
  private join(relay: number, m: LinkMemory, info: MemberInfo, again: boolean): void {
    if (m.editors.has(info.conn)) return;
    const seats = this.sessions.seats;
    const seat = again || !seats ? "editor" : seats.seat();
    if (seat === "viewer") return this.push(relay, { k: "admit", conn: info.conn, role: "viewer" });
    if (seat === "full") {
      const message = `room holds ${seats!.max} editors (retrying); join with a viewer token to watch`;
      this.push(relay, { k: "to", conn: info.conn, f: JSON.stringify({ type: "error", code: ErrorCode.ROOM_FULL, message }) });
      this.push(relay, { k: "close", conn: info.conn, code: CloseCode.ROOM_FULL, reason: "room full" });
      this.ctx.log("warn", "refused", info.conn, "hello", ErrorCode.ROOM_FULL, "editors");
      return;
    }
    const vs = m.members.get(info.conn) ?? this.virtual(relay, m, info);
    m.editors.add(info.conn);
    this.out.broadcast({ type: "join", peer: peerOf(vs.getState()) }, info.conn);
    this.push(relay, { k: "admit", conn: info.conn });
    // Its `member.entered`, as a direct member's hello (its leave sends `member.left`).
    if (!again) void this.sessions.entered(vs.getState());
  }

  /** The relayed editors, as presence entries (a direct member's welcome). */
  peers(): Peer[] {
    return this.editorStates().map(peerOf);
  }

  /** The relayed editors' states (the backend's presence). */
  editorStates(): ConnState[] {
    const states: ConnState[] = [];
    for (const m of this.memory.values()) for (const conn of m.editors) states.push(m.members.get(conn)!.getState());
    return states;
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
    if (!info || this.gone.has(link)) return;
    this.gone.add(link);
    const m = this.memory.get(info.relay);
    this.memory.delete(info.relay);
    this.router.forget(info.relay);
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

  /** The sweep's part (alarm.ts): a link silent past RELAY_SILENT_MS — no
   * frame, no ping its relay sent (the runtime answers those without waking
   * the room) — is dead though it never closed (a relay that hangs, or whose
   * close never came): it is closed and its members leave presence now.
   * Returns the links that remain. */
  async sweep(now: number): Promise<number> {
    let remaining = 0;
    for (const l of [...this.links()]) {
      const info = l.getLink();
      if (!info || this.gone.has(l)) continue;
      if (info.at === undefined) l.setLink({ ...info, at: now }); // opened before links were timed
      const seen = Math.max(info.at ?? now, this.heard.get(l) ?? 0, this.ctx.host.lastPing(l) ?? 0);
      if (now - seen <= RELAY_SILENT_MS) {
        remaining++;
        continue;
      }
      this.ctx.log("warn", "relay_silent", `relay:${info.relay}`, undefined, undefined, `silent ${now - seen} ms`);
      this.giveUp(l, info, "silent");
      await this.closed(l);
    }
    return remaining;
  }

  /** Close a link the room no longer uses (its close event then does nothing). */
  private giveUp(link: LinkSocket, info: LinkInfo, why: string): void {
    link.setLink({ ...info, live: false });
    try {
      link.close(1001, why);
    } catch {
      // already closing
    }
  }

  /** The backend's broadcast (backend-face.ts), to each relay's members that
   * read broadcasts; returns how many they are, as the relays last reported. */
  broadcast(frame: string): number {
    let n = 0;
    for (const l of this.links()) {
      const info = l.getLink();
      if (!info?.live || this.gone.has(l) || !this.charge(l, info, frame.length)) continue;
      this.push(info.relay, { k: "bc", f: frame });
      n += info.bc ?? 0;
    }
    return n;
  }

  /** The room was deleted: every relay's members are told (`frame`) and closed with `code`. */
  end(frame: string, code: number, reason: string): void {
    for (const l of this.links()) {
      const info = l.getLink();
      if (!info || this.gone.has(l)) continue;
      const m = this.mem(info.relay);
      m.members.clear();
      m.editors.clear();
      this.ended.add(info.relay);
      this.push(info.relay, { k: "end", f: frame, code, reason });
    }
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
    // One item per commit, shared by every link (serialised once, `flush`).
    const items = queued.map((c): DownItem => ({ k: "commit", seq: c.seq ?? 0, f: c.frame, x: c.except, ...(c.ackTo !== undefined ? { to: c.ackTo, ack: c.ack! } : {}) }));
    for (const l of this.links()) {
      const info = l.getLink();
      if (!info?.live) continue;
      for (const [i, item] of items.entries()) {
        if (!this.charge(l, info, queued[i]!.frame.length)) break;
        this.push(info.relay, item);
      }
    }
  }

  cast(frame: string, except: string | null): void {
    const item: DownItem = { k: "cast", f: frame, x: except };
    for (const l of this.links()) {
      const info = l.getLink();
      if (info?.live && this.charge(l, info, frame.length)) this.push(info.relay, item);
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
    // The same commit or broadcast goes to every link: serialised once.
    const json = new Map<DownItem, string>();
    const of = (item: DownItem) => json.get(item) ?? json.set(item, JSON.stringify(item)).get(item)!;
    for (const l of this.links()) {
      const info = l.getLink();
      const m = info ? this.memory.get(info.relay) : undefined;
      if (!m || m.out.length === 0) continue;
      const frame = `{"t":"tick","i":[${m.out.map(of).join(",")}]}`;
      m.out = [];
      sendQuietly(l, frame);
    }
  }
}
