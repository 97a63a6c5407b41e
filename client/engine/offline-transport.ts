/**
 * A transport that follows the browser's own idea of being online. When the
 * device goes offline (the `offline` event) the socket is closed at once and no
 * reconnect is attempted — the badge says "offline" instead of counting doomed
 * retries, and nothing keeps using a socket the OS no longer routes (browsers
 * may keep an already-open WebSocket "working" in emulated offline mode). On
 * `online` it reconnects immediately, and the room client resends what is pending.
 */
import type { Transport, TransportFactory, TransportHandlers } from "./connection.ts";

/** The close reason this transport gives when the device went offline. The
 * room client shows "offline" for it even where `navigator.onLine` has not
 * flipped yet (a tab that hears of it from the tab holding the connection). */
export const OFFLINE_REASON = "offline";

/** What this module needs from `window` (injectable for tests). */
export interface NetworkEvents {
  readonly onLine: boolean;
  addEventListener(type: "online" | "offline", fn: () => void): void;
  removeEventListener(type: "online" | "offline", fn: () => void): void;
}

export function browserNetwork(): NetworkEvents {
  return {
    get onLine() {
      return navigator.onLine;
    },
    addEventListener: (type, fn) => window.addEventListener(type, fn),
    removeEventListener: (type, fn) => window.removeEventListener(type, fn),
  };
}

/** Wrap `inner` so it only connects while `network` says we are online. */
export function onlineAwareTransport(inner: TransportFactory, network: NetworkEvents): TransportFactory {
  return (handlers: TransportHandlers): Transport => {
    let socket: Transport | null = null;
    /** True once a close was reported since the last open (or before any open). */
    let reportedClosed = false;
    let closedForGood = false;
    /** Each inner transport reports under its generation; a closed one's late
     * events (a close that arrives after the next one opened) are ignored. */
    let generation = 0;
    const connect = () => {
      const gen = ++generation;
      const mine = () => gen === generation && !closedForGood;
      socket = inner({
        open: () => {
          if (!mine()) return;
          reportedClosed = false;
          handlers.open();
        },
        message: (data) => {
          if (mine()) handlers.message(data);
        },
        close: (code, reason) => {
          if (!mine()) return;
          reportedClosed = true;
          handlers.close(code, reason);
        },
      });
    };
    const reportClosed = () => {
      if (reportedClosed) return;
      reportedClosed = true;
      handlers.close(1000, OFFLINE_REASON);
    };
    const goOffline = () => {
      if (closedForGood) return;
      // Closed for good, and forgotten: a transport's close is final (the
      // fallback transport ignores everything after it), so coming back online
      // builds a fresh one — which also forgets what the last network taught
      // it (a fallback chosen on another network starts from WebSockets again).
      const was = socket;
      socket = null;
      generation++;
      was?.close(1000, OFFLINE_REASON);
      // Say it ourselves, so the room client shows "offline" and stops sending.
      reportClosed();
    };
    const goOnline = () => {
      if (closedForGood) return;
      if (socket) socket.reconnect();
      else connect();
    };
    network.addEventListener("offline", goOffline);
    network.addEventListener("online", goOnline);
    if (network.onLine) connect();
    // Reported after the constructor returns, like a real socket's events.
    else queueMicrotask(() => !closedForGood && reportClosed());
    return {
      get kind() {
        return socket?.kind;
      },
      get isOpen() {
        return socket?.isOpen === true;
      },
      send: (frame) => socket?.send(frame),
      reconnect: () => {
        if (network.onLine) goOnline();
      },
      close: (code, reason) => {
        closedForGood = true;
        network.removeEventListener("offline", goOffline);
        network.removeEventListener("online", goOnline);
        socket?.close(code, reason);
      },
    };
  };
}
