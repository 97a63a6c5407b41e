/**
 * The HTTP fallback for networks that break WebSocket upgrades (some corporate
 * proxies, captive portals): Server-Sent Events down, `fetch` POSTs up, behind
 * the same `RoomSocket` interface as a WebSocket, so the room core runs the
 * same protocol over it — the same messages, order, exactly-once, resync,
 * limits and rate limits. Only the carriage differs:
 *
 * - `GET  /parties/<party>/<room>/events` opens a stream (`text/event-stream`).
 *   Its first event, `stream`, names the stream (`sid`, 128 random bits: the
 *   capability to post into it). Each room frame is one `data:` event. When
 *   the room closes the connection, a `close` event carries the code and
 *   reason, and the stream ends.
 * - `POST /parties/<party>/<room>/send?sid=<sid>` carries client frames, one
 *   per line (JSON never holds a raw newline), handled in order as if they had
 *   come over a socket. 204 when all were handed to the room; 404 when the
 *   stream is gone (the client reopens); 413 / 429 when over the bounds below.
 *
 * Why SSE + POST, not long-polling: one open response carries every room frame
 * as it happens (cursor frames at 20 Hz would be a poll per frame), order is
 * the stream's order, and EventSource is in every browser. The cost: an open
 * response keeps the Durable Object awake — no hibernation while a fallback
 * stream is open — so streams are capped per room and per identity and live
 * at most FALLBACK_STREAM_MAX_MS (docs/SECURITY.md §3.9).
 *
 * A stream's queue is bounded (FALLBACK_STREAM_MAX_OWED_BYTES behind the frame
 * its reader is on): a reader that stops reading is dropped, never paid for.
 *
 * Streams live in memory: a stream is an open response of this instance, so
 * there is nothing to keep across a hibernation (there is none while it is
 * open) or an eviction (which ends the response; the client reopens).
 */
import {
  FALLBACK_POSTS_BURST,
  FALLBACK_POSTS_PER_SEC,
  FALLBACK_STREAM_MAX_MS,
  FALLBACK_STREAM_MAX_OWED_BYTES,
  FALLBACK_TICKET_TTL_MS,
  MAX_FALLBACK_TICKETS,
  MAX_FALLBACK_STREAMS_PER_IDENTITY,
  MAX_FALLBACK_STREAMS_PER_ROOM,
  MAX_FRAMES_PER_POST,
  MAX_POST_BYTES,
} from "../shared/limits.ts";
import { ErrorCode, type RecordBase } from "../shared/protocol.ts";
import { TokenBucket } from "./ratelimit.ts";
import type { Access } from "./auth.ts";
import type { ConnState, Room, RoomSocket } from "./room.ts";

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/** Close code and reason for a stream that reached FALLBACK_STREAM_MAX_MS. */
const DURATION_CLOSE = { code: 1001, reason: "stream duration" };

const encoder = new TextEncoder();

/** 16 random bytes, URL-safe. */
function streamId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The stream's queue is measured in bytes against this mark, so its
 * `desiredSize` tells how many bytes wait for the reader (mark − desiredSize). */
const QUEUE_MARK = FALLBACK_STREAM_MAX_OWED_BYTES;
export const streamQueuingStrategy: QueuingStrategy<Uint8Array> = { highWaterMark: QUEUE_MARK, size: (chunk) => chunk.byteLength };

/** Why a stream ended, for the log: the client left, the room closed it, or
 * its reader fell more than FALLBACK_STREAM_MAX_OWED_BYTES behind. */
export type StreamEnd = "gone" | "closed" | "slow_reader";

class StreamSocket implements RoomSocket {
  readonly sid = streamId();
  readonly ident: string | null;
  readonly posts: TokenBucket;
  private state: ConnState | null = null;
  private ended = false;
  private readonly controller: ReadableStreamDefaultController<Uint8Array>;
  private readonly onEnd: (why: StreamEnd) => void;
  /** Sizes of the chunks enqueued and maybe not yet read, oldest first: the
   * queue holds a suffix of them (the reader takes whole chunks). */
  private readonly sizes: number[] = [];
  private sizesSum = 0;

  constructor(controller: ReadableStreamDefaultController<Uint8Array>, ident: string | null, now: number, onEnd: (why: StreamEnd) => void) {
    this.controller = controller;
    this.ident = ident;
    this.posts = new TokenBucket(FALLBACK_POSTS_PER_SEC, FALLBACK_POSTS_BURST, now);
    this.onEnd = onEnd;
  }
  get open(): boolean {
    return !this.ended;
  }
  /** Bytes queued for the reader behind the chunk it is reading (a snapshot
   * may be bigger than the bound by itself; what matters is what piles up
   * after it). */
  private owedBehindHead(): number {
    const queued = QUEUE_MARK - (this.controller.desiredSize ?? QUEUE_MARK);
    // Chunks the reader has taken leave the front of `sizes`.
    while (this.sizes.length > 0 && this.sizesSum - this.sizes[0]! >= queued) this.sizesSum -= this.sizes.shift()!;
    return this.sizes.length > 0 ? queued - this.sizes[0]! : 0;
  }
  write(event: string | null, data: string): void {
    if (this.ended) return;
    const chunk = encoder.encode(`${event ? `event: ${event}\n` : ""}data: ${data}\n\n`);
    if (this.owedBehindHead() + chunk.byteLength > FALLBACK_STREAM_MAX_OWED_BYTES && this.sizes.length > 0) {
      // A reader this far behind gets nothing more: erroring the stream drops
      // its queue at once (a close event would wait behind it). The client
      // sees the stream fail, reopens, and its hello resyncs from the last seq
      // it applied — by delta or snapshot, nothing lost, nothing twice.
      try {
        this.controller.error(new Error("slow reader"));
      } catch {
        // already errored or closed
      }
      return this.end("slow_reader");
    }
    try {
      this.controller.enqueue(chunk);
      this.sizes.push(chunk.byteLength);
      this.sizesSum += chunk.byteLength;
    } catch {
      this.end("gone"); // the client went away
    }
  }
  send(frame: string): void {
    this.write(null, frame);
  }
  close(code: number, reason: string): void {
    this.write("close", JSON.stringify({ code, reason }));
    try {
      this.controller.close();
    } catch {
      // already cancelled by the client
    }
    this.end("closed");
  }
  /** The stream is over (closed here, cancelled by the client, or dropped for
   * a slow reader): once. */
  end(why: StreamEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd(why);
  }
  getState(): ConnState | null {
    return this.state;
  }
  setState(state: ConnState): void {
    this.state = state;
  }
}

function refusal(status: number, code: ErrorCode, message: string): Response {
  return Response.json({ code, message }, { status });
}

/** What the edge decided about a request's token (headers.ts `verdictOf`). */
type Verdict = { role: "editor" | "viewer"; subject: string | null; expiresAt?: number };

/** The fallback streams of one Durable Object instance (one room). */
export class FallbackStreams {
  private readonly streams = new Map<string, StreamSocket>();
  /** Unredeemed stream tickets: id → the token's verdict and when it lapses.
   * In memory: a ticket lives 30 s, and one lost to an eviction is simply
   * refused (the client asks for another). */
  private readonly tickets = new Map<string, { verdict: Verdict; expiresAt: number }>();

  /** POST …/ticket (the Worker checked the token): a ticket id, good once for
   * FALLBACK_TICKET_TTL_MS; the Worker signs it into the ticket it hands out. */
  issueTicket(verdict: Verdict, now: number): Response {
    for (const [id, t] of this.tickets) if (t.expiresAt <= now) this.tickets.delete(id);
    if (this.tickets.size >= MAX_FALLBACK_TICKETS) return refusal(429, ErrorCode.RATE_LIMITED, `at most ${MAX_FALLBACK_TICKETS} unused tickets per room; retry shortly`);
    const id = streamId();
    this.tickets.set(id, { verdict, expiresAt: now + FALLBACK_TICKET_TTL_MS });
    return Response.json({ id });
  }

  /** The verdict a ticket stands for, once; null when unknown, used or lapsed. */
  redeem(id: string, now: number): Verdict | null {
    const t = this.tickets.get(id);
    this.tickets.delete(id);
    return t && t.expiresAt > now ? t.verdict : null;
  }
  /** The room these streams belong to (an alarm carries no request). */
  roomId: string | null = null;

  /** Open streams, for the room's broadcasts and sweeps. */
  *sockets(): Iterable<RoomSocket> {
    for (const s of this.streams.values()) if (s.open) yield s;
  }

  get size(): number {
    return this.streams.size;
  }

  /** GET …/events: a new stream, connected to the room like an accepted socket. */
  open<R extends RecordBase>(room: Room<R>, roomId: string, access: Access, ip: string | null, now: number, broadcasts = false): Response {
    if (this.streams.size >= MAX_FALLBACK_STREAMS_PER_ROOM) {
      return refusal(503, ErrorCode.ROOM_FULL, `room holds ${MAX_FALLBACK_STREAMS_PER_ROOM} fallback streams; retry later or allow WebSockets`);
    }
    // The identity as the room counts connections: the token's subject, else a
    // non-loopback client address (loopback: every local test client is one).
    const ident = access.ok && access.subject ? `s:${access.subject.slice(0, 64)}` : ip && !LOOPBACK.test(ip) ? `i:${ip.slice(0, 64)}` : null;
    if (ident !== null && [...this.streams.values()].filter((s) => s.ident === ident).length >= MAX_FALLBACK_STREAMS_PER_IDENTITY) {
      return refusal(429, ErrorCode.TOO_MANY_CONNECTIONS, `you hold ${MAX_FALLBACK_STREAMS_PER_IDENTITY} fallback streams to this room; close one`);
    }
    this.roomId = roomId;
    let socket!: StreamSocket;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        socket = new StreamSocket(controller, ident, now, (why) => {
          this.streams.delete(socket.sid);
          if (timer !== undefined) clearTimeout(timer);
          if (why === "slow_reader") console.log(JSON.stringify({ level: "warn", event: "slow_reader", room: roomId, detail: `over ${FALLBACK_STREAM_MAX_OWED_BYTES} bytes owed` }));
          void room.close(socket);
        });
      },
      cancel: () => socket.end("gone"),
    }, streamQueuingStrategy);
    this.streams.set(socket.sid, socket);
    socket.write("stream", JSON.stringify({ sid: socket.sid, maxMs: FALLBACK_STREAM_MAX_MS }));
    // The room's own sweep ends a silent stream; this ends a busy one.
    timer = setTimeout(() => socket.close(DURATION_CLOSE.code, DURATION_CLOSE.reason), FALLBACK_STREAM_MAX_MS);
    void room.connect(socket, access, { ip, broadcasts });
    return new Response(body, {
      headers: {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-cache, no-transform",
        // Proxies that buffer responses (nginx) would hold every frame back.
        "X-Accel-Buffering": "no",
      },
    });
  }

  /** POST …/send?sid=: the frames, in order, as the room would take them from
   * a socket, with the role of the token this POST presented. */
  async post<R extends RecordBase>(room: Room<R>, request: Request, verdict: Verdict, now: number): Promise<Response> {
    const sid = new URL(request.url).searchParams.get("sid") ?? "";
    const socket = this.streams.get(sid);
    if (!socket?.open) return refusal(404, ErrorCode.BAD_MESSAGE, "no such stream; open a new one");
    const st = socket.getState();
    if (st) {
      // A stream is its opener's: another subject's token does not post into it.
      if ((st.sub ?? null) !== (verdict.subject?.slice(0, 64) ?? null)) return refusal(403, ErrorCode.FORBIDDEN, "this stream was opened with another identity's token");
      // The role (and expiry) follow the token presented: a token minted
      // since with less (or more) access counts from this POST on.
      if (st.role !== verdict.role || (verdict.expiresAt !== undefined && st.exp !== verdict.expiresAt)) {
        socket.setState({ ...st, role: verdict.role, ...(verdict.expiresAt !== undefined ? { exp: verdict.expiresAt } : {}) });
      }
    }
    if (!socket.posts.take(now)) return refusal(429, ErrorCode.RATE_LIMITED, `at most ${FALLBACK_POSTS_PER_SEC} posts per second per stream`);
    const declared = Number(request.headers.get("Content-Length") ?? 0);
    if (declared > MAX_POST_BYTES) return refusal(413, ErrorCode.TOO_LARGE, `a post carries at most ${MAX_POST_BYTES} bytes`);
    const text = await request.text();
    if (text.length > MAX_POST_BYTES) return refusal(413, ErrorCode.TOO_LARGE, `a post carries at most ${MAX_POST_BYTES} bytes`);
    const frames = text.split("\n").filter((f) => f.length > 0);
    if (frames.length > MAX_FRAMES_PER_POST) return refusal(413, ErrorCode.TOO_LARGE, `a post carries at most ${MAX_FRAMES_PER_POST} frames`);
    // Queued in order; each goes through the room's parser, limits and policy.
    for (const f of frames) void room.message(socket, f);
    await room.settled();
    return new Response(null, { status: 204 });
  }
}
