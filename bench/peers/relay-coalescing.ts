/**
 * The limit for a coalescing design: a bare hibernating Durable Object that,
 * like the relay, parses nothing — but instead of forwarding each frame at
 * once it holds the frames that arrive within 16 ms (one display frame at
 * 60 Hz) and sends them to every socket as ONE frame, a JSON array of the raw
 * frames. Every receiver gets the same batch (its own frames included; the
 * client skips them), so the object builds one string per tick, not one per
 * receiver. Nothing is dropped: edits survive batching.
 */
import { DurableObject } from "cloudflare:workers";

/** One display frame at 60 Hz: the coalescing window. */
export const COALESCE_MS = 16;

export class CoalescingRelayRoom extends DurableObject {
  private pending: string[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return Response.json({ connections: this.ctx.getWebSockets().length });
    }
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override webSocketMessage(_sender: WebSocket, message: string | ArrayBuffer): void {
    if (typeof message !== "string") return; // the bench sends text only
    this.pending.push(message);
    // Armed on the first frame of a batch, so an idle room never ticks.
    this.timer ??= setTimeout(() => this.flush(), COALESCE_MS);
  }

  private flush(): void {
    this.timer = null;
    const batch = `[${this.pending.join(",")}]`;
    this.pending = [];
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(batch);
      } catch {
        // closing socket: its close event cleans up
      }
    }
  }

  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    // 1005/1006 are reserved and cannot be sent back (see FIELD-NOTES).
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // already closed
    }
  }
}
