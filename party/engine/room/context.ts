/**
 * What every part of one room shares: its id, its host, the app's schema and
 * hooks, the log, the counters behind `stats()`, and the room-wide sync
 * budget. Built once by the facade (room.ts) and handed to each part, so the
 * parts depend on this and on each other in one direction only
 * (docs/ARCHITECTURE.md, "the room core").
 */
import { SYNC_BYTES_BURST, SYNC_BYTES_PER_SEC } from "../../shared/limits.ts";
import type { RecordBase } from "../../shared/protocol.ts";
import type { RoomSchema } from "../../shared/schema.ts";
import { TokenBucket } from "../ratelimit.ts";
import type { LogLine, RoomHooks, RoomHost, RoomOptions } from "./types.ts";

/** The counters `stats()` reports; in memory, so they restart after a wake. */
export class RoomCounters {
  messages = 0;
  mutations = 0;
  rejects = 0;
  duplicatesDropped = 0;
  rateLimited = 0;
  badFrames = 0;
  /** Message counts per wall-clock second, last 10 seconds, for messages/s. */
  private readonly perSecond = new Map<number, number>();

  countMessage(now: number): void {
    this.messages++;
    const sec = Math.floor(now / 1000);
    this.perSecond.set(sec, (this.perSecond.get(sec) ?? 0) + 1);
    if (this.perSecond.size > 12) for (const k of this.perSecond.keys()) if (k < sec - 11) this.perSecond.delete(k);
  }

  /** Mean over the last ten whole seconds. */
  messagesPerSec(now: number): number {
    let recent = 0;
    const current = Math.floor(now / 1000);
    for (const [sec, n] of this.perSecond) if (sec >= current - 10 && sec < current) recent += n;
    return recent / 10;
  }

  snapshot(): { messages: number; mutations: number; rejects: number; duplicatesDropped: number; rateLimited: number; badFrames: number } {
    const { messages, mutations, rejects, duplicatesDropped, rateLimited, badFrames } = this;
    return { messages, mutations, rejects, duplicatesDropped, rateLimited, badFrames };
  }
}

export type Log = (level: LogLine["level"], event: string, conn?: string, type?: string, code?: string, detail?: string) => void;

export interface RoomContext<R extends RecordBase = RecordBase> {
  readonly roomId: string;
  readonly host: RoomHost<R>;
  readonly schema: RoomSchema<R>;
  readonly hooks: RoomHooks<R>;
  readonly counters: RoomCounters;
  /** Sync bytes sent by the whole room (SYNC_BYTES_PER_SEC): hellos,
   * resyncs, previews and restores draw on it. */
  readonly syncBudget: TokenBucket;
  readonly log: Log;
}

export function roomContext<R extends RecordBase>(roomId: string, host: RoomHost<R>, schema: RoomSchema<R>, options: RoomOptions<R>): RoomContext<R> {
  const log: Log = (level, event, conn, type, code, detail) => {
    const line: LogLine = { level, event, room: roomId };
    if (conn) line.conn = conn;
    if (type) line.type = type;
    if (code) line.code = code;
    if (detail) line.detail = detail;
    host.log(line);
  };
  return {
    roomId,
    host,
    schema,
    hooks: options.hooks ?? {},
    counters: new RoomCounters(),
    syncBudget: new TokenBucket(options.syncBytesPerSec ?? SYNC_BYTES_PER_SEC, options.syncBytesBurst ?? SYNC_BYTES_BURST, host.now()),
    log,
  };
}

/** The stack of a thrown value, for a log line. */
export const stackOf = (err: unknown): string | undefined => (err instanceof Error ? err.stack : String(err));

/** 8 random base-36 characters: a connection id (or epoch) nobody can choose. */
export function randomId(): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  let s = "";
  for (const b of bytes) s += (b % 36).toString(36);
  return s;
}
