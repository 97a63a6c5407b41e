/**
 * The watchers of an audience room, listed on request (issue 18 item 3;
 * docs/HTTP-API.md `GET …/presence?watchers`): never broadcast, never kept by
 * the room — each relay holds its own members, so a page is asked of one
 * relay over its link (`list`) and comes back with its next up frame
 * (`listed`). Pages run relay by relay, in `conn` order within each; the
 * cursor is `<relay>.<last conn>`. A relay that does not answer within
 * WATCHERS_WAIT_MS: null (the API answers 503; the same cursor retries).
 */
import type { Watcher, WatchersPage } from "../../shared/audience.ts";
import { WATCHERS_PAGE_MAX, WATCHERS_WAIT_MS } from "../../shared/limits.ts";
import type { DownItem, MemberInfo, UpItem } from "../../shared/relay-protocol.ts";

const CURSOR = /^(\d{1,4})\.([A-Za-z0-9_-]{0,32})$/;

/** What a page needs of the room's links. */
export interface WatcherSource {
  /** The relays subscribed now, by index. */
  liveRelays(): number[];
  push(relay: number, item: DownItem): void;
  /** The watcher count members hear. */
  watching(): number;
  setTimeout(fn: () => void, ms: number): void;
}

export class WatcherList {
  private next = 1;
  private readonly waiting = new Map<number, (got: Extract<UpItem, { k: "listed" }> | null) => void>();
  private readonly links: WatcherSource;

  constructor(links: WatcherSource) {
    this.links = links;
  }

  /** Check `cursor` and `limit` as the API passed them: an error message, or null. */
  static check(cursor: string | null, limit: number): string | null {
    if (cursor !== null && !CURSOR.test(cursor)) return "cursor: the previous page's `cursor`";
    if (!Number.isInteger(limit) || limit < 1 || limit > WATCHERS_PAGE_MAX) return `limit: 1-${WATCHERS_PAGE_MAX}`;
    return null;
  }

  /** One page after `cursor` (null: the first), or null when its relay did not answer. */
  async page(cursor: string | null, limit: number): Promise<WatchersPage | null> {
    const m = cursor === null ? null : CURSOR.exec(cursor);
    const from = m ? Number(m[1]) : 0;
    const relays = this.links.liveRelays().sort((a, b) => a - b);
    const relay = relays.find((k) => k >= from);
    const watching = this.links.watching();
    if (relay === undefined) return { watchers: [], cursor: null, watching };
    const after = relay === from && m ? m[2]! : "";
    const got = await this.ask(relay, after, Math.min(limit, WATCHERS_PAGE_MAX));
    if (!got) return null;
    const watchers = got.w.slice(0, limit).map(watcherOf);
    const later = relays.find((k) => k > relay);
    const next = got.more && watchers.length > 0 ? `${relay}.${watchers.at(-1)!.conn}` : later !== undefined ? `${later}.` : null;
    return { watchers, cursor: next, watching };
  }

  /** A relay's answer came (relay-face.ts). */
  answered(item: Extract<UpItem, { k: "listed" }>): void {
    const done = this.waiting.get(item.q);
    this.waiting.delete(item.q);
    done?.(Array.isArray(item.w) ? item : null);
  }

  private ask(relay: number, after: string, n: number): Promise<Extract<UpItem, { k: "listed" }> | null> {
    const q = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(q, resolve);
      this.links.push(relay, { k: "list", q, after, n });
      this.links.setTimeout(() => {
        if (this.waiting.delete(q)) resolve(null);
      }, WATCHERS_WAIT_MS);
    });
  }
}

function watcherOf(m: MemberInfo): Watcher {
  return { conn: m.conn, clientId: m.clientId, name: m.name, color: m.color, status: m.status ?? "active", role: m.role, subject: m.sub ?? null };
}
