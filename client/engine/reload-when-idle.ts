/**
 * Reloading a page whose code is older than its room (docs/PROTOCOL.md §2):
 * not in the middle of a drag or a sentence, but once the person has been
 * idle for IDLE_BEFORE_RELOAD_MS, or at once while the tab is hidden — and
 * only after the pending edits reached IndexedDB, so the new code finds them
 * (and migrates them: pending-migration.ts). At most one reload per
 * RELOAD_GUARD_MS per tab: a page still served old code after a reload (a
 * cache, a CDN not yet updated) shows the error instead of reloading in a loop.
 */

/** No pointer or key input for this long counts as idle. */
export const IDLE_BEFORE_RELOAD_MS = 3_000;
/** Minimum time between two automatic reloads of one tab. */
export const RELOAD_GUARD_MS = 60_000;
const GUARD_KEY = "edgeroom:reloaded-at";

/** Reload when idle, after `flushed` resolves. Returns false (and does
 * nothing) outside a browser page, or when this tab reloaded too recently. */
export function reloadWhenIdle(flushed: () => Promise<void>): boolean {
  if (typeof window === "undefined" || typeof document === "undefined") return false;
  try {
    const last = Number(sessionStorage.getItem(GUARD_KEY) ?? 0);
    if (Date.now() - last < RELOAD_GUARD_MS) return false;
  } catch {
    // storage blocked: no guard, but no reload loop either (we would not know)
    return false;
  }
  let timer: ReturnType<typeof setTimeout> | null = null;
  const events = ["pointerdown", "pointermove", "keydown", "wheel"] as const;
  const reload = () => {
    for (const e of events) window.removeEventListener(e, arm);
    void flushed().then(() => {
      try {
        sessionStorage.setItem(GUARD_KEY, String(Date.now()));
      } catch {
        // best effort
      }
      location.reload();
    });
  };
  const arm = () => {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(reload, document.visibilityState === "hidden" ? 0 : IDLE_BEFORE_RELOAD_MS);
  };
  for (const e of events) window.addEventListener(e, arm, { passive: true });
  arm();
  return true;
}
