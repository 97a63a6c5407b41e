/**
 * Hardening as a deployment sees it, on the real dev servers: the page's
 * security headers on wrangler dev (Workers static assets read
 * client/whiteboard/public/_headers), and on partykit dev the edge verdict —
 * a bad token never reaches a room — and one namespace for rooms; on wrangler
 * dev with a secret, the HTTP fallback keeps tokens out of its URLs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { mintToken } from "../../party/engine/auth.ts";
import { CloseCode, ErrorCode, PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import { WHITEBOARD_SCHEMA_VERSION } from "../../party/whiteboard/schema.ts";
import { sseTransport } from "../../client/engine/sse-transport.ts";
import { type DevServer, startDevServer } from "../support/dev-server.ts";
import { waitFor } from "../support/wait.ts";

const SECRET = "e2e-hardening-secret-0123456789abcdef";

/** Open a raw socket, say hello, and collect what arrives until it closes, `done(inbox)` holds, or `ms` pass. */
async function probe(url: string, ms = 10_000, done: (inbox: { type: string }[]) => boolean = () => false): Promise<{ inbox: { type: string; code?: string }[]; close: number | null; httpStatus: number | null }> {
  const ws = new WebSocket(url);
  const inbox: { type: string; code?: string }[] = [];
  let close: number | null = null;
  let httpStatus: number | null = null;
  let settle = () => {};
  ws.on("message", (d) => {
    inbox.push(JSON.parse(String(d)));
    if (done(inbox)) settle();
  });
  ws.on("unexpected-response", (_req, res) => {
    httpStatus = res.statusCode ?? null;
    ws.terminate();
  });
  ws.on("error", () => {});
  ws.on("open", () => ws.send(JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, schema: WHITEBOARD_SCHEMA_VERSION, clientId: "p", epoch: null, lastSeq: 0, name: "p", color: "#000000" })));
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    settle = () => {
      clearTimeout(timer);
      resolve();
    };
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
    // Until its sync (not a guessed 1.5 s): a loaded machine answers later.
    const good = await probe(`ws://${server.host}/parties/whiteboard/pk-auth?token=${token}`, 10_000, (inbox) => inbox.some((m) => m.type === "sync"));
    expect(good.inbox.map((m) => m.type)).toEqual(["welcome", "sync"]);
  });

  it("has one namespace: /party/<room> is not a second copy of the rooms", async () => {
    const token = await mintToken(SECRET, { room: "pk-ns", role: "editor" });
    const other = await probe(`ws://${server.host}/party/pk-ns?token=${token}`);
    expect(other.inbox.some((m) => m.type === "welcome")).toBe(false);
    expect(other.httpStatus).toBe(404);
  });
});

/** A fallback stream read from Node: its events as they come. */
async function openEvents(url: string): Promise<{ status: number; events: { event: string; data: string }[]; next(pred: (e: { event: string; data: string }) => boolean): Promise<{ event: string; data: string }>; close(): void }> {
  const abort = new AbortController();
  const res = await fetch(url, { signal: abort.signal });
  const events: { event: string; data: string }[] = [];
  if (res.ok && res.body) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = "";
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let i: number;
          while ((i = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, i);
            buffer = buffer.slice(i + 2);
            events.push({ event: /^event: (.*)$/m.exec(block)?.[1] ?? "message", data: /^data: (.*)$/m.exec(block)?.[1] ?? "" });
          }
        }
      } catch {
        // aborted
      }
    })();
  }
  return {
    status: res.status,
    events,
    async next(pred) {
      const end = Date.now() + 10_000;
      for (;;) {
        const e = events.find(pred);
        if (e) return e;
        if (Date.now() > end) throw new Error(`not seen; got ${events.map((x) => x.data.slice(0, 50)).join(" | ")}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => abort.abort(),
  };
}

const isMsg = (type: string, pred: (m: Record<string, unknown>) => boolean = () => true) => (e: { event: string; data: string }) => {
  if (e.event !== "message") return false;
  const m = JSON.parse(e.data) as Record<string, unknown> | Record<string, unknown>[];
  return (Array.isArray(m) ? m : [m]).some((x) => x.type === type && pred(x));
};

describe("wrangler dev with AUTH_SECRET: the HTTP fallback", () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await startDevServer("wrangler", { vars: { AUTH_SECRET: SECRET } });
  });
  afterAll(async () => {
    await server?.stop();
  });
  const base = (room: string) => `http://${server.host}/parties/whiteboard/${room}`;
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const ticketFor = async (room: string, token: string) => {
    const res = await fetch(`${base(room)}/ticket`, { method: "POST", headers: bearer(token) });
    expect(res.status).toBe(200);
    return ((await res.json()) as { ticket: string }).ticket;
  };
  const helloFrame = (clientId: string) => JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, schema: WHITEBOARD_SCHEMA_VERSION, clientId, epoch: null, lastSeq: 0, name: clientId, color: "#000000" });
  const rectOp = (id: string) => ({ op: "put", rec: { id, type: "rect", x: 0, y: 0, z: 1, color: "#000000", stroke: 2, w: 10, h: 10, fill: null } });

  it("the fallback carries no token in a URL: POSTs take Authorization: Bearer, the stream a single-use ticket", async () => {
    const room = "fb-ticket";
    const token = await mintToken(SECRET, { room, role: "editor", subject: "ada" });
    // A token in a fallback URL is refused, whatever else is right.
    expect((await fetch(`${base(room)}/events?token=${token}`)).status).toBe(400);
    expect((await fetch(`${base(room)}/send?sid=x&token=${token}`, { method: "POST", body: "{}" })).status).toBe(400);
    // No ticket, a forged one, a token passed off as one: 401.
    expect((await fetch(`${base(room)}/events`)).status).toBe(401);
    expect((await fetch(`${base(room)}/events?ticket=${token}`)).status).toBe(401);
    const other = await ticketFor("fb-ticket-other", await mintToken(SECRET, { room: "fb-ticket-other", role: "editor" }));
    expect((await fetch(`${base(room)}/events?ticket=${other}`)).status).toBe(401);
    // A bad token gets no ticket.
    const badTicket = await fetch(`${base(room)}/ticket`, { method: "POST", headers: bearer("garbage") });
    expect(badTicket.status).toBe(401);
    expect(((await badTicket.json()) as { code: string }).code).toBe(ErrorCode.UNAUTHORIZED);

    const ticket = await ticketFor(room, token);
    expect(ticket).not.toContain(token);
    const stream = await openEvents(`${base(room)}/events?ticket=${ticket}`);
    expect(stream.status).toBe(200);
    const sid = (JSON.parse((await stream.next((e) => e.event === "stream")).data) as { sid: string }).sid;
    // Used once: the same ticket opens nothing more.
    expect((await fetch(`${base(room)}/events?ticket=${ticket}`)).status).toBe(401);

    // POSTs with the token in the header: the protocol runs.
    const post = (body: string, headers: Record<string, string> = bearer(token)) => fetch(`${base(room)}/send?sid=${sid}`, { method: "POST", body, headers });
    expect((await post(helloFrame("ada"))).status).toBe(204);
    await stream.next(isMsg("sync"));
    expect((await post(JSON.stringify({ type: "mutate", mid: "m1", ops: [rectOp("a")] }))).status).toBe(204);
    await stream.next(isMsg("ack", (m) => m.mid === "m1"));
    // Without the header, or with a bad token: 401.
    expect((await post('{"type":"ping"}', {})).status).toBe(401);
    expect((await post('{"type":"ping"}', bearer("garbage"))).status).toBe(401);
    // Another subject's token does not post into ada's stream.
    expect((await post('{"type":"ping"}', bearer(await mintToken(SECRET, { room, role: "editor", subject: "eve" })))).status).toBe(403);
    stream.close();
  });

  it("the role follows the token presented: a viewer's token on a POST cannot edit, an editor's can again", async () => {
    const room = "fb-role";
    const editor = await mintToken(SECRET, { room, role: "editor", subject: "bo" });
    const viewer = await mintToken(SECRET, { room, role: "viewer", subject: "bo" });
    const stream = await openEvents(`${base(room)}/events?ticket=${await ticketFor(room, editor)}`);
    const sid = (JSON.parse((await stream.next((e) => e.event === "stream")).data) as { sid: string }).sid;
    const post = (body: string, token: string) => fetch(`${base(room)}/send?sid=${sid}`, { method: "POST", body, headers: bearer(token) });
    expect((await post(helloFrame("bo"), editor)).status).toBe(204);
    await stream.next(isMsg("sync"));
    expect((await post(JSON.stringify({ type: "mutate", mid: "v1", ops: [rectOp("a")] }), viewer)).status).toBe(204);
    await stream.next(isMsg("reject", (m) => m.mid === "v1" && m.code === ErrorCode.FORBIDDEN));
    expect((await post(JSON.stringify({ type: "mutate", mid: "e1", ops: [rectOp("b")] }), editor)).status).toBe(204);
    await stream.next(isMsg("ack", (m) => m.mid === "e1"));
    // A viewer's ticket opens a viewer's stream.
    const v = await openEvents(`${base(room)}/events?ticket=${await ticketFor(room, viewer)}`);
    const vsid = (JSON.parse((await v.next((e) => e.event === "stream")).data) as { sid: string }).sid;
    const vpost = (body: string) => fetch(`${base(room)}/send?sid=${vsid}`, { method: "POST", body, headers: bearer(viewer) });
    expect((await vpost(helloFrame("bo-view"))).status).toBe(204);
    const welcome = await v.next(isMsg("welcome"));
    expect((JSON.parse(welcome.data) as { self: { role: string } }).self.role).toBe("viewer");
    stream.close();
    v.close();
  });

  it("the library's SSE transport opens with a ticket and posts with the header: no URL it requests carries the token", async () => {
    const room = "fb-client";
    const token = await mintToken(SECRET, { room, role: "editor", subject: "cy" });
    const urls: string[] = [];
    const recordingFetch: typeof fetch = (input, init) => {
      urls.push(String(input));
      return fetch(input, init);
    };
    const inbox: string[] = [];
    let opened = false;
    const transport = sseTransport({ host: server.host, party: "whiteboard", room, query: async () => ({ token }), fetch: recordingFetch, EventSource: fetchEventSource(urls) })({
      open: () => void (opened = true),
      message: (d) => void inbox.push(String(d)),
      close: () => {},
    });
    await waitFor(() => opened, 10_000);
    transport.send(helloFrame("cy"));
    await waitFor(() => inbox.some((d) => d.includes('"type":"sync"')), 10_000);
    transport.send(JSON.stringify({ type: "mutate", mid: "c1", ops: [rectOp("c")] }));
    await waitFor(() => inbox.some((d) => d.includes('"type":"ack"')), 10_000);
    transport.close(1000, "done");
    expect(urls.some((u) => u.includes("/events?ticket="))).toBe(true);
    expect(urls.filter((u) => u.includes(token))).toEqual([]);
  });
});

/** A minimal EventSource over fetch (Node has none): what sse-transport uses
 * of one — the URL, named and unnamed events, onerror, close. */
function fetchEventSource(urls: string[]): typeof EventSource {
  class FetchEventSource {
    onmessage: ((e: MessageEvent<string>) => void) | null = null;
    onerror: (() => void) | null = null;
    private readonly listeners = new Map<string, ((e: MessageEvent<string>) => void)[]>();
    private readonly abort = new AbortController();
    constructor(url: string) {
      urls.push(url);
      void this.run(url);
    }
    addEventListener(type: string, fn: (e: MessageEvent<string>) => void): void {
      this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
    }
    close(): void {
      this.abort.abort();
    }
    private async run(url: string): Promise<void> {
      try {
        const res = await fetch(url, { signal: this.abort.signal });
        if (!res.ok || !res.body) throw new Error(String(res.status));
        const decoder = new TextDecoder();
        let buffer = "";
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let i: number;
          while ((i = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, i);
            buffer = buffer.slice(i + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
            const e = { data: /^data: (.*)$/m.exec(block)?.[1] ?? "" } as MessageEvent<string>;
            if (event === "message") this.onmessage?.(e);
            for (const fn of this.listeners.get(event) ?? []) fn(e);
          }
        }
        throw new Error("ended");
      } catch {
        if (!this.abort.signal.aborted) this.onerror?.();
      }
    }
  }
  return FetchEventSource as unknown as typeof EventSource;
}

describe("wrangler dev: a fallback reader that stops reading", () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await startDevServer("wrangler");
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("is dropped once the room owes it FALLBACK_STREAM_MAX_OWED_BYTES; the room keeps only its other members", async () => {
    const room = `slow-${Date.now()}`;
    const base = `http://${server.host}/parties/whiteboard/${room}`;
    // A stream whose reader stops after the stream event: its socket is paused,
    // so the kernel buffers fill and the room's stream feels the backpressure.
    const { request } = await import("node:http");
    let received = 0;
    let ended = false;
    let sid = "";
    const req = request(`${base}/events`);
    const paused = new Promise<void>((resolve) => {
      req.on("response", (res) => {
        res.on("data", (chunk: Buffer) => {
          received += chunk.length;
          const m = /"sid":"([0-9a-f]+)"/.exec(chunk.toString());
          if (m && !sid) {
            sid = m[1]!;
            resolve();
          }
        });
        res.on("end", () => (ended = true));
        res.on("error", () => (ended = true));
        res.on("close", () => (ended = true));
      });
    });
    req.on("error", () => (ended = true));
    req.end();
    await paused;
    const post = (body: string) => fetch(`${base}/send?sid=${sid}`, { method: "POST", body });
    expect((await post(JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, schema: WHITEBOARD_SCHEMA_VERSION, clientId: "stalled", epoch: null, lastSeq: 0, name: "s", color: "#000000" }))).status).toBe(204);
    await waitFor(() => received > 200, 10_000, "the stalled reader's sync");
    (req as unknown as { socket: { pause(): void } }).socket.pause();

    // An editor rewrites large strokes: ~30 MB of changes owed to the stalled reader.
    const ws = new WebSocket(`ws://${server.host}/parties/whiteboard/${room}`);
    const acks: string[] = [];
    ws.on("message", (d) => {
      const m = JSON.parse(String(d)) as { type: string; mid?: string } | { type: string; mid?: string }[];
      for (const x of Array.isArray(m) ? m : [m]) if (x.type === "ack") acks.push(x.mid!);
    });
    await new Promise((r) => ws.once("open", r));
    ws.send(JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, schema: WHITEBOARD_SCHEMA_VERSION, clientId: "editor", epoch: null, lastSeq: 0, name: "e", color: "#000000" }));
    const stroke = (id: string, v: number) => ({ id, type: "pen", x: 0, y: 0, z: 1, color: "#000000", stroke: 2, pts: Array.from({ length: 2_500 }, (_, i) => [i + v / 10, i * 2 + 0.25, 0.5]) });
    const stats = async () => (await (await fetch(`${base}/stats`)).json()) as { connections: number };
    for (let t = 0; (await stats()).connections !== 2; t++) {
      if (t > 100) throw new Error("the editor did not join");
      await new Promise((r) => setTimeout(r, 100));
    }
    for (let round = 0; round < 3 && (await stats()).connections === 2; round++) {
      for (let i = 0; i < 50; i++) ws.send(JSON.stringify({ type: "mutate", mid: `m${round}-${i}`, ops: [0, 1, 2, 3].map((k) => ({ op: "put", rec: stroke(`p${k}`, round * 50 + i) })) }));
      await waitFor(() => acks.length === (round + 1) * 50, 60_000, "the editor's acks");
    }
    // The room let go of the stalled stream, while the editor stays.
    await expect.poll(async () => (await stats()).connections, { timeout: 10_000 }).toBe(1);
    // What the stalled reader can still read ends early, far short of what was sent.
    (req as unknown as { socket: { resume(): void } }).socket.resume();
    await waitFor(() => ended, 30_000, "the dropped stream to end");
    console.log(`slow reader on wrangler dev: dropped after ${acks.length} changes of ~200 KB; it had ${received} bytes to read`);
    expect(received).toBeLessThan(acks.length * 200_000);
    ws.close();
  }, 180_000);
});
