/**
 * The engine as a developer gets it: `npm pack` of this repo, installed into
 * folders outside it (tests/e2e/package.test.ts, tests/e2e/guide.test.ts),
 * and the fenced code blocks of the docs that those tests compile.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
export const BIN = join(ROOT, "node_modules/.bin");
/** npm pack, an install from the npm cache, a type-check: generous for 2 shared cores. */
export const STEP_TIMEOUT_MS = 240_000;

/** Run a command to completion; throws with its output unless it exits 0. */
export function run(cmd: string, args: string[], cwd: string, timeoutMs = STEP_TIMEOUT_MS): { out: string; ms: number } {
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: timeoutMs, env: { ...process.env, npm_config_update_notifier: "false" } });
  const out = `${r.stdout}\n${r.stderr}`;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status ?? r.signal}):\n${out}`);
  return { out, ms: Date.now() - started };
}

/** `npm pack` the repo into `dir` (building dist/lib first if it is missing); the tarball's path. */
export function packTarball(dir: string): string {
  if (!existsSync(join(ROOT, "dist/lib/client/engine/index.js"))) run("npm", ["run", "build:lib"], ROOT);
  const pack = run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dir], ROOT);
  const files = JSON.parse(pack.out.slice(pack.out.indexOf("["), pack.out.lastIndexOf("]") + 1)) as { filename: string }[];
  return join(dir, files[0]!.filename);
}

/** A fenced code block of a Markdown file. */
export interface CodeBlock {
  /** The file it is in and the line its fence opens on (1-based), for messages. */
  where: string;
  lang: string;
  code: string;
}

/** Every fenced block (also those indented under a list item), dedented. */
export function codeBlocks(markdown: string, file: string): CodeBlock[] {
  const lines = markdown.split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !new RegExp(`^ {${indent}}\`\`\`\\s*$`).test(lines[j]!); j++) body.push(lines[j]!.slice(indent));
    if (j === lines.length) throw new Error(`${file}:${i + 1}: a code block that never closes`);
    blocks.push({ where: `${file}:${i + 1}`, lang: open[2]!, code: body.join("\n") });
    i = j;
  }
  return blocks;
}
