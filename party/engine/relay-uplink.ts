/**
 * A relay's link to its room (relay.ts): opening it (the relay opens it; the
 * room accepts it hibernatably), subscribing from what the relay holds,
 * opening it again when the room goes away, and the up frames — at most one
 * per RELAY_UP_MS, carrying the members' items in arrival order and the
 * relay's counts; a frame of counts alone at most one per RELAY_COUNTS_MS. Items wait while the link is down and leave when it is back.
 * Each frame acknowledges what the relay handled of the room's (`r`), and
 * one is sent for that alone once READ_ACK_EVERY_BYTES wait, still at most
 * one per RELAY_UP_MS: the room bounds what a link owes it
 * (RELAY_LINK_MAX_OWED_BYTES, room/relay-face.ts).
 * Liveness: the relay pings the link every RELAY_PING_MS (the room's runtime
 * answers without waking the room); a link that brought nothing, not even a
 * pong, for RELAY_ROOM_SILENT_MS is dead though it never closed (the room evicted
 * without its close reaching us): it is closed and a new one subscribes.
 */
import { READ_ACK_EVERY_BYTES, RELAY_COUNTS_MS, RELAY_PING_MS, RELAY_ROOM_SILENT_MS, RELAY_UP_MS } from "../shared/limits.ts";
import { PING_FRAME } from "../shared/protocol.ts";
import type { MemberInfo, UpItem } from "../shared/relay-protocol.ts";
import type { ConnState, LogLine, RoomSocket } from "./room/types.ts";

/** The relay's link to its room, as its host opened it. */
export interface RelayLink {
  send(frame: string): void;
  close(): void;
}

export interface RelayHost {
  /** The members' open sockets (after a wake: all of them, with attachments). */
  members(): Iterable<RoomSocket>;
  /** Open a link to the room; `onFrame` gets each frame, `onClose` its end. */
  openLink(onFrame: (data: string) => void, onClose: () => void): Promise<RelayLink>;
  now(): number;
  setTimeout(fn: () => void, ms: number): void;
  /** When the runtime last answered the member's ping itself (auto-response), if known. */
  lastPing?(socket: RoomSocket): number | null;
  log(line: LogLine): void;
}

export interface UplinkOwner {
  /** The relay's counts: members (sockets) and, of them, watchers and readers of broadcasts. */
  counts(): { members: number; watching: number; bc: number };
  /** What the relay holds, to subscribe from, and which relay instance it is. */
  holds(): { epoch: string | null; seq: number; inst: string };
  down(data: string): void;
  /** The link went away (the room was evicted or restarted). */
  lost(): void;
  log(level: "info" | "warn" | "error", event: string, detail?: string): void;
}

export class RelayUplink {
  private link: RelayLink | null = null;
  private linking = false;
  private up: UpItem[] = [];
  private scheduled = false;
  private lastUp = 0;
  private reported = { members: -1, watching: -1, bc: -1 };
  /** When the link last brought anything (a frame, a pong). */
  private heard = 0;
  /** When counts last went up, and whether a counts-only frame is waiting. */
  private countsAt = 0;
  private countsScheduled = false;
  /** Characters of the room's commits and broadcasts handled, not yet acknowledged. */
  private handled = 0;
  private readonly host: RelayHost;
  private readonly owner: UplinkOwner;

  constructor(host: RelayHost, owner: UplinkOwner) {
    this.host = host;
    this.owner = owner;
  }

  /** Open the link (if it is not open or opening) and subscribe. */
  ensure(): void {
    if (this.link || this.linking) return;
    this.linking = true;
    let opened: RelayLink | null = null;
    this.host
      .openLink(
        (data) => {
          this.heard = this.host.now();
          this.owner.down(data);
        },
        () => {
          if (opened && this.link !== opened) return; // already given up
          this.link = null;
          this.owner.log("warn", "relay_link_lost");
          this.owner.lost();
          this.reopen();
        },
      )
      .then((link) => {
        this.linking = false;
        this.link = opened = link;
        this.heard = this.host.now();
        // A new link knows nothing of our counts.
        this.reported = { members: -1, watching: -1, bc: -1 };
        this.handled = 0;
        this.subscribe();
        this.schedule();
        this.beat(link);
      })
      .catch((err: unknown) => {
        this.linking = false;
        this.owner.log("error", "relay_link_failed", String(err));
        this.host.setTimeout(() => this.reopen(), 1000);
      });
  }

  /** Ping the link every RELAY_PING_MS while it is ours; give it up when
   * nothing came back for RELAY_ROOM_SILENT_MS. */
  private beat(link: RelayLink): void {
    this.host.setTimeout(() => {
      if (this.link !== link) return; // closed or replaced
      const silent = this.host.now() - this.heard;
      if (silent <= RELAY_ROOM_SILENT_MS) {
        try {
          link.send(PING_FRAME);
        } catch {
          // closing: its close event reopens
        }
        return this.beat(link);
      }
      this.owner.log("warn", "relay_link_silent", `nothing for ${silent} ms`);
      this.link = null;
      link.close();
      this.owner.lost();
      this.reopen();
    }, RELAY_PING_MS);
  }

  private reopen(): void {
    if (this.owner.counts().members > 0) this.ensure();
  }

  /** Subscribe (again) from what the relay holds: after a gap too. */
  subscribe(): void {
    const { epoch, seq, inst } = this.owner.holds();
    // The room counts the link afresh from its answer.
    this.handled = 0;
    this.link?.send(JSON.stringify({ t: "sub", epoch, seq, inst }));
  }

  /** The relay is empty: send what waits, then let the link go. */
  close(): void {
    this.flush();
    const link = this.link;
    this.link = null;
    link?.close();
  }

  queue(item: UpItem): void {
    this.up.push(item);
    this.schedule();
  }

  /** Drop the items waiting to go up (their members were closed: the room was deleted). */
  drop(): void {
    this.up = [];
  }

  /** The relay handled `chars` of the room's commits and broadcasts. */
  read(chars: number): void {
    this.handled += chars;
    if (this.handled >= READ_ACK_EVERY_BYTES) this.schedule();
  }

  /** Drop a member's queued cursor move: a newer one replaces it. */
  dropCursor(conn: string): void {
    this.up = this.up.filter((i) => !(i.k === "frame" && i.m.conn === conn && i.f.includes(`"type":"cursor"`)));
  }

  /** Ask for a frame (items or counts changed). */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = Math.max(0, this.lastUp + RELAY_UP_MS - this.host.now());
    if (wait === 0) queueMicrotask(() => this.flush());
    else this.host.setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.scheduled = false;
    if (!this.link) return; // sent once the link is back
    const { members, watching, bc } = this.owner.counts();
    if (this.up.length === 0 && this.handled < READ_ACK_EVERY_BYTES) {
      if (members === this.reported.members && watching === this.reported.watching && bc === this.reported.bc) return;
      // Counts alone wait for their own, slower cadence; items never do.
      const wait = this.countsAt + RELAY_COUNTS_MS - this.host.now();
      if (wait > 0) {
        if (!this.countsScheduled) {
          this.countsScheduled = true;
          this.host.setTimeout(() => {
            this.countsScheduled = false;
            this.flush();
          }, wait);
        }
        return;
      }
    }
    this.countsAt = this.host.now();
    const frame = JSON.stringify({ t: "up", i: this.up, members, watching, bc, ...(this.handled > 0 ? { r: this.handled } : {}) });
    this.up = [];
    this.handled = 0;
    this.reported = { members, watching, bc };
    this.lastUp = this.host.now();
    try {
      this.link.send(frame);
    } catch {
      // The link is closing: its close event resubscribes (mutations are resent).
    }
  }
}

/** Who a member is, as the room needs it (relay-protocol.ts). */
export function infoOf(st: ConnState): MemberInfo {
  const info: MemberInfo = { conn: st.conn, clientId: st.clientId ?? "", role: st.role, name: st.name ?? "anonymous", color: st.color ?? "#888888" };
  if (st.sub) info.sub = st.sub;
  if (st.exp !== undefined) info.exp = st.exp;
  return info;
}
