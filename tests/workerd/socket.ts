/**
 * A raw WebSocket client inside workerd, through the Worker's own fetch: the
 * same path a browser takes (Worker → routing → the room's Durable Object).
 */
import { exports } from "cloudflare:workers";
import { PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import type { ServerMessage } from "../support/cards.ts";

export interface TestClient {
  ws: WebSocket;
  inbox: ServerMessage[];
  /** Size of every frame received, with the type of its (first) message. */
  frames: { type: string; bytes: number }[];
  closed: { code: number; reason: string } | null;
  send(msg: unknown): void;
  /** Resolves with the first message of `type` received after `from` (an inbox index). */
  next<T extends ServerMessage["type"]>(type: T, from?: number, timeoutMs?: number): Promise<Extract<ServerMessage, { type: T }>>;
  of<T extends ServerMessage["type"]>(type: T): Extract<ServerMessage, { type: T }>[];
  waitClosed(timeoutMs?: number): Promise<{ code: number; reason: string }>;
}

/** Frames larger than this are not parsed by a `light` client: it keeps the
 * message's type, rid and seq (read from the frame's start) and its size, as a
 * stub with `records: []` — so a test's own parsing of many multi-MB boards
 * does not run on the thread it measures the room with. */
const LIGHT_PARSE_MAX = 64 * 1024;

function stubOf(text: string): ServerMessage {
  const head = /^\{"type":"([a-z]+)"(?:,"rid":("(?:[^"\\]|\\.)*"))?(?:,"seq":(\d+))?/.exec(text);
  return { type: head?.[1] ?? "unknown", ...(head?.[2] ? { rid: JSON.parse(head[2]) as string } : {}), ...(head?.[3] ? { seq: Number(head[3]) } : {}), records: [], bytes: text.length } as unknown as ServerMessage;
}

export async function openSocket(path: string, headers: Record<string, string> = {}, opts: { light?: boolean } = {}): Promise<TestClient> {
  const res = await exports.default.fetch(`http://edgeroom.test${path}`, { headers: { Upgrade: "websocket", ...headers } });
  const ws = res.webSocket;
  if (!ws) throw new Error(`no WebSocket for ${path}: HTTP ${res.status}`);
  ws.accept();
  const client: TestClient = {
    ws,
    inbox: [],
    frames: [],
    closed: null,
    send: (msg) => ws.send(typeof msg === "string" ? msg : JSON.stringify(msg)),
    of: (type) => client.inbox.filter((m) => m.type === type) as never,
    async next(type, from = 0, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = client.inbox.slice(from).find((m) => m.type === type);
        if (found) return found as never;
        if (client.closed) throw new Error(`socket closed (${client.closed.code}) before a ${type}`);
        if (Date.now() > deadline) throw new Error(`no ${type} within ${timeoutMs} ms; got ${client.inbox.map((m) => m.type).join(",")}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async waitClosed(timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (!client.closed) {
        if (Date.now() > deadline) throw new Error("socket did not close");
        await new Promise((r) => setTimeout(r, 5));
      }
      return client.closed;
    },
  };
  ws.addEventListener("message", (e: MessageEvent) => {
    const text = String(e.data);
    const parsed = opts.light && text.length > LIGHT_PARSE_MAX ? stubOf(text) : (JSON.parse(text) as ServerMessage | ServerMessage[]);
    client.frames.push({ type: Array.isArray(parsed) ? (parsed[0]?.type ?? "batch") : parsed.type, bytes: text.length });
    if (Array.isArray(parsed)) client.inbox.push(...parsed);
    else client.inbox.push(parsed);
  });
  ws.addEventListener("close", (e: CloseEvent) => {
    client.closed = { code: e.code, reason: e.reason };
  });
  return client;
}

export async function joinRoom(
  room: string,
  name: string,
  opts: { epoch?: string | null; lastSeq?: number; headers?: Record<string, string>; light?: boolean } = {},
): Promise<TestClient> {
  const c = await openSocket(`/parties/cards/${room}`, opts.headers, { light: opts.light ?? false });
  c.send({ type: "hello", v: PROTOCOL_VERSION, clientId: `c-${name}`, epoch: opts.epoch ?? null, lastSeq: opts.lastSeq ?? 0, name, color: "#224466" });
  // Generous: a loaded machine runs several workerd test files at once.
  await c.next("sync", 0, 15_000);
  return c;
}

export { bigCard, card } from "../support/cards.ts";
