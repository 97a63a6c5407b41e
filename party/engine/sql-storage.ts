/**
 * RoomStorage on a SQLite-backed Durable Object (the wrangler host).
 *
 * `sql.exec` is synchronous and every commit runs inside `transactionSync`, so a
 * mutation's records, log entry, mutation id and head seq land together or not
 * at all. The output gate holds the ack until the write is confirmed.
 * Rows are read back with a plain JSON.parse: everything here was validated by
 * the room before it was written, so storage is not a trust boundary.
 *
 * The schema is created lazily, by the first write: reading a room that was
 * never written (a stats request, a socket that only said hello) creates no
 * table. Migrations are numbered steps in `MIGRATIONS`, applied in order at that
 * point and recorded in `room_schema`.
 */
import type { Author, ChangeSummary, ErrorCode, RecordBase } from "../shared/protocol.ts";
import { splitText } from "./chunks.ts";
import type {
  Commit,
  DedupePolicy,
  HistoryIndex,
  LoadedRoom,
  MutationOutcome,
  OutboxEvent,
  RejectPolicy,
  RememberedReject,
  RoomMeta,
  RoomStorage,
  StoredCheckpoint,
} from "./storage.ts";

/** Longest stored text value, in UTF-16 code units: at most 768 KiB as UTF-8,
 * well under SQLite's 2 MB value limit on Durable Objects. Longer ones (a
 * checkpoint, a restore's log entry) are stored as parts. */
const PART_CHARS = 256 * 1024;

/** Each step runs once, in order; the index + 1 is the schema version. */
const MIGRATIONS: ((sql: SqlStorage) => void)[] = [
  // v1: the original tables (rooms written before versioning have them all).
  (sql) => {
    sql.exec(`CREATE TABLE IF NOT EXISTS room_meta (id INTEGER PRIMARY KEY CHECK (id = 1), epoch TEXT NOT NULL, seq INTEGER NOT NULL, log_start INTEGER NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS records (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, data TEXT NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS op_log (seq INTEGER PRIMARY KEY, data TEXT NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS mutations (mid TEXT PRIMARY KEY, seq INTEGER NOT NULL, at INTEGER NOT NULL)`);
    sql.exec(`CREATE INDEX IF NOT EXISTS mutations_by_seq ON mutations (seq)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS rejected_mutations (mid TEXT PRIMARY KEY, code TEXT NOT NULL, message TEXT NOT NULL, at INTEGER NOT NULL)`);
  },
  // v2: each log entry's size (delta vs snapshot by bytes, compaction by bytes),
  // and refusals pruned oldest-first by arrival order (rowid) on every insert.
  (sql) => {
    sql.exec(`ALTER TABLE op_log ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0`);
    sql.exec(`UPDATE op_log SET bytes = length(data)`);
    sql.exec(`CREATE INDEX IF NOT EXISTS rejected_by_at ON rejected_mutations (at)`);
  },
  // v3: retained history (each log entry's summary; entries longer than one
  // value as parts; checkpoints as parts) and the webhook outbox.
  (sql) => {
    sql.exec(`ALTER TABLE op_log ADD COLUMN info TEXT`);
    sql.exec(`ALTER TABLE op_log ADD COLUMN parts INTEGER NOT NULL DEFAULT 0`);
    sql.exec(`CREATE TABLE IF NOT EXISTS op_log_parts (seq INTEGER NOT NULL, part INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (seq, part))`);
    sql.exec(
      `CREATE TABLE IF NOT EXISTS checkpoints (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, records INTEGER NOT NULL, bytes INTEGER NOT NULL, version TEXT UNIQUE, author TEXT)`,
    );
    sql.exec(`CREATE TABLE IF NOT EXISTS checkpoint_parts (seq INTEGER NOT NULL, part INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (seq, part))`);
    sql.exec(`CREATE TABLE IF NOT EXISTS webhook_outbox (id TEXT PRIMARY KEY, body TEXT NOT NULL, attempts INTEGER NOT NULL, due INTEGER NOT NULL)`);
  },
  // v4: the webhook delivery log (GET …/webhooks), its newest WEBHOOK_LOG_MAX entries.
  (sql) => {
    sql.exec(`CREATE TABLE IF NOT EXISTS webhook_log (n INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL)`);
  },
  // v5: the room's metadata (HTTP API …/metadata), one row.
  (sql) => {
    sql.exec(`CREATE TABLE IF NOT EXISTS room_metadata (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL)`);
  },
];

export class SqlRoomStorage<R extends RecordBase = RecordBase> implements RoomStorage<R> {
  private readonly sql: SqlStorage;
  private readonly storage: DurableObjectStorage;
  /** Schema version on disk; null until first looked up. */
  private version: number | null = null;

  constructor(storage: DurableObjectStorage) {
    this.storage = storage;
    this.sql = storage.sql;
  }

  /** The schema version on disk, without creating anything (0: never written). */
  private schemaVersion(): number {
    if (this.version !== null) return this.version;
    const tables = new Set(
      this.sql.exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table'`).toArray().map((r) => r.name),
    );
    if (tables.has("room_schema")) {
      this.version = this.sql.exec<{ version: number }>(`SELECT version FROM room_schema WHERE id = 1`).one().version;
    } else {
      // Before versioning, v1's tables were created on every wake.
      this.version = tables.has("room_meta") ? 1 : 0;
    }
    return this.version;
  }

  /** Bring the schema up to date; called by every write, never by a read. */
  private ensureSchema(): void {
    const from = this.schemaVersion();
    if (from === MIGRATIONS.length) return;
    this.storage.transactionSync(() => {
      for (let v = from; v < MIGRATIONS.length; v++) MIGRATIONS[v]!(this.sql);
      this.sql.exec(`CREATE TABLE IF NOT EXISTS room_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)`);
      this.sql.exec(`INSERT INTO room_schema (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version`, MIGRATIONS.length);
    });
    this.version = MIGRATIONS.length;
  }

  /** Reads of a room that was never written see an empty room. */
  private get exists(): boolean {
    return this.schemaVersion() > 0;
  }

  async load(): Promise<LoadedRoom<R>> {
    const records = new Map<string, R>();
    const recordSeq = new Map<string, number>();
    if (!this.exists) return { meta: null, records, recordSeq, logBytes: [] };
    // A room written by v1 code gets its sizes column before it is read.
    if (this.schemaVersion() < MIGRATIONS.length) this.ensureSchema();
    const metaRow = this.sql
      .exec<{ epoch: string; seq: number; log_start: number }>(`SELECT epoch, seq, log_start FROM room_meta WHERE id = 1`)
      .toArray()[0];
    const meta: RoomMeta | null = metaRow ? { epoch: metaRow.epoch, seq: metaRow.seq, logStart: metaRow.log_start } : null;
    for (const row of this.sql.exec<{ id: string; seq: number; data: string }>(`SELECT id, seq, data FROM records`)) {
      records.set(row.id, JSON.parse(row.data) as R);
      recordSeq.set(row.id, row.seq);
    }
    const logBytes = this.sql
      .exec<{ bytes: number }>(`SELECT bytes FROM op_log WHERE seq >= ? ORDER BY seq`, meta?.logStart ?? 1)
      .toArray()
      .map((r) => r.bytes);
    return { meta, records, recordSeq, logBytes };
  }

  async commit({ meta, change, changeJson, writes, at, first, summary }: Commit<R>): Promise<void> {
    this.ensureSchema();
    this.storage.transactionSync(() => {
      if (first) {
        // INSERT (not REPLACE): if a row exists this fails loudly instead of re-seeding.
        this.sql.exec(`INSERT INTO room_meta (id, epoch, seq, log_start) VALUES (1, ?, ?, ?)`, meta.epoch, meta.seq, meta.logStart);
      } else {
        this.sql.exec(`UPDATE room_meta SET seq = ?, log_start = ? WHERE id = 1`, meta.seq, meta.logStart);
      }
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
      const parts = splitText(changeJson, PART_CHARS);
      this.sql.exec(
        `INSERT INTO op_log (seq, data, bytes, info, parts) VALUES (?, ?, ?, ?, ?)`,
        change.seq,
        parts[0]!,
        changeJson.length,
        summary ? JSON.stringify(summary) : null,
        parts.length - 1,
      );
      for (let i = 1; i < parts.length; i++) this.sql.exec(`INSERT INTO op_log_parts (seq, part, data) VALUES (?, ?, ?)`, change.seq, i, parts[i]!);
      this.sql.exec(`INSERT INTO mutations (mid, seq, at) VALUES (?, ?, ?)`, change.mid, change.seq, at);
      // History starts at the empty board: a checkpoint nobody has to write later.
      if (first && summary) this.putCheckpoint({ seq: 0, at, records: 0, bytes: 2 }, "[]");
    });
  }

  /** Log entries in (afterSeq, toSeq], each whole again. */
  private logEntries(afterSeq: number, toSeq: number): string[] {
    return this.sql
      .exec<{ seq: number; data: string; parts: number }>(`SELECT seq, data, parts FROM op_log WHERE seq > ? AND seq <= ? ORDER BY seq`, afterSeq, toSeq)
      .toArray()
      .map((row) => {
        if (row.parts === 0) return row.data;
        const rest = this.sql.exec<{ data: string }>(`SELECT data FROM op_log_parts WHERE seq = ? ORDER BY part`, row.seq).toArray();
        return row.data + rest.map((r) => r.data).join("");
      });
  }

  /** Reads of history: nothing for a room never written; older schemas migrated first. */
  private readable(): boolean {
    if (!this.exists) return false;
    if (this.schemaVersion() < MIGRATIONS.length) this.ensureSchema();
    return true;
  }

  async changesSince(afterSeq: number): Promise<string[]> {
    if (!this.readable()) return [];
    return this.logEntries(afterSeq, Number.MAX_SAFE_INTEGER);
  }

  async changesBetween(afterSeq: number, toSeq: number): Promise<string[]> {
    if (!this.readable()) return [];
    return this.logEntries(afterSeq, toSeq);
  }

  async findMutation(mid: string): Promise<MutationOutcome | undefined> {
    if (!this.exists) return undefined;
    const applied = this.sql.exec<{ seq: number }>(`SELECT seq FROM mutations WHERE mid = ?`, mid).toArray()[0];
    if (applied) return { seq: applied.seq };
    const rejected = this.sql
      .exec<{ code: string; message: string }>(`SELECT code, message FROM rejected_mutations WHERE mid = ?`, mid)
      .toArray()[0];
    return rejected ? { code: rejected.code as ErrorCode, message: rejected.message } : undefined;
  }

  async rememberReject({ mid, code, message, at }: RememberedReject, policy: RejectPolicy): Promise<void> {
    this.ensureSchema();
    this.storage.transactionSync(() => {
      this.sql.exec(`INSERT OR IGNORE INTO rejected_mutations (mid, code, message, at) VALUES (?, ?, ?, ?)`, mid, code, message, at);
      // rowids grow with every insert, so "beyond the newest max" is a rowid
      // range: both deletes walk an index, never the table.
      const newest = this.sql.exec<{ r: number | null }>(`SELECT max(rowid) AS r FROM rejected_mutations`).one().r ?? 0;
      this.sql.exec(`DELETE FROM rejected_mutations WHERE rowid <= ?`, newest - policy.max);
      this.sql.exec(`DELETE FROM rejected_mutations WHERE at < ?`, policy.before);
    });
  }

  async compact(meta: RoomMeta, dedupe: DedupePolicy, logFloor = meta.logStart): Promise<void> {
    this.ensureSchema();
    this.storage.transactionSync(() => {
      this.sql.exec(`UPDATE room_meta SET log_start = ? WHERE id = 1`, meta.logStart);
      this.sql.exec(`DELETE FROM op_log WHERE seq < ?`, logFloor);
      this.sql.exec(`DELETE FROM op_log_parts WHERE seq < ?`, logFloor);
      this.sql.exec(`DELETE FROM mutations WHERE at < ? OR (seq <= ? AND at < ?)`, dedupe.before, meta.seq - dedupe.max, dedupe.floor);
      this.sql.exec(`DELETE FROM rejected_mutations WHERE at < ?`, dedupe.before);
    });
  }

  async erase(): Promise<void> {
    // deleteAll drops the SQLite database of a SQLite-backed object too.
    await this.storage.deleteAll();
    this.version = null;
  }

  sizeBytes(): number | null {
    return this.exists ? this.sql.databaseSize : 0;
  }

  async historyIndex(): Promise<HistoryIndex> {
    if (!this.readable()) return { checkpoints: [], firstChange: 1, tail: { changes: 0, bytes: 0 }, between: [] };
    const checkpoints = this.sql
      .exec<{ seq: number; at: number; records: number; bytes: number; version: string | null; author: string | null }>(
        `SELECT seq, at, records, bytes, version, author FROM checkpoints ORDER BY seq`,
      )
      .toArray()
      .map((r): StoredCheckpoint => ({
        seq: r.seq,
        at: r.at,
        records: r.records,
        bytes: r.bytes,
        ...(r.version !== null ? { version: r.version } : {}),
        ...(r.author !== null ? { author: JSON.parse(r.author) as Author } : {}),
      }));
    const head = this.sql.exec<{ seq: number }>(`SELECT seq FROM room_meta WHERE id = 1`).toArray()[0]?.seq ?? 0;
    const first = this.sql.exec<{ s: number | null }>(`SELECT min(seq) AS s FROM op_log`).one().s;
    const newest = checkpoints.at(-1)?.seq ?? -1;
    const tail = this.sql.exec<{ n: number; b: number }>(`SELECT count(*) AS n, coalesce(sum(bytes), 0) AS b FROM op_log WHERE seq > ?`, newest).one();
    const between = checkpoints.map(
      (cp, i) =>
        this.sql.exec<{ b: number }>(`SELECT coalesce(sum(bytes), 0) AS b FROM op_log WHERE seq > ? AND seq <= ?`, cp.seq, checkpoints[i + 1]?.seq ?? Number.MAX_SAFE_INTEGER).one().b,
    );
    return { checkpoints, firstChange: first ?? head + 1, tail: { changes: tail.n, bytes: tail.b }, between };
  }

  async changeSummaries(before: number, limit: number): Promise<ChangeSummary[]> {
    if (!this.readable()) return [];
    return this.sql
      .exec<{ info: string }>(`SELECT info FROM op_log WHERE seq < ? AND info IS NOT NULL ORDER BY seq DESC LIMIT ?`, before, limit)
      .toArray()
      .map((r) => JSON.parse(r.info) as ChangeSummary);
  }

  private putCheckpoint(cp: StoredCheckpoint, json: string): void {
    this.sql.exec(`DELETE FROM checkpoint_parts WHERE seq = ?`, cp.seq);
    splitText(json, PART_CHARS).forEach((part, i) => this.sql.exec(`INSERT INTO checkpoint_parts (seq, part, data) VALUES (?, ?, ?)`, cp.seq, i, part));
    this.sql.exec(
      `INSERT INTO checkpoints (seq, at, records, bytes, version, author) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (seq) DO UPDATE SET at = excluded.at, records = excluded.records, bytes = excluded.bytes,
         version = coalesce(excluded.version, checkpoints.version), author = coalesce(excluded.author, checkpoints.author)`,
      cp.seq,
      cp.at,
      cp.records,
      cp.bytes,
      cp.version ?? null,
      cp.author ? JSON.stringify(cp.author) : null,
    );
  }

  async writeCheckpoint(checkpoint: StoredCheckpoint, records: R[]): Promise<void> {
    this.ensureSchema();
    const json = JSON.stringify(records);
    this.storage.transactionSync(() => this.putCheckpoint({ ...checkpoint, bytes: json.length }, json));
  }

  async readCheckpoint(seq: number): Promise<R[] | undefined> {
    if (!this.readable()) return undefined;
    const parts = this.sql.exec<{ data: string }>(`SELECT data FROM checkpoint_parts WHERE seq = ? ORDER BY part`, seq).toArray();
    if (parts.length === 0) return undefined;
    return JSON.parse(parts.map((p) => p.data).join("")) as R[];
  }

  async nameCheckpoint(seq: number, version: string, author: Author): Promise<void> {
    this.ensureSchema();
    this.sql.exec(`UPDATE checkpoints SET version = ?, author = ? WHERE seq = ?`, version, JSON.stringify(author), seq);
  }

  async pruneHistory(drop: number[], logFloor: number): Promise<void> {
    if (!this.readable()) return;
    this.storage.transactionSync(() => {
      for (const seq of drop) {
        this.sql.exec(`DELETE FROM checkpoints WHERE seq = ?`, seq);
        this.sql.exec(`DELETE FROM checkpoint_parts WHERE seq = ?`, seq);
      }
      this.sql.exec(`DELETE FROM op_log WHERE seq < ?`, logFloor);
      this.sql.exec(`DELETE FROM op_log_parts WHERE seq < ?`, logFloor);
    });
  }

  async outbox(): Promise<OutboxEvent[]> {
    if (!this.readable()) return [];
    return this.sql.exec<{ id: string; body: string; attempts: number; due: number }>(`SELECT id, body, attempts, due FROM webhook_outbox ORDER BY id`).toArray().map((r) => ({ ...r }));
  }

  async putOutbox(events: OutboxEvent[]): Promise<void> {
    this.ensureSchema();
    this.storage.transactionSync(() => {
      for (const e of events) {
        this.sql.exec(
          `INSERT INTO webhook_outbox (id, body, attempts, due) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body, attempts = excluded.attempts, due = excluded.due`,
          e.id,
          e.body,
          e.attempts,
          e.due,
        );
      }
    });
  }

  async deleteOutbox(ids: string[]): Promise<void> {
    if (!this.readable()) return;
    for (const id of ids) this.sql.exec(`DELETE FROM webhook_outbox WHERE id = ?`, id);
  }

  async webhookLog(): Promise<string[]> {
    if (!this.readable()) return [];
    return this.sql.exec<{ entry: string }>(`SELECT entry FROM webhook_log ORDER BY n`).toArray().map((r) => r.entry);
  }

  async metadata(): Promise<string | null> {
    if (!this.readable()) return null;
    return this.sql.exec<{ data: string }>(`SELECT data FROM room_metadata WHERE id = 1`).toArray()[0]?.data ?? null;
  }

  async putMetadata(json: string): Promise<void> {
    this.ensureSchema();
    this.sql.exec(`INSERT INTO room_metadata (id, data) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data`, json);
  }

  async appendWebhookLog(entries: string[], keep: number): Promise<void> {
    this.ensureSchema();
    this.storage.transactionSync(() => {
      for (const e of entries) this.sql.exec(`INSERT INTO webhook_log (entry) VALUES (?)`, e);
      this.sql.exec(`DELETE FROM webhook_log WHERE n <= (SELECT MAX(n) FROM webhook_log) - ?`, keep);
    });
  }
}
