/**
 * A guide that cannot rot (issue 20 item 8): every code block of
 * docs/BUILD-YOUR-OWN.md and of the README, compiled against the packed
 * package in a fresh folder outside the repo, with the guide's own
 * `tsconfig` files (`skipLibCheck: false`) and the packages its `npm install`
 * lines name — which must be pinned to the versions this repo is tested with.
 *
 * The markers a block may start with (the guide's introduction says so too):
 * - `// schema.ts` (a file name): the block is that file of the app; later
 *   blocks import it.
 * - `// continues client.ts`: the block is appended to that file.
 * - `// assumes: <declarations>`: a fragment; the declarations (TypeScript)
 *   are put before it, naming what it takes from the reader's code.
 * Any other ts/tsx block is a file of its own. json blocks must parse; one
 * that starts with a file name is written as that file. sh blocks give the
 * install lines. toml blocks are wrangler's configuration (not compiled).
 *
 * The guide's React component is then rendered under `react-dom/server`.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CodeBlock, codeBlocks, packTarball, ROOT, run, STEP_TIMEOUT_MS } from "../support/packed.ts";

const DOCS = ["docs/BUILD-YOUR-OWN.md", "README.md"];
const GUIDE = "docs/BUILD-YOUR-OWN.md";
/** What the README's embedding snippet imports: the whiteboard's schema, as it is in the repo. */
const WHITEBOARD_SCHEMA = ["party/whiteboard/schema.ts", "party/whiteboard/records.ts", "party/whiteboard/limits.ts", "party/whiteboard/version.ts"];
const KNOWN_LANGS = new Set(["ts", "tsx", "json", "sh", "toml"]);

const blocks: CodeBlock[] = DOCS.flatMap((doc) => codeBlocks(readFileSync(join(ROOT, doc), "utf8"), doc));
const rootPackage = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

/** The files of the app the guide's ts/tsx/json blocks make, by name. */
function appFiles(): Map<string, { code: string; where: string[] }> {
  const files = new Map<string, { code: string; where: string[] }>();
  for (const b of blocks) {
    const first = b.code.split("\n", 1)[0]!;
    if (b.lang === "json") {
      const named = /^\/\/ ([\w.-]+\.json)\b/.exec(first);
      if (named) files.set(named[1]!, { code: b.code, where: [b.where] });
      continue;
    }
    if (b.lang !== "ts" && b.lang !== "tsx") continue;
    const continues = /^\/\/ continues ([\w.-]+\.tsx?)\s*$/.exec(first);
    const assumes = /^\/\/ assumes: (.+)$/.exec(first);
    const named = /^\/\/ ([\w.-]+\.tsx?)\b/.exec(first);
    const slug = b.where.replace(/\.md:/, "-").replace(/[^\w-]/g, "-").toLowerCase();
    if (continues) {
      const into = files.get(continues[1]!);
      if (!into) throw new Error(`${b.where}: continues ${continues[1]}, which no earlier block names`);
      into.code += `\n${b.code}`;
      into.where.push(b.where);
    } else if (assumes) files.set(`${slug}.${b.lang}`, { code: `${assumes[1]}\n${b.code}`, where: [b.where] });
    else if (named) {
      if (files.has(named[1]!)) throw new Error(`${b.where}: a second block named ${named[1]}`);
      files.set(named[1]!, { code: b.code, where: [b.where] });
    } else files.set(`${slug}.${b.lang}`, { code: b.code, where: [b.where] });
  }
  return files;
}

/** The package specifiers of the guide's `npm install` lines: [dev?, spec]. */
function installSpecs(): { dev: boolean; spec: string; where: string }[] {
  return blocks
    .filter((b) => b.where.startsWith(GUIDE) && b.lang === "sh")
    .flatMap((b) =>
      b.code.split("\n").flatMap((line) => {
        const m = /(?:^|&& )npm install ((?:-D )?[^#&]+?)\s*(?:#.*)?$/.exec(line);
        if (!m) return [];
        const words = m[1]!.split(/\s+/);
        const dev = words[0] === "-D";
        return words.filter((w) => w !== "-D").map((spec) => ({ dev, spec, where: b.where }));
      }),
    );
}

let dir = "";
let app = "";
let tarball = "";
const timings: Record<string, number> = {};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "edgeroom-guide-"));
  app = join(dir, "my-app");
  mkdirSync(app);
  let started = Date.now();
  tarball = packTarball(dir);
  timings.pack = Date.now() - started;
  started = Date.now();
  run("npm", ["init", "-y"], app);
  run("npm", ["pkg", "set", "type=module"], app);
  const specs = installSpecs().map(({ dev, spec }) => ({ dev, spec: spec.endsWith("edgeroom-0.1.0.tgz") ? tarball : spec }));
  const flags = ["--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"];
  run("npm", ["install", ...specs.filter((s) => !s.dev).map((s) => s.spec), ...flags], app);
  run("npm", ["install", "-D", ...specs.filter((s) => s.dev).map((s) => s.spec), ...flags], app);
  timings.install = Date.now() - started;
}, 4 * STEP_TIMEOUT_MS);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  console.log(`guide test timings (ms): ${JSON.stringify(timings)}`);
});

describe("the guide's code, against the packed package", () => {
  it("has only blocks it knows how to check", () => {
    expect(blocks.filter((b) => !KNOWN_LANGS.has(b.lang)).map((b) => `${b.where} (${b.lang || "no language"})`)).toEqual([]);
    expect(blocks.filter((b) => b.lang === "ts" || b.lang === "tsx").length).toBeGreaterThanOrEqual(10);
  });

  it("pins every package it installs to the version this repo is tested with", () => {
    const specs = installSpecs();
    expect(specs.some((s) => s.spec.endsWith(".tgz"))).toBe(true);
    const loose = specs
      .filter((s) => !s.spec.endsWith(".tgz"))
      .filter(({ spec }) => {
        const m = /^(@?[^@]+)@(\d+\.\d+\.\d+)$/.exec(spec);
        return !m || (rootPackage.dependencies[m[1]!] ?? rootPackage.devDependencies[m[1]!]) !== m[2];
      });
    expect(loose.map((s) => `${s.where}: ${s.spec}`)).toEqual([]);
  });

  it("every json block parses", () => {
    for (const b of blocks.filter((x) => x.lang === "json")) {
      const text = b.code.replace(/^\s*\/\/.*$/gm, "");
      expect(() => JSON.parse(text), b.where).not.toThrow();
    }
  });

  it("every ts/tsx block compiles with the guide's own tsconfigs (skipLibCheck off)", () => {
    const files = appFiles();
    expect([...files.keys()]).toEqual(expect.arrayContaining(["tsconfig.json", "tsconfig.client.json", "schema.ts", "hooks.ts", "worker.ts", "client.ts", "List.tsx", "checklist.test.ts"]));
    for (const [name, f] of files) writeFileSync(join(app, name), `${f.code}\n`);
    // The check is real: this line must be an error, or its @ts-expect-error is one.
    writeFileSync(
      join(app, "guide-probe.ts"),
      'import type { Item } from "./schema.ts";\n// @ts-expect-error text is a string\nexport const wrong: Item = { id: "a", text: 5, done: false, order: 1 };\n',
    );
    for (const file of WHITEBOARD_SCHEMA) {
      mkdirSync(dirname(join(app, file)), { recursive: true });
      cpSync(join(ROOT, file), join(app, file));
    }
    const tsc = join(app, "node_modules/.bin/tsc");
    const started = Date.now();
    // Type-checks (any error fails the run) and lists the files it checked.
    const listed = ["tsconfig.json", "tsconfig.client.json"].map((config) => run(tsc, ["-p", config, "--listFiles"], app).out);
    timings.typecheck = Date.now() - started;
    // Every block file was checked by one of the two configurations.
    const uncovered = [...files].filter(([name]) => /\.tsx?$/.test(name) && !listed.some((l) => l.includes(join(app, name))));
    expect(uncovered.map(([name, f]) => `${name} (${f.where.join(", ")})`)).toEqual([]);
  }, 2 * STEP_TIMEOUT_MS);

  it("the guide's React component renders under react-dom/server", () => {
    writeFileSync(
      join(app, "tsconfig.render.json"),
      JSON.stringify({ extends: "./tsconfig.client.json", compilerOptions: { noEmit: false, outDir: "out", rewriteRelativeImportExtensions: true }, include: [], files: ["List.tsx"] }),
    );
    run(join(app, "node_modules/.bin/tsc"), ["-p", "tsconfig.render.json"], app);
    writeFileSync(
      join(app, "render.js"),
      [
        'import { createElement } from "react";',
        'import { renderToString } from "react-dom/server";',
        'import { Checklist } from "./out/List.js";',
        'console.log(renderToString(createElement(Checklist, { host: "127.0.0.1:8787", room: "groceries", name: "Ada" })));',
      ].join("\n"),
    );
    const html = run(process.execPath, ["render.js"], app).out;
    expect(html).toContain('data-status="connecting"');
    expect(html).toContain("0<!-- --> others here");
  }, STEP_TIMEOUT_MS);
});
