/**
 * Past boards, built without stalling the room (issue 23): the board at a seq
 * or version that a preview, a restore or the HTTP API's board read needs.
 *
 * - Charged before it is built: the source is found from history's index
 *   alone (`RoomHistory.locate`), its estimated size charged to the caller
 *   (the sync budget, for what will be sent) and to the room's history work
 *   budget (HISTORY_WORK_BYTES_PER_SEC) before any storage is read.
 * - Bounded per turn: the build runs outside the room's event queue, in steps
 *   of at most HISTORY_BUILD_STEP_BYTES of JSON parsed, replayed or
 *   serialised, each in its own turn of the runtime (`yieldTurn`), so a
 *   commit waits for one step at most. A past board is immutable (the
 *   checkpoint and the changes after it are read in one step each; the
 *   head's records are immutable objects), so nothing it reads can change
 *   under it; an erase in between (`RoomHistory.generation`) keeps it out of
 *   the cache.
 * - Shared: one build per seq at a time, and built boards are kept by seq
 *   (HISTORY_BOARD_CACHE_BYTES of JSON, least recently used out first), so
 *   repeated previews of one point cost one build.
 * - A restore's diff too: compared against the current board in the same
 *   steps outside the queue (`diff`, history-plan.ts BoardDiff); in the queue
 *   only the records replaced since are compared again. It is not charged to
 *   the work budget (a restore of a built board would then starve behind a
 *   preview flood): each restore compares one board, and restores are
 *   bounded by the history request rate per connection.
 */
import { applyAccepted } from "../../shared/apply.ts";
import { HISTORY_BOARD_CACHE_BYTES, HISTORY_BUILD_STEP_BYTES, HISTORY_WORK_BYTES_BURST, HISTORY_WORK_BYTES_PER_SEC } from "../../shared/limits.ts";
import { type Change, ErrorCode, type RecordBase } from "../../shared/protocol.ts";
import type { BoardSource, HistoryRefusal, HistoryTarget, RoomHistory, RoomView } from "../history.ts";
import { BoardDiff } from "../history-plan.ts";
import type { PastBoardsOptions } from "./types.ts";

/** A board at a point in history, with its records' JSON (an array). */
export interface BuiltBoard<R extends RecordBase> {
  seq: number;
  records: R[];
  json: string;
}

/** What a request gets: the board (and the version it was asked by). */
export type PastBoard<R extends RecordBase> = { board: BuiltBoard<R>; version?: string };


const busy = (message: string): HistoryRefusal => ({ code: ErrorCode.RATE_LIMITED, message });

export class PastBoards<R extends RecordBase = RecordBase> {
  /** Builds started (not joins, not cache hits): what a test counts. */
  builds = 0;
  private readonly cache = new Map<number, BuiltBoard<R>>();
  private cachedBytes = 0;
  private readonly building = new Map<number, Promise<BuiltBoard<R> | HistoryRefusal>>();
  private generation: number;
  /** The work budget: may be overdrawn by one build, then refills. */
  private tokens: number;
  private tokensAt: number;
  private readonly rate: number;
  private readonly burst: number;
  private readonly step: number;
  private readonly cacheBytes: number;

  private readonly history: RoomHistory<R>;
  private readonly now: () => number;
  private readonly yieldTurn: () => Promise<void>;

  constructor(history: RoomHistory<R>, now: () => number, yieldTurn: () => Promise<void>, options: PastBoardsOptions = {}) {
    this.history = history;
    this.now = now;
    this.yieldTurn = yieldTurn;
    this.generation = history.generation;
    this.rate = options.workBytesPerSec ?? HISTORY_WORK_BYTES_PER_SEC;
    this.burst = options.workBytesBurst ?? HISTORY_WORK_BYTES_BURST;
    this.step = options.stepBytes ?? HISTORY_BUILD_STEP_BYTES;
    this.cacheBytes = options.cacheBytes ?? HISTORY_BOARD_CACHE_BYTES;
    this.tokens = this.burst;
    this.tokensAt = now();
  }

  /** Answers waiting for a build (their queued continuations included). */
  private readonly waiting = new Set<Promise<unknown>>();

  /** Resolves when no build and no answer waiting for one is left
   * (Room.settled waits for this). */
  async idle(): Promise<void> {
    while (this.building.size || this.waiting.size) await Promise.allSettled([...this.building.values(), ...this.waiting]);
  }

  /** Count `answer` (what a requester does with its board) as work in flight. */
  track(answer: Promise<unknown>): void {
    const held = answer.catch(() => {}).finally(() => this.waiting.delete(held));
    this.waiting.add(held);
  }

  /** A page of history is charged to the work budget by the rows it may
   * read (a change summary is under 1 KiB: HISTORY_SUMMARY_IDS ids, a name). */
  chargePage(limit: number): boolean {
    return this.takeWork(limit * 1024);
  }

  /**
   * The board at `target`. Called inside the room's queue: it only looks at
   * the index and the budgets there, and returns a promise the caller must
   * not await in the queue (the build runs in its own turns). `charge` is
   * asked first with the size the caller will send (exact when the board is
   * built, else the estimate); false refuses without any work. (The answer
   * is wrapped: an async function would otherwise wait for the build.)
   */
  async request(target: HistoryTarget, room: RoomView<R>, charge: (bytes: number) => boolean): Promise<{ result: Promise<PastBoard<R> | HistoryRefusal> }> {
    const now = (result: PastBoard<R> | HistoryRefusal) => ({ result: Promise.resolve(result) });
    this.checkGeneration();
    const source = await this.history.locate(target, room);
    if ("code" in source) return now(source);
    const version = source.version !== undefined ? { version: source.version } : {};
    const cached = this.cache.get(source.seq);
    if (!charge(cached ? cached.json.length : source.estimate)) return now(busy("the room is busy sending boards; retry shortly"));
    if (cached) {
      this.cache.delete(source.seq); // most recently used last
      this.cache.set(source.seq, cached);
      return now({ board: cached, ...version });
    }
    let build = this.building.get(source.seq);
    if (!build) {
      if (!this.takeWork(source.estimate)) return now(busy("the room is busy building past boards; retry shortly"));
      this.builds++;
      build = this.build(source)
        .catch((): HistoryRefusal => ({ code: ErrorCode.INTERNAL, message: "the room could not read its history; retry" }))
        .finally(() => this.building.delete(source.seq));
      this.building.set(source.seq, build);
    }
    return { result: build.then((board) => ("code" in board ? board : { board, ...version })) };
  }

  /**
   * A restore's diff against the current board (`current`, read afresh at
   * each step), compared in steps of HISTORY_BUILD_STEP_BYTES outside the
   * queue; the caller finishes it in the queue (`BoardDiff.finish`).
   */
  async diff(fixed: readonly string[], target: readonly R[], current: () => ReadonlyMap<string, R>): Promise<BoardDiff<R>> {
    const diff = new BoardDiff(fixed, target);
    while (!diff.done) {
      await this.yieldTurn(); // never in the requester's turn
      diff.step(current(), this.step);
    }
    return diff;
  }

  private takeWork(cost: number): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.tokensAt) * this.rate) / 1000);
    this.tokensAt = now;
    if (this.tokens < Math.min(cost, this.burst)) return false;
    this.tokens -= cost;
    return true;
  }

  private checkGeneration(): void {
    if (this.generation === this.history.generation) return;
    this.generation = this.history.generation;
    this.cache.clear();
    this.cachedBytes = 0;
  }

  private async build(source: BoardSource<R>): Promise<BuiltBoard<R> | HistoryRefusal> {
    const generation = this.history.generation;
    await this.yieldTurn(); // never in the requester's turn
    let records: R[];
    if ("head" in source) records = source.head;
    else {
      const base = await this.history.checkpointRecords(source.base);
      if ("code" in base) return base;
      records = base;
      if (source.base !== source.seq) {
        await this.yieldTurn();
        const entries = await this.history.changesUpTo(source.base, source.seq);
        if ("code" in entries) return entries;
        const board = new Map(records.map((r) => [r.id, r]));
        let done = 0;
        for (const entry of entries) {
          if (done >= this.step) {
            await this.yieldTurn();
            done = 0;
          }
          applyAccepted(board, (JSON.parse(entry) as Change<R>).ops);
          done += entry.length;
        }
        records = [...board.values()];
      }
    }
    const parts: string[] = [];
    let done = 0;
    for (const rec of records) {
      if (done >= this.step) {
        await this.yieldTurn();
        done = 0;
      }
      const json = JSON.stringify(rec);
      parts.push(json);
      done += json.length;
    }
    const built: BuiltBoard<R> = { seq: source.seq, records, json: `[${parts.join(",")}]` };
    if (generation === this.history.generation && this.generation === generation) this.keep(built);
    return built;
  }

  private keep(board: BuiltBoard<R>): void {
    if (board.json.length > this.cacheBytes || this.cache.has(board.seq)) return;
    this.cache.set(board.seq, board);
    this.cachedBytes += board.json.length;
    for (const [seq, old] of this.cache) {
      if (this.cachedBytes <= this.cacheBytes) break;
      this.cache.delete(seq);
      this.cachedBytes -= old.json.length;
    }
  }
}
