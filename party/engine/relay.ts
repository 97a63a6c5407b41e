/**
 * A relay of an audience room (issue 18; docs/ARCHITECTURE.md "One room over
 * many objects"): it holds members' sockets and speaks the client protocol to
 * them, with no storage and no authority. It keeps a copy of the board, a ring
 * of recent changes and the room's active people, answers `hello` and `resync`
 * from them, forwards what only the room can answer (mutations with their `mid`
 * unchanged) one frame per tick over its link, and fans the room's frames out.
 * A gap in the room's seq makes it resubscribe; one it cannot fill closes its
 * members to resync. No host inside (durable-object.ts gives it sockets, link).
 */
import { watchingFrame } from "../shared/audience.ts";
import { READ_ACK_EVERY_BYTES, RELAY_MAX_MEMBERS } from "../shared/limits.ts";
import { type Change, CloseCode, ErrorCode, PROTOCOL_VERSION, type RecordBase, type SyncMessage, TRY_AGAIN_LATER } from "../shared/protocol.ts";
import { type DownItem, type LinkDown, parseLinkDown, type UpItem } from "../shared/relay-protocol.ts";
import type { RoomSchema } from "../shared/schema.ts";
import type { Access } from "./auth.ts";
import { RelayBoard } from "./relay-board.ts";
import { RelayGuard } from "./relay-guard.ts";
import { RelayMembers, sendQuietly } from "./relay-members.ts";
import { RelayPresence } from "./relay-presence.ts";
import { infoOf, type RelayHost, RelayUplink } from "./relay-uplink.ts";
import { randomId } from "./room/context.ts";
import { closeQuietly, peerOf } from "./room/sessions.ts";
import type { ConnState, LogLine, RoomSocket } from "./room/types.ts";
import { versionRefusal } from "./version-skew.ts";

export type { RelayHost, RelayLink } from "./relay-uplink.ts";

/** Where a member waits to be served: a hello (then a welcome) or a resync. */
interface Waiting { epoch: string | null; lastSeq: number; welcome: boolean }

const CHANGE_PREFIX = `{"type":"change",`;
/** A member the relay cannot bring up to date by changes resyncs (1012: not final). */
const RESYNC_CLOSE = 1012;

export class RelayCore<R extends RecordBase = RecordBase> {
  private readonly uplink: RelayUplink;
  private synced = false;
  /** The board, its seq and a ring of recent changes (relay-board.ts). */
  private readonly board = new RelayBoard<R>();
  /** The room's active people, watcher count and cursors, as they passed (relay-presence.ts). */
  private readonly presence = new RelayPresence();
  private readonly waiting = new Map<string, Waiting>();
  /** Editors whose join waits for the room's admit. */
  private readonly joining = new Map<string, Waiting>();
  /** Editors the room admitted; members the room holds a virtual socket for. */
  private readonly admitted = new Set<string>();
  private readonly known = new Set<string>();
  /** Forwarded mutations not yet answered: sent again after a resubscribe
   * (the room's exactly-once table answers a repeat). */
  private readonly inflight = new Map<string, UpItem>();
  /** Members whose sync the room is building (they were behind the ring):
   * they get live frames from the one that answers on. */
  private readonly roomSyncs = new Map<string, Waiting>();
  /** The members, as the relay sends to them (relay-members.ts). */
  private readonly members: RelayMembers;
  /** The relay's bounds on its members' frames, its syncs and silence (relay-guard.ts). */
  private readonly guard: RelayGuard<R>;

  readonly roomId: string;
  /** This relay object's instance (its links' `sub`). */
  private readonly inst = randomId();
  private readonly host: RelayHost;
  private readonly schema: RoomSchema<R>;

  /** RELAY_MAX_MEMBERS unless a test lowers it. */
  private readonly maxMembers: number;

  constructor(roomId: string, host: RelayHost, schema: RoomSchema<R>, maxMembers = RELAY_MAX_MEMBERS) {
    this.roomId = roomId;
    this.maxMembers = maxMembers;
    this.host = host;
    this.schema = schema;
    this.uplink = new RelayUplink(host, {
      counts: () => this.members.counts(),
      holds: () => ({ epoch: this.board.epoch, seq: this.board.seq, inst: this.inst }),
      down: (data) => this.down(data),
      lost: () => {
        this.synced = false;
      },
      log: (level, event, detail) => this.log(level, event, detail),
    });
    this.members = new RelayMembers(() => host.members(), host);
    this.guard = new RelayGuard(host, schema, (socket, st, code, reason, error) => this.dismiss(socket, st, code, reason, error));
  }

  /** A member's socket was accepted with the edge's verdict on its token
   * (`broadcasts`: it asked for the backend's, as at the room). */
  connect(socket: RoomSocket, access: Extract<Access, { ok: true }>, info: { broadcasts?: boolean } = {}): void {
    if (this.guard.openBesides(socket) >= this.maxMembers) {
      socket.send(JSON.stringify({ type: "error", code: ErrorCode.ROOM_FULL, message: `room holds its members (retrying)` }));
      closeQuietly(socket, CloseCode.ROOM_FULL, "room full");
      return;
    }
    const st: ConnState = { conn: randomId(), role: access.role, ready: false, at: this.host.now() };
    if (access.expiresAt) st.exp = access.expiresAt;
    if (access.subject) st.sub = access.subject.slice(0, 64);
    if (info.broadcasts) st.bc = true;
    socket.setState(st);
    this.members.changed();
    this.guard.watch();
    this.uplink.ensure();
    this.uplink.schedule();
  }

  message(socket: RoomSocket, data: string | ArrayBuffer | ArrayBufferView): void {
    // The relay's own bounds first (relay-guard.ts): what the room's would be.
    const checked = this.guard.check(socket, data);
    if (!checked) return;
    const { st, msg } = checked;
    if (msg.type === "hello") {
      if (st.ready || this.waiting.has(st.conn) || this.joining.has(st.conn) || this.roomSyncs.has(st.conn)) {
        return void this.guard.bad(socket, st, { type: "error", code: ErrorCode.BAD_MESSAGE, message: "hello was already accepted; use resync", ref: "hello" }, "repeated hellos");
      }
      const refusal = versionRefusal(msg, this.schema.version);
      if (refusal) {
        socket.send(JSON.stringify({ type: "error", code: ErrorCode.UNSUPPORTED_VERSION, message: refusal, ref: "hello", v: PROTOCOL_VERSION, schema: this.schema.version }));
        return closeQuietly(socket, CloseCode.UNSUPPORTED_VERSION, "unsupported protocol version");
      }
      const next: ConnState = { ...st, clientId: msg.clientId, name: msg.name, color: msg.color, status: "active" };
      if (msg.reads) next.reads = true;
      if (msg.watching) next.watching = true;
      socket.setState(next);
      const wait = { epoch: msg.epoch, lastSeq: msg.lastSeq, welcome: true };
      if (next.role === "editor") {
        // Editors are bounded by the room: it admits them (one round trip).
        this.joining.set(next.conn, wait);
        this.uplink.queue({ k: "join", m: infoOf(next) });
      } else {
        this.waiting.set(next.conn, wait);
        this.serveWaiting();
      }
      return;
    }
    const editor = st.role === "editor";
    switch (msg.type) {
      case "read":
        // As cheap as a ping: a count (relay-members.ts), nothing sent back.
        return this.members.reads.read(st.conn, msg.n);
      case "resync":
        if (!this.guard.admit(socket, st, "resync", { type: "error", code: ErrorCode.RATE_LIMITED, message: "too many resync requests", ref: "resync" })) return;
        this.waiting.set(st.conn, { epoch: msg.epoch, lastSeq: msg.lastSeq, welcome: false });
        return this.serveWaiting();
      case "mutate": {
        if (!editor) return this.members.answer(socket, st, JSON.stringify({ type: "reject", mid: msg.mid, code: ErrorCode.FORBIDDEN, message: "viewers cannot edit this room" }));
        const item: UpItem = { k: "frame", m: infoOf(st), f: data as string };
        this.inflight.set(msg.mid, item);
        return this.forward(st, item);
      }
      case "presence": {
        if (!editor && !this.guard.admit(socket, st, "presence", { type: "error", code: ErrorCode.RATE_LIMITED, message: "presence updates are limited", ref: "presence" })) return;
        const next: ConnState = { ...st, name: msg.name ?? st.name, color: msg.color ?? st.color, status: msg.status ?? st.status };
        socket.setState(next);
        if (editor) this.forward(next, { k: "frame", m: infoOf(next), f: data as string });
        return;
      }
      case "cursor":
      case "live":
        // A watcher's pointer and live state go no further than its relay.
        if (!editor) return;
        if (msg.type === "cursor") this.uplink.dropCursor(st.conn);
        return this.forward(st, { k: "frame", m: infoOf(st), f: data as string });
      default:
        // History requests and restores: the room answers (and judges roles).
        return this.forward(st, { k: "frame", m: infoOf(st), f: data as string });
    }
  }

  /** A member's socket closed. The last one lets the link go. */
  close(socket: RoomSocket): void {
    const st = socket.getState();
    if (!st) return;
    this.guard.forget(st.conn);
    this.drop(socket, st);
  }

  /** The relay closes a member itself (relay-guard.ts): it goes now — its
   * leave to the room, its place — not when (or if) its close event comes. */
  private dismiss(socket: RoomSocket, st: ConnState, code: number, reason: string, error?: { code: ErrorCode; message: string }): void {
    socket.setState({ ...st, ready: false });
    if (error) sendQuietly(socket, JSON.stringify({ type: "error", ...error }));
    closeQuietly(socket, code, reason);
    this.drop(socket, st);
  }

  private drop(socket: RoomSocket, st: ConnState): void {
    this.members.changed();
    this.waiting.delete(st.conn);
    this.joining.delete(st.conn);
    this.roomSyncs.delete(st.conn);
    this.members.reads.forget(st.conn);
    if (this.known.has(st.conn) || this.admitted.has(st.conn)) this.uplink.queue({ k: "leave", conn: st.conn });
    this.known.delete(st.conn);
    this.admitted.delete(st.conn);
    this.presence.gone(st.conn);
    let open = 0;
    for (const s of this.host.members()) if (s !== socket && s.getState()) open++;
    if (open > 0) return this.uplink.schedule();
    // Nobody left: send the leave, then let the link go and forget the board.
    this.uplink.close();
    this.synced = false;
    this.board.reset(null, 0, []);
    this.presence.clear();
    this.inflight.clear();
  }

  private forward(st: ConnState, item: UpItem): void {
    this.known.add(st.conn);
    this.uplink.queue(item);
  }

  private down(data: string): void {
    const msg = parseLinkDown(data);
    if (!msg) return;
    if (msg.t === "sync") return this.synced_(msg);
    if (msg.t === "behind") {
      // The room stopped sending us (we owed it too much): nothing after this
      // is ours until it answers a new subscription. The syncs it was building
      // for members were dropped with the rest: they are served again.
      this.synced = false;
      for (const [conn, w] of this.roomSyncs) this.waiting.set(conn, { ...w, welcome: false });
      this.roomSyncs.clear();
      this.log("warn", "relay_behind");
      return this.uplink.subscribe();
    }
    if (msg.t === "roster") {
      for (const s of this.host.members()) {
        const st = s.getState();
        if (st && this.admitted.has(st.conn)) this.uplink.queue({ k: "join", m: infoOf(st), again: true });
      }
      return;
    }
    let chars = 0;
    for (const item of msg.i) {
      if (item.k === "commit" || item.k === "cast") chars += item.f.length;
      this.item(item as DownItem);
    }
    this.uplink.read(chars);
    this.members.flush();
    this.serveWaiting();
  }

  private synced_(msg: Extract<LinkDown, { t: "sync" }>): void {
    const sync = JSON.parse(msg.f) as SyncMessage<R>;
    const board = this.board;
    if (sync.mode === "delta" && sync.epoch === board.epoch) {
      for (const change of sync.changes) if (change.seq === board.seq + 1) this.deliverMissed(change);
    } else if (board.epoch === null || sync.epoch !== board.epoch || sync.mode !== "snapshot" || sync.seq !== board.seq) {
      // No changes to bring the members up to date: they resync.
      if (board.epoch !== null) {
        this.members.closeAll(RESYNC_CLOSE, "resync");
        this.waiting.clear();
      }
      board.reset(sync.epoch, sync.seq, sync.mode === "snapshot" ? sync.records : []);
    }
    this.presence.replace(msg.peers, (frame, except) => this.members.cast(frame, except), msg.c ?? null);
    if (msg.w !== undefined) this.presence.watching = msg.w;
    this.synced = true;
    // What was on its way may not have arrived: the room's dedupe answers repeats.
    for (const item of this.inflight.values()) this.uplink.queue(item);
    for (const s of this.host.members()) {
      const st = s.getState();
      if (st && this.admitted.has(st.conn)) this.uplink.queue({ k: "join", m: infoOf(st), again: true });
    }
    this.uplink.schedule();
    this.serveWaiting();
  }

  /** A change the members missed while the relay was behind: to each, the
   * change, or its author the ack. */
  private deliverMissed(change: Change<R>): void {
    const json = JSON.stringify(change);
    this.board.apply(change, json);
    const frame = CHANGE_PREFIX + json.slice(1);
    this.inflight.delete(change.mid);
    this.members.commit({ seq: change.seq, frame, except: change.by, ackTo: change.by, ack: JSON.stringify({ type: "ack", mid: change.mid, seq: change.seq }) });
    this.members.flush();
  }

  private item(item: DownItem): void {
    switch (item.k) {
      case "commit": {
        if (!this.synced || item.seq <= this.board.seq) return; // the sync holds it
        if (item.seq !== this.board.seq + 1) {
          // A gap: never guess. Subscribe again from what we hold.
          this.synced = false;
          this.log("warn", "relay_gap", `${this.board.seq} then ${item.seq}`);
          this.uplink.subscribe();
          return;
        }
        const change = JSON.parse(item.f) as Change<R> & { type: string };
        this.board.apply(change, `{${item.f.slice(CHANGE_PREFIX.length)}`);
        if (item.to !== undefined) this.inflight.delete(change.mid);
        this.members.commit({ seq: item.seq, frame: item.f, except: item.x, ...(item.to !== undefined ? { ackTo: item.to, ack: item.ack! } : {}) });
        return;
      }
      case "cast":
        if (item.f.startsWith(`{"type":"watching"`)) {
          // Only to the members that read it (their hello said `watching`);
          // a watcher is told of the others.
          const n = (this.presence.watching = (JSON.parse(item.f) as { n: number }).n);
          this.members.cast(item.f, null, (st) => st.watching === true && st.role === "editor");
          return this.members.cast(watchingFrame(Math.max(0, n - 1)), null, (st) => st.watching === true && st.role !== "editor");
        }
        this.presence.note(item.f);
        return this.members.cast(item.f, item.x);
      case "to": {
        const s = this.members.to(item.conn, item.f);
        if (s && this.roomSyncs.has(item.conn) && item.f.startsWith(`{"type":"sync"`)) {
          this.roomSyncs.delete(item.conn);
          s.setState({ ...s.getState()!, ready: true });
          this.members.served(s.getState()!, true); // the room's sync holds what the relay applied
        }
        if (item.f.startsWith(`{"type":"reject"`) || item.f.startsWith(`{"type":"ack"`)) this.inflight.delete((JSON.parse(item.f) as { mid: string }).mid);
        return;
      }
      case "close": {
        this.members.flush();
        const s = this.members.find(item.conn);
        this.known.delete(item.conn);
        this.admitted.delete(item.conn);
        if (s) closeQuietly(s, item.code, item.reason);
        return;
      }
      case "bc":
        return this.members.cast(item.f, null, (st) => st.bc === true);
      case "end":
        return this.end(item);
      case "list":
        return this.uplink.queue({ k: "listed", q: item.q, ...this.members.watchers(item.after, item.n) });
      case "admit": {
        const wait = this.joining.get(item.conn);
        this.joining.delete(item.conn);
        // Seated past the editors an audience room lets edit (RoomOptions.audience): it watches.
        if (item.role === "viewer") this.members.demote(item.conn);
        else for (const set of [this.admitted, this.known]) set.add(item.conn);
        if (wait) this.waiting.set(item.conn, wait);
        return;
      }
    }
  }

  /** The room was deleted: each member is told and closed, as the room's own
   * are; the relay forgets the board and subscribes afresh. */
  private end(item: Extract<DownItem, { k: "end" }>): void {
    this.members.flush();
    this.members.closeAll(item.code, item.reason, item.f);
    for (const m of [this.waiting, this.joining, this.roomSyncs, this.inflight]) m.clear();
    this.known.clear();
    this.admitted.clear();
    this.board.reset(null, 0, []);
    this.presence.clear();
    this.synced = false;
    this.uplink.drop();
    this.uplink.subscribe();
  }

  // Serving joins and resyncs from what the relay holds.

  private serveWaiting(): void {
    if (!this.synced || this.waiting.size === 0) return;
    for (const [conn, w] of this.waiting) {
      const s = this.members.find(conn);
      if (!s) {
        this.waiting.delete(conn);
        continue;
      }
      // A member ahead of the relay waits until the relay has caught up.
      if (w.epoch === this.board.epoch && w.lastSeq > this.board.seq) continue;
      this.waiting.delete(conn);
      this.serve(s, w);
    }
  }

  private serve(socket: RoomSocket, w: Waiting): void {
    let st = socket.getState()!;
    const sync = this.board.syncFrame(w.epoch, w.lastSeq);
    // Behind the ring in our epoch: the room's log may still hold a delta,
    // smaller than our snapshot. Ask it (the only time a join reaches the room).
    const askRoom = sync.mode === "snapshot" && w.epoch === this.board.epoch && w.lastSeq > 0 && w.lastSeq < this.board.seq;
    // Every sync the relay serves is charged to its sync budget, as the room's.
    if (!askRoom && !this.guard.sync(sync.frame.length)) {
      if (w.welcome || !st.ready) return this.guard.close(socket, st, TRY_AGAIN_LATER, "busy", { code: ErrorCode.RATE_LIMITED, message: "the room is busy; reconnecting shortly" });
      return sendQuietly(socket, JSON.stringify({ type: "error", code: ErrorCode.RATE_LIMITED, message: "the room is busy sending syncs; retry shortly", ref: "resync" }));
    }
    const wasReady = st.ready; // else its welcome holds what waits (relay-watch.ts `served`)
    if (w.welcome) {
      st = { ...st, ready: !askRoom, status: "active" };
      socket.setState(st);
      const peers = [...this.presence.peers.values()].filter((p) => p.conn !== st.conn);
      const ackEvery = st.reads ? { ackEvery: READ_ACK_EVERY_BYTES } : {};
      sendQuietly(socket, JSON.stringify({ type: "welcome", v: PROTOCOL_VERSION, schema: this.schema.version, room: this.roomId, self: peerOf(st), peers, ...ackEvery }));
    } else if (!st.ready && !askRoom) {
      // A member whose sync the room was building when the relay fell behind.
      socket.setState((st = { ...st, ready: true }));
    }
    if (askRoom) {
      this.roomSyncs.set(st.conn, w);
      this.forward(st, { k: "frame", m: infoOf(st), f: JSON.stringify({ type: "resync", epoch: w.epoch, lastSeq: w.lastSeq }) });
    } else {
      sendQuietly(socket, sync.frame);
      this.members.served(st, !wasReady || w.welcome);
    }
    if (w.welcome) {
      // What a direct member gets after its sync: the cursors and live values
      // on the board now, and how many others watch.
      const catchUp = this.presence.catchUp(st.conn);
      if (catchUp) sendQuietly(socket, catchUp);
      const others = st.role === "editor" ? this.presence.watching : this.presence.watching - 1;
      if (st.watching && others > 0) sendQuietly(socket, watchingFrame(others));
    }
    this.uplink.schedule();
  }

  private log(level: LogLine["level"], event: string, detail?: string): void {
    this.host.log({ level, event, room: this.roomId, ...(detail ? { detail } : {}) });
  }
}
