/**
 * Rooms a newcomer can find: no source file in the engine, the apps or the
 * examples grows past ~400 lines (STYLE.md: one concept per file). A file may
 * run longer only as a named exception below, with its reason, and never past
 * 600 lines: the test counts the lines, so it fails the day a file outgrows
 * its room, not the day someone forgets to explain it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const FOLDERS = ["party", "client", "examples"];
/** STYLE.md's "~400": a few lines of slack, so an import does not fail the build. */
const MAX_LINES = 420;
/** The hard ceiling, exception or not. */
const MAX_EXCEPTION_LINES = 600;

/** Files allowed past MAX_LINES, each with why it is one concept. */
const EXCEPTIONS: Record<string, string> = {
  "party/shared/protocol.ts":
    "the wire contract: every message schema of both directions beside its type, so a reader sees the whole protocol in one place (docs/PROTOCOL.md is its prose)",
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules") return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

// A folder may be absent (tests/e2e/engine-alone.test.ts runs this in a copy without the apps).
const files = FOLDERS.filter((f) => existsSync(join(ROOT, f)))
  .flatMap((f) => sources(join(ROOT, f)))
  .map((path) => ({ file: relative(ROOT, path), lines: readFileSync(path, "utf8").split("\n").length }));

describe("file length", () => {
  it(`no source file runs past ${MAX_LINES} lines unless it is a named exception`, () => {
    const long = files.filter((f) => f.lines > MAX_LINES && !(f.file in EXCEPTIONS)).map((f) => `${f.file} (${f.lines} lines)`);
    expect(long).toEqual([]);
  });
  it(`no exception runs past ${MAX_EXCEPTION_LINES} lines`, () => {
    const over = files.filter((f) => f.lines > MAX_EXCEPTION_LINES).map((f) => `${f.file} (${f.lines} lines)`);
    expect(over).toEqual([]);
  });
  it("every exception is still a file, still long, and says why", () => {
    for (const [file, why] of Object.entries(EXCEPTIONS)) {
      const found = files.find((f) => f.file === file);
      if (!found) continue; // an app's exception in a copy without the apps
      expect(found.lines, `${file} is short now: drop its exception`).toBeGreaterThan(MAX_LINES);
      expect(why.length).toBeGreaterThan(40);
    }
  });
});
