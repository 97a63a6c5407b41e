/**
 * Parse and dispatch: a frame from a member's socket is parsed once against
 * the app's schema (nothing downstream sees unparsed data), counted, checked
 * against the connection's policy, and handed to the part that owns it —
 * sessions (hello, presence), the document (mutate, resync), the fan-out's
 * cursor and live batch, or history (history-requests.ts). It runs inside the
 * room's event queue and never throws: a failed handler answers INTERNAL.
 */
import { MAX_HELLO_BYTES, MAX_LIVE_BYTES, MAX_LIVE_KEYS, MAX_MESSAGE_BYTES, SEEN_WRITE_EVERY_MS } from "../../shared/limits.ts";
import { type ClientMessage, ErrorCode, type Op, PING_FRAME, PONG_FRAME, type RecordBase } from "../../shared/protocol.ts";
import { type RoomContext, stackOf } from "./context.ts";
import type { RoomDocument } from "./document.ts";
import type { FrameFanout } from "./fanout.ts";
import { type HistoryParts, historyRequest } from "./history-requests.ts";
import { actorOf, authorOf, type Sessions } from "./sessions.ts";
import type { ConnState, MutationResult, RoomSocket } from "./types.ts";

export class Dispatcher<R extends RecordBase = RecordBase> {
  private readonly ctx: RoomContext<R>;
  private readonly doc: RoomDocument<R>;
  private readonly sessions: Sessions<R>;
  private readonly out: FrameFanout<R>;
  private readonly history: HistoryParts<R>;

  constructor(ctx: RoomContext<R>, doc: RoomDocument<R>, sessions: Sessions<R>, out: FrameFanout<R>, history: Pick<HistoryParts<R>, "boards" | "enqueue">) {
    this.ctx = ctx;
    this.doc = doc;
    this.sessions = sessions;
    this.out = out;
    this.history = { doc, sessions, out, ...history };
  }

  /** A frame arrived. Never throws; resolves when the frame was handled. */
  async handle(socket: RoomSocket, data: string | ArrayBuffer | ArrayBufferView): Promise<void> {
    const { ctx, sessions } = this;
    let st = socket.getState();
    if (!st) return; // refused at connect; nothing more to say
    const policy = sessions.policyFor(st.conn);
    // A flood keeps arriving after the kick (the runtime already queued it);
    // handling it would stall everyone else in the room for seconds.
    if (policy.closedByRoom) return;
    const now = ctx.host.now();
    policy.lastMessageAt = now;
    if (now - (st.seen ?? st.at) >= SEEN_WRITE_EVERY_MS) {
      st = { ...st, seen: now };
      socket.setState(st);
    }
    ctx.counters.countMessage(now);
    // Parse work is budgeted before parsing: a padded flood is dropped unparsed.
    if (data !== PING_FRAME && !sessions.admitParse(socket, st, typeof data === "string" ? data.length : data.byteLength)) return;

    const parsed = ctx.schema.protocol.parseClientMessage(data, MAX_MESSAGE_BYTES);
    if (!parsed.ok) {
      ctx.log("warn", "bad_frame", st.conn, parsed.ref, parsed.code, parsed.message);
      if (parsed.mid) {
        // Recognisably a mutation: reject it by name so the client rolls it back.
        ctx.counters.rejects++;
        sessions.badFrame(socket, st, { type: "reject", mid: parsed.mid, code: parsed.code, message: parsed.message }, "too many bad frames");
      } else {
        sessions.badFrame(socket, st, { type: "error", code: parsed.code, message: parsed.message, ...(parsed.ref ? { ref: parsed.ref } : {}) }, "too many bad frames");
      }
      return;
    }
    const msg = parsed.value;
    // Small frames have small limits: nothing but the exact ping is free, and
    // a hello carries a few hundred bytes.
    if (msg.type === "ping" && data !== PING_FRAME) {
      return sessions.badFrame(socket, st, { type: "error", code: ErrorCode.BAD_MESSAGE, message: `send the exact ping frame ${PING_FRAME}`, ref: "ping" }, "bad pings");
    }
    if (msg.type === "hello" && (data as string).length > MAX_HELLO_BYTES) {
      const message = `a hello of ${(data as string).length} bytes exceeds ${MAX_HELLO_BYTES}`;
      return sessions.badFrame(socket, st, { type: "error", code: ErrorCode.TOO_LARGE, message, ref: "hello" }, "bad hellos");
    }
    if (st.exp !== undefined && now >= st.exp && msg.type !== "ping") {
      // Not handled: a mutation stays pending in the client and is resent once
      // it has reconnected with a fresh token.
      sessions.expire(socket, st);
      return;
    }
    try {
      await this.dispatch(socket, st, msg);
    } catch (err) {
      ctx.log("error", "handler_failed", st.conn, msg.type, ErrorCode.INTERNAL, stackOf(err));
      if (msg.type === "mutate") {
        ctx.counters.rejects++;
        this.out.sendTo(socket, { type: "reject", mid: msg.mid, code: ErrorCode.INTERNAL, message: "the room could not apply this mutation; retry" });
      } else {
        this.out.sendTo(socket, { type: "error", code: ErrorCode.INTERNAL, message: "internal error", ref: msg.type });
      }
    }
  }

  private async dispatch(socket: RoomSocket, st: ConnState, msg: ClientMessage<R>): Promise<void> {
    const { sessions } = this;
    if (msg.type === "ping") {
      socket.send(PONG_FRAME);
      return;
    }
    if (msg.type === "hello") return sessions.hello(socket, st, msg);
    if (!st.ready) {
      return sessions.badFrame(socket, st, { type: "error", code: ErrorCode.HANDSHAKE_REQUIRED, message: "send hello first", ref: msg.type }, "no hello");
    }
    switch (msg.type) {
      case "resync":
        return this.resync(socket, st, msg.epoch, msg.lastSeq);
      case "mutate":
        return this.mutate(socket, st, msg.mid, msg.ops, msg.age);
      case "cursor":
        return this.cursor(socket, st, msg.p);
      case "presence":
        return sessions.presence(socket, st, msg);
      case "live":
        return this.live(socket, st, msg.key, msg.data);
      case "read":
        // As cheap as a ping: a count, nothing sent back.
        if (!st.reads) return sessions.badFrame(socket, st, { type: "error", code: ErrorCode.BAD_MESSAGE, message: "read without reads in hello", ref: "read" }, "bad reads");
        return this.out.reads.read(st.conn, msg.n);
      case "history":
      case "preview":
      case "restore":
      case "version":
        return historyRequest(this.ctx, this.history, socket, st, msg);
    }
  }

  private async resync(socket: RoomSocket, st: ConnState, epoch: string | null, lastSeq: number): Promise<void> {
    const limited = { type: "error", code: ErrorCode.RATE_LIMITED, message: "too many resync requests", ref: "resync" } as const;
    if (!this.sessions.admit(socket, st, "resync", limited)) return;
    const sync = await this.doc.syncFor(epoch, lastSeq);
    if (!this.ctx.syncBudget.take(this.ctx.host.now(), sync.frame.length)) {
      this.ctx.counters.rateLimited++;
      this.out.sendTo(socket, { ...limited, message: "the room is busy sending syncs; retry shortly" });
      return;
    }
    this.out.sendFrame(socket, sync.frame);
  }

  /** `age`: how long before sending it the edit was made (history's time, clamped: mutation-age.ts). */
  private async mutate(socket: RoomSocket, st: ConnState, mid: string, ops: Op<R>[], age?: number): Promise<void> {
    const answer = (result: MutationResult) => {
      if (result.type === "reject") {
        this.ctx.counters.rejects++;
        this.ctx.log("info", "reject", st.conn, "mutate", result.code, result.message);
      }
      this.out.sendTo(socket, result);
    };
    if (st.role !== "editor") return answer({ type: "reject", mid, code: ErrorCode.FORBIDDEN, message: "viewers cannot edit this room" });
    if (!this.sessions.admit(socket, st, "mutate", { type: "reject", mid, code: ErrorCode.RATE_LIMITED, message: "too many mutations; retry shortly" })) return;
    const limited = { type: "reject", mid, code: ErrorCode.RATE_LIMITED, message: "too many refused mutations; retry shortly" } as const;
    await this.doc.decide(actorOf(st), mid, ops, answer, () => this.sessions.admit(socket, st, "refusal", limited), { author: authorOf(st), ackTo: st.conn, ...(age ? { age } : {}) });
  }

  private cursor(socket: RoomSocket, st: ConnState, p: [number, number] | null): void {
    // Cursor moves are lossy: drop, tell the client at most once a second.
    const notice = { type: "error", code: ErrorCode.RATE_LIMITED, message: "cursor moves are limited; slow down", ref: "cursor" } as const;
    if (!this.sessions.admit(socket, st, "cursor", notice, true)) return;
    this.out.live.moveCursor(st.conn, p);
    this.out.schedule();
  }

  /** Live state: checked against the app's schema for `key`, bounded in size
   * and count (live-frames.ts), and sent with the next cursor frame. */
  private live(socket: RoomSocket, st: ConnState, key: string, data: unknown): void {
    if (!this.sessions.admit(socket, st, "live", { type: "error", code: ErrorCode.RATE_LIMITED, message: "live updates are limited; slow down", ref: "live" }, true)) return;
    const schema = this.ctx.schema.live[key];
    if (!schema) {
      return this.sessions.badFrame(socket, st, { type: "error", code: ErrorCode.BAD_MESSAGE, message: `no live key ${JSON.stringify(key)} in this room`, ref: "live" }, "bad live keys");
    }
    if (data === null) {
      if (this.out.live.clearLive(st.conn, key)) this.out.schedule();
      return;
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const message = `live ${key}: ${issue?.path.join(".") ?? ""} ${issue?.message ?? "invalid"}`.slice(0, 200);
      return this.sessions.badFrame(socket, st, { type: "error", code: ErrorCode.BAD_MESSAGE, message, ref: "live" }, "bad live values");
    }
    if (!this.out.live.setLive(st.conn, key, JSON.stringify(parsed.data))) {
      this.out.sendTo(socket, { type: "error", code: ErrorCode.TOO_LARGE, message: `live ${key} refused: at most ${MAX_LIVE_BYTES} bytes a value, ${MAX_LIVE_KEYS} keys a connection`, ref: "live" });
      return;
    }
    this.out.schedule();
  }
}
