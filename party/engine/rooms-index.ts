/**
 * The rooms index (docs/HTTP-API.md "Listing rooms"): one Durable Object per
 * app, of the app's own room class, named `index:<party>` (a name no room id
 * can take: ROOM_ID_PATTERN has no `:`), holding one SQLite row per room
 * that was ever written — id, when it was first indexed (its first write),
 * its last activity, its members, its seq and its metadata. Rooms report to
 * it (room/index-reporter.ts), at most once per ROOMS_INDEX_REPORT_MS each;
 * the backend lists and filters it with `GET /parties/<party>`.
 *
 * Why a Durable Object and not D1: it needs no binding, no database to
 * create and no migration step in a deployment (the room class is already
 * bound), it runs under Miniflare like the rooms, and a room reaches it the
 * way it reaches its relays. Its limit is one object's write rate: each room
 * writes at most once per window; measured under Miniflare on a loaded
 * machine ~240 reports/s, so ~1,200 rooms active at once per app
 * (tests/workerd/rooms-index-capacity.test.ts, README "Design notes").
 */
import { ROOM_ID_PATTERN, ROOMS_INDEX_PAGE_MAX } from "../shared/limits.ts";
import { ErrorCode } from "../shared/protocol.ts";
import type { IndexReport } from "./room/types.ts";

export type { IndexReport };

/** One room as listed. */
export interface IndexedRoom {
  id: string;
  /** When the index first heard of it (its first write, for rooms created since the index exists). */
  created: number;
  active: number;
  members: number;
  seq: number;
  metadata: Record<string, unknown>;
}

/** The name of the index object of `party`. */
export const indexName = (party: string) => `index:${party}`;

const KEY = /^[A-Za-z0-9_.:-]{1,64}$/;

export class RoomsIndex {
  private readonly sql: SqlStorage;
  private ready = false;

  constructor(storage: DurableObjectStorage) {
    this.sql = storage.sql;
  }

  private table(): void {
    if (this.ready) return;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS rooms (id TEXT PRIMARY KEY, created INTEGER NOT NULL, active INTEGER NOT NULL, members INTEGER NOT NULL, seq INTEGER NOT NULL, metadata TEXT NOT NULL)`);
    this.sql.exec(`CREATE INDEX IF NOT EXISTS rooms_by_active ON rooms (active, id)`);
    this.ready = true;
  }

  /** Record one room's report: one row written (or deleted). */
  report(r: IndexReport, now: number): void {
    this.table();
    if (r.deleted) {
      this.sql.exec(`DELETE FROM rooms WHERE id = ?`, r.room);
      return;
    }
    this.sql.exec(
      `INSERT INTO rooms (id, created, active, members, seq, metadata) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET active = max(active, excluded.active), members = excluded.members, seq = excluded.seq, metadata = excluded.metadata`,
      r.room,
      Math.min(now, r.active),
      r.active,
      r.members,
      r.seq,
      JSON.stringify(r.metadata),
    );
  }

  /** Serve `GET /parties/<party>[?…]` (the query as documented), or a typed refusal. */
  list(url: URL): Response {
    const q = url.searchParams;
    const refuse = (message: string) => Response.json({ code: ErrorCode.BAD_MESSAGE, message }, { status: 400 });
    const where: string[] = [];
    const args: (string | number)[] = [];
    const num = (name: string) => {
      const v = q.get(name);
      return v === null ? null : /^\d{1,16}$/.test(v) ? Number(v) : NaN;
    };
    const limit = num("limit") ?? 50;
    if (!(limit >= 1 && limit <= ROOMS_INDEX_PAGE_MAX)) return refuse(`limit: 1-${ROOMS_INDEX_PAGE_MAX}`);
    const prefix = q.get("prefix");
    if (prefix !== null) {
      if (!/^[A-Za-z0-9_-]{0,64}$/.test(prefix)) return refuse("prefix: up to 64 of A-Z a-z 0-9 _ -");
      where.push(`substr(id, 1, ?) = ?`);
      args.push(prefix.length, prefix);
    }
    for (const [name, column, op] of [["activeSince", "active", ">="], ["createdSince", "created", ">="], ["minMembers", "members", ">="]] as const) {
      const v = num(name);
      if (v === null) continue;
      if (Number.isNaN(v)) return refuse(`${name}: a whole number`);
      where.push(`${column} ${op} ?`);
      args.push(v);
    }
    for (const [name, value] of q) {
      if (!name.startsWith("metadata.")) continue;
      const key = name.slice("metadata.".length);
      if (!KEY.test(key)) return refuse(`${name}: a metadata key is 1-64 of A-Z a-z 0-9 _ . : -`);
      // A string value equal to it, or a list of strings holding it (json_each
      // of a string is the string itself, of a list its items).
      const path = `$."${key}"`;
      where.push(`EXISTS (SELECT 1 FROM json_each(rooms.metadata, ?) WHERE value = ?)`);
      args.push(path, value);
    }
    const cursor = q.get("cursor");
    if (cursor !== null) {
      const m = /^(\d{1,16})\.([A-Za-z0-9_-]{1,64})$/.exec(cursor);
      if (!m) return refuse("cursor: as a previous page gave it");
      where.push(`(active < ? OR (active = ? AND id > ?))`);
      args.push(Number(m[1]), Number(m[1]), m[2]!);
    }
    this.table();
    const rows = this.sql
      .exec<{ id: string; created: number; active: number; members: number; seq: number; metadata: string }>(
        `SELECT id, created, active, members, seq, metadata FROM rooms ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY active DESC, id ASC LIMIT ?`,
        ...args,
        limit + 1,
      )
      .toArray();
    const page = rows.slice(0, limit).map((r): IndexedRoom => ({ ...r, metadata: JSON.parse(r.metadata) as Record<string, unknown> }));
    const last = page.at(-1);
    return Response.json({ rooms: page, cursor: rows.length > limit && last ? `${last.active}.${last.id}` : null });
  }
}

/** A report is what a room sends, checked (the header that carries it is the engine's own). */
export function readReport(body: unknown): IndexReport | null {
  const r = body as Partial<IndexReport> | null;
  if (!r || typeof r.room !== "string" || !ROOM_ID_PATTERN.test(r.room)) return null;
  if (r.deleted) return { room: r.room, active: 0, members: 0, seq: 0, metadata: {}, deleted: true };
  if (typeof r.active !== "number" || typeof r.members !== "number" || typeof r.seq !== "number" || typeof r.metadata !== "object" || r.metadata === null) return null;
  return { room: r.room, active: r.active, members: r.members, seq: r.seq, metadata: r.metadata };
}
