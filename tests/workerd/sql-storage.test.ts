/**
 * The SQLite storage on a real Durable Object's SQLite, against the storage
 * contract every RoomStorage passes (the key-value storage runs the same suite
 * in tests/unit/storage.test.ts), plus what only SQLite has: the lazy schema
 * and its migration from rooms written by older code.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SqlRoomStorage } from "../../party/engine/sql-storage.ts";
import { storageContract } from "../../party/engine/testing/storage-contract.ts";

let n = 0;
const freshStub = () => env.CARDS.get(env.CARDS.idFromName(`sql-contract-${++n}`));

storageContract("SQLite", (use) => runInDurableObject(freshStub(), (_: unknown, state: DurableObjectState) => use(new SqlRoomStorage(state.storage))));

const tables = (state: DurableObjectState) =>
  state.storage.sql
    .exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`)
    .toArray()
    .map((r) => r.name)
    .sort();

describe("SQLite schema", () => {
  it("creates no table until the first write", async () => {
    const out = await runInDurableObject(freshStub(), async (_: unknown, state: DurableObjectState) => {
      const s = new SqlRoomStorage(state.storage);
      await s.load();
      await s.findMutation("m1");
      // History and outbox reads create nothing either.
      await s.historyIndex();
      await s.changeSummaries(10, 10);
      await s.readCheckpoint(0);
      await s.outbox();
      const before = tables(state);
      await s.rememberReject({ mid: "x", code: "RECORD_NOT_FOUND", message: "gone", at: 1 }, { before: 0, max: 10 });
      return { before, after: tables(state) };
    });
    expect(out.before).toEqual([]);
    expect(out.after).toEqual([
      "checkpoint_parts",
      "checkpoints",
      "mutations",
      "op_log",
      "op_log_parts",
      "records",
      "rejected_mutations",
      "room_meta",
      "room_metadata",
      "room_schema",
      "webhook_log",
      "webhook_outbox",
    ]);
  });

  it("migrates a room written by v1 code (no sizes column): sizes computed, nothing lost", async () => {
    const out = await runInDurableObject(freshStub(), async (_: unknown, state: DurableObjectState) => {
      const sql = state.storage.sql;
      // What the v1 code created on every wake, and one committed change.
      sql.exec(`CREATE TABLE room_meta (id INTEGER PRIMARY KEY CHECK (id = 1), epoch TEXT NOT NULL, seq INTEGER NOT NULL, log_start INTEGER NOT NULL)`);
      sql.exec(`CREATE TABLE records (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, data TEXT NOT NULL)`);
      sql.exec(`CREATE TABLE op_log (seq INTEGER PRIMARY KEY, data TEXT NOT NULL)`);
      sql.exec(`CREATE TABLE mutations (mid TEXT PRIMARY KEY, seq INTEGER NOT NULL, at INTEGER NOT NULL)`);
      sql.exec(`CREATE TABLE rejected_mutations (mid TEXT PRIMARY KEY, code TEXT NOT NULL, message TEXT NOT NULL, at INTEGER NOT NULL)`);
      const change = JSON.stringify({ seq: 1, by: "c", mid: "m1", ops: [] });
      sql.exec(`INSERT INTO room_meta VALUES (1, 'old', 1, 1)`);
      sql.exec(`INSERT INTO op_log VALUES (1, ?)`, change);
      sql.exec(`INSERT INTO mutations VALUES ('m1', 1, 5)`);
      const s = new SqlRoomStorage(state.storage);
      const loaded = await s.load();
      return { meta: loaded.meta, logBytes: loaded.logBytes, expected: change.length, found: await s.findMutation("m1"), log: await s.changesSince(0) };
    });
    expect(out.meta).toEqual({ epoch: "old", seq: 1, logStart: 1 });
    expect(out.logBytes).toEqual([out.expected]);
    expect(out.found).toEqual({ seq: 1 });
    expect(out.log).toHaveLength(1);
  });
});
