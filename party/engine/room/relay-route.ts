/**
 * Where an audience room puts a new member's socket (relay-face.ts `route`;
 * docs/ARCHITECTURE.md "How a room grows"): the room itself below its direct
 * bound, else the lowest relay whose reported count plus the sockets handed
 * to it since is below the relay bound, else nowhere (ROOM_FULL).
 */
import { AUDIENCE_DIRECT_MAX, MAX_RELAYS_PER_ROOM, RELAY_MAX_MEMBERS } from "../../shared/limits.ts";
import type { LinkSocket } from "./types.ts";

/** The audience bounds; only tests lower them (the deployment variables
 * AUDIENCE_DIRECT, RELAY_MEMBERS, AUDIENCE_RELAYS and AUDIENCE_EDITORS,
 * durable-object.ts). */
export interface AudienceBounds {
  /** Default AUDIENCE_DIRECT_MAX. */
  directMax?: number;
  /** Default RELAY_MAX_MEMBERS. */
  relayMax?: number;
  /** Default MAX_RELAYS_PER_ROOM. */
  relaysMax?: number;
  /** Default MAX_EDITORS_PER_ROOM. */
  editorsMax?: number;
  /** Default RELAY_LINK_MAX_OWED_BYTES. */
  linkOwedMax?: number;
}

export class RelayRoute {
  /** Sockets handed to each relay and not yet seen in its reported count. */
  private readonly handed = new Map<number, number>();

  /** "direct", a relay index, or null (every relay full). */
  route(direct: number, bounds: AudienceBounds, links: Iterable<LinkSocket>): "direct" | number | null {
    if (direct < (bounds.directMax ?? AUDIENCE_DIRECT_MAX)) return "direct";
    const relayMax = bounds.relayMax ?? RELAY_MAX_MEMBERS;
    const counts = new Map<number, number>();
    for (const l of links) {
      const info = l.getLink();
      if (info) counts.set(info.relay, info.members);
    }
    for (let k = 0; k < (bounds.relaysMax ?? MAX_RELAYS_PER_ROOM); k++) {
      const handed = this.handed.get(k) ?? 0;
      if ((counts.get(k) ?? 0) + handed < relayMax) {
        this.handed.set(k, handed + 1);
        return k;
      }
    }
    return null;
  }

  /** A relay's report counts `n` more members: as many handed sockets arrived. */
  arrived(relay: number, n: number): void {
    this.handed.set(relay, Math.max(0, (this.handed.get(relay) ?? 0) - n));
  }

  forget(relay: number): void {
    this.handed.delete(relay);
  }
}
