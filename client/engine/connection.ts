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

export function partySocketTransport(options: PartySocketOptions): TransportFactory {
  return (handlers) => {
    const local = /^(localhost|127\.0\.0\.1|\[::1\])(:|$)/.test(options.host);
    const minDelay = options.minReconnectDelayMs ?? MIN_RECONNECT_DELAY_MS;
    /** Connection attempts so far: the socket's own count, so the transport
     * needs nothing from the client it serves. */
    let attempts = 0;
    const socket = new PartySocket({
      host: options.host,
      room: options.room,
      party: options.party,
      protocol: options.protocol ?? (local ? "ws" : "wss"),
      WebSocket: options.WebSocket,
      minReconnectionDelay: minDelay,
      maxReconnectionDelay: options.maxReconnectDelayMs ?? MAX_RECONNECT_DELAY_MS,
      reconnectionDelayGrowFactor: 1.5,
      connectionTimeout: 5_000,
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
