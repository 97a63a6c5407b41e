/**
 * What the backend asks of a room besides its board (docs/HTTP-API.md):
 * who is in it now, its metadata, and an ephemeral event broadcast into it.
 * Each runs in the room's one event queue. Presence and the broadcast read
 * and store nothing; metadata is one stored value, bounded.
 */
import { broadcastFrame } from "../../shared/broadcast.ts";
import { MAX_BROADCAST_BYTES, ROOM_METADATA_MAX_BYTES, ROOM_METADATA_MAX_KEYS, ROOM_METADATA_VALUE_CHARS } from "../../shared/limits.ts";
import { ErrorCode, type PresenceStatus, type RecordBase, type Role } from "../../shared/protocol.ts";
import type { RoomContext } from "./context.ts";
import type { FrameFanout } from "./fanout.ts";
import type { EventQueue } from "./queue.ts";
import { readySockets } from "./receivers.ts";
import type { ConnState } from "./types.ts";

/** One member as `GET …/presence` lists it. */
export interface PresenceMember {
  conn: string;
  clientId: string;
  name: string;
  color: string;
  status: PresenceStatus;
  role: Role;
  /** The token's subject, or null. */
  subject: string | null;
}

/** Who is in the room now. */
export interface RoomPresence {
  /** Every member: those the room holds itself, and those on its relays. */
  count: number;
  /** The members the room holds itself, and the editors on its relays (its
   * watchers are counted in `relayed`, listed by `?watchers`). */
  members: PresenceMember[];
  /** Members on the room's relays (0 in a room with none). */
  relayed: number;
}

/** A metadata value: a string, a number, a boolean, or a list of strings. */
export type MetadataValue = string | number | boolean | string[];
export type RoomMetadata = Record<string, MetadataValue>;

/** A typed refusal with its HTTP status. */
export interface Refused {
  status: number;
  code: ErrorCode;
  message: string;
}

const KEY = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Check a metadata object (`patch`: a value may be null, to remove its key). */
export function checkMetadata(body: unknown, patch: boolean): Refused | null {
  const bad = (message: string): Refused => ({ status: 400, code: ErrorCode.BAD_MESSAGE, message });
  if (typeof body !== "object" || body === null || Array.isArray(body)) return bad("metadata is a JSON object");
  for (const [k, v] of Object.entries(body)) {
    if (!KEY.test(k)) return bad(`key ${JSON.stringify(k.slice(0, 70))}: 1-64 of A-Z a-z 0-9 _ . : -`);
    if (v === null && patch) continue;
    const str = (x: unknown) => typeof x === "string" && x.length <= ROOM_METADATA_VALUE_CHARS;
    const ok = str(v) || (typeof v === "number" && Number.isFinite(v)) || typeof v === "boolean" || (Array.isArray(v) && v.length <= ROOM_METADATA_MAX_KEYS && v.every(str));
    if (!ok) return bad(`${k}: a string (≤ ${ROOM_METADATA_VALUE_CHARS} characters), a number, a boolean or a list of such strings${patch ? ", or null to remove it" : ""}`);
  }
  return null;
}

export class BackendFace<R extends RecordBase = RecordBase> {
  private readonly ctx: RoomContext<R>;
  private readonly queue: EventQueue;
  private readonly out: FrameFanout<R>;
  private readonly relayed: () => number;
  /** The room's relays, for a broadcast to their members (room.ts; none in a small room). */
  relays: { broadcast(frame: string): number; editorStates(): ConnState[] } | null = null;
  /** Told after the metadata changed (the rooms index). */
  onMetadata: ((metadata: RoomMetadata) => void) | null = null;

  constructor(ctx: RoomContext<R>, queue: EventQueue, out: FrameFanout<R>, relayed: () => number) {
    this.ctx = ctx;
    this.queue = queue;
    this.out = out;
    this.relayed = relayed;
  }

  /** Who is in the room now: its own members (who said hello), and a count of its relays'. */
  presence(): Promise<RoomPresence> {
    return this.queue.run<RoomPresence>({ count: 0, members: [], relayed: 0 }, async () => {
      const members: PresenceMember[] = [];
      const states = [...readySockets(this.ctx.host)].map((s) => s.getState()!);
      // The editors on its relays are active people: listed too (watchers, on request).
      for (const st of [...states, ...(this.relays?.editorStates() ?? [])]) {
        members.push({ conn: st.conn, clientId: st.clientId ?? "", name: st.name ?? "anonymous", color: st.color ?? "#888888", status: st.status ?? "active", role: st.role, subject: st.sub ?? null });
      }
      const relayed = this.relayed();
      return { count: states.length + relayed, members, relayed };
    });
  }

  /** The room's metadata ({} when none was set). */
  metadata(): Promise<RoomMetadata> {
    return this.queue.run<RoomMetadata>({}, async () => JSON.parse((await this.ctx.host.storage.metadata()) ?? "{}") as RoomMetadata);
  }

  /** Replace the metadata (`patch` false) or merge into it (a null value
   * removes its key); refused whole past its bounds, nothing changed. */
  setMetadata(body: unknown, patch: boolean): Promise<{ metadata: RoomMetadata } | { refused: Refused }> {
    const refused = checkMetadata(body, patch);
    if (refused) return Promise.resolve({ refused });
    const failed = { refused: { status: 500, code: ErrorCode.INTERNAL, message: "the room could not store its metadata; retry" } };
    return this.queue.run<{ metadata: RoomMetadata } | { refused: Refused }>(failed, async () => {
      const next: Record<string, MetadataValue> = patch ? (JSON.parse((await this.ctx.host.storage.metadata()) ?? "{}") as RoomMetadata) : {};
      for (const [k, v] of Object.entries(body as Record<string, MetadataValue | null>)) {
        if (v === null) delete next[k];
        else next[k] = v;
      }
      const json = JSON.stringify(next);
      const keys = Object.keys(next).length;
      if (keys > ROOM_METADATA_MAX_KEYS || new TextEncoder().encode(json).length > ROOM_METADATA_MAX_BYTES) {
        return { refused: { status: 413, code: ErrorCode.TOO_LARGE, message: `metadata holds at most ${ROOM_METADATA_MAX_KEYS} keys and ${ROOM_METADATA_MAX_BYTES} bytes of JSON (this would be ${keys} keys, ${json.length} characters)` } };
      }
      await this.ctx.host.storage.putMetadata(json);
      this.onMetadata?.(next);
      return { metadata: next };
    });
  }

  /** Send `eventJson` (checked JSON text) to every member connected now that
   * reads broadcasts, on the room's relays too; nothing is stored. Returns how
   * many got it (relayed members as their relays last reported). */
  broadcast(eventJson: string): Promise<{ sent: number } | Refused> {
    if (eventJson.length > MAX_BROADCAST_BYTES) return Promise.resolve({ status: 413, code: ErrorCode.TOO_LARGE, message: `an event of ${eventJson.length} bytes exceeds ${MAX_BROADCAST_BYTES}` });
    return this.queue.run<{ sent: number } | Refused>({ status: 500, code: ErrorCode.INTERNAL, message: "the room could not broadcast; retry" }, async () => {
      // After the commits already queued: a client sees the board the backend saw.
      this.out.flushCommits();
      const frame = broadcastFrame(eventJson, this.ctx.host.now());
      let sent = 0;
      for (const s of readySockets(this.ctx.host)) {
        const st = s.getState()!;
        if (!st.bc || !this.out.reads.charge(st.conn, frame.length)) continue;
        this.out.sendFrame(s, frame);
        sent++;
      }
      // An audience room's relayed members that read broadcasts, through one frame per relay.
      sent += this.relays?.broadcast(frame) ?? 0;
      this.ctx.log("info", "broadcast", undefined, undefined, undefined, `${eventJson.length} bytes to ${sent}`);
      return { sent };
    });
  }
}
