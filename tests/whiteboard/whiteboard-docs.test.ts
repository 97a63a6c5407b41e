/**
 * docs/WHITEBOARD-RECORDS.md's limits table is checked against
 * party/whiteboard/limits.ts: every whiteboard limit appears with its value,
 * and the table names none the code lacks.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import * as whiteboardLimits from "../../party/whiteboard/limits.ts";

const doc = readFileSync(resolve(import.meta.dirname, "../../docs/WHITEBOARD-RECORDS.md"), "utf8");
const table = doc.slice(doc.indexOf("\n## Limits"));
const documented = new Map(
  table
    .split("\n")
    .filter((l) => /^\| `[A-Z_]+`/.test(l))
    .map((l) => l.slice(1, -1).split(" | ").map((c) => c.trim()))
    .map(([name, value]) => [name!.replace(/`/g, ""), Number(value!.replace(/,/g, ""))] as const),
);

describe("docs/WHITEBOARD-RECORDS.md limits", () => {
  it.each(Object.entries(whiteboardLimits))("documents %s with its value", (name, value) => {
    expect(documented.get(name), `${name} in the table`).toBe(value);
  });
  it("documents no limit the code does not have", () => {
    expect([...documented.keys()].filter((n) => !(n in whiteboardLimits))).toEqual([]);
  });
});
