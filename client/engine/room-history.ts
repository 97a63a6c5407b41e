/**
 * A RoomClient's history requests (PROTOCOL.md §15) as promises: list the
 * retained history, preview the board at a seq or named version, restore one,
 * name a version. This module matches the room's answers to the requests
 * (by request id, or by mutation id for a restore), resends what was not
 * answered when the connection comes back, and gives up after a timeout —
 * RoomClient owns the socket and hands every message here.
 *
 * A restore is a mutation the room computes: it is sent with a mutation id
 * and answered by `ack` / `reject` like a `mutate`, so resending it (after a
 * reconnect, a rate limit) with the same id applies it at most once.
 */
import { type ClientMessage, ErrorCode, type HistoryPageMessage, type RecordBase, type ServerMessage, type VersionSavedMessage } from "../../party/shared/protocol.ts";
import { type Clock, systemClock } from "./clock.ts";
import { newShortId } from "./ids.ts";

/** Which past board: a seq, or a named version. */
export type HistoryTarget = { seq: number } | { version: string };

/** The board at a past point, as the room rebuilt it (to the asker only). */
export interface PreviewBoard<R extends RecordBase = RecordBase> {
  seq: number;
  /** Set when the preview was asked for by version name. */
  version?: string;
  records: R[];
}

/** A restore the room applied. */
export interface RestoreResult {
  mid: string;
  /** The seq of the restore's own change. */
  seq: number;
  /** True when the room had applied this mid already (a resend). */
  dup: boolean;
}

/** Why a history request failed on this side of the socket; the room's own
 * refusals carry its ErrorCode (HISTORY_UNAVAILABLE, VERSION_EXISTS, FORBIDDEN…). */
export const HistoryRequestError = {
  /** Not connected: history lives in the room, so there is nothing to ask. */
  OFFLINE: "OFFLINE",
  /** No answer in time. For a restore: it may still apply (once, by its mid). */
  TIMEOUT: "TIMEOUT",
  /** The client was closed before the answer came. */
  CLOSED: "CLOSED",
} as const;

/** A refused or unanswered history request: `code` is a HistoryRequestError
 * or the room's ErrorCode, `message` one sentence. */
export class HistoryError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "HistoryError";
    this.code = code;
  }
}

/** How long a list, preview or version request may wait for its answer (ms):
 * a preview rebuilds a board from a checkpoint and a few MiB of changes. */
export const HISTORY_ANSWER_TIMEOUT_MS = 15_000;
/** A restore waits longer (ms): it is a commit, and is resent across reconnects. */
export const RESTORE_ANSWER_TIMEOUT_MS = 60_000;
/** A restore the room could not take *right now* (rate limit, internal error)
 * is sent again, with the same mid, after RESTORE_RETRY_MS × attempt. */
export const RESTORE_RETRY_MS = 1_000;
export const RESTORE_MAX_RETRIES = 3;
const RETRYABLE = new Set<string>([ErrorCode.RATE_LIMITED, ErrorCode.INTERNAL]);

type Kind = "history" | "preview" | "restore" | "version";
/** A history request as it goes to the room. */
export type HistoryFrame = Extract<ClientMessage, { type: Kind }>;

interface Outstanding {
  kind: Kind;
  /** rid, or the mid for a restore. */
  key: string;
  frame: HistoryFrame;
  resolve(value: unknown): void;
  reject(error: HistoryError): void;
  timer: unknown;
  retries: number;
  /** Later calls for the same key (a restore's mid asked for twice). */
  waiters: { resolve(value: unknown): void; reject(error: HistoryError): void }[];
}

/** What RoomHistory needs of its client. */
export interface HistoryLink {
  /** Send a frame now; false when the connection is not live (nothing sent). */
  send(frame: HistoryFrame): boolean;
}

export class RoomHistory<R extends RecordBase = RecordBase> {
  private readonly outstanding = new Map<string, Outstanding>();
  private wasLive = false;
  private closed = false;
  private readonly link: HistoryLink;
  private readonly clock: Clock;

  constructor(link: HistoryLink, clock: Clock = systemClock) {
    this.link = link;
    this.clock = clock;
  }

  /** Checkpoints, named versions and one page of change summaries, newest first. */
  list(options: { before?: number; limit?: number } = {}): Promise<HistoryPageMessage> {
    const rid = newShortId();
    return this.request<HistoryPageMessage>("history", rid, { type: "history", rid, ...options }, HISTORY_ANSWER_TIMEOUT_MS);
  }

  /** The board at `target`, read-only, for this client only. */
  preview(target: HistoryTarget): Promise<PreviewBoard<R>> {
    const rid = newShortId();
    return this.request<PreviewBoard<R>>("preview", rid, { type: "preview", rid, ...target }, HISTORY_ANSWER_TIMEOUT_MS);
  }

  /** Turn the board into the one at `target`: one mutation, exactly once by `mid`. */
  restore(target: HistoryTarget, mid: string = newShortId()): Promise<RestoreResult> {
    return this.request<RestoreResult>("restore", mid, { type: "restore", mid, ...target }, RESTORE_ANSWER_TIMEOUT_MS);
  }

  /** Name the board at `seq` (default: now) a version. */
  nameVersion(name: string, seq?: number): Promise<VersionSavedMessage> {
    const rid = newShortId();
    return this.request<VersionSavedMessage>("version", rid, { type: "version", rid, name, ...(seq === undefined ? {} : { seq }) }, HISTORY_ANSWER_TIMEOUT_MS);
  }

  /** Every message from the room goes through here (after RoomClient applied it). */
  receive(msg: ServerMessage<R>): void {
    switch (msg.type) {
      case "history":
      case "version":
        if (msg.rid) this.settle(msg.rid, msg.type, (o) => o.resolve(msg));
        return;
      case "preview":
        if (msg.rid) this.settle(msg.rid, "preview", (o) => o.resolve({ seq: msg.seq, records: msg.records, ...(msg.version === undefined ? {} : { version: msg.version }) }));
        return;
      case "ack":
        this.settle(msg.mid, "restore", (o) => o.resolve({ mid: msg.mid, seq: msg.seq, dup: msg.dup === true }));
        return;
      case "reject": {
        const o = this.outstanding.get(msg.mid);
        if (!o || o.kind !== "restore") return;
        if (RETRYABLE.has(msg.code) && o.retries < RESTORE_MAX_RETRIES) {
          o.retries++;
          this.clock.setTimeout(() => this.outstanding.get(o.key) === o && this.link.send(o.frame), RESTORE_RETRY_MS * o.retries);
          return;
        }
        this.settle(msg.mid, "restore", (x) => x.reject(new HistoryError(msg.code, msg.message)));
        return;
      }
      case "error": {
        const ref = msg.ref;
        if (ref !== "history" && ref !== "preview" && ref !== "version") return;
        // A frame refused at parse time comes back without its rid: it
        // answers the oldest request of that kind.
        const key = msg.rid ?? [...this.outstanding.values()].find((o) => o.kind === ref)?.key;
        if (key) this.settle(key, ref, (o) => o.reject(new HistoryError(msg.code, msg.message)));
        return;
      }
      default:
        return;
    }
  }

  /** The connection's state changed: unanswered requests go again once it is
   * live after a drop (the room answers a restore's mid at most once). */
  status(live: boolean): void {
    if (live && !this.wasLive) for (const o of this.outstanding.values()) this.link.send(o.frame);
    this.wasLive = live;
  }

  /** The client closed: every unanswered request fails with CLOSED. */
  close(): void {
    this.closed = true;
    for (const o of [...this.outstanding.values()]) this.settle(o.key, o.kind, (x) => x.reject(new HistoryError(HistoryRequestError.CLOSED, "the room client was closed")));
  }

  private request<T>(kind: Kind, key: string, frame: HistoryFrame, timeoutMs: number): Promise<T> {
    const already = this.outstanding.get(key);
    if (already) {
      // The same restore asked for again (a tab resending through the
      // shared connection): one answer settles both.
      this.link.send(already.frame);
      return new Promise<T>((resolve, reject) => already.waiters.push({ resolve: resolve as (v: unknown) => void, reject }));
    }
    return new Promise<T>((resolve, reject) => {
      if (this.closed) return reject(new HistoryError(HistoryRequestError.CLOSED, "the room client was closed"));
      if (!this.link.send(frame)) return reject(new HistoryError(HistoryRequestError.OFFLINE, "not connected to the room; history needs a connection"));
      const timer = this.clock.setTimeout(
        () => this.settle(key, kind, (o) => o.reject(new HistoryError(HistoryRequestError.TIMEOUT, kind === "restore" ? "the room did not answer the restore in time; it applies at most once if it arrives" : "the room did not answer in time"))),
        timeoutMs,
      );
      const waiters: Outstanding["waiters"] = [];
      const o: Outstanding = {
        kind,
        key,
        frame,
        resolve: (v) => {
          resolve(v as T);
          for (const w of waiters) w.resolve(v);
        },
        reject: (e) => {
          reject(e);
          for (const w of waiters) w.reject(e);
        },
        timer,
        retries: 0,
        waiters,
      };
      this.outstanding.set(key, o);
    });
  }

  private settle(key: string, kind: Kind, fn: (o: Outstanding) => void): void {
    const o = this.outstanding.get(key);
    if (!o || o.kind !== kind) return;
    this.clock.clearTimeout(o.timer);
    this.outstanding.delete(key);
    fn(o);
  }
}
