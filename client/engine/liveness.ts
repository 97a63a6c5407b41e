/**
 * The client's half-open check. Every PING_INTERVAL_MS the exact ping frame
 * goes out: on Cloudflare the runtime answers it without waking the room, and
 * the room's alarm sweep reads its timestamp to tell live sockets from
 * half-open ones. When nothing at all (not even a pong) arrived for
 * PONG_TIMEOUT_MS, the connection is dead whatever the socket says: reconnect.
 */
import { PING_INTERVAL_MS, PONG_TIMEOUT_MS } from "../../party/shared/limits.ts";
import { PING_FRAME } from "../../party/shared/protocol.ts";
import type { Transport } from "./connection.ts";

export class LivenessWatch {
  private timer: ReturnType<typeof setInterval> | null = null;
  /** When the current connection last delivered any frame (ms). */
  private lastFrameAt = 0;

  private readonly socket: () => Transport | null;

  constructor(socket: () => Transport | null) {
    this.socket = socket;
  }

  /** A frame arrived: the connection is alive. */
  frame(): void {
    this.lastFrameAt = Date.now();
  }

  /** Begin pinging (after the first sync of a connection). */
  start(): void {
    this.stop();
    this.lastFrameAt = Date.now();
    this.timer = setInterval(() => {
      const socket = this.socket();
      if (!socket?.isOpen) return;
      if (Date.now() - this.lastFrameAt > PONG_TIMEOUT_MS) {
        // Half-open: pings go out, nothing comes back. Reconnect; pending
        // edits are resent after the next sync.
        this.stop();
        socket.reconnect();
        return;
      }
      socket.send(PING_FRAME);
    }, PING_INTERVAL_MS);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
