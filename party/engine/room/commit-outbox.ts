/**
 * The room's seq-ordered output: committed changes waiting to be broadcast,
 * and the acks that go with them. Every socket must see the room's commits in
 * seq order — the author an `ack`, everyone else the `change` — so both travel
 * in one queue, and a flush gives each socket one frame with its part of every
 * queued commit: the entry itself when there is one, a batch frame (a JSON
 * array of messages, PROTOCOL.md §1) when there are several.
 *
 * The fan-out (fanout.ts) flushes it with its cursor frames, on the same send
 * budget (`FrameFanout.schedule`): in a quiet room at the end of the turn that
 * committed (nothing waits), in a busy one every few milliseconds, so a room
 * committing 1,000 times a second sends each member tens of frames a second,
 * not a thousand.
 *
 * Memory only. If the object dies with commits queued, the commits are stored:
 * the author resends and gets the original ack (exactly once), and everyone
 * else finds the gap at the next change and resyncs.
 */
import type { EachReceiver } from "./receivers.ts";

export interface QueuedCommit {
  /** The commit's seq (a relay checks its order). */
  seq?: number;
  /** The `change` frame for everyone but `except`. */
  frame: string;
  /** The connection that does not get `frame` (the author of a mutation), or null. */
  except: string | null;
  /** The author's ack, sent to `ackTo` in the change's place. */
  ackTo?: string;
  ack?: string;
}

/** Where the room's output goes besides its own sockets: the relays of an
 * audience room (party/engine/room/relay-face.ts), each getting the commits
 * whole and the broadcasts with who they skip, to fan out to their members. */
export interface RelaySink {
  commits(queued: readonly QueuedCommit[]): void;
  cast(frame: string, except: string | null): void;
}

export class CommitOutbox {
  private queued: QueuedCommit[] = [];

  get size(): number {
    return this.queued.length;
  }

  push(commit: QueuedCommit): void {
    this.queued.push(commit);
  }

  /** Send every receiver its part of the queued commits, in seq order;
   * returns how many sends that took. `charge` says whether a frame may go to
   * a receiver (false: it is over its read window, read-windows.ts). */
  flush(receivers: EachReceiver, charge: (conn: string, chars: number) => boolean, relays?: RelaySink): number {
    if (this.queued.length === 0) return 0;
    const queued = this.queued;
    this.queued = [];
    relays?.commits(queued);
    // The common case — a receiver that authored none of them and is excepted
    // from none — gets one shared frame, built once.
    const involved = new Set<string>();
    for (const c of queued) {
      if (c.except !== null) involved.add(c.except);
      if (c.ackTo !== undefined) involved.add(c.ackTo);
    }
    const shared = queued.length === 1 ? queued[0]!.frame : `[${queued.map((c) => c.frame).join(",")}]`;
    let sends = 0;
    receivers((conn, to) => {
      let frame: string | null = shared;
      if (involved.has(conn)) {
        const own: string[] = [];
        for (const c of queued) {
          if (c.except !== conn) own.push(c.frame);
          if (c.ackTo === conn) own.push(c.ack!);
        }
        frame = own.length === 0 ? null : own.length === 1 ? own[0]! : `[${own.join(",")}]`;
      }
      if (frame === null || !charge(conn, frame.length)) return;
      try {
        to.send(frame);
      } catch {
        // The socket is closing; its close event cleans up.
      }
      sends++;
    });
    return sends;
  }
}
