/**
 * docs/SECURITY.md's worst-case storage figures, measured on the real storage
 * (SQLite in workerd) rather than estimated: the refused-mutation table at its
 * cap, filled with the largest rows a client can make the room store. The
 * figure the doc states lives in storage-figures.ts, checked against the doc by
 * tests/unit/security-doc.test.ts and against the measurement here.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SqlRoomStorage } from "../../party/engine/sql-storage.ts";
import { REJECT_MAX_ENTRIES } from "../../party/shared/limits.ts";
import { ErrorCode } from "../../party/shared/protocol.ts";
import { MAX_ASSETS_PER_ROOM, MAX_NAME_CHARS, ROOM_METADATA_MAX_BYTES, WEBHOOK_ENDPOINTS_MAX, WEBHOOK_LOG_MAX, WEBHOOK_OUTBOX_MAX } from "../../party/shared/limits.ts";
import { APPLIED_ID_ROW_BYTES, ASSET_TABLE_BYTES_AT_CAP, METADATA_ROW_BYTES, REFUSAL_ROW_MAX_MESSAGE, REFUSAL_TABLE_BYTES_AT_CAP, WEBHOOK_LOG_BYTES_AT_CAP, WEBHOOK_OUTBOX_BYTES_AT_CAP } from "./storage-figures.ts";

const stubFor = (room: string) => env.CARDS.get(env.CARDS.idFromName(room));

describe("worst-case storage, measured", () => {
  it("the refused-mutation table at REJECT_MAX_ENTRIES, with the longest ids and messages, is the size SECURITY.md states", async () => {
    const measured = await runInDurableObject(stubFor("figures-refusals"), async (_: unknown, state: DurableObjectState) => {
      const storage = new SqlRoomStorage(state.storage);
      // One small refusal creates the schema: the baseline is an existing,
      // empty-but-for-one table.
      const policy = (now: number) => ({ before: now - 24 * 3_600_000, max: REJECT_MAX_ENTRIES });
      await storage.rememberReject({ mid: "seed", code: ErrorCode.RECORD_NOT_FOUND, message: "x", at: Date.now() }, policy(Date.now()));
      const base = state.storage.sql.databaseSize;
      // Past the cap (so pruning runs too), every row as large as a client can
      // make it: a 64-character mid (ID_PATTERN's maximum), the longest code,
      // a message at the room's 200-character cut.
      const codes = Object.values(ErrorCode).sort((a, b) => b.length - a.length);
      for (let i = 0; i < REJECT_MAX_ENTRIES + 100; i++) {
        const mid = `${i}`.padStart(64, "m");
        await storage.rememberReject({ mid, code: codes[0]!, message: "r".repeat(REFUSAL_ROW_MAX_MESSAGE), at: Date.now() }, policy(Date.now()));
      }
      const rows = state.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM rejected_mutations`).one().n;
      return { rows, bytes: state.storage.sql.databaseSize - base };
    });
    console.log(`refusal table at its cap: ${measured.rows} rows, ${measured.bytes} bytes (${(measured.bytes / measured.rows).toFixed(0)} B/row)`);
    expect(measured.rows).toBe(REJECT_MAX_ENTRIES);
    // The doc's figure is the measurement, rounded up by at most 10 %.
    expect(measured.bytes).toBeLessThanOrEqual(REFUSAL_TABLE_BYTES_AT_CAP);
    expect(measured.bytes).toBeGreaterThan(REFUSAL_TABLE_BYTES_AT_CAP * 0.9);
  }, 120_000);

  it("an applied mutation id costs the bytes a row SECURITY.md states", async () => {
    const measured = await runInDurableObject(stubFor("figures-applied"), async (_: unknown, state: DurableObjectState) => {
      // The storage creates its tables; the rows are written as its commit
      // writes them (sql-storage.ts: mid, seq, at), the largest a client can
      // make: a 64-character mid (ID_PATTERN's maximum).
      const storage = new SqlRoomStorage(state.storage);
      await storage.rememberReject({ mid: "seed", code: ErrorCode.RECORD_NOT_FOUND, message: "x", at: Date.now() }, { before: 0, max: 1 });
      const base = state.storage.sql.databaseSize;
      const n = 20_000;
      const at = Date.now();
      for (let i = 0; i < n; i++) state.storage.sql.exec(`INSERT INTO mutations (mid, seq, at) VALUES (?, ?, ?)`, `${i}`.padStart(64, "m"), i + 1, at + i);
      return { rows: n, bytes: state.storage.sql.databaseSize - base };
    });
    const perRow = measured.bytes / measured.rows;
    console.log(`applied ids: ${measured.rows} rows, ${measured.bytes} bytes (${perRow.toFixed(0)} B/row)`);
    // The doc's figure is the measurement, rounded up by at most 15 %.
    expect(perRow).toBeLessThanOrEqual(APPLIED_ID_ROW_BYTES);
    expect(perRow).toBeGreaterThan(APPLIED_ID_ROW_BYTES * 0.85);
  }, 120_000);

  it("the webhook outbox, the delivery log, the metadata row and the asset table at their caps are the sizes SECURITY.md states", async () => {
    const measured = await runInDurableObject(stubFor("figures-rest"), async (_: unknown, state: DurableObjectState) => {
      const storage = new SqlRoomStorage(state.storage);
      await storage.putMetadata("{}");
      const size = () => state.storage.sql.databaseSize;
      const now = Date.now();
      // The largest rows the room writes (webhooks.ts, sessions.ts, assets.ts,
      // asset-gc.ts): 64-character ids, 32-character endpoint names (their
      // pattern's maximum), names of MAX_NAME_CHARS three-byte characters.
      const eventId = (i: number) => `evt_${now.toString(36).padStart(9, "0")}${i.toString(36).padStart(4, "0")}0a1b2c3d`;
      const endpoint = (k: number) => `${k}`.padStart(32, "e");
      const id64 = (i: number, c: string) => `${i}`.padStart(64, c);
      const data = { conn: "0123456789abcdef", clientId: id64(1, "c"), name: "字".repeat(MAX_NAME_CHARS), subject: id64(2, "s"), role: "editor", members: 256 };
      let base = size();
      const rows = [];
      for (let k = 0; k < WEBHOOK_ENDPOINTS_MAX; k++) {
        for (let i = 0; i < WEBHOOK_OUTBOX_MAX; i++) {
          const event = { id: eventId(i), type: "member.entered", party: "p".repeat(32), room: id64(i, "r"), at: now, data };
          rows.push({ id: `${event.id}~${endpoint(k)}`, body: JSON.stringify(event), attempts: 30, due: now });
        }
      }
      await storage.putOutbox(rows);
      const outbox = size() - base;
      base = size();
      const detail = "x".repeat(120); // a failed fetch's message is cut at 120 (webhooks.ts)
      const log = Array.from({ length: WEBHOOK_LOG_MAX }, (_, i) =>
        JSON.stringify({ at: now, event: eventId(i), type: "member.entered", endpoint: endpoint(i % 8), attempt: 30, ok: false, status: null, detail, ms: 30_000, next: now + 3_600_000 }),
      );
      await storage.appendWebhookLog(log, WEBHOOK_LOG_MAX);
      const logBytes = size() - base;
      base = size();
      await storage.putMetadata(JSON.stringify({ k: "v".repeat(ROOM_METADATA_MAX_BYTES - 10) }));
      const metadata = size() - base;
      base = size();
      for (let i = 0; i < MAX_ASSETS_PER_ROOM; i++) {
        const hash = `${i}`.padStart(64, "a");
        await state.storage.put(`asset:${hash}`, { type: "image/webp", bytes: 26_214_400, at: now });
        await state.storage.put(`assetmark:${hash}`, now);
      }
      const assets = size() - base;
      const logRows = state.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM webhook_log`).one().n;
      return { outbox, rows: rows.length, log: logBytes, logRows, metadata, assets };
    });
    console.log(`outbox ${measured.rows} rows: ${measured.outbox} B; log ${measured.logRows} rows: ${measured.log} B; metadata: ${measured.metadata} B; assets ${MAX_ASSETS_PER_ROOM} + marks: ${measured.assets} B`);
    expect(measured.logRows).toBe(WEBHOOK_LOG_MAX);
    // Each figure the doc states is the measurement, rounded up by at most 20 %.
    for (const [got, stated] of [
      [measured.outbox, WEBHOOK_OUTBOX_BYTES_AT_CAP],
      [measured.log, WEBHOOK_LOG_BYTES_AT_CAP],
      [measured.metadata, METADATA_ROW_BYTES],
      [measured.assets, ASSET_TABLE_BYTES_AT_CAP],
    ] as const) {
      expect(got).toBeLessThanOrEqual(stated);
      expect(got).toBeGreaterThan(stated * 0.8);
    }
  }, 120_000);
});
