/**
 * The rooms index's capacity, measured (README "Design notes", issue 20): how
 * many rooms' reports one index object takes per second, and the bytes a room
 * costs it. The reports go the way rooms send them (a POST to the index object
 * of the app, `x-edgeroom-index: report`), 50 at a time, against the real
 * SQLite storage of Miniflare. Printed, not asserted against a time: a speed
 * is a benchmark's to judge; what is asserted is that every report landed.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { INDEX_HEADER } from "../../party/engine/headers.ts";
import { indexName } from "../../party/engine/rooms-index.ts";

const ROOMS = 1_000;
const AT_ONCE = 50;

describe("rooms index: capacity", () => {
  it(`takes ${ROOMS} rooms' reports (then each again): reports/s and bytes per room, printed`, { timeout: 120_000 }, async () => {
    const stub = env.CARDS.get(env.CARDS.idFromName(indexName("cards")));
    const size = () => runInDurableObject(stub, (_: unknown, s: DurableObjectState) => s.storage.sql.databaseSize);
    const report = (i: number, round: number) =>
      stub.fetch("http://index/report", { method: "POST", headers: { [INDEX_HEADER]: "report" }, body: JSON.stringify({ room: `room-${i}`, active: Date.now(), members: 1 + (i % 7), seq: 10 * round + i, metadata: { title: `Board ${i}` } }) });
    const round = async (r: number) => {
      const t0 = performance.now();
      for (let i = 0; i < ROOMS; i += AT_ONCE) {
        const answers = await Promise.all(Array.from({ length: Math.min(AT_ONCE, ROOMS - i) }, (_, k) => report(i + k, r)));
        for (const a of answers) expect(a.ok).toBe(true);
      }
      return ROOMS / ((performance.now() - t0) / 1000);
    };
    await report(0, 0); // the table exists before the size is read
    const before = await size();
    const first = await round(1); // rows created
    const after = await size();
    const again = await round(2); // rows replaced: what a busy room's report every 5 s costs
    const rows = await runInDurableObject(stub, (_: unknown, s: DurableObjectState) => s.storage.sql.exec("SELECT COUNT(*) AS n FROM rooms").one().n);
    expect(rows).toBe(ROOMS);
    const perRoom = Math.round((after - before) / ROOMS);
    console.log(`rooms index: ${Math.round(first)} new rooms' reports/s, ${Math.round(again)} updates/s; ${perRoom} stored bytes per room (SQLite, metadata ~20 B); at one report per room per ROOMS_INDEX_REPORT_MS (5 s): ~${Math.round((again * 5) / 100) * 100} rooms active at once`);
  });
});
