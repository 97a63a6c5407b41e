/**
 * docs/SECURITY.md states measured storage figures: the ones
 * tests/workerd/storage-figures.test.ts measures on SQLite in workerd.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { REJECT_MAX_ENTRIES } from "../../party/shared/limits.ts";
import { REFUSAL_TABLE_BYTES_AT_CAP } from "../workerd/storage-figures.ts";

const doc = readFileSync(new URL("../../docs/SECURITY.md", import.meta.url), "utf8");

describe("docs/SECURITY.md worst-case storage", () => {
  it("states the refused-mutation table at its cap as measured", () => {
    const row = doc.split("\n").find((l) => l.startsWith("| refused mutation ids |"));
    expect(row, "the storage table has a refused mutation ids row").toBeDefined();
    expect(row).toContain(`${REJECT_MAX_ENTRIES.toLocaleString("en-US")} rows`);
    expect(row).toContain(`${(REFUSAL_TABLE_BYTES_AT_CAP / 1e6).toFixed(1)} MB`);
    expect(row).toContain("tests/workerd/storage-figures.test.ts");
  });
});
