/**
 * A relay's members, as the relay (relay.ts) sends to them: the local fan-out
 * of the room's commits and broadcasts — to its editors as the room sends its
 * own members (a `CommitOutbox` of its own: each editor its part, the author
 * the ack in the change's place; cursor frames merged under the room's send
 * budget, relay-cursors.ts), to its watchers in watch frames (one frame per
 * tick with everything of it, on a budget of their own, relay-watch.ts) —
 * and each member's read window (read-windows.ts): a member whose hello said `reads` is told to
 * acknowledge what it reads (`ackEvery` in its welcome) and, past
 * SOCKET_MAX_OWED_BYTES unacknowledged, gets nothing more and is closed with
 * SLOW_READER (4009, not final: it reconnects and resyncs from its last seq),
 * as a room's own member is.
 */
import { SOCKET_MAX_OWED_BYTES, WATCHERS_PAGE_MAX } from "../shared/limits.ts";
import type { MemberInfo } from "../shared/relay-protocol.ts";
import { CloseCode, ErrorCode } from "../shared/protocol.ts";
import { type BatchClock, CURSORS_PREFIX, CursorBatch } from "./relay-cursors.ts";
import { WatchFrames } from "./relay-watch.ts";
import { CommitOutbox, type QueuedCommit } from "./room/commit-outbox.ts";
import { ReadWindows } from "./room/read-windows.ts";
import type { EachReceiver } from "./room/receivers.ts";
import { infoOf } from "./relay-uplink.ts";
import { closeQuietly } from "./room/sessions.ts";
import type { ConnState, RoomSocket } from "./room/types.ts";

export class RelayMembers {
  private readonly outbox = new CommitOutbox();
  private readonly receivers: EachReceiver;
  readonly reads: ReadWindows;
  private readonly sockets: () => Iterable<RoomSocket>;
  /** The room's cursor frames for the editors, merged while the relay's send budget is spent (relay-cursors.ts). */
  private readonly cursors: CursorBatch;
  /** Everything for the watchers, a frame per tick (relay-watch.ts). */
  readonly watch: WatchFrames;

  constructor(sockets: () => Iterable<RoomSocket>, clock: BatchClock) {
    this.sockets = sockets;
    this.cursors = new CursorBatch(clock, (frame, except) => this.send(frame, except));
    this.receivers = (visit) => {
      for (const s of this.list().editors) {
        const st = s.getState();
        if (st?.ready) visit(st.conn, s);
      }
    };
    this.watch = new WatchFrames(clock, {
      watchers: (visit) => {
        for (const s of this.list().watchers) {
          const st = s.getState();
          if (st?.ready) visit(st, s);
        }
      },
      send: (s, st, frame, chars) => {
        if (chars > 0 && !this.reads.charge(st.conn, chars)) return false;
        sendQuietly(s, frame);
        return true;
      },
    });
    // Cut after the frame that found it, never inside a fan-out.
    this.reads = new ReadWindows(
      (conn) => this.find(conn)?.getState()?.reads === true,
      (conn) => queueMicrotask(() => this.slowReader(conn)),
    );
  }

  /** The members' sockets by role (its token's, or the viewer's seat the
   * room gave it before its welcome, `demote`; fixed from then on),
   * listed once and again only when a socket arrives or goes (`changed`): a
   * frame to the members visits its receivers, not the runtime's list of
   * every socket (BENCHMARKS.md, W6: listing them per frame cost as much as
   * the sends' own JavaScript). A socket that closed before its close event
   * is still listed: a send to it fails quietly. */
  private listed: { editors: RoomSocket[]; watchers: RoomSocket[] } | null = null;

  private list(): { editors: RoomSocket[]; watchers: RoomSocket[] } {
    if (!this.listed) {
      const editors: RoomSocket[] = [];
      const watchers: RoomSocket[] = [];
      for (const s of this.sockets()) {
        const role = s.getState()?.role;
        if (role === "editor") editors.push(s);
        else if (role !== undefined) watchers.push(s);
      }
      this.listed = { editors, watchers };
    }
    return this.listed;
  }

  /** A socket arrived or went: list them again at the next frame. */
  changed(): void {
    this.listed = null;
  }

  find(conn: string): RoomSocket | undefined {
    for (const s of this.sockets()) if (s.getState()?.conn === conn) return s;
    return undefined;
  }

  /** The room seated an editor as a viewer (RoomOptions.audience): it watches. */
  demote(conn: string): void {
    const s = this.find(conn);
    if (s) s.setState({ ...s.getState()!, role: "viewer" });
    this.changed();
  }

  /** Members (sockets) and, of them, watchers (not editors) and those that
   * read the backend's broadcasts. */
  counts(): { members: number; watching: number; bc: number } {
    let members = 0;
    let watching = 0;
    let bc = 0;
    for (const s of this.sockets()) {
      const st = s.getState();
      if (!st) continue;
      members++;
      if (st.role !== "editor") watching++;
      if (st.bc) bc++;
    }
    return { members, watching, bc };
  }

  /** A page of watchers (ready viewers) whose conn sorts after `after`, in
   * conn order, at most `n` (≤ WATCHERS_PAGE_MAX); `more` if others follow. */
  watchers(after: string, n: number): { w: MemberInfo[]; more: boolean } {
    const all: MemberInfo[] = [];
    for (const s of this.sockets()) {
      const st = s.getState();
      if (st?.ready && st.role !== "editor" && st.conn > after) all.push({ ...infoOf(st), status: st.status ?? "active" });
    }
    all.sort((a, b) => (a.conn < b.conn ? -1 : 1));
    const take = Math.max(0, Math.min(n, WATCHERS_PAGE_MAX));
    return { w: all.slice(0, take).map(({ exp: _, ...m }) => m), more: all.length > take };
  }

  /** Queue a commit for the members (sent at the next `flush` to the
   * editors, in the next watch frame to the watchers; in seq order). */
  commit(c: QueuedCommit): void {
    this.outbox.push(c);
    this.watch.commit(c.seq ?? 0, c.frame, c.except, c.ackTo, c.ack);
  }

  /** Send the editors the queued commits (after the merged cursors that came before them). */
  flush(): void {
    if (this.outbox.size === 0) return;
    this.cursors.flush();
    this.outbox.flush(this.receivers, (conn, chars) => this.reads.charge(conn, chars));
  }

  /** A broadcast to every ready member but `except` (and of them only those
   * `only` accepts), after the queued commits. A `cursors` frame for all is
   * merged with the next ones instead (relay-cursors.ts); the watchers get
   * it in their next watch frame. */
  cast(frame: string, except: string | null, only?: (st: ConnState) => boolean): void {
    this.watch.cast(frame, except, only);
    this.flush();
    if (!only && frame.startsWith(CURSORS_PREFIX)) return this.cursors.add(frame);
    this.cursors.flush();
    this.send(frame, except, only);
  }

  /** To the ready editors but `except` (that `only` accepts). */
  private send(frame: string, except: string | null, only?: (st: ConnState) => boolean): number {
    let sent = 0;
    for (const s of this.list().editors) {
      const st = s.getState();
      if (st?.ready && st.conn !== except && (!only || only(st)) && this.reads.charge(st.conn, frame.length)) {
        sendQuietly(s, frame);
        sent++;
      }
    }
    return sent;
  }

  /** A frame for one member (an answer: not charged, like a room's), after
   * what waits for it. */
  to(conn: string, frame: string): RoomSocket | undefined {
    this.flush();
    this.cursors.flush();
    const s = this.find(conn);
    const st = s?.getState();
    if (s && st?.ready && st.role !== "editor") this.watch.to(s, st, frame);
    else if (s) sendQuietly(s, frame);
    return s;
  }

  /** An answer the relay itself gives a member, after what waits for it. */
  answer(socket: RoomSocket, st: ConnState, frame: string): void {
    if (st.ready && st.role !== "editor") this.watch.to(socket, st, frame);
    else sendQuietly(socket, frame);
  }

  /** A ready watcher was sent a sync at the relay's seq (relay-watch.ts `served`). */
  served(st: ConnState, welcome: boolean): void {
    if (st.role !== "editor") this.watch.served(st.conn, welcome);
  }

  /** Close every member with `code` (they reconnect and resync), after
   * `frame` (why) when given. */
  closeAll(code: number, reason: string, frame?: string): void {
    // What waits goes first, as to the editors (relay.ts flushes their part).
    this.watch.flush();
    for (const s of this.sockets()) {
      const st = s.getState();
      if (!st) continue;
      s.setState({ ...st, ready: false });
      if (frame) sendQuietly(s, frame);
      closeQuietly(s, code, reason);
    }
  }

  private slowReader(conn: string): void {
    const s = this.find(conn);
    this.reads.forget(conn);
    if (!s) return;
    s.setState({ ...s.getState()!, ready: false });
    sendQuietly(s, JSON.stringify({ type: "error", code: ErrorCode.SLOW_READER, message: `over ${SOCKET_MAX_OWED_BYTES} bytes unread; reconnect and resync` }));
    closeQuietly(s, CloseCode.SLOW_READER, "slow reader");
  }
}

export function sendQuietly(socket: RoomSocket, frame: string): void {
  try {
    socket.send(frame);
  } catch {
    // closing; its close event cleans up
  }
}
