/**
 * The room's one event queue. Every event — a socket's connect, frame and
 * close, the alarm, each HTTP API call — runs through this chain, one at a
 * time, so a mutation's read-validate-commit-ack sequence never interleaves
 * with another's, and the app's hooks see the room exactly as the mutation does.
 */
import { ErrorCode } from "../../shared/protocol.ts";
import { type Log, stackOf } from "./context.ts";

export class EventQueue {
  private tail: Promise<void> = Promise.resolve();

  private readonly log: Log;

  constructor(log: Log) {
    this.log = log;
  }

  /** Run `task` after every event queued before it. Never rejects. */
  enqueue(task: () => Promise<void> | void): Promise<void> {
    const run = this.tail.then(task).catch((err: unknown) => {
      // The room must outlive any bug in one handler; the client gets INTERNAL,
      // the stack stays in our logs.
      this.log("error", "handler_failed", undefined, undefined, ErrorCode.INTERNAL, stackOf(err));
    });
    this.tail = run;
    return run;
  }

  /** Run `task` in the queue and resolve with its result, or with `fallback`
   * if it throws (logged). */
  run<T>(fallback: T, task: () => Promise<T>): Promise<T> {
    let out = fallback;
    return this.enqueue(async () => {
      out = await task();
    }).then(() => out);
  }
}
