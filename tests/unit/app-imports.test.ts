/**
 * The apps are clients of the package: the whiteboard (client/whiteboard,
 * party/whiteboard) and examples/ reach the engine only through its entries —
 * `edgeroom/schema`, `edgeroom/server`, `edgeroom/client`, `edgeroom/react`,
 * `edgeroom/testing`, `edgeroom/partykit` (tsconfig.base.json maps them to the entry modules in the
 * repo; package.json "exports" outside it). A relative import into
 * party/engine, party/shared or client/engine is a deep import: what the app
 * needs from there must be exported from an entry, with its documentation.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const APPS = ["client/whiteboard", "party/whiteboard", "examples"];
const ENGINE = ["party/engine/", "party/shared/", "client/engine/"];
const ENTRIES = ["edgeroom/schema", "edgeroom/server", "edgeroom/client", "edgeroom/react", "edgeroom/testing", "edgeroom/partykit", "edgeroom/node"];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules") return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|tsx|mts|js|mjs)$/.test(name) ? [path] : [];
  });
}

/** Every module specifier in `source`: static imports and re-exports (also
 * spread over several lines), side-effect imports, dynamic imports. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/\b(?:import|export)\b[^;'"`]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s*["']([^"']+)["']/gm)) {
    found.push((m[1] ?? m[2] ?? m[3])!);
  }
  return found;
}

/** Why `spec`, imported by the repo file `file`, is not allowed in an app (null: it is). */
function deepImport(file: string, spec: string): string | null {
  if (spec.startsWith("edgeroom")) return ENTRIES.includes(spec) ? null : `${spec} is not a package entry`;
  if (!spec.startsWith(".")) return null; // another package
  const target = relative(ROOT, resolve(ROOT, dirname(file), spec)).replaceAll("\\", "/");
  return ENGINE.some((dir) => target.startsWith(dir)) ? `${spec} reaches into the engine (${target}); import it from an edgeroom/* entry` : null;
}

const files = APPS.filter((d) => existsSync(join(ROOT, d)))
  .flatMap((d) => sources(join(ROOT, d)))
  .map((path) => relative(ROOT, path).replaceAll("\\", "/"));

describe("apps import the engine only through the package's entries", () => {
  it("the check itself finds deep imports however they are written", () => {
    const sample = [
      'import { RoomClient } from "../../engine/room-client.ts";',
      'import {\n  planOps,\n  type Plan,\n} from "../../../party/shared/apply.ts";',
      'export { NoMainParty } from "../engine/partykit.ts";',
      'const m = await import("../../engine/ids.ts");',
      'import { x } from "edgeroom/client/room-client";',
      'import { RoomClient } from "edgeroom/client";',
      'import { Shape } from "../../../party/whiteboard/records.ts";',
    ].join("\n");
    const file = "client/whiteboard/app/x.ts";
    const refused = specifiers(sample).filter((s) => deepImport(file, s) !== null);
    expect(refused).toEqual(["../../engine/room-client.ts", "../../../party/shared/apply.ts", "../../engine/ids.ts", "edgeroom/client/room-client"]);
    expect(deepImport("party/whiteboard/worker.ts", "../engine/server.ts")).not.toBeNull();
    expect(deepImport("examples/checklist/client.ts", "../../client/engine/index.ts")).not.toBeNull();
  });

  it("the repo resolves each entry to the same module everywhere: tsconfig paths (TypeScript, esbuild, Vite) and package.json's edgeroom-source condition (Node)", () => {
    const tsconfig = JSON.parse(readFileSync(join(ROOT, "tsconfig.base.json"), "utf8").replace(/^\s*\/\/.*$/gm, "")) as { compilerOptions: { paths: Record<string, string[]> } };
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { exports: Record<string, Record<string, string>> };
    const fromPaths = Object.fromEntries(Object.entries(tsconfig.compilerOptions.paths).map(([name, [to]]) => [name, to]));
    const fromExports = Object.fromEntries(Object.entries(pkg.exports).filter(([k]) => k !== "./package.json").map(([k, v]) => [`edgeroom${k.slice(1)}`, v["edgeroom-source"]]));
    expect(Object.keys(fromPaths).sort()).toEqual([...ENTRIES].sort());
    expect(fromExports).toEqual(fromPaths);
    for (const to of Object.values(fromPaths)) expect(existsSync(join(ROOT, to!))).toBe(true);
  });

  // The apps' folders may be absent (tests/e2e/engine-alone.test.ts runs the engine's tests in a copy without them).
  it("no app file imports an engine file that is not an entry", () => {
    for (const app of APPS.filter((d) => existsSync(join(ROOT, d)))) expect(files.some((f) => f.startsWith(`${app}/`))).toBe(true);
    const refused = files.flatMap((file) => specifiers(readFileSync(join(ROOT, file), "utf8")).flatMap((spec) => {
      const why = deepImport(file, spec);
      return why ? [`${file}: ${why}`] : [];
    }));
    expect(refused).toEqual([]);
  });
});
