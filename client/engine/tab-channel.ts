/**
 * The wire between the tabs of one browser profile on one room: one
 * BroadcastChannel per app and room. The leader tab holds the socket and
 * routes (tab-router.ts); every other tab's RoomClient reaches the room
 * through `channelTransport`, a Transport like any other: it "opens" while
 * the leader's connection to the room is live, what it sends are the client
 * frames the room would get, and what it delivers are room frames — the
 * room's own bytes when every tab gets the same, else the messages meant for
 * this tab, serialised once by the leader. Either way the tab's client parses
 * each frame once, as it would from a socket, so the RoomClient runs the same
 * code whether its tab holds the socket or not.
 */
import type { ErrorMessage } from "../../party/shared/protocol.ts";
import type { Transport, TransportFactory, TransportKind } from "./connection.ts";
import { OFFLINE_REASON } from "./offline-transport.ts";

/** What goes over the channel. `from` and `leader` are tab ids. */
export type TabMessage =
  /** A follower asks whether a leader is live (it just opened, or reconnects). */
  | { k: "query"; from: string }
  /** A follower's client frame: exactly what it would have sent the room. */
  | { k: "frame"; from: string; data: string }
  /** A follower closed the room. */
  | { k: "bye"; from: string }
  /** A tab took the lead (the previous leader is gone). */
  | { k: "lead"; leader: string }
  /** The leader's connection is live: say hello. `clientId` is the one it uses,
   * so a successor can keep it and the room sees the same person reconnect. */
  | { k: "up"; leader: string; clientId: string; transport: TransportKind }
  /** The leader's connection closed with this code, after the room's last
   * error on it (a tab that was not open has not seen it). */
  | { k: "down"; leader: string; code: number; reason: string; error?: ErrorMessage }
  /** A room frame for the tabs that said hello: for `to` only, else for all. */
  | { k: "room"; leader: string; data: string; to?: string[] };

/** One name for the channel and the lock: per app (party) and room. */
export function tabChannelName(party: string, room: string): string {
  return `edgeroom:${party}:${room}`;
}

/** What a follower learned about the leaders it followed. */
export interface FollowerState {
  /** The client id the last live leader used (null: none seen yet). */
  leaderClientId: string | null;
}

/** The close code a follower reports when its leader changes: like a dropped
 * socket, not terminal — the client waits for the new leader and says hello. */
export const LEADER_CHANGED_CLOSE = 1012;

/**
 * A Transport to the leader tab. It never reconnects on its own: the leader
 * says when the room is reachable (`up`), and the follower says hello then.
 */
export function channelTransport(name: string, tabId: string, state: FollowerState): TransportFactory {
  return (handlers): Transport => {
    const channel = new BroadcastChannel(name);
    let open = false;
    let closed = false;
    /** The leader whose messages we take. */
    let leader: string | null = null;
    /** True once the leader answered this opening's hello (it answers to us
     * alone): frames for every tab before that are older than its snapshot. */
    let answered = false;
    /** What carries the leader's connection. */
    let kind: TransportKind = "websocket";
    const post = (msg: TabMessage) => {
      if (!closed) channel.postMessage(msg);
    };
    const drop = (code: number, reason: string) => {
      if (!open) return;
      open = false;
      handlers.close(code, reason);
    };
    /** Learned of a leader (a message from it): follow it from now on. */
    const follow = (id: string) => {
      if (id !== leader) drop(LEADER_CHANGED_CLOSE, "tab leader changed");
      leader = id;
    };
    channel.onmessage = (e: MessageEvent<TabMessage>) => {
      const msg = e.data;
      if (closed) return;
      switch (msg.k) {
        case "lead":
          follow(msg.leader);
          return;
        case "up":
          state.leaderClientId = msg.clientId;
          follow(msg.leader);
          kind = msg.transport;
          if (open) return;
          open = true;
          answered = false;
          handlers.open();
          return;
        case "down":
          // Also while not open: a failed attempt of the leader's is ours too
          // (the client counts it, and shows "offline" or the terminal error).
          follow(msg.leader);
          if (!open && msg.error) handlers.message(JSON.stringify(msg.error));
          open = false;
          handlers.close(msg.code, msg.reason);
          return;
        case "room":
          if (!open || msg.leader !== leader) return;
          if (msg.to === undefined) {
            if (answered) handlers.message(msg.data);
          } else if (msg.to.includes(tabId)) {
            answered = true;
            handlers.message(msg.data);
          }
          return;
        default:
          return; // other followers' messages
      }
    };
    // The leader's news of going offline can come before this page's own
    // `offline` event: say it again then, so this tab shows "offline" too.
    const onOffline = () => {
      if (!open && !closed) handlers.close(1000, OFFLINE_REASON);
    };
    const win = globalThis as { addEventListener?: (t: string, f: () => void) => void; removeEventListener?: (t: string, f: () => void) => void };
    win.addEventListener?.("offline", onOffline);
    post({ k: "query", from: tabId });
    return {
      get kind() {
        return kind;
      },
      get isOpen() {
        return open;
      },
      send: (data) => {
        if (open) post({ k: "frame", from: tabId, data });
      },
      reconnect: () => {
        drop(1000, "reconnect");
        post({ k: "query", from: tabId });
      },
      close: () => {
        post({ k: "bye", from: tabId });
        closed = true;
        open = false;
        win.removeEventListener?.("offline", onOffline);
        channel.close();
      },
    };
  };
}
