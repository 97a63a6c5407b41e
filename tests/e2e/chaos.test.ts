/**
 * Runtime chaos on a real `wrangler dev`: the server is SIGKILLed in the middle
 * of an edit storm and restarted on its persisted state. Every acknowledged
 * edit must be there afterwards, and every client must converge.
 */
import { whiteboard } from "../../party/whiteboard/schema.ts";
import { afterAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { RoomClient } from "../../client/engine/room-client.ts";
import type { Shape } from "../../party/whiteboard/records.ts";
import { type DevServer, startDevServer } from "../support/dev-server.ts";
import { waitFor } from "../support/wait.ts";

const rect = (id: string, x: number): Shape => ({ id, type: "rect", x, y: 0, z: 1, color: "#000000", stroke: 2, w: 10, h: 10, fill: null });

describe("wrangler dev killed with SIGKILL mid-storm", () => {
  let server: DevServer | undefined;
  const clients: RoomClient[] = [];
  afterAll(async () => {
    for (const c of clients) c.close();
    await server?.stop();
  });

  it("loses nothing acknowledged and converges after the restart", async () => {
    server = await startDevServer("wrangler");
    const { port, persistDir } = server;
    const room = "chaos-kill";
    const acked = new Map<string, string>(); // mid → record id
    for (let i = 0; i < 3; i++) {
      const c = new RoomClient({ schema: whiteboard,  host: server.host, room, name: `c${i}`, color: "#123456", WebSocket, minReconnectDelayMs: 100, maxReconnectDelayMs: 500 });
      c.on("message", (m) => {
        if (m.type === "ack") acked.set(m.mid, "");
      });
      clients.push(c);
    }
    await waitFor(() => clients.every((c) => c.connection.status === "live"));

    // A bounded storm: each client creates one shape every 20 ms and moves it;
    // the kill lands in the middle.
    let n = 0;
    const storm = setInterval(() => {
      for (const [i, c] of clients.entries()) {
        if (n >= 150) return;
        const id = `c${i}-s${n++}`;
        c.mutate([{ op: "put", rec: rect(id, n) }]);
      }
    }, 20);
    await waitFor(() => acked.size >= 30, 15_000, "acks before the kill");
    await server.stop(true); // SIGKILL the whole process group
    const ackedBeforeKill = new Set(acked.keys());
    await waitFor(() => clients.every((c) => c.connection.status !== "live"), 10_000, "clients noticing");
    server = await startDevServer("wrangler", { port, persistDir });
    await waitFor(() => n >= 150, 20_000, "storm end");
    clearInterval(storm);

    await waitFor(() => clients.every((c) => c.connection.status === "live" && c.pendingCount === 0), 30_000, "all edits acknowledged");
    const seqs = new Set(clients.map((c) => c.seq));
    await waitFor(() => new Set(clients.map((c) => c.seq)).size === 1, 10_000, "same seq everywhere");
    expect(seqs.size).toBeGreaterThan(0);

    const ids = (c: RoomClient) => [...c.confirmedRecords().keys()].sort();
    // Every client holds all 150 shapes, exactly once each, identical everywhere.
    for (const c of clients) expect(ids(c)).toEqual(ids(clients[0]!));
    expect(ids(clients[0]!)).toHaveLength(150);
    // And a fresh client after the restart sees the same, so it is in storage.
    const fresh = new RoomClient({ schema: whiteboard,  host: server.host, room, name: "late", color: "#123456", WebSocket });
    clients.push(fresh);
    await waitFor(() => fresh.connection.status === "live");
    expect(ids(fresh)).toEqual(ids(clients[0]!));
    expect(fresh.seq).toBe(150); // 150 mutations, each applied exactly once
    expect(ackedBeforeKill.size).toBeGreaterThanOrEqual(30);
  });
});
