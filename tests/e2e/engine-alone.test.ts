/**
 * The engine does not need the whiteboard: copy the repo and delete the
 * whiteboard (party/whiteboard, client/whiteboard), its tests
 * (tests/whiteboard, tests/browser), what runs it (wrangler.toml,
 * partykit.json, the end-to-end tier, which drives the whiteboard's Worker)
 * and the checks that every name the repository's docs mention exists (the
 * docs describe the whiteboard too). Then type-check what is left and run the
 * engine's unit and workerd tiers there (projects unit, workerd,
 * workerd-audience and workerd-webhooks) with the repo's own vitest.config.ts. No test file may
 * fail to load, none may fail, and at least MIN_ENGINE_TESTS must pass. A
 * stronger check than a tsconfig that merely leaves the app out: an import of
 * the app anywhere in the engine or its tests fails here, because the file is
 * gone.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "node_modules/.bin");
/** The whiteboard, its tests, and what only runs it. */
const WHITEBOARD = ["party/whiteboard", "client/whiteboard", "tests/whiteboard", "tests/browser", "tests/e2e", "wrangler.toml", "partykit.json"];
/** Not the engine's: the checks that every file and name the repository's
 * docs mention exists (the docs describe the whiteboard too, and SECURITY.md's
 * bounds table names end-to-end tests, which drive the whiteboard's Worker). */
const REPO_DOCS_CHECKS = ["tests/unit/docs-names.test.ts", "tests/unit/security-doc.test.ts"];
/** Not copied: installed or built things, and version control. */
const SKIP = new Set(["node_modules", "dist", ".git", ".wrangler", "bench"]);
/** Issue 19: the engine's tests alone are at least this many. */
const MIN_ENGINE_TESTS = 400;
/** One type-check, on 2 shared cores. */
const TSC_TIMEOUT_MS = 300_000;
/** The engine's two tiers: about 4 minutes on a quiet 2-core machine, three
 * times that at load 12 (the workerd tier's refusal stream, the fuzz). */
const TIERS_TIMEOUT_MS = 1_500_000;
/** The fuzz's random seeds in the copy: one batch of 50 (the pinned seeds run
 * too). The unit tier's own run does the default 200; this run is about what
 * loads and passes without the whiteboard, not about more seeds. */
const FUZZ_SEEDS = "50";

function run(cmd: string, args: string[], cwd: string, timeout: number, env: Record<string, string> = {}): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, CI: "true", FORCE_COLOR: "0", NO_COLOR: "1", ...env } });
  // Without ANSI colours, which vitest prints even when told not to.
  const out = `${r.stdout}\n${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, "");
  return { ok: r.status === 0, out: r.status === 0 ? out : `${cmd} ${args.join(" ")} exited ${r.status ?? r.signal} in ${cwd}:\n${out}` };
}

const copy = mkdtempSync(join(tmpdir(), "edgeroom-engine-alone-"));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe("the engine without the whiteboard", () => {
  it("type-checks, and its unit and workerd tiers load and pass, with the whiteboard deleted", () => {
    cpSync(ROOT, copy, { recursive: true, filter: (src) => src === ROOT || !SKIP.has(relative(ROOT, src).split("/")[0]!) });
    for (const p of [...WHITEBOARD, ...REPO_DOCS_CHECKS]) rmSync(join(copy, p), { recursive: true, force: true });
    symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"), "dir");
    for (const p of WHITEBOARD) expect(existsSync(join(copy, p)), p).toBe(false);

    const tsc = join(BIN, "tsc");
    for (const config of ["tsconfig.engine.json", "tsconfig.engine.client.json", "tsconfig.worker.json", "tsconfig.json"]) {
      const checked = run(tsc, ["-p", config], copy, TSC_TIMEOUT_MS);
      expect(checked.ok, checked.out).toBe(true);
    }

    const tiers = run(join(BIN, "vitest"), ["run", "--project", "unit", "--project", "workerd", "--project", "workerd-audience", "--project", "workerd-webhooks"], copy, TIERS_TIMEOUT_MS, { FUZZ_SEEDS });
    // The copy's summary, printed whatever vitest's `silent` setting: the count is the point.
    const summary = tiers.out.split("\n").filter((l) => /^\s*(Test Files|Tests)\s+\d/.test(l)).map((l) => l.trim());
    process.stderr.write(`${basename(import.meta.filename)}, the engine without the whiteboard: ${summary.join("; ")}\n`);
    // On failure, vitest's own account of it (its summary lists what failed or would not load).
    const failed = tiers.out.indexOf("Failed Tests");
    expect(tiers.ok, `${failed >= 0 ? tiers.out.slice(failed, failed + 20_000) : tiers.out.slice(-20_000)}\n…\n${tiers.out.slice(-1_000)}`).toBe(true);
    // Every file loaded and passed ("Test Files  N passed (N)": no "failed" part).
    const files = /Test Files\s+(\d+) passed \((\d+)\)/.exec(tiers.out);
    expect(files, tiers.out.slice(-4_000)).not.toBeNull();
    expect(files![1]).toBe(files![2]);
    const tests = /Tests\s+(\d+) passed \((\d+)\)/.exec(tiers.out);
    expect(tests, tiers.out.slice(-4_000)).not.toBeNull();
    expect(tests![1]).toBe(tests![2]);
    const passed = Number(tests![1]);
    expect(passed).toBeGreaterThanOrEqual(MIN_ENGINE_TESTS);
  }, 4 * TSC_TIMEOUT_MS + TIERS_TIMEOUT_MS);
});
