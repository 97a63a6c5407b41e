/**
 * The room's members: admission (the connection caps, in arrival order), the
 * hello (version check, the sync, the welcome, the join), presence, and the
 * ways the room ends a session itself (kick, token expiry, staleness, erase);
 * with each connection's rate and abuse policy (policy.ts). Identity lives in
 * each socket's attachment (`ConnState`), so all of this survives hibernation
 * but the policies' buckets, which are forgiving by design.
 *
 * What a session is sent goes through the fan-out (fanout.ts); what it joins
 * to comes from the document (document.ts).
 */
import {
  HELLO_TIMEOUT_MS,
  MAX_CONNECTIONS_PER_CLIENT,
  MAX_CONNECTIONS_PER_IDENTITY,
  MAX_CONNECTIONS_PER_ROOM,
  MAX_HELLOLESS_PER_IDENTITY,
  READ_ACK_EVERY_BYTES,
  REFUSAL_BURST,
  REFUSAL_IDENTITIES_MAX,
  REFUSAL_RATE_PER_SEC,
  SOCKET_MAX_OWED_BYTES,
  STALE_AFTER_MS,
} from "../../shared/limits.ts";
import {
  type ClientMessage,
  CloseCode,
  ErrorCode,
  type Peer,
  PROTOCOL_VERSION,
  type RecordBase,
  type ServerMessage,
  TRY_AGAIN_LATER,
} from "../../shared/protocol.ts";
import type { Access } from "../auth.ts";
import { type Budgeted, ConnectionPolicy } from "../policy.ts";
import { KeyedBuckets } from "../ratelimit.ts";
import { versionRefusal } from "../version-skew.ts";
import type { AlarmSchedule } from "./alarm-schedule.ts";
import { randomId, type RoomContext } from "./context.ts";
import type { RoomDocument } from "./document.ts";
import type { EditorSeats } from "./editor-seats.ts";
import type { FrameFanout } from "./fanout.ts";
import { readySockets } from "./receivers.ts";
import { closeQuietly, memberEvent, peerOf } from "./member-views.ts";
import type { ConnectInfo, ConnState, RoomSocket } from "./types.ts";

export { actorOf, authorOf, closeQuietly, peerOf, unwrittenEpoch } from "./member-views.ts";

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

export class Sessions<R extends RecordBase = RecordBase> {
  private readonly policies = new Map<string, ConnectionPolicy>();
  /** Stored refusals per identity (token subject, else address, else client
   * id — as the connection caps count them), so a reconnect does not refresh
   * the burst; bounded (REFUSAL_IDENTITIES_MAX). In memory, like every bucket. */
  private readonly refusals = new KeyedBuckets(REFUSAL_RATE_PER_SEC, REFUSAL_BURST, REFUSAL_IDENTITIES_MAX);

  /** The active people the room's relays hold (relay-face.ts), for a direct
   * member's welcome. */
  relayedPeers: (() => Peer[]) | undefined;
  /** The watchers on the room's relays, as a `watching` frame (null: none). */
  watchingFrame: (() => string | null) | undefined;
  /** The members the room's relays hold (an audience room): the room is not empty while any remain. */
  relayedMembers: (() => number) | undefined;
  /** How many may edit, here and at the relays (room.ts). */
  seats: EditorSeats | undefined;

  private readonly ctx: RoomContext<R>;
  private readonly doc: RoomDocument<R>;
  private readonly out: FrameFanout<R>;
  private readonly schedule: AlarmSchedule<R>;

  constructor(ctx: RoomContext<R>, doc: RoomDocument<R>, out: FrameFanout<R>, schedule: AlarmSchedule<R>) {
    this.ctx = ctx;
    this.doc = doc;
    this.out = out;
    this.schedule = schedule;
  }

  /** A socket was accepted and its token judged: admit it (within the caps,
   * in arrival order) or say why not and close it. */
  async accept(socket: RoomSocket, verdict: Access, info: ConnectInfo): Promise<void> {
    const { host } = this.ctx;
    if (!verdict.ok) return this.refuse(socket, verdict.code, verdict.message, verdict.close, verdict.code);
    const ident = verdict.subject ? `s:${verdict.subject.slice(0, 64)}` : info.ip && !LOOPBACK.test(info.ip) ? `i:${info.ip.slice(0, 64)}` : undefined;
    const now = host.now();
    let open = 0;
    let mine = 0;
    /** The identity's sockets still without a hello, oldest first. */
    const waiting: { s: RoomSocket; st: ConnState }[] = [];
    for (const s of host.sockets()) {
      const other = s !== socket ? s.getState() : null;
      if (!other) continue;
      // The hello deadline, kept while sockets arrive (a storm of upgrades
      // keeps the room busy; the alarm keeps it in a quiet room).
      if (this.helloLate(other, now)) {
        this.noHello(s, other, now);
        continue;
      }
      open++;
      if (ident === undefined || other.ident !== ident) continue;
      mine++;
      if (!other.ready) waiting.push({ s, st: other });
    }
    // An identity's sockets waiting for their hello: the oldest goes first.
    waiting.sort((a, b) => a.st.at - b.st.at);
    for (const w of waiting.slice(0, Math.max(0, waiting.length - (MAX_HELLOLESS_PER_IDENTITY - 1)))) {
      this.noHello(w.s, w.st, now);
      open--;
      mine--;
    }
    // The identity's share first: one person cannot fill the room for the rest.
    if (mine >= MAX_CONNECTIONS_PER_IDENTITY) {
      const message = `you hold ${MAX_CONNECTIONS_PER_IDENTITY} connections to this room; close one (retrying)`;
      return this.refuse(socket, ErrorCode.TOO_MANY_CONNECTIONS, message, CloseCode.TOO_MANY_CONNECTIONS, "too many connections");
    }
    if (open >= MAX_CONNECTIONS_PER_ROOM) {
      const message = `room holds ${MAX_CONNECTIONS_PER_ROOM} connections (retrying)`;
      return this.refuse(socket, ErrorCode.ROOM_FULL, message, CloseCode.ROOM_FULL, "room full");
    }
    const state: ConnState = { conn: randomId(), role: verdict.role, ready: false, at: now };
    if (verdict.expiresAt) state.exp = verdict.expiresAt;
    if (ident) state.ident = ident;
    if (verdict.subject) state.sub = verdict.subject.slice(0, 64);
    if (info.broadcasts) state.bc = true;
    socket.setState(state);
    this.ctx.log("info", "connect", state.conn);
    await this.schedule.ensureSweep(now + HELLO_TIMEOUT_MS + 1);
  }

  /** The room's sockets, but those past their hello deadline. */
  holding(now: number): number {
    let n = 0;
    for (const s of this.ctx.host.sockets()) {
      const st = s.getState();
      if (!st || !this.helloLate(st, now)) n++;
    }
    return n;
  }

  /** Accepted more than HELLO_TIMEOUT_MS ago and no hello yet. */
  private helloLate(st: ConnState, now: number): boolean {
    return !st.ready && now - st.at > HELLO_TIMEOUT_MS;
  }

  /** Close a socket that has not said hello (no leave: it never joined). */
  private noHello(s: RoomSocket, st: ConnState, now: number): void {
    this.dismiss(s, st, 1001, "no hello");
    this.ctx.log("info", "stale", st.conn, undefined, undefined, `no hello ${now - st.at} ms`);
  }

  /** Refuse a socket before it holds any state: say why, then close. */
  private refuse(socket: RoomSocket, code: ErrorCode, message: string, close: number, reason: string): void {
    this.out.sendTo(socket, { type: "error", code, message });
    closeQuietly(socket, close, reason);
    this.ctx.log("warn", "refused", undefined, undefined, code);
  }

  async hello(socket: RoomSocket, st: ConnState, msg: Extract<ClientMessage<R>, { type: "hello" }>): Promise<void> {
    const { schema, log } = this.ctx;
    const refusal = versionRefusal(msg, schema.version);
    if (refusal) {
      this.out.sendTo(socket, { type: "error", code: ErrorCode.UNSUPPORTED_VERSION, message: refusal, ref: "hello", v: PROTOCOL_VERSION, schema: schema.version });
      closeQuietly(socket, CloseCode.UNSUPPORTED_VERSION, "unsupported protocol version");
      log("warn", "bad_version", st.conn, "hello", ErrorCode.UNSUPPORTED_VERSION, String(msg.v));
      return;
    }
    if (st.ready) {
      return this.badFrame(socket, st, { type: "error", code: ErrorCode.BAD_MESSAGE, message: "hello was already accepted; use resync", ref: "hello" }, "repeated hellos");
    }
    let sameClient = 0;
    for (const s of readySockets(this.ctx.host)) if (s.getState()!.clientId === msg.clientId) sameClient++;
    if (sameClient >= MAX_CONNECTIONS_PER_CLIENT) {
      const message = `client ${msg.clientId} holds ${MAX_CONNECTIONS_PER_CLIENT} connections to this room (retrying)`;
      this.dismiss(socket, st, CloseCode.TOO_MANY_CONNECTIONS, "too many connections", { code: ErrorCode.TOO_MANY_CONNECTIONS, message });
      log("warn", "refused", st.conn, "hello", ErrorCode.TOO_MANY_CONNECTIONS);
      return;
    }
    // An editor past the editors the room lets edit: refused, or (RoomOptions.audience) a viewer.
    const seat = st.role === "editor" && this.seats ? this.seats.seat() : "editor";
    if (seat === "full") {
      this.dismiss(socket, st, CloseCode.ROOM_FULL, "room full", { code: ErrorCode.ROOM_FULL, message: `room holds ${this.seats!.max} editors (retrying)` });
      return log("warn", "refused", st.conn, "hello", ErrorCode.ROOM_FULL, "editors");
    }
    const sync = await this.doc.syncFor(msg.epoch, msg.lastSeq);
    if (!this.ctx.syncBudget.take(this.ctx.host.now(), sync.frame.length)) {
      // Every joiner at once (a deploy, a popular link): the rest come back
      // with their own backoff and jitter instead of all being served now.
      this.ctx.counters.rateLimited++;
      const error = { code: ErrorCode.RATE_LIMITED, message: "the room is busy; reconnecting shortly" };
      this.dismiss(socket, st, TRY_AGAIN_LATER, "busy", error);
      log("warn", "sync_budget", st.conn, "hello", ErrorCode.RATE_LIMITED, `${sync.frame.length} bytes`);
      return;
    }
    // Commits still queued go to the sockets that were here; the newcomer's
    // sync already holds them.
    this.out.flushCommits();
    const next: ConnState = { ...st, ready: true, clientId: msg.clientId, name: msg.name, color: msg.color, status: "active", role: seat === "viewer" ? "viewer" : st.role };
    if (!this.doc.stored) next.epoch = this.doc.meta.epoch;
    if (msg.reads) next.reads = true;
    if (msg.watching) next.watching = true;
    socket.setState(next);
    const self = peerOf(next);
    const peers: Peer[] = [];
    for (const s of readySockets(this.ctx.host)) {
      const other = s.getState()!;
      if (other.conn !== next.conn) peers.push(peerOf(other));
    }
    if (this.relayedPeers) peers.push(...this.relayedPeers());
    const ackEvery = msg.reads ? { ackEvery: READ_ACK_EVERY_BYTES } : {};
    this.out.sendTo(socket, { type: "welcome", v: PROTOCOL_VERSION, schema: schema.version, room: this.ctx.roomId, self, peers, ...ackEvery });
    this.out.sendFrame(socket, sync.frame);
    const catchUp = this.out.live.catchUp(next.conn);
    if (catchUp) this.out.sendFrame(socket, catchUp);
    const watching = msg.watching ? this.watchingFrame?.() : null;
    if (watching) this.out.sendFrame(socket, watching);
    // What it owes is counted from here: the sync is bounded by the sync budget.
    this.out.reads.open(next.conn, msg.reads === true);
    this.out.broadcast({ type: "join", peer: self }, next.conn);
    log("info", "hello", next.conn, "hello", undefined, sync.mode);
    await this.entered(next);
  }

  /** `member.entered` for a member who said hello, here or at a relay. */
  entered(st: ConnState): Promise<void> {
    return this.schedule.notify("member.entered", memberEvent(readySockets(this.ctx.host), st, true));
  }

  presence(socket: RoomSocket, st: ConnState, msg: Extract<ClientMessage<R>, { type: "presence" }>): void {
    if (!this.admit(socket, st, "presence", { type: "error", code: ErrorCode.RATE_LIMITED, message: "presence updates are limited", ref: "presence" })) return;
    const next: ConnState = {
      ...st,
      name: msg.name ?? st.name,
      color: msg.color ?? st.color,
      status: msg.status ?? st.status,
    };
    socket.setState(next);
    this.out.broadcast({ type: "peer", peer: peerOf(next) }, st.conn);
  }

  /** The socket closed (cleanly or not): the leave goes to the others. */
  async closed(socket: RoomSocket): Promise<void> {
    const st = socket.getState();
    if (!st) return;
    this.dropPresence(st);
    this.ctx.log("info", "close", st.conn);
    if (st.ready) await this.noteEmpty();
  }

  /** The last accepted connection left — direct or through a relay: `room.emptied`. */
  async noteEmpty(): Promise<void> {
    if (!this.schedule.webhooks.enabled || readySockets(this.ctx.host).length > 0 || (this.relayedMembers?.() ?? 0) > 0) return;
    await this.doc.load();
    if (this.doc.stored) await this.schedule.notify("room.emptied", { seq: this.doc.meta.seq, epoch: this.doc.meta.epoch });
  }

  private dropPresence(st: ConnState): void {
    this.policies.delete(st.conn);
    this.out.reads.forget(st.conn);
    this.out.live.drop(st.conn);
    if (!st.ready) return;
    this.out.broadcast({ type: "leave", conn: st.conn }, st.conn);
    // Added in order behind the others (alarm-schedule.ts): no need to wait here.
    void this.schedule.notify("member.left", memberEvent(readySockets(this.ctx.host), st, false));
  }

  /**
   * The sweep's part (alarm.ts): drop sockets whose token ran out, that never
   * said hello, or that stopped pinging (half-open). Returns how many remain
   * and whether a member that had said hello left.
   */
  sweep(now: number): { remaining: number; left: boolean; helloDue: number | null } {
    let remaining = 0;
    let left = false;
    /** The earliest hello deadline of the sockets that remain. */
    let helloDue: number | null = null;
    for (const s of this.ctx.host.sockets()) {
      const st = s.getState();
      if (!st) continue;
      // Silence is measured from the newest sign of life that survives a
      // hibernation — the accept, the last frame written to the attachment,
      // the runtime's last auto-answered ping — or, while awake, the last
      // frame seen by this instance. No wake resets the clock.
      const seen = Math.max(st.at, st.seen ?? 0, this.ctx.host.lastPing(s) ?? 0, this.policies.get(st.conn)?.lastMessageAt ?? 0);
      const silent = now - seen > STALE_AFTER_MS;
      const noHello = this.helloLate(st, now);
      if (st.exp !== undefined && now >= st.exp) {
        this.expire(s, st);
        continue;
      }
      if (!silent && !noHello) {
        remaining++;
        if (!st.ready) helloDue = Math.min(helloDue ?? Infinity, st.at + HELLO_TIMEOUT_MS + 1);
        continue;
      }
      left ||= st.ready;
      if (noHello) {
        this.noHello(s, st, now);
        continue;
      }
      this.dismiss(s, st, 1001, "no ping");
      this.ctx.log("info", "stale", st.conn, undefined, undefined, `silent ${now - seen} ms`);
    }
    return { remaining, left, helloDue };
  }

  /** The room was erased: every socket is told (ROOM_DELETED) and closed. */
  closeAll(): void {
    for (const s of this.ctx.host.sockets()) {
      const st = s.getState();
      if (!st) {
        closeQuietly(s, CloseCode.ROOM_DELETED, "room deleted");
        continue;
      }
      this.dismiss(s, st, CloseCode.ROOM_DELETED, "room deleted", { code: ErrorCode.ROOM_DELETED, message: "this room was deleted" });
    }
  }

  policyFor(conn: string): ConnectionPolicy {
    let policy = this.policies.get(conn);
    if (!policy) {
      policy = new ConnectionPolicy(this.ctx.host.now());
      this.policies.set(conn, policy);
    }
    return policy;
  }

  /**
   * Spend the connection's budget for a frame of `kind`. On "limited" the frame
   * is dropped and the client told (by `notice`, at most once a second when the
   * frame is lossy); past the policy's limit the connection is kicked. Returns
   * whether the frame may proceed.
   */
  admit(socket: RoomSocket, st: ConnState, kind: Budgeted, notice: ServerMessage<R>, lossy = false): boolean {
    const policy = this.policyFor(st.conn);
    const now = this.ctx.host.now();
    const shared = kind === "refusal" ? this.refusals.take(st.ident ?? `c:${st.clientId ?? st.conn}`, now) : undefined;
    const verdict = policy.admit(kind, now, shared);
    if (verdict === "ok") return true;
    this.ctx.counters.rateLimited++;
    if (verdict === "kick") {
      this.kick(socket, st, kind === "mutate" ? "mutation flood" : `${kind} flood`);
      return false;
    }
    if (!lossy || policy.shouldNotice(this.ctx.host.now())) this.out.sendTo(socket, notice);
    return false;
  }

  /** Charge a frame's length to the connection's parse budget before it is
   * parsed; over it the frame is dropped unparsed (one notice a second), and
   * past MAX_RATE_LIMITED_FRAMES drops the connection is kicked. */
  admitParse(socket: RoomSocket, st: ConnState, chars: number): boolean {
    const policy = this.policyFor(st.conn);
    const now = this.ctx.host.now();
    const verdict = policy.admitParse(chars, now);
    if (verdict === "ok") return true;
    this.ctx.counters.rateLimited++;
    if (verdict === "kick") this.kick(socket, st, "parse flood");
    else if (policy.shouldNotice(now)) this.out.sendTo(socket, { type: "error", code: ErrorCode.RATE_LIMITED, message: "too many bytes sent; frames are dropped unread" });
    return false;
  }

  /** A frame the room cannot use: answer it, count it, kick past MAX_BAD_FRAMES. */
  badFrame(socket: RoomSocket, st: ConnState, answer: ServerMessage<R>, why: string): void {
    this.ctx.counters.badFrames++;
    this.out.sendTo(socket, answer);
    if (this.policyFor(st.conn).badFrame() === "kick") this.kick(socket, st, why);
  }

  /** The room closes a connection itself. The leave is broadcast now — a
   * half-open or misbehaving peer may never complete the close handshake, so no
   * close event may ever come for it — and whatever it still has queued is
   * dropped unread. `error` tells the client why, before the close. */
  private dismiss(socket: RoomSocket, st: ConnState, code: number, reason: string, error?: { code: ErrorCode; message: string }): void {
    this.dropPresence(st);
    this.policyFor(st.conn).closedByRoom = true;
    socket.setState({ ...st, ready: false });
    if (error) this.out.sendTo(socket, { type: "error", ...error });
    closeQuietly(socket, code, reason);
  }

  /** The member stopped reading: over SOCKET_MAX_OWED_BYTES unacknowledged
   * (read-windows.ts). It gets nothing more; the close waits behind what the
   * runtime still holds for it, and when it reads again it reconnects
   * (4009 is not final) and resyncs from the last seq it applied. */
  slowReader(conn: string): void {
    for (const s of this.ctx.host.sockets()) {
      const st = s.getState();
      if (st?.conn !== conn) continue;
      const message = `over ${SOCKET_MAX_OWED_BYTES} bytes unread; reconnect and resync`;
      this.dismiss(s, st, CloseCode.SLOW_READER, "slow reader", { code: ErrorCode.SLOW_READER, message });
      this.ctx.log("warn", "slow_reader", conn, undefined, ErrorCode.SLOW_READER, `over ${SOCKET_MAX_OWED_BYTES} bytes owed`);
      return;
    }
    this.out.reads.forget(conn);
  }

  /** The connection's token ran out: it may reconnect with a fresh one (4002 is
   * one of the application close codes the client does not treat as final). */
  expire(socket: RoomSocket, st: ConnState): void {
    const message = "the access token expired; reconnect with a fresh one";
    this.dismiss(socket, st, CloseCode.TOKEN_EXPIRED, "token expired", { code: ErrorCode.TOKEN_EXPIRED, message });
    this.ctx.log("info", "token_expired", st.conn);
  }

  private kick(socket: RoomSocket, st: ConnState, why: string): void {
    const message = `connection closed: ${why}`;
    this.dismiss(socket, st, CloseCode.POLICY_VIOLATION, why, { code: ErrorCode.POLICY_VIOLATION, message });
    this.ctx.log("warn", "kicked", st.conn, undefined, ErrorCode.POLICY_VIOLATION, why);
  }
}
