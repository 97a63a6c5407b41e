/**
 * docs/SECURITY.md states measured storage figures: the ones
 * tests/workerd/storage-figures.test.ts measures on SQLite in workerd. And
 * §3.9's table lists every bound with the test that shows it: each row names
 * test files that exist, each test title it quotes is in its file, and every
 * cost bound of issue 23 is named in a row.
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { REJECT_MAX_ENTRIES } from "../../party/shared/limits.ts";
import { APPLIED_ID_ROW_BYTES, ASSET_TABLE_BYTES_AT_CAP, METADATA_ROW_BYTES, REFUSAL_TABLE_BYTES_AT_CAP, WEBHOOK_LOG_BYTES_AT_CAP, WEBHOOK_OUTBOX_BYTES_AT_CAP } from "../workerd/storage-figures.ts";

const doc = readFileSync(new URL("../../docs/SECURITY.md", import.meta.url), "utf8");

describe("docs/SECURITY.md worst-case storage", () => {
  it("states the refused-mutation table at its cap as measured", () => {
    const row = doc.split("\n").find((l) => l.startsWith("| refused mutation ids |"));
    expect(row, "the storage table has a refused mutation ids row").toBeDefined();
    expect(row).toContain(`${REJECT_MAX_ENTRIES.toLocaleString("en-US")} rows`);
    expect(row).toContain(`${(REFUSAL_TABLE_BYTES_AT_CAP / 1e6).toFixed(1)} MB`);
    expect(row).toContain("tests/workerd/storage-figures.test.ts");
  });

  it("states the webhook outbox, the delivery log, the metadata row and the asset table as measured", () => {
    const rowOf = (name: string) => doc.split("\n").find((l) => l.startsWith(`| ${name} |`)) ?? "";
    expect(rowOf("webhook outbox")).toContain(`≤ ${(WEBHOOK_OUTBOX_BYTES_AT_CAP / 1e6).toFixed(2)} MB, measured`);
    expect(rowOf("webhook delivery log")).toContain(`≤ ${WEBHOOK_LOG_BYTES_AT_CAP / 1e3} KB, measured`);
    expect(rowOf("room metadata")).toContain(`≤ ${(METADATA_ROW_BYTES / 1e3).toFixed(1)} KB, measured`);
    expect(rowOf("asset table (its files are in R2, not in the room)")).toContain(`≤ ${(ASSET_TABLE_BYTES_AT_CAP / 1e6).toFixed(2)} MB, measured`);
    for (const name of ["webhook outbox", "webhook delivery log", "room metadata"]) expect(rowOf(name)).toContain("tests/workerd/storage-figures.test.ts");
  });

  it("states the applied-mutation table's row as measured", () => {
    const row = doc.split("\n").find((l) => l.startsWith("| applied mutation ids |"));
    expect(row).toContain(`rows of ≤ ${APPLIED_ID_ROW_BYTES} B, measured`);
    expect(row).toContain("tests/workerd/storage-figures.test.ts");
  });
});

const root = new URL("../../", import.meta.url);

/** The rows of §3.9's first table (attack, bound, shown by). */
function boundRows(): string[][] {
  const start = doc.indexOf("### 3.9 ");
  const end = doc.indexOf("**Worst-case storage", start);
  return doc
    .slice(start, end)
    .split("\n")
    .filter((l) => l.startsWith("| ") && !l.startsWith("| Attack class") && !l.startsWith("| ---"))
    .map((l) => l.slice(2, -2).split(" | "));
}

/** Cost bounds added for issue 23: each must be named in a row of §3.9. */
const NAMED_BOUNDS = [
  "SOCKET_MAX_OWED_BYTES",
  "READ_ACK_EVERY_BYTES",
  "FALLBACK_STREAM_MAX_OWED_BYTES",
  "FALLBACK_TICKET_TTL_MS",
  "PARSE_BYTES_PER_SEC",
  "PARSE_BYTES_BURST",
  "ROOM_OPENS_PER_MINUTE",
  "REFUSAL_IDENTITIES_MAX",
  "HISTORY_WORK_BYTES_PER_SEC",
  "HISTORY_BUILD_STEP_BYTES",
  "HISTORY_BOARD_CACHE_BYTES",
  "LIVE_BYTES_OUT_PER_SEC",
  "LIVE_BYTES_OUT_BURST",
  "CURSOR_SENDS_PER_SEC",
  "CURSOR_TICK_MS",
];

describe("docs/SECURITY.md §3.9: every bound with the test that shows it", () => {
  const rows = boundRows();

  it("has its rows, three cells each", () => {
    expect(rows.length).toBeGreaterThanOrEqual(20);
    for (const row of rows) expect(row, row[0]).toHaveLength(3);
  });

  it("each row names at least one test file, and each file exists", () => {
    for (const [attack, , shown] of rows) {
      const files = [...(shown ?? "").matchAll(/`(tests\/[\w./-]+\.test\.ts)`/g)].map((m) => m[1]!);
      expect(files.length, `"${attack!.slice(0, 60)}…" names no test file`).toBeGreaterThan(0);
      for (const f of files) expect(existsSync(new URL(f, root)), `${f} (row "${attack!.slice(0, 60)}…")`).toBe(true);
    }
  });

  it("each test title a row quotes after a file is in that file", () => {
    for (const [attack, , shown] of rows) {
      for (const part of (shown ?? "").split(";")) {
        const file = /`(tests\/[\w./-]+\.test\.ts)`/.exec(part)?.[1];
        if (!file || !existsSync(new URL(file, root))) continue;
        const text = readFileSync(new URL(file, root), "utf8");
        for (const [, title] of part.matchAll(/"([^"]+)"/g)) {
          const prefix = title!.replace(/…$/, "");
          expect(text.includes(prefix), `${file} has no test "${prefix}" (row "${attack!.slice(0, 60)}…")`).toBe(true);
        }
      }
    }
  });

  it.each(NAMED_BOUNDS)("names %s in a row that shows it by a test", (name) => {
    const row = rows.find(([, bound]) => bound!.includes(name));
    expect(row, `no row of §3.9 names ${name}`).toBeDefined();
    expect(row![2]).toMatch(/`tests\/[\w./-]+\.test\.ts`/);
  });
});
