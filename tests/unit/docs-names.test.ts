/**
 * The docs name files and code; what they name must exist. Every path under
 * a top-level folder of the repo that a doc mentions (`party/engine/…`,
 * `tests/…`) is a file or folder here; every file name in backticks
 * (`room-client.ts`) is some file's name; every identifier in backticks that
 * looks like code (`RoomClient`, `planOps`, `apiMutate()`) occurs in the
 * sources. A rename or a split that forgets its docs fails here, instead of
 * leaving a newcomer looking for a file that is gone.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const TOP = ["party", "client", "tests", "bench", "examples", "scripts", "docs"];
const SKIP_DIRS = new Set(["node_modules", "dist", "results", ".wrangler", ".partykit"]);

/** Names that belong to the platforms and libraries the docs explain, not to
 * this repo's code (so they never occur in it as written). */
const EXTERNAL = new Set([
  "BroadcastChannel", "EventSource", "ReadableStream", "WebSocketPair", "WebSocketRequestResponsePair", "IndexedDB",
  "DurableObject", "DurableObjectState", "DurableObjectNamespace", "ExportedHandler", "TLSyncRoom", "TLSocketRoom",
  "TLSyncClient", "LiveMap", "SharedWorker", "ServiceWorker", "navigator.locks", "requestAnimationFrame",
  "getServerSnapshot", "useSyncExternalStore", "createRoot", "renderToString", "structuredClone", "partysocket",
  "flushDelay", // Hocuspocus' provider option (BENCHMARKS.md's peer notes)
  // The quantities PROTOCOL.md §9 defines for its snapshot-or-delta rule.
  "deltaBytes", "snapshotBytes",
]);

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    if (SKIP_DIRS.has(name) || name.startsWith(".")) return [];
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const repoFiles = TOP.flatMap((t) => files(join(ROOT, t)));
/** The repo's own top-level files (package.json, the tsconfigs, wrangler.toml, …). */
const rootFiles = readdirSync(ROOT).map((f) => join(ROOT, f)).filter((f) => !basename(f).startsWith(".") && statSync(f).isFile());
/** Generated outputs a doc may name (the bench's results). */
const outputs = files(join(ROOT, "bench", "results"));
const baseNames = new Set([...repoFiles, ...rootFiles, ...outputs].map((f) => basename(f)));
const code = [...repoFiles, ...rootFiles]
  .filter((f) => /\.(ts|tsx|js|mjs|css|html|json|toml)$/.test(f) && !f.startsWith(join(ROOT, "docs")) && !f.endsWith("package-lock.json"))
  .map((f) => readFileSync(f, "utf8"))
  .join("\n");

const docs = ["README.md", "BENCHMARKS.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)]
  .filter((d) => existsSync(join(ROOT, d)))
  .map((d) => ({ doc: d, text: readFileSync(join(ROOT, d), "utf8").replace(/^```[\s\S]*?^```/gm, "") }));

const PATH = new RegExp(`(?<![\\w./-])(?:${TOP.join("|")})/[A-Za-z0-9_.\\-/]*[A-Za-z0-9_-]`, "g");
const CODE_LIKE = /^(?:[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+|[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+)(?:\(\))?$/;

describe.each(docs)("$doc names only what exists", ({ doc, text }) => {
  it("every path it mentions is in the repo", () => {
    const missing = [...new Set([...text.matchAll(PATH)].map((m) => m[0]))]
      .filter((p) => !/[<*{]/.test(p) && !p.split("/").some((part) => SKIP_DIRS.has(part)))
      .filter((p) => !existsSync(join(ROOT, p)));
    expect(missing, `${doc} names paths that do not exist`).toEqual([]);
  });

  it("every file name in backticks is a file of the repo", () => {
    const named = [...text.matchAll(/`([A-Za-z0-9_-][A-Za-z0-9_.-]*\.(?:ts|tsx|md|json|toml))`/g)].map((m) => m[1]!);
    const missing = [...new Set(named)].filter((n) => !baseNames.has(n));
    expect(missing, `${doc} names files that do not exist`).toEqual([]);
  });

  it("every code identifier in backticks occurs in the sources", () => {
    const named = [...text.matchAll(/`([A-Za-z][A-Za-z0-9]*)(\(\))?`/g)].map((m) => m[1]!).filter((n) => CODE_LIKE.test(n));
    const missing = [...new Set(named)].filter((n) => !EXTERNAL.has(n) && !new RegExp(`\\b${n}\\b`).test(code));
    expect(missing, `${doc} names identifiers the code does not have`).toEqual([]);
  });
});

it("checks a real set of docs", () => {
  expect(docs.map((d) => d.doc)).toEqual(expect.arrayContaining(["README.md", "docs/PROTOCOL.md", "docs/ARCHITECTURE.md", "docs/SECURITY.md"]));
  expect(relative(ROOT, repoFiles[0]!)).toMatch(/^(party|client|tests|bench|examples|scripts|docs)\//);
});
