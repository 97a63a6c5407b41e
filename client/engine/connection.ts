/**
 * The connection layer: a reconnecting socket to one room. The default is
 * partysocket (backoff, reconnect, fresh query per attempt); tests and the fuzz
 * harness inject an in-memory transport with the same three callbacks.
 */
import PartySocket from "partysocket";
import { isTerminalClose } from "../../party/shared/protocol.ts";

export interface TransportHandlers {
  open(): void;
  message(data: unknown): void;
  close(code: number, reason: string): void;
}

/** How frames travel: a WebSocket, or the HTTP fallback (Server-Sent Events
 * down, POSTs up; sse-transport.ts). */
export type TransportKind = "websocket" | "sse";

export interface Transport {
  /** What carries the frames now (absent: a WebSocket, or a test double). */
  readonly kind?: TransportKind;
  /** True while frames can be sent. */
  readonly isOpen: boolean;
  send(frame: string): void;
  /** Drop the current socket and connect again (after the backoff). */
  reconnect(): void;
  /** Close for good: no more reconnects. */
  close(code?: number, reason?: string): void;
}

export type TransportFactory = (handlers: TransportHandlers) => Transport;

export interface PartySocketOptions {
  host: string;
  /** The app's party name (`/parties/<party>/<room>`). */
  party: string;
  room: string;
  protocol?: "ws" | "wss";
  /** WebSocket implementation (Node: `ws`). Defaults to the global one. */
  WebSocket?: unknown;
  minReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** Extra query parameters, evaluated before every (re)connect (tokens). */
  query?: () => Promise<Record<string, string>>;
}

/** Reconnect backoff defaults (ms): quick first retry, capped at 10 s. */
export const MIN_RECONNECT_DELAY_MS = 500;
export const MAX_RECONNECT_DELAY_MS = 10_000;
/** An attempt that has not opened after its connect timeout is closed (so the
 * server sees it go) and retried after the backoff. The timeout starts at
 * CONNECT_TIMEOUT_MS and doubles with every attempt that timed out, to
 * MAX_CONNECT_TIMEOUT_MS; an attempt that opens resets it. When upgrades are
 * slow (a server under a reconnect storm), a fixed timeout would abandon
 * attempts the server may already have accepted, and open another, every few
 * seconds: each client would keep the server at several sockets. */
export const CONNECT_TIMEOUT_MS = 5_000;
export const MAX_CONNECT_TIMEOUT_MS = 30_000;

/** The WebSocket constructor as partysocket calls it. */
type SocketConstructor = new (url: string, protocols?: string | string[]) => WebSocket;

/**
 * `Base` with the connect timeout above: every socket partysocket opens
 * through it is closed if it has not opened in time. Closing a connecting
 * socket fails it (its `error`, then `close`), and partysocket retries after
 * its backoff. partysocket's own `connectionTimeout` is fixed per socket, so it
 * is set past the largest of these and only stands behind them.
 */
function timedSockets(Base: SocketConstructor): SocketConstructor {
  /** Attempts in a row that did not open in time. */
  let timedOut = 0;
  function TimedSocket(url: string, protocols?: string | string[]): WebSocket {
    const ws = protocols === undefined ? new Base(url) : new Base(url, protocols);
    const ms = Math.min(CONNECT_TIMEOUT_MS * 2 ** timedOut, MAX_CONNECT_TIMEOUT_MS);
    const timer = setTimeout(() => {
      if (ws.readyState !== 0) return; // CONNECTING
      timedOut++;
      ws.close();
    }, ms);
    ws.addEventListener("open", () => {
      clearTimeout(timer);
      timedOut = 0;
    });
    ws.addEventListener("close", () => clearTimeout(timer));
    return ws;
  }
  return TimedSocket as unknown as SocketConstructor;
}

export function partySocketTransport(options: PartySocketOptions): TransportFactory {
  return (handlers) => {
    const local = /^(localhost|127\.0\.0\.1|\[::1\])(:|$)/.test(options.host);
    const minDelay = options.minReconnectDelayMs ?? MIN_RECONNECT_DELAY_MS;
    /** Connection attempts so far: the socket's own count, so the transport
     * needs nothing from the client it serves. */
    let attempts = 0;
    const Base = (options.WebSocket ?? globalThis.WebSocket) as SocketConstructor | undefined;
    const socket = new PartySocket({
      host: options.host,
      room: options.room,
      party: options.party,
      protocol: options.protocol ?? (local ? "ws" : "wss"),
      WebSocket: Base ? timedSockets(Base) : undefined,
      minReconnectionDelay: minDelay,
      maxReconnectionDelay: options.maxReconnectDelayMs ?? MAX_RECONNECT_DELAY_MS,
      reconnectionDelayGrowFactor: 1.5,
      connectionTimeout: MAX_CONNECT_TIMEOUT_MS + 5_000,
      // The room client resends what matters itself after the welcome; never let
      // the socket replay stale frames (least of all cursor moves) on open.
      maxEnqueuedMessages: 0,
      shouldReconnectOnClose: (e: CloseEvent) => !isTerminalClose(e.code),
      // Evaluated before every (re)connect: jitter on every attempt but the
      // first, so a room full of clients dropped together does not reconnect
      // in lockstep (partysocket's backoff has none), then fresh query
      // parameters (an access token).
      query: async () => {
        if (attempts++ > 0) await new Promise((r) => setTimeout(r, Math.random() * minDelay));
        return options.query ? await options.query() : {};
      },
    });
    socket.addEventListener("open", () => handlers.open());
    socket.addEventListener("message", (e: MessageEvent) => handlers.message(e.data));
    socket.addEventListener("close", (e: CloseEvent) => handlers.close(e.code, e.reason));
    return {
      get isOpen() {
        return socket.readyState === 1;
      },
      send: (frame) => socket.send(frame),
      reconnect: () => socket.reconnect(),
      close: (code, reason) => socket.close(code, reason),
    };
  };
}
