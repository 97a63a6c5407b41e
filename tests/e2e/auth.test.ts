/**
 * Access control on a real `wrangler dev` with a secret configured.
 */
import { whiteboard } from "../../party/whiteboard/schema.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { RoomClient } from "../../client/engine/room-client.ts";
import { CLOCK_TOLERANCE_SECONDS, mintToken } from "../../party/engine/auth.ts";
import { CloseCode, ErrorCode } from "../../party/shared/protocol.ts";
import type { Shape } from "../../party/whiteboard/records.ts";
import { type DevServer, startDevServer } from "../support/dev-server.ts";
import { waitFor } from "../support/wait.ts";

const SECRET = "e2e-secret-0123456789abcdef";
const rect = (id: string): Shape => ({ id, type: "rect", x: 0, y: 0, z: 1, color: "#000000", stroke: 2, w: 10, h: 10, fill: null });

describe("wrangler dev with AUTH_SECRET", () => {
  let server: DevServer;
  const clients: RoomClient[] = [];
  beforeAll(async () => {
    server = await startDevServer("wrangler", { vars: { AUTH_SECRET: SECRET, DEV_TOKENS: "true" } });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server?.stop();
  });

  it("refuses a connection without a token: typed error, terminal close code", async () => {
    const ws = new WebSocket(`ws://${server.host}/parties/whiteboard/locked`);
    const messages: { code?: string }[] = [];
    ws.on("message", (d) => messages.push(JSON.parse(String(d))));
    const code = await new Promise<number>((r) => ws.on("close", (c) => r(c)));
    expect(code).toBe(CloseCode.UNAUTHORIZED);
    expect(messages[0]!.code).toBe(ErrorCode.UNAUTHORIZED);
  });

  it("after an expired token, fetches a fresh one and connects", async () => {
    const tokens = [await mintToken(SECRET, { room: "locked", role: "editor", ttlSeconds: -120 })];
    let asked = 0;
    const client = new RoomClient({ schema: whiteboard,
      host: server.host,
      room: "locked",
      name: "ada",
      color: "#112233",
      WebSocket,
      minReconnectDelayMs: 50,
      getToken: async () => {
        asked++;
        return tokens.shift() ?? (await mintToken(SECRET, { room: "locked", role: "editor" }));
      },
    });
    clients.push(client);
    const errors: string[] = [];
    client.on("error", (e) => errors.push(e.code));
    await waitFor(() => client.connection.status === "live");
    expect(errors).toContain(ErrorCode.TOKEN_EXPIRED);
    expect(asked).toBeGreaterThanOrEqual(2);
    client.mutate([{ op: "put", rec: rect("s1") }]);
    await waitFor(() => client.pendingCount === 0 && client.seq === 1);
  });

  it("closes a connection when its token runs out; the client comes back with a fresh one and nothing is lost", async () => {
    // ttl -26 s: still inside the 30 s clock tolerance at connect, expired 4 s later.
    const tokens = [await mintToken(SECRET, { room: "locked", role: "editor", ttlSeconds: -26 })];
    const { exp } = JSON.parse(Buffer.from(tokens[0]!.split(".")[1]!, "base64url").toString()) as { exp: number };
    const spentAt = (exp + CLOCK_TOLERANCE_SECONDS) * 1000;
    const client = new RoomClient({ schema: whiteboard,
      host: server.host,
      room: "locked",
      name: "eve",
      color: "#112233",
      WebSocket,
      minReconnectDelayMs: 50,
      getToken: async () => tokens.shift() ?? (await mintToken(SECRET, { room: "locked", role: "editor" })),
    });
    clients.push(client);
    const closes: string[] = [];
    client.on("error", (e) => closes.push(e.code));
    await waitFor(() => client.connection.status === "live");
    // Edit the moment the room holds the token spent — its exp plus the 30 s
    // tolerance (party/engine/auth.ts), read from the token — not after a guessed sleep.
    await waitFor(() => Date.now() > spentAt, 10_000, "the token spent");
    client.mutate([{ op: "put", rec: rect("after-expiry") }]);
    await waitFor(() => closes.includes(ErrorCode.TOKEN_EXPIRED), 10_000, "TOKEN_EXPIRED");
    await waitFor(() => client.connection.status === "live" && client.pendingCount === 0, 15_000, "resent after reconnect");
    expect(client.records().has("after-expiry")).toBe(true);
  });

  it("lets a viewer watch but rolls back its edits with FORBIDDEN", async () => {
    const res = await fetch(`http://${server.host}/auth/dev-token?room=locked&role=viewer`);
    const { token } = (await res.json()) as { token: string };
    const viewer = new RoomClient({ schema: whiteboard,  host: server.host, room: "locked", name: "vic", color: "#112233", WebSocket, getToken: () => token });
    clients.push(viewer);
    await waitFor(() => viewer.connection.status === "live");
    expect(viewer.self?.role).toBe("viewer");
    expect(viewer.records().has("s1")).toBe(true);
    const rejects: string[] = [];
    viewer.on("reject", (r) => rejects.push(r.code));
    viewer.mutate([{ op: "del", id: "s1" }]);
    expect(viewer.records().has("s1")).toBe(false); // optimistic
    await waitFor(() => rejects.length === 1);
    expect(rejects).toEqual([ErrorCode.FORBIDDEN]);
    expect(viewer.records().has("s1")).toBe(true); // rolled back
  });
});
