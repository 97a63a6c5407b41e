/**
 * The HTTP fallback (party/engine/fallback.ts) in workerd, through the
 * Worker: the room's protocol over an SSE stream and POSTs — the same room,
 * seen by a WebSocket client — and the bounds that keep its cost stated
 * (docs/SECURITY.md §3.9): streams per room and per identity, POST size,
 * frames and rate, unknown streams, and a closed stream leaving the room.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  FALLBACK_POSTS_BURST,
  FALLBACK_STREAM_MAX_OWED_BYTES,
  MAX_FALLBACK_STREAMS_PER_IDENTITY,
  MAX_FALLBACK_STREAMS_PER_ROOM,
  MAX_FRAMES_PER_POST,
  MAX_POST_BYTES,
} from "../../party/shared/limits.ts";
import { ErrorCode, PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import { withClockHeld } from "./held-clock.ts";
import { bigCard, card, joinRoom, openSocket, type TestClient } from "./socket.ts";

const BASE = "http://edgeroom.test/parties/cards";

interface Stream {
  sid: string;
  events: { event: string; data: string }[];
  next(pred: (e: { event: string; data: string }) => boolean, timeoutMs?: number): Promise<{ event: string; data: string }>;
  post(body: string): Promise<Response>;
  cancel(): Promise<void>;
}

async function openStream(room: string, headers: Record<string, string> = {}): Promise<Stream> {
  const res = await exports.default.fetch(`${BASE}/${room}/events`, { headers });
  if (res.status !== 200) throw Object.assign(new Error(`HTTP ${res.status}`), { res });
  expect(res.headers.get("Content-Type")).toContain("text/event-stream");
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: { event: string; data: string }[] = [];
  let buffer = "";
  let done = false;
  void (async () => {
    for (;;) {
      const r = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (r.done) return void (done = true);
      buffer += decoder.decode(r.value, { stream: true });
      let i: number;
      while ((i = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
        const data = /^data: (.*)$/m.exec(block)?.[1] ?? "";
        events.push({ event, data });
      }
    }
  })();
  const stream: Stream = {
    sid: "",
    events,
    async next(pred, timeoutMs = 5_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(pred);
        if (found) return found;
        if (done || Date.now() > end) throw new Error(`not seen; got ${events.map((e) => e.event + ":" + e.data.slice(0, 40)).join(" | ")}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    post: (body) => exports.default.fetch(`${BASE}/${room}/send?sid=${stream.sid}`, { method: "POST", body }),
    cancel: () => reader.cancel(),
  };
  stream.sid = (JSON.parse((await stream.next((e) => e.event === "stream")).data) as { sid: string }).sid;
  return stream;
}

const hello = (clientId: string) => JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, clientId, epoch: null, lastSeq: 0, name: "Fallback", color: "#123456" });
const msgOf = (type: string) => (e: { event: string; data: string }) => e.event === "message" && (JSON.parse(e.data) as { type: string }).type === type;


/** Send `n` frames and wait for their `n` acks. */
async function sendAll(c: TestClient, n: number, frame: (i: number) => unknown): Promise<void> {
  const mark = c.inbox.length;
  for (let i = 0; i < n; i++) c.send(frame(i));
  const deadline = Date.now() + 30_000;
  while (c.inbox.slice(mark).filter((m) => m.type === "ack").length < n) {
    if (Date.now() > deadline || c.closed) throw new Error(`only ${c.inbox.slice(mark).filter((m) => m.type === "ack").length}/${n} acks`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function connections(room: string): Promise<number> {
  return ((await (await exports.default.fetch(`${BASE}/${room}/stats`)).json()) as { connections: number }).connections;
}

describe("the HTTP fallback", () => {
  it("speaks the room's protocol: hello, sync, mutate, ack; a WebSocket client sees the change", async () => {
    const room = "fb-protocol";
    const ws = await openSocket(`/parties/cards/${room}`);
    ws.send({ type: "hello", v: PROTOCOL_VERSION, clientId: "wsclient", epoch: null, lastSeq: 0, name: "Socket", color: "#654321" });
    await ws.next("sync");
    const s = await openStream(room);
    expect((await s.post(hello("sseclient"))).status).toBe(204);
    await s.next(msgOf("welcome"));
    await s.next(msgOf("sync"));
    // Two frames in one POST, handled in order.
    const res = await s.post([JSON.stringify({ type: "mutate", mid: "m1", ops: [{ op: "put", rec: card("a") }] }), JSON.stringify({ type: "mutate", mid: "m1", ops: [{ op: "put", rec: card("a") }] })].join("\n"));
    expect(res.status).toBe(204);
    const acks = async () => s.events.filter(msgOf("ack")).map((e) => JSON.parse(e.data) as { mid: string; seq: number; dup?: true });
    // Both answers, then exactly these two.
    await expect.poll(async () => (await acks()).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect(await acks()).toEqual([{ type: "ack", mid: "m1", seq: 1 }, { type: "ack", mid: "m1", seq: 1, dup: true }]);
    const change = await ws.next("change");
    expect(change).toMatchObject({ seq: 1, mid: "m1" });
    expect(await connections(room)).toBe(2);
    // A stream the client closes leaves the room like a closed socket.
    await s.cancel();
    await ws.next("leave");
    expect(await connections(room)).toBe(1);
    ws.ws.close();
  });

  it("caps streams per room and per identity", async () => {
    const room = "fb-caps";
    const streams: Stream[] = [];
    for (let i = 0; i < MAX_FALLBACK_STREAMS_PER_ROOM; i++) streams.push(await openStream(room));
    const full = await exports.default.fetch(`${BASE}/${room}/events`);
    expect(full.status).toBe(503);
    expect(((await full.json()) as { code: string }).code).toBe(ErrorCode.ROOM_FULL);
    for (const s of streams) await s.cancel();

    const other = "fb-caps-ident";
    const mine: Stream[] = [];
    for (let i = 0; i < MAX_FALLBACK_STREAMS_PER_IDENTITY; i++) mine.push(await openStream(other, { "CF-Connecting-IP": "203.0.113.7" }));
    const more = await exports.default.fetch(`${BASE}/${other}/events`, { headers: { "CF-Connecting-IP": "203.0.113.7" } });
    expect(more.status).toBe(429);
    expect(((await more.json()) as { code: string }).code).toBe(ErrorCode.TOO_MANY_CONNECTIONS);
    // Someone else still gets in.
    const stranger = await openStream(other, { "CF-Connecting-IP": "198.51.100.9" });
    for (const s of [...mine, stranger]) await s.cancel();
  });

  it("bounds posts: size, frames, rate, and only into a live stream", async () => {
    const room = "fb-posts";
    const s = await openStream(room);
    expect((await s.post(hello("poster"))).status).toBe(204);
    await s.next(msgOf("sync"));
    expect((await s.post("x".repeat(MAX_POST_BYTES + 1))).status).toBe(413);
    expect((await s.post(Array.from({ length: MAX_FRAMES_PER_POST + 1 }, () => '{"type":"ping"}').join("\n"))).status).toBe(413);
    const unknown = await exports.default.fetch(`${BASE}/${room}/send?sid=0123456789abcdef0123456789abcdef`, { method: "POST", body: '{"type":"ping"}' });
    expect(unknown.status).toBe(404);
    // A burst of posts at once, the room's clock held (its bucket refills by
    // nothing): at most the bucket's burst gets through, the rest are 429 —
    // on any machine, however long the posts take.
    const n = 120;
    const statuses = await withClockHeld(() => Promise.all(Array.from({ length: n }, async () => (await s.post('{"type":"ping"}')).status)));
    const accepted = statuses.filter((x) => x === 204).length;
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThanOrEqual(FALLBACK_POSTS_BURST);
    expect(statuses.filter((x) => x === 429).length).toBeGreaterThanOrEqual(n - FALLBACK_POSTS_BURST);
    expect(statuses.every((x) => x === 204 || x === 429)).toBe(true);
    await s.cancel();
    // The stream is gone: once the cancel has reached the room, posting into it is refused.
    await expect.poll(async () => (await s.post('{"type":"ping"}')).status, { timeout: 10_000 }).toBe(404);
  });

  it("drops a stream whose reader stops reading once FALLBACK_STREAM_MAX_OWED_BYTES wait behind its frame; it comes back by resync", async () => {
    const room = "fb-slow-reader";
    const editor = await joinRoom(room, "editor");
    // A stream read only until its sync, then never again (a stalled tab).
    const res = await exports.default.fetch(`${BASE}/${room}/events`);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) text += decoder.decode((await reader.read()).value, { stream: true });
    };
    await readUntil("event: stream");
    const sid = (JSON.parse(/data: (.*)/.exec(text)![1]!) as { sid: string }).sid;
    const post = (body: string) => exports.default.fetch(`${BASE}/${room}/send?sid=${sid}`, { method: "POST", body });
    expect((await post(hello("stalled"))).status).toBe(204);
    await readUntil('"type":"sync"');
    expect(await connections(room)).toBe(2);

    // The editor rewrites four cards of ~50 KB, 50 times: ~10 MB of change
    // frames owed to the stalled reader.
    await sendAll(editor, 50, (i) => ({ type: "mutate", mid: `big-${i}`, ops: [0, 1, 2, 3].map((k) => ({ op: "put", rec: bigCard(`p${k}`, 50, i) })) }));
    const head = editor.of("ack").at(-1)!.seq;
    // The room let go of it: one connection left, and what the stalled reader
    // can still read ends early (its queue was dropped), far short of 10 MB.
    const deadline = Date.now() + 10_000;
    while ((await connections(room)) !== 1) {
      if (Date.now() > deadline) throw new Error("the stalled stream is still in the room");
      await new Promise((r) => setTimeout(r, 50));
    }
    let owed = 0;
    for (;;) {
      const r = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (r.done) break;
      owed += r.value.byteLength;
      text += decoder.decode(r.value, { stream: true });
    }
    expect(owed).toBeLessThan(FALLBACK_STREAM_MAX_OWED_BYTES + 1_024 * 1_024);

    // The client reopens and says what it applied (its sync and the changes
    // that arrived whole): the room resyncs it to the head, each change once.
    const got = [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!) as { type: string; seq?: number; epoch?: string });
    const epoch = got.find((m) => m.type === "sync")!.epoch!;
    const lastSeq = Math.max(...got.filter((m) => m.type === "sync" || m.type === "change").map((m) => m.seq!));
    expect(lastSeq).toBeLessThan(head);
    const again = await openStream(room);
    expect((await again.post(JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, clientId: "stalled", epoch, lastSeq, name: "Fallback", color: "#123456" }))).status).toBe(204);
    const sync = JSON.parse((await again.next(msgOf("sync"), 10_000)).data) as { mode: string; seq: number; changes?: { seq: number }[] };
    expect(sync.seq).toBe(head);
    if (sync.mode === "delta") expect(sync.changes!.map((c) => c.seq)).toEqual(Array.from({ length: head - lastSeq }, (_, i) => lastSeq + 1 + i));
    await again.cancel();
    editor.ws.close();
  }, 60_000);

  it("answers the upgrade probe itself with one pong, and refuses other methods", async () => {
    const probe = await exports.default.fetch(`${BASE}/fb-probe/probe`, { headers: { Upgrade: "websocket" } });
    const ws = probe.webSocket!;
    ws.accept();
    const got = await new Promise<string>((resolve) => ws.addEventListener("message", (e) => resolve(String(e.data))));
    expect(got).toBe('{"type":"pong"}');
    expect((await exports.default.fetch(`${BASE}/fb-probe/events`, { method: "POST" })).status).toBe(405);
    expect((await exports.default.fetch(`${BASE}/fb-probe/send`)).status).toBe(405);
  });
});
