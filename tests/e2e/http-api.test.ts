/**
 * The HTTP API on a real `wrangler dev` with API_SECRET set, driven as
 * docs/HTTP-API.md's curl examples do, with the client library in the room:
 * an API mutation reaches it as an ordinary change, and DELETE ends its
 * connection for good (terminal close, no reconnect loop).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { TransportFactory } from "../../client/engine/connection.ts";
import { RoomClient } from "../../client/engine/room-client.ts";
import { transportFor } from "../../client/engine/room-client-options.ts";
import type { BroadcastMessage } from "../../party/shared/broadcast.ts";
import { MAX_IMPORT_BYTES } from "../../party/shared/limits.ts";
import { ErrorCode } from "../../party/shared/protocol.ts";
import type { Shape } from "../../party/whiteboard/records.ts";
import { whiteboard } from "../../party/whiteboard/schema.ts";
import { type DevServer, startDevServer } from "../support/dev-server.ts";
import { waitFor } from "../support/wait.ts";

const API_SECRET = "e2e-api-secret-0123456789abcdef";
const rect = (id: string, x = 0): Shape => ({ id, type: "rect", x, y: 0, z: 1, color: "#000000", stroke: 2, w: 10, h: 10, fill: null });

describe("wrangler dev with API_SECRET", () => {
  let server: DevServer;
  const clients: RoomClient<Shape>[] = [];
  const api = (path: string, init: RequestInit = {}, secret = API_SECRET) =>
    fetch(`http://${server.host}/parties/whiteboard/${path}`, { ...init, headers: { Authorization: `Bearer ${secret}`, "Content-Type": "application/json" } });

  beforeAll(async () => {
    server = await startDevServer("wrangler", { vars: { API_SECRET } });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server?.stop();
  });

  it("refuses a wrong secret, and answers a fresh room's snapshot as empty", async () => {
    expect((await api("e2e-api/snapshot", {}, "wrong")).status).toBe(401);
    const res = await api("e2e-api-fresh/snapshot");
    expect(await res.json()).toEqual({ seq: 0, epoch: null, records: [] });
  });

  it("an API mutation reaches a connected client; a retry is answered with the original seq; DELETE closes the client for good", async () => {
    // The default connection (what `host` gives), watched: did the client close it for good?
    const connection = transportFor({ schema: whiteboard, host: server.host, room: "e2e-api", name: "ada", color: "#112233", WebSocket, minReconnectDelayMs: 50 });
    let closedForGood = false;
    const watched: TransportFactory = (handlers) => {
      const t = connection(handlers);
      return {
        get isOpen() {
          return t.isOpen;
        },
        send: (frame) => t.send(frame),
        reconnect: () => t.reconnect(),
        close: (code, reason) => {
          closedForGood = true;
          t.close(code, reason);
        },
      };
    };
    const client = new RoomClient({ schema: whiteboard, room: "e2e-api", name: "ada", color: "#112233", transport: watched });
    clients.push(client);
    const errors: string[] = [];
    client.on("error", (e) => errors.push(e.code));
    await waitFor(() => client.connection.status === "live");

    const body = JSON.stringify({ mid: "e2e-api-1", ops: [{ op: "put", rec: rect("from-api", 42) }] });
    const first = await api("e2e-api/mutate", { method: "POST", body });
    expect(await first.json()).toEqual({ type: "ack", mid: "e2e-api-1", seq: 1 });
    await waitFor(() => client.records().has("from-api"), 10_000, "the API's change at the client");
    expect(client.records().get("from-api")?.x).toBe(42);
    const retry = await api("e2e-api/mutate", { method: "POST", body });
    expect(await retry.json()).toEqual({ type: "ack", mid: "e2e-api-1", seq: 1, dup: true });

    client.mutate([{ op: "put", rec: rect("from-socket") }]);
    await waitFor(() => client.pendingCount === 0, 10_000, "the socket's edit acknowledged");
    const snap = (await (await api("e2e-api/snapshot")).json()) as { seq: number; records: Shape[] };
    expect(snap.seq).toBe(2);
    expect(snap.records.map((r) => r.id).sort()).toEqual(["from-api", "from-socket"]);

    expect((await api("e2e-api", { method: "DELETE" })).status).toBe(200);
    await waitFor(() => errors.includes(ErrorCode.ROOM_DELETED), 10_000, "ROOM_DELETED");
    await waitFor(() => client.connection.status === "error", 10_000, "terminal status");
    // No reconnect into a fresh, empty room: the client closed its connection
    // for good (a closed socket never reconnects), not one that retries.
    expect(closedForGood).toBe(true);
    expect(await (await api("e2e-api/snapshot")).json()).toEqual({ seq: 0, epoch: null, records: [] });
  });

  it("answers an import over MAX_IMPORT_BYTES with 413 TOO_LARGE every time, with or without a declared length", async () => {
    const over = new Uint8Array(MAX_IMPORT_BYTES + 1024).fill(0x20);
    // A declared length over the limit: refused before a byte is read, five times in a row.
    for (let i = 0; i < 5; i++) {
      const res = await api(`e2e-api-big/import?mid=big-${i}`, { method: "POST", body: over });
      expect(res.status, `try ${i + 1}`).toBe(413);
      expect(((await res.json()) as { code: string }).code).toBe(ErrorCode.TOO_LARGE);
    }
    // No length (chunked): cut at the first byte past the limit.
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    const chunks = Math.ceil(MAX_IMPORT_BYTES / chunk.byteLength) + 2;
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < chunks) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const chunked = await fetch(`http://${server.host}/parties/whiteboard/e2e-api-big/import?mid=big-chunked`, {
      method: "POST",
      body: stream,
      headers: { Authorization: `Bearer ${API_SECRET}` },
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as { code: string }).code).toBe(ErrorCode.TOO_LARGE);
    // Nothing was written.
    expect(await (await api("e2e-api-big/snapshot")).json()).toEqual({ seq: 0, epoch: null, records: [] });
  });

  it("a backend broadcast reaches a connected client as a typed event; presence counts it; metadata is kept", async () => {
    const client = new RoomClient({ schema: whiteboard, host: server.host, room: "e2e-api-bc", name: "ada", color: "#112233", WebSocket, minReconnectDelayMs: 50 });
    clients.push(client);
    const got: BroadcastMessage[] = [];
    client.on("broadcast", (m) => got.push(m));
    await waitFor(() => client.connection.status === "live", 10_000, "the client live");
    expect(await (await api("e2e-api-bc/presence")).json()).toMatchObject({ count: 1, members: [{ name: "ada" }] });
    const res = await api("e2e-api-bc/broadcast", { method: "POST", body: JSON.stringify({ event: { kind: "notice", text: "deploying in 5 min" } }) });
    expect(await res.json()).toEqual({ sent: 1 });
    await waitFor(() => got.length === 1, 10_000, "the broadcast at the client");
    expect(got[0]).toMatchObject({ type: "broadcast", by: "api", event: { kind: "notice", text: "deploying in 5 min" } });
    expect(client.records().size).toBe(0); // never stored, never a change
    expect(await (await api("e2e-api-bc/metadata", { method: "PUT", body: JSON.stringify({ title: "Broadcasts" }) })).json()).toEqual({ metadata: { title: "Broadcasts" } });
    expect(await (await api("e2e-api-bc/metadata")).json()).toEqual({ metadata: { title: "Broadcasts" } });
  });
});
