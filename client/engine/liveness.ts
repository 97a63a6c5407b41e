/**
 * The client's half-open check. Every PING_INTERVAL_MS the exact ping frame
 * goes out: on Cloudflare the runtime answers it without waking the room, and
 * the room's alarm sweep reads its timestamp to tell live sockets from
 * half-open ones. When nothing at all (not even a pong) arrived for
 * PONG_TIMEOUT_MS, the connection is dead whatever the socket says: reconnect.
 */
import { PING_INTERVAL_MS, PONG_TIMEOUT_MS } from "../../party/shared/limits.ts";
import { PING_FRAME } from "../../party/shared/protocol.ts";
import { type Clock, systemClock } from "./clock.ts";
import type { Transport } from "./connection.ts";

export class LivenessWatch {
  private timer: unknown = null;
  /** When the current connection last delivered any frame (ms). */
  private lastFrameAt = 0;

  private readonly socket: () => Transport | null;
  private readonly clock: Clock;

  constructor(socket: () => Transport | null, clock: Clock = systemClock) {
    this.socket = socket;
    this.clock = clock;
  }

  /** A frame arrived: the connection is alive. */
  frame(): void {
    this.lastFrameAt = this.clock.now();
  }

  /** Begin pinging (after the first sync of a connection). */
  start(): void {
    this.stop();
    this.lastFrameAt = this.clock.now();
    this.schedule();
  }

  stop(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** One tick every PING_INTERVAL_MS (one-shot timers: the clock has no interval). */
  private schedule(): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      const socket = this.socket();
      if (socket?.isOpen) {
        if (this.clock.now() - this.lastFrameAt > PONG_TIMEOUT_MS) {
          // Half-open: pings go out, nothing comes back. Reconnect; pending
          // edits are resent after the next sync.
          socket.reconnect();
          return;
        }
        socket.send(PING_FRAME);
      }
      this.schedule();
    }, PING_INTERVAL_MS);
  }
}
