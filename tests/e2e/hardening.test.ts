/**
 * Hardening as a deployment sees it, on the real dev servers: the page's
 * security headers on wrangler dev (Workers static assets read
 * client/whiteboard/public/_headers), and on partykit dev the edge verdict —
 * a bad token never reaches a room — and one namespace for rooms.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { mintToken } from "../../party/engine/auth.ts";
import { CloseCode, ErrorCode, PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import { type DevServer, startDevServer } from "../support/dev-server.ts";

const SECRET = "e2e-hardening-secret-0123456789abcdef";

/** Open a raw socket, say hello, and collect what arrives until it closes or `ms` pass. */
async function probe(url: string, ms = 3_000): Promise<{ inbox: { type: string; code?: string }[]; close: number | null; httpStatus: number | null }> {
  const ws = new WebSocket(url);
  const inbox: { type: string; code?: string }[] = [];
  let close: number | null = null;
  let httpStatus: number | null = null;
  ws.on("message", (d) => inbox.push(JSON.parse(String(d))));
  ws.on("unexpected-response", (_req, res) => {
    httpStatus = res.statusCode ?? null;
    ws.terminate();
  });
  ws.on("error", () => {});
  ws.on("open", () => ws.send(JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, clientId: "p", epoch: null, lastSeq: 0, name: "p", color: "#000000" })));
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    ws.on("close", (code) => {
      close = code;
      clearTimeout(timer);
      resolve();
    });
  });
  ws.terminate();
  return { inbox, close, httpStatus };
}

describe("wrangler dev: the page", () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await startDevServer("wrangler");
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("is served with a CSP that forbids framing, nosniff and no referrer — the board, a room link and an asset alike", async () => {
    const page = await fetch(`http://${server.host}/`);
    const html = await page.text();
    const asset = html.match(/src="(\/assets\/[^"]+)"/)![1]!;
    for (const path of ["/", "/r/some-board", asset]) {
      const res = await fetch(`http://${server.host}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-security-policy"), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("referrer-policy"), path).toBe("no-referrer");
    }
  });
});

describe("partykit dev with AUTH_SECRET", () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await startDevServer("partykit", { vars: { AUTH_SECRET: SECRET } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("refuses a bad token at the edge, with a typed error, and admits a good one", async () => {
    const bad = await probe(`ws://${server.host}/parties/whiteboard/pk-auth?token=garbage`);
    expect(bad.inbox[0]).toMatchObject({ type: "error", code: ErrorCode.UNAUTHORIZED });
    expect(bad.close).toBe(CloseCode.UNAUTHORIZED);
    const token = await mintToken(SECRET, { room: "pk-auth", role: "viewer" });
    const good = await probe(`ws://${server.host}/parties/whiteboard/pk-auth?token=${token}`, 1_500);
    expect(good.inbox.map((m) => m.type)).toEqual(["welcome", "sync"]);
  });

  it("has one namespace: /party/<room> is not a second copy of the rooms", async () => {
    const token = await mintToken(SECRET, { room: "pk-ns", role: "editor" });
    const other = await probe(`ws://${server.host}/party/pk-ns?token=${token}`, 1_500);
    expect(other.inbox.some((m) => m.type === "welcome")).toBe(false);
    expect(other.httpStatus).toBe(404);
  });
});
