/**
 * The HTTP fallback transport (the room's side: party/engine/fallback.ts):
 * an EventSource brings the room's frames, `fetch` POSTs carry ours. It is a
 * Transport like partysocket — open, message, close; backoff and a fresh
 * token per attempt — so the room client runs the same protocol over it.
 *
 * Tokens never ride in a URL here (proxies log URLs): POSTs carry
 * `Authorization: Bearer <token>`, and the stream — an EventSource cannot set
 * headers — is opened with a single-use ticket the room gives for the token
 * (`POST …/ticket`), good for FALLBACK_TICKET_TTL_MS.
 *
 * Order: frames go out in the order they were sent, one POST in flight at a
 * time (a batch of what queued meanwhile, at most MAX_FRAMES_PER_POST), so the
 * room handles them in order as over a socket. A POST that fails ends the
 * stream: what it carried may or may not have arrived, and the client's
 * reconnect (hello, sync, resend by mutation id) settles exactly that.
 */
import { MAX_FRAMES_PER_POST, MAX_POST_BYTES } from "../../party/shared/limits.ts";
import { CloseCode, ErrorCode, isTerminalClose } from "../../party/shared/protocol.ts";
import { MAX_RECONNECT_DELAY_MS, MIN_RECONNECT_DELAY_MS, type PartySocketOptions, type Transport, type TransportFactory } from "./connection.ts";

/** A 429 (too many POSTs) is retried after this pause, the frames kept in order. */
const POST_RETRY_MS = 1_000;

/** The room's `close` event for a stream that ran FALLBACK_STREAM_MAX_MS: reopened at once. */
const DURATION_REASON = "stream duration";

export interface SseTransportOptions extends Omit<PartySocketOptions, "WebSocket"> {
  /** EventSource implementation; defaults to the global one. */
  EventSource?: typeof EventSource;
  fetch?: typeof fetch;
}

/** The room's URL over HTTP: `http[s]://<host>/parties/<party>/<room>`. */
export function roomHttpBase(options: Pick<PartySocketOptions, "host" | "party" | "room" | "protocol">): string {
  const local = /^(localhost|127\.0\.0\.1|\[::1\])(:|$)/.test(options.host);
  const secure = (options.protocol ?? (local ? "ws" : "wss")) === "wss";
  return `${secure ? "https" : "http"}://${options.host}/parties/${options.party}/${encodeURIComponent(options.room)}`;
}

export function sseTransport(options: SseTransportOptions): TransportFactory {
  return (handlers): Transport => {
    const ES = options.EventSource ?? globalThis.EventSource;
    const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    const base = roomHttpBase(options);
    const minDelay = options.minReconnectDelayMs ?? MIN_RECONNECT_DELAY_MS;
    const maxDelay = options.maxReconnectDelayMs ?? MAX_RECONNECT_DELAY_MS;
    let source: EventSource | null = null;
    /** The open stream's id (the capability to post into it), the query it was
     * opened with (without the token), and the token its POSTs carry. */
    let sid: string | null = null;
    let query = "";
    let token: string | null = null;
    let failures = 0;
    let closedForGood = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let queue: string[] = [];
    let posting = false;

    const connect = async () => {
      timer = null;
      const { token: fresh, ...q } = options.query ? await options.query() : {};
      if (closedForGood) return;
      token = fresh ?? null;
      query = new URLSearchParams(q).toString();
      const params = new URLSearchParams(q);
      if (token !== null) {
        const ticket = await ticketFor(token);
        if (closedForGood || ticket === undefined) return;
        if (ticket !== null) params.set("ticket", ticket);
      }
      const qs = params.toString();
      const es = new ES(`${base}/events${qs ? `?${qs}` : ""}`);
      source = es;
      es.addEventListener("stream", (e) => {
        if (es !== source) return;
        sid = (JSON.parse((e as MessageEvent<string>).data) as { sid: string }).sid;
        failures = 0;
        handlers.open();
      });
      es.onmessage = (e: MessageEvent<string>) => {
        if (es === source) handlers.message(e.data);
      };
      es.addEventListener("close", (e) => {
        const { code, reason } = JSON.parse((e as MessageEvent<string>).data) as { code: number; reason: string };
        if (es === source) lost(code, reason);
      });
      // EventSource would reconnect by itself, without our backoff or a fresh token.
      es.onerror = () => {
        if (es === source) lost(1006, "stream failed");
      };
    };

    /** Trade the token for a stream ticket: the ticket, null when the room
     * needs none, or undefined when refused (the refusal is reported as a
     * close: terminal for a bad token, retried for an expired one or a fault). */
    const ticketFor = async (tok: string): Promise<string | null | undefined> => {
      try {
        const res = await doFetch(`${base}/ticket`, { method: "POST", headers: { Authorization: `Bearer ${tok}` }, cache: "no-store" });
        const body = (await res.json().catch(() => ({}))) as { ticket?: string | null; code?: string; message?: string };
        if (res.ok) return body.ticket ?? null;
        refused(res.status, body.code, body.message ?? `ticket refused (${res.status})`);
      } catch {
        failed(1006, "ticket request failed");
      }
      return undefined;
    };

    /** A refusal before any stream opened: the close a socket would have had. */
    const failed = (code: number, reason: string) => {
      handlers.close(code, reason);
      if (!closedForGood && !isTerminalClose(code)) schedule(false);
    };
    const refused = (status: number, code: string | undefined, message: string) => {
      if (code === ErrorCode.TOKEN_EXPIRED) return failed(CloseCode.TOKEN_EXPIRED, message);
      if (status === 401 || status === 403) return failed(CloseCode.UNAUTHORIZED, message);
      failed(1006, message);
    };

    const schedule = (immediate: boolean) => {
      if (closedForGood || timer !== null) return;
      const delay = immediate ? 0 : Math.min(maxDelay, minDelay * 1.5 ** failures) + Math.random() * minDelay;
      failures++;
      timer = setTimeout(() => void connect(), delay);
    };

    const lost = (code: number, reason: string) => {
      source?.close();
      source = null;
      sid = null;
      queue = [];
      handlers.close(code, reason);
      if (!closedForGood && !isTerminalClose(code)) schedule(reason === DURATION_REASON);
    };

    const flush = () => {
      if (posting || sid === null || queue.length === 0) return;
      const batch: string[] = [];
      let bytes = 0;
      while (queue.length && batch.length < MAX_FRAMES_PER_POST && bytes + queue[0]!.length + 1 <= MAX_POST_BYTES) {
        bytes += queue[0]!.length + 1;
        batch.push(queue.shift()!);
      }
      if (!batch.length) batch.push(queue.shift()!); // one oversize frame: the room refuses it, typed
      posting = true;
      const mySid = sid;
      const params = new URLSearchParams(query);
      params.set("sid", mySid);
      const headers: Record<string, string> = { "Content-Type": "text/plain;charset=utf-8" };
      if (token !== null) headers.Authorization = `Bearer ${token}`;
      doFetch(`${base}/send?${params}`, { method: "POST", body: batch.join("\n"), headers })
        .then((res) => {
          posting = false;
          if (sid !== mySid) return;
          if (res.status === 429) {
            queue.unshift(...batch);
            posting = true;
            setTimeout(() => {
              posting = false;
              flush();
            }, POST_RETRY_MS);
            return;
          }
          if (res.status === 401) {
            // The token ran out (or was revoked) mid-stream: reconnect, which
            // asks getToken again; a bad one ends the session.
            void res.json().then(
              (b: { code?: string }) => lost(b.code === ErrorCode.TOKEN_EXPIRED ? CloseCode.TOKEN_EXPIRED : CloseCode.UNAUTHORIZED, "post refused (401)"),
              () => lost(1006, "post refused (401)"),
            );
            return;
          }
          if (!res.ok) return lost(1006, `post refused (${res.status})`);
          flush();
        })
        .catch(() => {
          posting = false;
          if (sid === mySid) lost(1006, "post failed");
        });
    };

    void connect();
    return {
      kind: "sse" as const,
      get isOpen() {
        return sid !== null;
      },
      send: (frame) => {
        if (sid === null) return;
        queue.push(frame);
        flush();
      },
      // Like partysocket: a closed transport connects again on reconnect().
      reconnect: () => {
        closedForGood = false;
        if (source) lost(1000, "reconnect");
        else if (timer === null) schedule(true);
      },
      close: (code = 1000, reason = "") => {
        closedForGood = true;
        if (timer !== null) clearTimeout(timer);
        timer = null;
        if (source) lost(code, reason); // reports the close, schedules nothing
      },
    };
  };
}
