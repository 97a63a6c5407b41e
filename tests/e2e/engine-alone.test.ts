/**
 * The engine does not need the whiteboard: copy the repo without
 * party/whiteboard, client/whiteboard and examples/ (the engine's folders, the shared
 * contract, and those of the engine's own tests that import nothing of an
 * app, however indirectly), then type-check the copy with
 * tsconfig.engine.json / tsconfig.engine.client.json and run those tests in it.
 * A stronger check than a tsconfig that merely leaves the app out: an import
 * of the app anywhere in the engine fails here, because the file is gone.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "node_modules/.bin");
const ENGINE_DIRS = ["party/shared", "party/engine", "client/engine"];
const APP_DIRS = ["party/whiteboard", "client/whiteboard", "examples"];
/** Type-checking or one vitest run of the copy, on 2 shared cores. */
const STEP_TIMEOUT_MS = 120_000;

/** Relative imports of a TypeScript file, as repo paths. */
function importsOf(file: string): string[] {
  const source = readFileSync(join(ROOT, file), "utf8");
  return [...source.matchAll(/(?:^|\n)\s*(?:import|export)[^;]*?from\s+"(\.[^"]+)"|import\("(\.[^"]+)"\)/g)].map((m) => relative(ROOT, resolve(ROOT, dirname(file), (m[1] ?? m[2])!)));
}

/** Does `file` stay inside the engine, following every import it makes? */
function engineOnly(file: string, seen = new Set<string>()): boolean {
  if (seen.has(file)) return true;
  seen.add(file);
  if (APP_DIRS.some((d) => file.startsWith(`${d}/`))) return false;
  if (!existsSync(join(ROOT, file))) return false;
  return importsOf(file).every((f) => engineOnly(f, seen));
}

const unitTests = readdirSync(join(ROOT, "tests/unit")).filter((f) => f.endsWith(".test.ts")).map((f) => `tests/unit/${f}`);
/** Tests of the repository's docs (docs.test, docs-names, security-doc) check
 * what the whole repository says, whiteboard included: not the engine's alone. */
const readsRepoDocs = (f: string) => /\.\.\/\.\.\/docs\/|"docs"|'docs'/.test(readFileSync(join(ROOT, f), "utf8"));
const engineTests = unitTests.filter((f) => engineOnly(f) && !readsRepoDocs(f));
/** Support files those tests import. */
const supportFiles = [...new Set(engineTests.flatMap(function closure(f: string): string[] {
  return [f, ...importsOf(f).filter((i) => !ENGINE_DIRS.some((d) => i.startsWith(`${d}/`))).flatMap(closure)];
}))].filter((f) => !engineTests.includes(f));

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: STEP_TIMEOUT_MS, env: { ...process.env, CI: "true", FORCE_COLOR: "0", NO_COLOR: "1" } });
  // Without ANSI colours, which vitest prints even when told not to.
  const out = `${r.stdout}\n${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, "");
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status ?? r.signal}) in ${cwd}:\n${out}`);
  return out;
}

const copy = mkdtempSync(join(tmpdir(), "edgeroom-engine-alone-"));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe("the engine without the whiteboard", () => {
  it("has tests of its own to run there", () => {
    // The room core's and the client library's own tests, at least.
    expect(engineTests).toEqual(expect.arrayContaining(["tests/unit/storage.test.ts", "tests/unit/client-pending-edits.test.ts", "tests/unit/client-react-sources.test.ts"]));
  });

  it("type-checks, and its own tests pass, with the whiteboard's folders gone", () => {
    for (const d of ENGINE_DIRS) cpSync(join(ROOT, d), join(copy, d), { recursive: true });
    for (const f of [...engineTests, ...supportFiles, "tsconfig.base.json", "tsconfig.json", "tsconfig.worker.json", "tsconfig.engine.json", "tsconfig.engine.client.json", "package.json"]) {
      mkdirSync(dirname(join(copy, f)), { recursive: true });
      cpSync(join(ROOT, f), join(copy, f));
    }
    symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"), "dir");
    for (const d of APP_DIRS) expect(existsSync(join(copy, d))).toBe(false);

    const tsc = join(BIN, "tsc");
    run(tsc, ["-p", "tsconfig.engine.json"], copy);
    run(tsc, ["-p", "tsconfig.engine.client.json"], copy);
    // The copied tests type-check too (the repo's tsconfig.json globs, over what is there).
    run(tsc, ["-p", "tsconfig.json"], copy);

    writeFileSync(join(copy, "vitest.config.ts"), 'import { defineConfig } from "vitest/config";\nexport default defineConfig({ test: { include: ["tests/unit/**/*.test.ts"], environment: "node", silent: "passed-only" } });\n');
    const out = run(join(BIN, "vitest"), ["run"], copy);
    expect(out).toMatch(new RegExp(`Test Files\\s+${engineTests.length} passed`));
  }, 4 * STEP_TIMEOUT_MS);
});
