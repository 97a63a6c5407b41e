/**
 * A relay's own bounds on its members (issue 18; docs/SECURITY.md §3.9): the
 * relay answers `hello`, `resync`, `ping` and `read` itself and drops a
 * watcher's pointer and live frames, so those never meet the room's budgets.
 * Here they meet the same ones, per member, as a direct member meets them in
 * the room (room/dispatch.ts, room/sessions.ts, policy.ts):
 * - a frame's length is charged to the parse budget before it is parsed;
 *   unparseable frames, padded pings and hellos, a repeated hello, frames
 *   before hello and `read` without `reads` are bad frames (a notice each,
 *   kicked `POLICY_VIOLATION` past MAX_BAD_FRAMES);
 * - `resync` is limited per member (RESYNC_RATE_PER_SEC), and every sync the
 *   relay serves is charged to its own sync budget (SYNC_BYTES_PER_SEC, as
 *   the room's): over it a `hello` is closed 1013 and a `resync` refused;
 * - a token that expired closes its member (`TOKEN_EXPIRED`, 4002) at its
 *   next frame or the next sweep, watchers included;
 * - the sweep (every SWEEP_INTERVAL_MS while the relay holds members) drops
 *   members silent for STALE_AFTER_MS (no frame, no auto-answered ping) and
 *   sockets that never said hello within HELLO_TIMEOUT_MS.
 * Memory only, like the room's policies.
 */
import {
  HELLO_TIMEOUT_MS,
  MAX_HELLO_BYTES,
  MAX_MESSAGE_BYTES,
  SEEN_WRITE_EVERY_MS,
  STALE_AFTER_MS,
  SWEEP_INTERVAL_MS,
  SYNC_BYTES_BURST,
  SYNC_BYTES_PER_SEC,
} from "../shared/limits.ts";
import { type ClientMessage, CloseCode, ErrorCode, PING_FRAME, PONG_FRAME, type RecordBase } from "../shared/protocol.ts";
import type { RoomSchema } from "../shared/schema.ts";
import { type Budgeted, ConnectionPolicy } from "./policy.ts";
import { TokenBucket } from "./ratelimit.ts";
import type { RelayHost } from "./relay-uplink.ts";
import type { ConnState, RoomSocket } from "./room/types.ts";

/** What the relay does when it closes a member itself: say why (if `error`),
 * close, and let it go at once (a half-open socket may never send its close). */
export type Dismiss = (socket: RoomSocket, st: ConnState, code: number, reason: string, error?: { code: ErrorCode; message: string }) => void;

export class RelayGuard<R extends RecordBase = RecordBase> {
  private readonly policies = new Map<string, ConnectionPolicy>();
  private readonly syncs: TokenBucket;
  private sweeping = false;
  private readonly host: RelayHost;
  private readonly schema: RoomSchema<R>;
  private readonly dismiss: Dismiss;

  constructor(host: RelayHost, schema: RoomSchema<R>, dismiss: Dismiss) {
    this.host = host;
    this.schema = schema;
    this.dismiss = dismiss;
    this.syncs = new TokenBucket(SYNC_BYTES_PER_SEC, SYNC_BYTES_BURST, host.now());
  }

  private policy(conn: string): ConnectionPolicy {
    let p = this.policies.get(conn);
    if (!p) {
      p = new ConnectionPolicy(this.host.now());
      this.policies.set(conn, p);
    }
    return p;
  }

  /**
   * A member's frame, checked as the room checks a direct member's: the
   * parsed message, or null when it was answered or dropped here (a ping, a
   * frame of a member the relay closed, an expired token, a spent parse
   * budget, a bad frame). `hello` is let through before the handshake.
   */
  check(socket: RoomSocket, data: string | ArrayBuffer | ArrayBufferView): { st: ConnState; msg: ClientMessage<R> } | null {
    let st = socket.getState();
    if (!st) return null;
    const policy = this.policy(st.conn);
    if (policy.closedByRoom) return null;
    const now = this.host.now();
    policy.lastMessageAt = now;
    if (data === PING_FRAME) {
      socket.send(PONG_FRAME);
      return null;
    }
    if (now - (st.seen ?? st.at) >= SEEN_WRITE_EVERY_MS) socket.setState((st = { ...st, seen: now }));
    if (st.exp !== undefined && now >= st.exp) {
      this.expire(socket, st);
      return null;
    }
    const verdict = policy.admitParse(typeof data === "string" ? data.length : data.byteLength, now);
    if (verdict !== "ok") {
      if (verdict === "kick") this.kick(socket, st, "parse flood");
      else if (policy.shouldNotice(now)) socket.send(JSON.stringify({ type: "error", code: ErrorCode.RATE_LIMITED, message: "too many bytes sent; frames are dropped unread" }));
      return null;
    }
    const parsed = this.schema.protocol.parseClientMessage(data, MAX_MESSAGE_BYTES);
    if (!parsed.ok) {
      const answer = parsed.mid ? { type: "reject", mid: parsed.mid, code: parsed.code, message: parsed.message } : { type: "error", code: parsed.code, message: parsed.message, ...(parsed.ref ? { ref: parsed.ref } : {}) };
      this.bad(socket, st, answer, "too many bad frames");
      return null;
    }
    const msg = parsed.value;
    if (msg.type === "ping") return this.bad(socket, st, { type: "error", code: ErrorCode.BAD_MESSAGE, message: `send the exact ping frame ${PING_FRAME}`, ref: "ping" }, "bad pings");
    if (msg.type === "hello" && (data as string).length > MAX_HELLO_BYTES) {
      return this.bad(socket, st, { type: "error", code: ErrorCode.TOO_LARGE, message: `a hello of ${(data as string).length} bytes exceeds ${MAX_HELLO_BYTES}`, ref: "hello" }, "bad hellos");
    }
    if (msg.type !== "hello" && !st.ready) return this.bad(socket, st, { type: "error", code: ErrorCode.HANDSHAKE_REQUIRED, message: "send hello first", ref: msg.type }, "no hello");
    if (msg.type === "read" && !st.reads) return this.bad(socket, st, { type: "error", code: ErrorCode.BAD_MESSAGE, message: "read without reads in hello", ref: "read" }, "bad reads");
    return { st, msg };
  }

  /** A frame the relay cannot use: answer it, count it, kick past MAX_BAD_FRAMES. */
  bad(socket: RoomSocket, st: ConnState, answer: object, why: string): null {
    try {
      socket.send(JSON.stringify(answer));
    } catch {
      // closing
    }
    if (this.policy(st.conn).badFrame() === "kick") this.kick(socket, st, why);
    return null;
  }

  /** Spend the member's budget for a frame of `kind` (the room's rates);
   * over it the frame is dropped with `notice`, past the limit a kick. */
  admit(socket: RoomSocket, st: ConnState, kind: Budgeted, notice: object): boolean {
    const verdict = this.policy(st.conn).admit(kind, this.host.now());
    if (verdict === "ok") return true;
    if (verdict === "kick") this.kick(socket, st, `${kind} flood`);
    else socket.send(JSON.stringify(notice));
    return false;
  }

  /** Charge a sync the relay serves to its sync budget. */
  sync(chars: number): boolean {
    return this.syncs.take(this.host.now(), chars);
  }

  /** The member's socket is gone. */
  forget(conn: string): void {
    this.policies.delete(conn);
  }

  /** The members open besides `socket`, a socket arriving: those past the
   * hello deadline are closed first and not counted (the deadline is kept
   * while sockets arrive, as the room keeps it; the sweep keeps it otherwise). */
  openBesides(socket: RoomSocket): number {
    const now = this.host.now();
    let open = 0;
    for (const s of [...this.host.members()]) {
      const st = s !== socket ? s.getState() : null;
      if (!st) continue;
      if (st.clientId === undefined && now - st.at > HELLO_TIMEOUT_MS && !this.policies.get(st.conn)?.closedByRoom) {
        this.close(s, st, 1001, "no hello");
        continue;
      }
      open++;
    }
    return open;
  }

  /** A member arrived: sweep every SWEEP_INTERVAL_MS while any remain. */
  watch(): void {
    if (this.sweeping) return;
    this.sweeping = true;
    this.host.setTimeout(() => this.sweep(), SWEEP_INTERVAL_MS);
  }

  private sweep(): void {
    this.sweeping = false;
    const now = this.host.now();
    let remaining = 0;
    for (const s of [...this.host.members()]) {
      const st = s.getState();
      if (!st || this.policies.get(st.conn)?.closedByRoom) continue;
      if (st.exp !== undefined && now >= st.exp) {
        this.expire(s, st);
        continue;
      }
      // The newest sign of life: the accept, the last frame (in memory and in
      // the attachment), the runtime's last auto-answered ping.
      const seen = Math.max(st.at, st.seen ?? 0, this.host.lastPing?.(s) ?? 0, this.policies.get(st.conn)?.lastMessageAt ?? 0);
      const noHello = st.clientId === undefined && now - st.at > HELLO_TIMEOUT_MS;
      if (noHello || now - seen > STALE_AFTER_MS) {
        this.close(s, st, 1001, noHello ? "no hello" : "no ping");
        continue;
      }
      remaining++;
    }
    if (remaining > 0) this.watch();
  }

  expire(socket: RoomSocket, st: ConnState): void {
    this.close(socket, st, CloseCode.TOKEN_EXPIRED, "token expired", { code: ErrorCode.TOKEN_EXPIRED, message: "the access token expired; reconnect with a fresh one" });
  }

  private kick(socket: RoomSocket, st: ConnState, why: string): void {
    this.close(socket, st, CloseCode.POLICY_VIOLATION, why, { code: ErrorCode.POLICY_VIOLATION, message: `connection closed: ${why}` });
  }

  /** Close a member; what it still has queued is dropped unread. */
  close(socket: RoomSocket, st: ConnState, code: number, reason: string, error?: { code: ErrorCode; message: string }): void {
    this.policy(st.conn).closedByRoom = true;
    this.dismiss(socket, st, code, reason, error);
  }
}
