/**
 * The client engine (client/engine) is a library other apps build on: none of
 * its files may import the whiteboard (client/whiteboard, party/whiteboard).
 * What it still needs of the record schema comes through the shared contract
 * (party/shared), which the server side is making schema-generic. And it runs
 * in plain Node, which only strips types (bench/render.ts, scripts): no
 * parameter properties, enums or namespaces.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ENGINE = resolve(import.meta.dirname, "../../client/engine");

describe("client engine imports", () => {
  const files = readdirSync(ENGINE).filter((f) => f.endsWith(".ts"));
  it.each(files)("%s imports nothing of the whiteboard", (file) => {
    const source = readFileSync(join(ENGINE, file), "utf8");
    const imports = [...source.matchAll(/^\s*(?:import|export)[^;]*?from\s+"([^"]+)"/gm)].map((m) => m[1]!);
    expect(imports.filter((p) => p.includes("/whiteboard/"))).toEqual([]);
  });
});

describe("client engine in plain Node", () => {
  it("every module loads with type stripping only", () => {
    const files = readdirSync(ENGINE).filter((f) => f.endsWith(".ts"));
    const script = `for (const f of ${JSON.stringify(files)}) await import(${JSON.stringify(ENGINE + "/")} + f);`;
    const run = spawnSync(process.execPath, ["--experimental-strip-types", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 20_000 });
    expect(run.stderr.match(/SyntaxError[^\n]*/)?.[0] ?? "").toBe("");
    expect(run.status).toBe(0);
  });
});
