/**
 * Both dev servers end to end, as a developer runs them: `wrangler dev` and
 * `partykit dev` started on 127.0.0.1, driven from Node through partysocket by
 * the project's own client library.
 */
import { WHITEBOARD_SCHEMA_VERSION, whiteboard } from "../../party/whiteboard/schema.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { RoomClient } from "../../client/engine/room-client.ts";
import type { Shape } from "../../party/whiteboard/records.ts";
import { type DevServer, startDevServer } from "../support/dev-server.ts";
import { waitFor } from "../support/wait.ts";

const rect = (id: string, x: number): Shape => ({ id, type: "rect", x, y: 0, z: 1, color: "#000000", stroke: 2, w: 10, h: 10, fill: null });

for (const kind of ["wrangler", "partykit"] as const) {
  describe(`${kind} dev`, () => {
    let server: DevServer;
    const clients: RoomClient[] = [];
    const client = (room: string, name: string) => {
      const c = new RoomClient({ schema: whiteboard,  host: server.host, room, name, color: "#3366ff", WebSocket, minReconnectDelayMs: 100 });
      clients.push(c);
      return c;
    };

    beforeAll(async () => {
      server = await startDevServer(kind);
    });
    afterAll(async () => {
      for (const c of clients) c.close();
      await server?.stop();
    });

    it("connects two clients, shows each one's change to the other, and resumes with a delta", async () => {
      const room = `e2e-${Date.now()}`;
      const a = client(room, "ada");
      const b = client(room, "bob");
      await waitFor(() => a.connection.status === "live" && b.connection.status === "live");
      await waitFor(() => a.peers().size === 1 && b.peers().size === 1);

      a.mutate([{ op: "put", rec: rect("s1", 1) }]);
      await waitFor(() => b.records().get("s1")?.x === 1);
      b.mutate([{ op: "patch", id: "s1", set: { x: 2 } }]);
      await waitFor(() => a.records().get("s1")?.x === 2 && a.pendingCount === 0 && b.pendingCount === 0);
      expect(a.seq).toBe(2);

      // Drop B's connection; A edits meanwhile; B comes back with a delta.
      const syncs: string[] = [];
      b.on("message", (m) => void (m.type === "sync" && syncs.push(m.mode)));
      b.reconnect();
      a.mutate([{ op: "put", rec: rect("s2", 3) }]);
      await waitFor(() => b.records().get("s2")?.x === 3 && b.connection.status === "live");
      expect(syncs).toEqual(["delta"]);
      expect(b.seq).toBe(3);
      expect([...b.records().values()]).toEqual([...a.records().values()]);
    });

    it("announces a clean leave within a second, and a quick reconnect without flicker", async () => {
      const room = `presence-${Date.now()}`;
      const a = client(room, "ada");
      const b = client(room, "bob");
      await waitFor(() => a.peers().size === 1 && b.connection.status === "live");
      b.moveCursor(10, 20);
      await waitFor(() => a.cursors().size === 1);

      // Reconnect: same client id, new connection. A must never see Bob vanish.
      let vanished = false;
      const watch = a.on("change", () => {
        if (![...a.peers().values()].some((p) => p.clientId === b.clientId)) vanished = true;
      });
      const oldConn = b.self!.conn;
      b.reconnect();
      await waitFor(() => b.connection.status === "live" && b.self!.conn !== oldConn);
      await waitFor(() => [...a.peers().values()].some((p) => p.conn === b.self!.conn));
      expect(vanished).toBe(false);
      await waitFor(() => a.cursors().size === 1 && a.cursors().has(b.self!.conn), 10_000, "the cursor moved over");
      expect([...a.cursors().keys()]).toEqual([b.self!.conn]); // the cursor moved over
      watch();

      // Clean close: the leave reaches A within a second.
      const leaves: number[] = [];
      a.on("message", (m) => void (m.type === "leave" && leaves.push(Date.now())));
      const closedAt = Date.now();
      b.close();
      await waitFor(() => leaves.length === 1, 2_000);
      expect(leaves[0]! - closedAt).toBeLessThan(1_000);
    });

    it("keeps history on its storage: lists who changed what, previews a past board, restores it once for everyone", async () => {
      const room = `e2e-history-${Date.now()}`;
      const a = client(room, "ada");
      const b = client(room, "bob");
      await waitFor(() => a.connection.status === "live" && b.connection.status === "live");
      a.mutate([{ op: "put", rec: rect("h1", 1) }]);
      a.mutate([{ op: "put", rec: rect("h2", 2) }]);
      await waitFor(() => a.pendingCount === 0 && b.records().size === 2);
      b.mutate([{ op: "del", id: "h1" }]);
      await waitFor(() => b.pendingCount === 0 && a.records().size === 1);

      const page = await a.history({ limit: 10 });
      expect(page.changes.map((c) => [c.seq, c.name])).toEqual([[3, "bob"], [2, "ada"], [1, "ada"]]);
      const before = await a.previewAt({ seq: 2 });
      expect(before.records.map((r) => r.id).sort()).toEqual(["h1", "h2"]);
      expect(b.records().size).toBe(1); // the preview touched nobody

      const result = await a.restore({ seq: 2 }, { mid: "e2e-restore-1" });
      expect(result.seq).toBe(4);
      await waitFor(() => a.records().size === 2 && b.records().size === 2, 10_000, "the restore at both clients");
      const again = await a.restore({ seq: 0 }, { mid: "e2e-restore-1" });
      expect(again).toMatchObject({ seq: 4, dup: true });
      expect((await a.history({ limit: 1 })).changes[0]).toMatchObject({ seq: 4, kind: "restore", restored: 2 });
      expect(b.seq).toBe(4);
    });

    it("serves the documented protocol at /parties/whiteboard/r1", async () => {
      const ws = new WebSocket(`ws://${server.host}/parties/whiteboard/r1`);
      const inbox: { type: string }[] = [];
      ws.on("message", (d) => inbox.push(JSON.parse(String(d))));
      await new Promise((r) => ws.once("open", r));
      // Protocol 1 is still spoken; the record schema must be the whiteboard's (docs/PROTOCOL.md §2).
      ws.send(JSON.stringify({ type: "hello", v: 1, schema: WHITEBOARD_SCHEMA_VERSION, clientId: "raw", epoch: null, lastSeq: 0, name: "raw", color: "#000000" }));
      ws.send('{"type":"ping"}');
      ws.send("not json");
      await waitFor(() => inbox.length >= 4);
      expect(inbox.map((m) => m.type)).toEqual(["welcome", "sync", "pong", "error"]);
      ws.close();
    });
  });
}
