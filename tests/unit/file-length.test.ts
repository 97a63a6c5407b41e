/**
 * Rooms a newcomer can find: no source file in the engine, the apps or the
 * examples grows past ~400 lines unless its header says why (STYLE.md). A file
 * over the limit fails here until its opening comment gives the reason — in
 * so many words: how long it is ("… lines") and why.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const FOLDERS = ["party", "client", "examples"];
/** STYLE.md's "~400": a few lines of slack, so an import does not fail the build. */
const MAX_LINES = 420;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules") return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** The file's opening doc comment. */
const headerOf = (source: string) => /^\s*\/\*\*([\s\S]*?)\*\//.exec(source)?.[1] ?? "";

// A folder may be absent (tests/e2e/engine-alone.test.ts runs this in a copy without the apps).
const long = FOLDERS.filter((f) => existsSync(join(ROOT, f))).flatMap((f) => sources(join(ROOT, f)))
  .map((path) => ({ file: relative(ROOT, path), source: readFileSync(path, "utf8") }))
  .filter(({ source }) => source.split("\n").length > MAX_LINES);

describe("file length", () => {
  it("the long files are few (each one an exception, not the habit)", () => {
    expect(long.length).toBeLessThanOrEqual(6);
  });
  it.each(long.map((l) => [l.file, l.source] as const))("%s says in its header why it is long", (_file, source) => {
    const header = headerOf(source).replace(/\s*\n\s*\*\s?/g, " ");
    expect(header).toMatch(/\d{3}\s+lines|400 lines/);
    expect(header).toMatch(/\b(because|why|so that)\b/i);
  });
});
