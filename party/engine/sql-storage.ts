/**
 * RoomStorage on a SQLite-backed Durable Object (the wrangler host).
 *
 * `sql.exec` is synchronous and every commit runs inside `transactionSync`, so a
 * mutation's records, log entry, mutation id and head seq land together or not
 * at all. The output gate holds the ack until the write is confirmed.
 * Rows are read back with a plain JSON.parse: everything here was validated by
 * the room before it was written, so storage is not a trust boundary.
 * Schema v1 is created with IF NOT EXISTS; a later schema change adds a
 * numbered migration here.
 */
import type { Change, ErrorCode } from "../shared/protocol.ts";
import type { Shape } from "../whiteboard/records.ts";
import type { Commit, DedupePolicy, LoadedRoom, MutationOutcome, RoomMeta, RoomStorage } from "./storage.ts";

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS room_meta (id INTEGER PRIMARY KEY CHECK (id = 1), epoch TEXT NOT NULL, seq INTEGER NOT NULL, log_start INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS records (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, data TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS op_log (seq INTEGER PRIMARY KEY, data TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS mutations (mid TEXT PRIMARY KEY, seq INTEGER NOT NULL, at INTEGER NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS mutations_by_seq ON mutations (seq)`,
  `CREATE TABLE IF NOT EXISTS rejected_mutations (mid TEXT PRIMARY KEY, code TEXT NOT NULL, message TEXT NOT NULL, at INTEGER NOT NULL)`,
];

export class SqlRoomStorage implements RoomStorage {
  private readonly sql: SqlStorage;
  private readonly storage: DurableObjectStorage;

  constructor(storage: DurableObjectStorage) {
    this.storage = storage;
    this.sql = storage.sql;
    for (const statement of SCHEMA) this.sql.exec(statement);
  }

  async load(): Promise<LoadedRoom> {
    const metaRow = this.sql
      .exec<{ epoch: string; seq: number; log_start: number }>(`SELECT epoch, seq, log_start FROM room_meta WHERE id = 1`)
      .toArray()[0];
    const meta: RoomMeta | null = metaRow ? { epoch: metaRow.epoch, seq: metaRow.seq, logStart: metaRow.log_start } : null;
    const records = new Map<string, Shape>();
    const recordSeq = new Map<string, number>();
    for (const row of this.sql.exec<{ id: string; seq: number; data: string }>(`SELECT id, seq, data FROM records`)) {
      records.set(row.id, JSON.parse(row.data) as Shape);
      recordSeq.set(row.id, row.seq);
    }
    return { meta, records, recordSeq };
  }

  async init(meta: RoomMeta): Promise<void> {
    // INSERT (not REPLACE): if a row exists this fails loudly instead of re-seeding.
    this.sql.exec(`INSERT INTO room_meta (id, epoch, seq, log_start) VALUES (1, ?, ?, ?)`, meta.epoch, meta.seq, meta.logStart);
  }

  async commit({ meta, change, writes, at }: Commit): Promise<void> {
    this.storage.transactionSync(() => {
      for (const [id, value] of writes) {
        if (value) {
          this.sql.exec(
            `INSERT INTO records (id, seq, data) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, data = excluded.data`,
            id,
            change.seq,
            JSON.stringify(value),
          );
        } else {
          this.sql.exec(`DELETE FROM records WHERE id = ?`, id);
        }
      }
      this.sql.exec(`INSERT INTO op_log (seq, data) VALUES (?, ?)`, change.seq, JSON.stringify(change));
      this.sql.exec(`INSERT INTO mutations (mid, seq, at) VALUES (?, ?, ?)`, change.mid, change.seq, at);
      this.sql.exec(`UPDATE room_meta SET seq = ?, log_start = ? WHERE id = 1`, meta.seq, meta.logStart);
    });
  }

  async changesSince(afterSeq: number): Promise<Change[]> {
    return this.sql
      .exec<{ data: string }>(`SELECT data FROM op_log WHERE seq > ? ORDER BY seq`, afterSeq)
      .toArray()
      .map((row) => JSON.parse(row.data) as Change);
  }

  async findMutation(mid: string): Promise<MutationOutcome | undefined> {
    const applied = this.sql.exec<{ seq: number }>(`SELECT seq FROM mutations WHERE mid = ?`, mid).toArray()[0];
    if (applied) return { seq: applied.seq };
    const rejected = this.sql
      .exec<{ code: string; message: string }>(`SELECT code, message FROM rejected_mutations WHERE mid = ?`, mid)
      .toArray()[0];
    return rejected ? { code: rejected.code as ErrorCode, message: rejected.message } : undefined;
  }

  async rememberReject(mid: string, code: ErrorCode, message: string, at: number): Promise<void> {
    this.sql.exec(`INSERT OR IGNORE INTO rejected_mutations (mid, code, message, at) VALUES (?, ?, ?, ?)`, mid, code, message, at);
  }

  async compact(meta: RoomMeta, dedupe: DedupePolicy): Promise<void> {
    this.storage.transactionSync(() => {
      this.sql.exec(`UPDATE room_meta SET log_start = ? WHERE id = 1`, meta.logStart);
      this.sql.exec(`DELETE FROM op_log WHERE seq < ?`, meta.logStart);
      this.sql.exec(`DELETE FROM mutations WHERE at < ? OR (seq <= ? AND at < ?)`, dedupe.before, meta.seq - dedupe.max, dedupe.floor);
      this.sql.exec(`DELETE FROM rejected_mutations WHERE at < ?`, dedupe.before);
    });
  }

  sizeBytes(): number | null {
    return this.sql.databaseSize;
  }
}
