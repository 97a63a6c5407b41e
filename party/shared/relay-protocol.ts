/**
 * The link between a room object and its relays (issue 18; docs/ARCHITECTURE.md
 * "One room over many objects"): what a relay sends the room (`LinkUp`) and
 * what the room sends a relay (`LinkDown`), one frame per relay per tick in
 * each direction. Clients never see these frames: the link is a WebSocket
 * between two objects of the engine, opened by the relay with headers the
 * Worker strips from every client request. Members' own frames travel inside
 * it unchanged (a `mutate` keeps its `mid`), so the room parses and judges
 * them as it would a direct member's.
 */
import type { Peer, PresenceStatus, Role } from "./protocol.ts";

/** Who a relayed member is, as the room needs it to judge its frames. */
export interface MemberInfo {
  conn: string;
  clientId: string;
  role: Role;
  name: string;
  color: string;
  /** The token's subject, if any. */
  sub?: string;
  /** When the member's token expires (ms since the epoch), if it does. */
  exp?: number;
  /** Its presence status (in a page of watchers). */
  status?: PresenceStatus;
}

/** One item of a relay's frame to the room. */
export type UpItem =
  /** An editor said hello: the room admits it (`admit`) within the editor
   * bound, or refuses it. `again`: announced anew after the room restarted. */
  | { k: "join"; m: MemberInfo; again?: true }
  /** A member the room knows of left the relay. */
  | { k: "leave"; conn: string }
  /** A member's frame for the room, exactly as the member sent it. */
  | { k: "frame"; m: MemberInfo; f: string }
  /** The answer to `list` `q`: watchers after its `after`, in `conn` order;
   * `more`: the relay holds more after the last. */
  | { k: "listed"; q: number; w: MemberInfo[]; more: boolean };

export type LinkUp =
  /** Subscribe: what the relay holds (`epoch` null: nothing); `inst`: this
   * relay object's instance (a relay that gave up a silent link and opened
   * another is still the same one, with the same members). */
  | { t: "sub"; epoch: string | null; seq: number; inst?: string }
  /** One tick: items in arrival order, and the relay's counts; `r`: the
   * characters of commits and broadcasts the relay handled since its last
   * `r` (what the room's bound on the link counts, RELAY_LINK_MAX_OWED_BYTES);
   * `bc`: of its members, those that read the backend's broadcasts. */
  | { t: "up"; i: UpItem[]; members: number; watching: number; r?: number; bc?: number };

/** One item of the room's frame to a relay, in the room's order. */
export type DownItem =
  /** A commit: its change frame (for every member but `x`), and the author's ack. */
  | { k: "commit"; seq: number; f: string; x: string | null; to?: string; ack?: string }
  /** A broadcast (join, peer, leave, cursor frame) to every member but `x`. */
  | { k: "cast"; f: string; x: string | null }
  /** A frame for one member (an answer, an error). */
  | { k: "to"; conn: string; f: string }
  /** The room closes one member. */
  | { k: "close"; conn: string; code: number; reason: string }
  /** An editor's join was admitted; `role` "viewer": seated past the room's
   * editors (RoomOptions.audience), it joins as a watcher. */
  | { k: "admit"; conn: string; role?: "viewer" }
  /** The backend's broadcast (party/shared/broadcast.ts): to every member
   * that asked for broadcasts when it connected. */
  | { k: "bc"; f: string }
  /** The backend asks for a page of watchers (`GET …/presence?watchers`): up
   * to `n` (≤ WATCHERS_PAGE_MAX) whose `conn` sorts after `after`. */
  | { k: "list"; q: number; after: string; n: number }
  /** The room was deleted: every member gets `f` and is closed with `code`;
   * the relay forgets the board and subscribes afresh. */
  | { k: "end"; f: string; code: number; reason: string };

export type LinkDown =
  /** The answer to `sub`: the room's sync frame for what the relay holds, the
   * active people, the watchers the room last told its members of (`w`), and
   * the cursors and live values on the board (`c`, a `cursors` frame). */
  | { t: "sync"; f: string; peers: Peer[]; w?: number; c?: string }
  | { t: "tick"; i: DownItem[] }
  /** The relay owes the room more than RELAY_LINK_MAX_OWED_BYTES: the room
   * sent it nothing more after this. Subscribe again from what it holds. */
  | { t: "behind" }
  /** The room lost its memory of the relay's members (it restarted): announce
   * the admitted editors again. */
  | { t: "roster" };

/** Parse a link frame. The link is between the engine's own objects, so a
 * shape check suffices; anything else is dropped by the caller. */
export function parseLinkUp(data: string): LinkUp | null {
  const v = parseObject(data);
  if (v?.t === "sub" && (typeof v.epoch === "string" || v.epoch === null) && typeof v.seq === "number") return v as LinkUp;
  if (v?.t === "up" && Array.isArray(v.i) && typeof v.members === "number" && typeof v.watching === "number" && (v.r === undefined || typeof v.r === "number") && (v.bc === undefined || typeof v.bc === "number")) return v as LinkUp;
  return null;
}

export function parseLinkDown(data: string): LinkDown | null {
  const v = parseObject(data);
  if (v?.t === "sync" && typeof v.f === "string" && Array.isArray(v.peers)) return v as LinkDown;
  if (v?.t === "tick" && Array.isArray(v.i)) return v as LinkDown;
  if (v?.t === "roster" || v?.t === "behind") return v as LinkDown;
  return null;
}

function parseObject(data: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(data);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
