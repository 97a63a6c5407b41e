/**
 * Electing one tab per browser profile and room to hold the room's
 * connection: the Web Locks API gives an exclusive lock to one requester at a
 * time, queues the rest, and hands the lock to the next one when the holder's
 * tab closes or crashes — so a leader never needs a heartbeat to be declared
 * dead. The lock is held for as long as the tab keeps the room open.
 */

/** What this module needs from `navigator.locks` (injectable for tests). */
export interface LockManagerLike {
  request(name: string, options: { mode: "exclusive"; signal: AbortSignal }, callback: () => Promise<void>): Promise<unknown>;
}

/** A tab's claim on the leadership of one room. */
export interface TabLeadership {
  /** Give the lock back (or stop waiting for it): the next tab in line leads. */
  release(): void;
}

/** The browser's lock manager and BroadcastChannel, when both exist: without
 * either, tabs cannot share a connection and each keeps its own. */
export function tabSharingSupport(): { locks: LockManagerLike } | null {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  if (!nav?.locks || typeof BroadcastChannel === "undefined") return null;
  return { locks: nav.locks };
}

/** Ask for the leadership of `name`; `onLead` runs once this tab gets it. */
export function electTabLeader(locks: LockManagerLike, name: string, onLead: () => void): TabLeadership {
  const abort = new AbortController();
  let done = false;
  let letGo: () => void = () => {};
  const held = new Promise<void>((resolve) => (letGo = resolve));
  locks
    .request(name, { mode: "exclusive", signal: abort.signal }, async () => {
      if (done) return;
      onLead();
      await held; // the lock is ours until release() or the tab goes away
    })
    .catch(() => {}); // aborted while waiting: nothing to undo
  return {
    release: () => {
      done = true;
      abort.abort();
      letGo();
    },
  };
}
