/**
 * The four history messages a member may send (PROTOCOL.md §15): a page of
 * history, a preview of the board at a seq or version, naming a version, and
 * a restore. One token bucket for all four; answers go to the asker only;
 * previews and restores are charged to the room's sync budget. Bounds on the
 * work one request may cost belong here (docs/ARCHITECTURE.md).
 */
import { type ClientMessage, ErrorCode, type RecordBase } from "../../shared/protocol.ts";
import type { RoomDocument } from "./document.ts";
import type { FrameFanout } from "./fanout.ts";
import { actorOf, authorOf, type Sessions } from "./sessions.ts";
import type { RoomContext } from "./context.ts";
import type { ConnState, RoomSocket } from "./types.ts";

export type HistoryMessage<R extends RecordBase> = Extract<ClientMessage<R>, { type: "history" | "preview" | "restore" | "version" }>;

export async function historyRequest<R extends RecordBase>(
  ctx: RoomContext<R>,
  parts: { doc: RoomDocument<R>; sessions: Sessions<R>; out: FrameFanout<R> },
  socket: RoomSocket,
  st: ConnState,
  msg: HistoryMessage<R>,
): Promise<void> {
  const { doc, sessions, out } = parts;
  const rid = "rid" in msg && msg.rid ? { rid: msg.rid } : {};
  const fail = (code: ErrorCode, message: string) => out.sendTo(socket, { type: "error", code, message, ref: msg.type, ...rid });
  const limited = msg.type === "restore" ? ({ type: "reject", mid: msg.mid, code: ErrorCode.RATE_LIMITED, message: "too many history requests; retry shortly" } as const) : ({ type: "error", code: ErrorCode.RATE_LIMITED, message: "too many history requests; slow down", ref: msg.type, ...rid } as const);
  if (!sessions.admit(socket, st, "history", limited)) return;
  await doc.load();
  const author = authorOf(st);
  if (msg.type === "history") {
    const page = await doc.history.page(doc.meta.seq, msg.before, msg.limit ?? 100);
    return out.sendTo(socket, { type: "history", ...rid, ...page });
  }
  if (msg.type === "preview") {
    const board = await doc.history.boardAt(msg.seq !== undefined ? { seq: msg.seq } : { version: msg.version! }, doc.view);
    if ("code" in board) return fail(board.code, board.message);
    const frame = JSON.stringify({ type: "preview", ...rid, ...board });
    if (!ctx.syncBudget.take(ctx.host.now(), frame.length)) {
      ctx.counters.rateLimited++;
      return fail(ErrorCode.RATE_LIMITED, "the room is busy sending boards; retry shortly");
    }
    return out.sendFrame(socket, frame);
  }
  if (st.role !== "editor") {
    if (msg.type === "restore") return out.sendTo(socket, { type: "reject", mid: msg.mid, code: ErrorCode.FORBIDDEN, message: "viewers cannot restore this room" });
    return fail(ErrorCode.FORBIDDEN, "viewers cannot name versions");
  }
  if (msg.type === "version") {
    const saved = await doc.history.nameVersion(msg.name, msg.seq, author, doc.view, ctx.host.now());
    if ("code" in saved) return fail(saved.code, saved.message);
    return out.sendTo(socket, { type: "version", ...rid, ...saved });
  }
  await doc.restore(actorOf(st), author, msg.mid, msg.seq !== undefined ? { seq: msg.seq } : { version: msg.version! }, (result) => {
    if (result.type === "reject") ctx.counters.rejects++;
    out.sendTo(socket, result);
  });
}
