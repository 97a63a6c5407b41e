/**
 * The four history messages a member may send (PROTOCOL.md §15): a page of
 * history, a preview of the board at a seq or version, naming a version, and
 * a restore. One token bucket for all four; answers go to the asker only.
 * Bounds on the work one request may cost belong here (docs/ARCHITECTURE.md):
 * a page is charged to the room's history work budget by its rows before it
 * is read; a preview or restore asks past-boards.ts for its board, which is
 * charged (a preview's bytes to the room's sync budget, the build to the
 * history work budget) before anything is built, built outside the room's
 * queue in bounded steps, and shared by every request for the same point; a
 * restore's diff against the current board is compared in the same steps; the
 * answer (or the restore's decision) is queued once the board is there.
 */
import { type ClientMessage, ErrorCode, type RecordBase } from "../../shared/protocol.ts";
import type { RoomDocument } from "./document.ts";
import type { FrameFanout } from "./fanout.ts";
import type { PastBoard, PastBoards } from "./past-boards.ts";
import { actorOf, authorOf, type Sessions } from "./sessions.ts";
import type { RoomContext } from "./context.ts";
import type { ConnState, RoomSocket } from "./types.ts";

export type HistoryMessage<R extends RecordBase> = Extract<ClientMessage<R>, { type: "history" | "preview" | "restore" | "version" }>;

/** What a history request needs besides the context. */
export interface HistoryParts<R extends RecordBase> {
  doc: RoomDocument<R>;
  sessions: Sessions<R>;
  out: FrameFanout<R>;
  boards: PastBoards<R>;
  /** Put a task on the room's event queue (the answer once a board is built). */
  enqueue: (task: () => Promise<void> | void) => Promise<void>;
}

/** The preview frame, with the board's JSON as built (serialised once). */
export function previewFrame<R extends RecordBase>(rid: string | undefined, got: PastBoard<R>): string {
  const head = JSON.stringify({ type: "preview", ...(rid ? { rid } : {}), seq: got.board.seq, ...(got.version !== undefined ? { version: got.version } : {}) });
  return `${head.slice(0, -1)},"records":${got.board.json}}`;
}

export async function historyRequest<R extends RecordBase>(ctx: RoomContext<R>, parts: HistoryParts<R>, socket: RoomSocket, st: ConnState, msg: HistoryMessage<R>): Promise<void> {
  const { doc, sessions, out, boards, enqueue } = parts;
  const rid = "rid" in msg && msg.rid ? { rid: msg.rid } : {};
  const fail = (code: ErrorCode, message: string) => out.sendTo(socket, { type: "error", code, message, ref: msg.type, ...rid });
  const limited = msg.type === "restore" ? ({ type: "reject", mid: msg.mid, code: ErrorCode.RATE_LIMITED, message: "too many history requests; retry shortly" } as const) : ({ type: "error", code: ErrorCode.RATE_LIMITED, message: "too many history requests; slow down", ref: msg.type, ...rid } as const);
  if (!sessions.admit(socket, st, "history", limited)) return;
  await doc.load();
  const author = authorOf(st);
  if (msg.type === "history") {
    const limit = msg.limit ?? 100;
    if (!boards.chargePage(limit)) {
      ctx.counters.rateLimited++;
      return fail(ErrorCode.RATE_LIMITED, "the room is busy reading history; retry shortly");
    }
    const page = await doc.history.page(doc.meta.seq, msg.before, limit);
    return out.sendTo(socket, { type: "history", ...rid, ...page });
  }
  if (msg.type === "preview") {
    const target = msg.seq !== undefined ? { seq: msg.seq } : { version: msg.version! };
    const { result } = await boards.request(target, doc.view, (bytes) => ctx.syncBudget.take(ctx.host.now(), bytes));
    boards.track(
      result.then((got) =>
        enqueue(() => {
          if ("code" in got) {
            if (got.code === ErrorCode.RATE_LIMITED) ctx.counters.rateLimited++;
            return fail(got.code, got.message);
          }
          out.sendFrame(socket, previewFrame(rid.rid, got));
        }),
      ),
    );
    return;
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
  const { mid } = msg;
  const { result } = await boards.request(msg.seq !== undefined ? { seq: msg.seq } : { version: msg.version! }, doc.view, () => true);
  boards.track(
    result.then(async (got) => {
      // The diff against the current board is compared outside the queue too.
      const target = "code" in got ? got : { ...got.board, diff: await boards.diff(ctx.schema.fixed, got.board.records, () => doc.records) };
      return enqueue(() =>
        doc.restore(actorOf(st), author, mid, target, (answer) => {
          if (answer.type === "reject") ctx.counters.rejects++;
          out.sendTo(socket, answer);
        }),
      );
    }),
  );
}
