/**
 * WebSocket first, HTTP when WebSockets cannot get through. Some corporate
 * proxies and captive networks break the upgrade while plain HTTP works; a
 * client that only retried would show "Reconnecting (attempt 37)" forever.
 *
 * After FALLBACK_AFTER_FAILURES WebSocket sessions in a row that brought no
 * frame — the upgrade failed, or a proxy completed it and then passed
 * nothing — and a plain HTTP request that does get through, this transport
 * switches to the SSE + POST transport
 * (sse-transport.ts), through the same room and protocol. While on it, it
 * probes every UPGRADE_PROBE_MS whether a WebSocket gets through again — a
 * socket to `…/probe`, on which the Worker sends one `pong` and closes,
 * without waking the room — and when a frame gets through, it switches back. Each switch looks to the room
 * client like a dropped connection followed by a new one: hello, sync, resend
 * of the pending edits, which the room applies once by mutation id.
 */
import { isTerminalClose } from "../../party/shared/protocol.ts";
import { type PartySocketOptions, partySocketTransport, type Transport, type TransportFactory, type TransportHandlers, type TransportKind } from "./connection.ts";
import { sseTransport } from "./sse-transport.ts";

/** Failed WebSocket sessions in a row (no frame came) before falling back: two,
 * so one unlucky attempt (a server restart) does not leave WebSockets. */
export const FALLBACK_AFTER_FAILURES = 2;
/** How often a client on the fallback tries a WebSocket again. */
export const UPGRADE_PROBE_MS = 30_000;
/** A probe that has not opened by then counts as refused. */
const PROBE_TIMEOUT_MS = 5_000;

export interface FallbackTransportOptions extends PartySocketOptions {
  /** Replaces the probe (tests); resolves true when a WebSocket got through. */
  probe?: () => Promise<boolean>;
  /** Replaces the HTTP check (tests); resolves true when plain HTTP reaches the Worker. */
  httpReachable?: () => Promise<boolean>;
}

/** Does plain HTTP reach the Worker? Any answer counts (the probe path
 * answers a request without an upgrade with an error status, waking no room);
 * only a network error says no. Without it, a network that is simply down —
 * where nothing gets through, WebSockets or not — would look like one that
 * blocks WebSockets, and the client would leave them for nothing. */
function httpReachable(options: PartySocketOptions): Promise<boolean> {
  const local = /^(localhost|127\.0\.0\.1|\[::1\])(:|$)/.test(options.host);
  const ws = options.protocol ?? (local ? "ws" : "wss");
  const url = `${ws === "ws" ? "http" : "https"}://${options.host}/parties/${options.party}/${encodeURIComponent(options.room)}/probe`;
  return fetch(url, { cache: "no-store" }).then(
    () => true,
    () => false,
  );
}

/** Does a frame come through a WebSocket to the room's probe path? */
function probeWebSocket(options: PartySocketOptions): Promise<boolean> {
  const WS = (options.WebSocket as typeof WebSocket | undefined) ?? globalThis.WebSocket;
  const local = /^(localhost|127\.0\.0\.1|\[::1\])(:|$)/.test(options.host);
  const scheme = options.protocol ?? (local ? "ws" : "wss");
  return new Promise((resolve) => {
    let ws: WebSocket;
    try {
      ws = new WS(`${scheme}://${options.host}/parties/${options.party}/${encodeURIComponent(options.room)}/probe`);
    } catch {
      return resolve(false);
    }
    const done = (ok: boolean) => {
      clearTimeout(timer);
      ws.onmessage = ws.onerror = ws.onclose = null;
      try {
        ws.close();
      } catch {
        // never opened
      }
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), PROBE_TIMEOUT_MS);
    ws.onmessage = () => done(true);
    ws.onerror = () => done(false);
    ws.onclose = () => done(false);
  });
}

/** partysocket, falling back to SSE + POST (and back) as above. Needs
 * EventSource and fetch; where there is no EventSource (Node) it is plain
 * partysocket. */
export function fallbackTransport(options: FallbackTransportOptions): TransportFactory {
  const ws = partySocketTransport(options);
  if (typeof globalThis.EventSource === "undefined") return ws;
  const sse = sseTransport(options);
  const probe = options.probe ?? (() => probeWebSocket(options));
  const http = options.httpReachable ?? (() => httpReachable(options));
  return (handlers): Transport => {
    let kind: TransportKind = "websocket";
    let current: Transport;
    let failures = 0;
    /** Closed by the caller (until a reconnect): no probing meanwhile. */
    let closedForGood = false;
    let probeTimer: ReturnType<typeof setTimeout> | null = null;

    /** Handlers for one inner transport: events of a replaced one are ignored. */
    const handlersFor = (k: TransportKind): TransportHandlers => {
      /** A frame came in this session: the transport works. */
      let heard = false;
      // Events of a replaced transport are ignored; a closed one still reports
      // its close (callers such as the online-aware wrapper close and later
      // reconnect, as partysocket allows).
      const mine = () => k === kind;
      return {
        open: () => {
          if (mine()) handlers.open();
        },
        message: (data) => {
          if (!mine()) return;
          if (!heard && k === "websocket") failures = 0;
          heard = true;
          handlers.message(data);
        },
        close: (code, reason) => {
          if (!mine()) return;
          const worked = heard;
          heard = false;
          handlers.close(code, reason);
          if (k !== "websocket" || worked || isTerminalClose(code) || closedForGood) return;
          if (++failures < FALLBACK_AFTER_FAILURES) return;
          // Only when HTTP gets through where WebSockets do not; otherwise the
          // network is down, and WebSockets stay (the next failure asks again).
          void http().then((ok) => {
            if (closedForGood || kind !== "websocket" || failures < FALLBACK_AFTER_FAILURES) return;
            if (ok) switchTo("sse");
            else failures = FALLBACK_AFTER_FAILURES - 1;
          });
        },
      };
    };

    const switchTo = (k: TransportKind) => {
      const was = current;
      const wasOpen = was.isOpen;
      kind = k; // from here, events of `was` are ignored
      was.close(1000, "transport switch");
      // The room client must see the old session end before the new one opens.
      if (wasOpen) handlers.close(1000, "transport switch");
      failures = 0;
      current = (k === "sse" ? sse : ws)(handlersFor(k));
      if (k === "sse") scheduleProbe();
    };

    const scheduleProbe = () => {
      if (probeTimer !== null || closedForGood) return;
      probeTimer = setTimeout(() => {
        probeTimer = null;
        if (closedForGood || kind !== "sse") return;
        void probe().then((ok) => {
          if (closedForGood || kind !== "sse") return;
          if (ok) switchTo("websocket");
          else scheduleProbe();
        });
      }, UPGRADE_PROBE_MS);
    };

    current = ws(handlersFor("websocket"));
    return {
      get kind() {
        return kind;
      },
      get isOpen() {
        return current.isOpen;
      },
      send: (frame) => current.send(frame),
      reconnect: () => {
        closedForGood = false;
        current.reconnect();
        if (kind === "sse") scheduleProbe();
      },
      close: (code, reason) => {
        closedForGood = true;
        if (probeTimer !== null) clearTimeout(probeTimer);
        probeTimer = null;
        current.close(code, reason);
      },
    };
  };
}
