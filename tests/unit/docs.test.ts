/**
 * docs/PROTOCOL.md's tables are checked against the code they describe, so
 * they cannot drift: every limit in party/shared/limits.ts and the token
 * lifetimes in auth.ts appear in §12 with their values, and every ErrorCode
 * and CloseCode appears in §11 — and nothing appears there that the code
 * lacks. The engine's docs only: an app's limits are checked against its own
 * doc (the whiteboard's: tests/whiteboard/whiteboard-docs.test.ts).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import * as auth from "../../party/engine/auth.ts";
import * as limits from "../../party/shared/limits.ts";
import { CloseCode, ErrorCode } from "../../party/shared/protocol.ts";
import { defineRoom } from "../../party/shared/schema.ts";
import { z } from "zod";

/** The message set is the engine's, whatever the app: a minimal one. */
const anyApp = defineRoom({ party: "docs", records: z.object({ id: z.string() }) });

const doc = readFileSync(resolve(import.meta.dirname, "../../docs/PROTOCOL.md"), "utf8");

/** The body of the section whose heading starts with `title`. */
function section(title: string): string {
  const start = doc.indexOf(`\n## ${title}`);
  if (start < 0) throw new Error(`no section ${title}`);
  const end = doc.indexOf("\n## ", start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

/** Table rows of a section: cells, trimmed, without the leading/trailing pipes. */
function rows(text: string): string[][] {
  return text
    .split("\n")
    .filter((l) => l.startsWith("|") && !/^\|\s*-/.test(l))
    .map((l) => l.slice(1, -1).split(" | ").map((c) => c.trim()));
}

const numbersIn = (cell: string) => [...cell.replace(/\(.*?\)/g, "").matchAll(/-?\d[\d,]*(?:\.\d+)?/g)].map((m) => Number(m[0].replace(/,/g, "")));

describe("docs/PROTOCOL.md §12 limits", () => {
  const table = rows(section("12. Limits"));
  const documented = new Map<string, string>();
  for (const [name, value] of table) {
    const names = [...(name ?? "").matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!);
    const values = (value ?? "").split(" / ");
    names.forEach((n, i) => documented.set(n, values[i] ?? values[0]!));
  }
  const constants: [string, unknown][] = [
    ...Object.entries(limits),
    ["TOKEN_TTL_SECONDS", auth.TOKEN_TTL_SECONDS],
    ["MAX_TOKEN_LIFETIME_SECONDS", auth.MAX_TOKEN_LIFETIME_SECONDS],
  ];

  for (const [name, value] of constants) {
    it(`documents ${name} with its value`, () => {
      const cell = documented.get(name);
      expect(cell, `${name} is missing from the table`).toBeDefined();
      if (value instanceof RegExp) expect(cell).toContain(value.source);
      else expect(numbersIn(cell!)[0], `${name}: table says ${cell}`).toBe(value);
    });
  }

  it("documents no limit the code does not have", () => {
    const known = new Set(constants.map(([n]) => n));
    expect([...documented.keys()].filter((n) => !known.has(n))).toEqual([]);
  });
});

describe("docs/PROTOCOL.md §11 error and close codes", () => {
  const text = section("11. Errors");
  const errorRows = rows(text.slice(text.indexOf("### ErrorCode"), text.indexOf("### CloseCode")));
  const closeRows = rows(text.slice(text.indexOf("### CloseCode"), text.indexOf("### Standard")));

  it("has a row for every ErrorCode, and none for a code that does not exist", () => {
    const documented = errorRows.slice(1).map((r) => r[0]!.replace(/`/g, ""));
    expect(documented.sort()).toEqual(Object.values(ErrorCode).sort());
  });

  it("has a row for every CloseCode with its number, and none more", () => {
    const documented = closeRows.slice(1).map((r) => [Number(r[0]), r[1]!.replace(/`/g, "")]);
    expect(Object.fromEntries(documented.map(([n, name]) => [name, n]))).toEqual({ ...CloseCode });
  });
});

describe("docs/PROTOCOL.md §7/§8 messages", () => {
  it("has a section for every client message type and every room message type", () => {
    const headings = [...doc.matchAll(/^### (.+)$/gm)].map((m) => m[1]!);
    const named = new Set(headings.flatMap((h) => [...h.matchAll(/`([a-z]+)`/g)].map((m) => m[1]!)));
    const client = ["hello", "resync", "mutate", "cursor", "presence", "live", "ping", "history", "preview", "restore", "version"];
    const room = ["welcome", "sync", "change", "ack", "reject", "join", "peer", "leave", "cursors", "error", "pong", "history", "preview", "version"];
    expect([...client, ...room].filter((t) => !named.has(t))).toEqual([]);
    // And the client list is the protocol's: a new message type must be documented.
    const probe = anyApp.protocol.parseClientMessage(JSON.stringify({ type: "nope" }), 1_000);
    expect(probe.ok).toBe(false);
    for (const t of client) {
      const r = anyApp.protocol.parseClientMessage(JSON.stringify({ type: t }), 1_000);
      expect(r.ok || r.code !== "UNKNOWN_TYPE", t).toBe(true);
    }
  });
});


describe("docs/SECURITY.md §3.2 token buckets", () => {
  const text = readFileSync(new URL("../../docs/SECURITY.md", import.meta.url), "utf8");
  const bucket = (label: string) => {
    const m = new RegExp(`^- ${label}: (\\d+)/s, burst (\\d+)`, "m").exec(text);
    return m ? [Number(m[1]), Number(m[2])] : null;
  };
  it.each([
    ["mutations", limits.MUTATION_RATE_PER_SEC, limits.MUTATION_BURST],
    ["cursor moves", limits.CURSOR_RATE_PER_SEC, limits.CURSOR_BURST],
    ["live values", limits.LIVE_RATE_PER_SEC, limits.LIVE_BURST],
    ["presence updates", limits.PRESENCE_RATE_PER_SEC, limits.PRESENCE_BURST],
    ["resyncs", limits.RESYNC_RATE_PER_SEC, limits.RESYNC_BURST],
    ["history requests", limits.HISTORY_RATE_PER_SEC, limits.HISTORY_BURST],
    ["stored refusals", limits.REFUSAL_RATE_PER_SEC, limits.REFUSAL_BURST],
  ])("states the %s bucket as the code has it", (label, rate, burst) => {
    expect(bucket(label)).toEqual([rate, burst]);
  });
});

describe("docs/PROTOCOL.md §7 cursor throttle", () => {
  it("states the client library's throttle as client/engine/throttle.ts has it", async () => {
    const t = await import("../../client/engine/throttle.ts");
    expect(doc).toContain(`\`CURSOR_THROTTLE_MIN_MS\` (${t.CURSOR_THROTTLE_MIN_MS} ms)`);
    expect(doc).toContain(`\`CURSOR_THROTTLE_MS\` (${t.CURSOR_THROTTLE_MS} ms)`);
    expect(doc).toContain(`\`CURSOR_ROOM_MOVES_PER_SEC\` (${t.CURSOR_ROOM_MOVES_PER_SEC} a second: up to 9 peers)`);
    // The sentence's peer counts follow from cursorIntervalFor.
    expect(t.cursorIntervalFor(9)).toBe(t.CURSOR_THROTTLE_MIN_MS);
    expect(t.cursorIntervalFor(10)).toBeGreaterThan(t.CURSOR_THROTTLE_MIN_MS);
    expect(t.cursorIntervalFor(30)).toBeLessThan(t.CURSOR_THROTTLE_MS);
    expect(t.cursorIntervalFor(31)).toBe(t.CURSOR_THROTTLE_MS);
  });
});
