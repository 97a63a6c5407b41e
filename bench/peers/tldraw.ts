/**
 * tldraw sync as its users host it on Cloudflare: one `TLSocketRoom` from
 * `@tldraw/sync-core` per Durable Object, persisted in the object's SQLite
 * through sync-core's own `SQLiteSyncStorage`, default tldraw schema
 * (`createTLSchema()`: validates every record it is sent).
 *
 * Sockets are accepted the way the reference host (tldraw-sync-cloudflare)
 * does: `accept()` and `handleSocketConnect`, which lets the room listen to the
 * socket's own events. sync-core's hibernation path (`handleSocketResume`)
 * only matters across evictions, which no workload causes.
 */
import { DurableObject } from "cloudflare:workers";
import { DurableObjectSqliteSyncWrapper, SQLiteSyncStorage, TLSocketRoom } from "@tldraw/sync-core";
import { createTLSchema, type TLRecord } from "@tldraw/tlschema";

export class TldrawRoom extends DurableObject {
  private room: TLSocketRoom<TLRecord, void> | null = null;

  private getRoom(): TLSocketRoom<TLRecord, void> {
    if (!this.room) {
      const sql = new DurableObjectSqliteSyncWrapper(this.ctx.storage, { tablePrefix: "tl_" });
      this.room = new TLSocketRoom<TLRecord, void>({
        schema: createTLSchema(),
        storage: new SQLiteSyncStorage<TLRecord>({ sql }),
        log: { warn: () => {}, error: (...args: unknown[]) => console.error("tldraw", ...args) },
      });
    }
    return this.room;
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return Response.json({ sessions: this.getRoom().getNumActiveSessions(), clock: this.getRoom().getCurrentDocumentClock() });
    }
    const sessionId = url.searchParams.get("sessionId");
    if (!sessionId) return new Response("sessionId query parameter required", { status: 400 });
    const pair = new WebSocketPair();
    const server = pair[1];
    server.accept();
    this.getRoom().handleSocketConnect({ sessionId, socket: server });
    return new Response(null, { status: 101, webSocket: pair[0] });
  }
}
