/**
 * The limit: a bare hibernating Durable Object that forwards every frame to
 * every other socket without parsing, validating, storing or coalescing it.
 * Nothing a real room must do is done here, so no room can beat it per frame;
 * it shows what the runtime itself costs.
 */
import { DurableObject } from "cloudflare:workers";

export class RelayRoom extends DurableObject {
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return Response.json({ connections: this.ctx.getWebSockets().length });
    }
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override webSocketMessage(sender: WebSocket, message: string | ArrayBuffer): void {
    for (const ws of this.ctx.getWebSockets()) {
      if (ws === sender) continue;
      try {
        ws.send(message);
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
