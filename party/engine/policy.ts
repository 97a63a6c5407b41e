/**
 * The room's rate and abuse policy for one connection, in one place: which
 * frames a connection may still send, and when it has earned a kick.
 *
 * Every frame kind that costs the room something has a token bucket; a frame
 * with no token is dropped and counted. Frames that are wrong (unparseable,
 * oversize, before hello, a second hello, a padded ping) are counted as bad.
 * Past MAX_RATE_LIMITED_FRAMES dropped or MAX_BAD_FRAMES bad frames the verdict
 * is "kick". Refusals the room must remember (a rejected mutation) have their
 * own bucket, kept per identity by the room (sessions.ts), so no connection
 * can grow the refusal table quickly, and no reconnect refreshes it.
 *
 * In memory only: after a hibernation a connection starts with full buckets,
 * which only forgives a client that was idle long enough to hibernate the room.
 */
import {
  CURSOR_BURST,
  CURSOR_RATE_PER_SEC,
  HISTORY_BURST,
  HISTORY_RATE_PER_SEC,
  LIVE_BURST,
  LIVE_RATE_PER_SEC,
  MAX_BAD_FRAMES,
  MAX_RATE_LIMITED_FRAMES,
  MUTATION_BURST,
  MUTATION_RATE_PER_SEC,
  PARSE_BYTES_BURST,
  PARSE_BYTES_PER_SEC,
  PRESENCE_BURST,
  PRESENCE_RATE_PER_SEC,
  REFUSAL_BURST,
  REFUSAL_RATE_PER_SEC,
  RESYNC_BURST,
  RESYNC_RATE_PER_SEC,
} from "../shared/limits.ts";
import { TokenBucket } from "./ratelimit.ts";

export type Budgeted = "mutate" | "cursor" | "presence" | "resync" | "refusal" | "live" | "history";

/** What the room does with a frame after asking the policy. */
export type Verdict =
  | "ok"
  /** Drop it (and tell the client, at most once a second for lossy frames). */
  | "limited"
  /** Close the connection as abusive (POLICY_VIOLATION). */
  | "kick";

const RATES: Record<Budgeted, [perSec: number, burst: number]> = {
  mutate: [MUTATION_RATE_PER_SEC, MUTATION_BURST],
  cursor: [CURSOR_RATE_PER_SEC, CURSOR_BURST],
  presence: [PRESENCE_RATE_PER_SEC, PRESENCE_BURST],
  resync: [RESYNC_RATE_PER_SEC, RESYNC_BURST],
  refusal: [REFUSAL_RATE_PER_SEC, REFUSAL_BURST],
  live: [LIVE_RATE_PER_SEC, LIVE_BURST],
  history: [HISTORY_RATE_PER_SEC, HISTORY_BURST],
};

/** How often a lossy frame kind's RATE_LIMITED notice may be repeated (ms). */
const NOTICE_EVERY_MS = 1_000;

export class ConnectionPolicy {
  /** Last frame of any kind from this connection (ms). */
  lastMessageAt: number;
  /** The room closed this connection (abuse, expired token, stale); frames still
   * queued from it are dropped unparsed. */
  closedByRoom = false;
  private readonly buckets = new Map<Budgeted, TokenBucket>();
  /** Characters this connection may still have parsed (PARSE_BYTES_PER_SEC). */
  private readonly parse: TokenBucket;
  private limited = 0;
  private bad = 0;
  private lastNotice = Number.NEGATIVE_INFINITY;

  constructor(now: number) {
    this.lastMessageAt = now;
    this.parse = new TokenBucket(PARSE_BYTES_PER_SEC, PARSE_BYTES_BURST, now);
  }

  /** Charge a frame's length before it is parsed: "limited" drops it
   * unparsed (counted like any dropped frame), "kick" past the limit. */
  admitParse(chars: number, now: number): Verdict {
    if (this.parse.take(now, chars)) return "ok";
    return ++this.limited > MAX_RATE_LIMITED_FRAMES ? "kick" : "limited";
  }

  /** Spend a token for a frame of `kind`; `shared`: the token was taken (or
   * not) from a bucket kept elsewhere (the identity's refusal bucket). */
  admit(kind: Budgeted, now: number, shared?: boolean): Verdict {
    if (shared !== undefined) return shared ? "ok" : ++this.limited > MAX_RATE_LIMITED_FRAMES ? "kick" : "limited";
    let bucket = this.buckets.get(kind);
    if (!bucket) {
      const [rate, burst] = RATES[kind];
      bucket = new TokenBucket(rate, burst, now);
      this.buckets.set(kind, bucket);
    }
    if (bucket.take(now)) return "ok";
    return ++this.limited > MAX_RATE_LIMITED_FRAMES ? "kick" : "limited";
  }

  /** Count a bad frame. */
  badFrame(): Verdict {
    return ++this.bad > MAX_BAD_FRAMES ? "kick" : "ok";
  }

  /** Whether a RATE_LIMITED notice for a lossy frame should go out now. */
  shouldNotice(now: number): boolean {
    if (now - this.lastNotice < NOTICE_EVERY_MS) return false;
    this.lastNotice = now;
    return true;
  }
}
