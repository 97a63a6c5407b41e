/**
 * `node bench/ensure-deps.ts` — run by `npm run bench` before anything else.
 *
 * The peers the benchmark measures against (tldraw sync, y-partyserver, Yjs
 * servers, Hocuspocus, the Liveblocks dev server and Bun) are benchmark-only:
 * they live in bench/package.json with their own lock, so the root `npm ci`
 * and `npm test` never download or need them. This installs them on first
 * use, and again whenever bench/package-lock.json is newer than the install.
 */
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const BENCH = import.meta.dirname;
const LOCK = join(BENCH, "package-lock.json");
// npm writes this file at the end of every install into bench/node_modules.
const INSTALLED = join(BENCH, "node_modules/.package-lock.json");

type Lock = { packages?: Record<string, { version?: string; optional?: boolean }> };
const read = (file: string): Lock => JSON.parse(readFileSync(file, "utf8")) as Lock;

/** Every package the lock pins is installed at its version (a platform's
 * optional package that is absent is fine): a lock only touched (a fresh
 * checkout, another worktree sharing this install) is not a reason to
 * reinstall — reinstalling through a shared install empties it for everyone. */
function installMatchesLock(): boolean {
  const want = read(LOCK).packages ?? {};
  const have = read(INSTALLED).packages ?? {};
  return Object.entries(want).every(([path, p]) => path === "" || have[path]?.version === p.version || (p.optional === true && have[path] === undefined));
}

const stale = !existsSync(INSTALLED) || (statSync(INSTALLED).mtimeMs < statSync(LOCK).mtimeMs && !installMatchesLock());
// A worktree that borrows another checkout's install through a symlink must
// not reinstall through it: `npm ci` would replace the link with a directory
// and empty the install the other checkout (and its running benchmarks) use.
const linked = existsSync(join(BENCH, "node_modules")) && lstatSync(join(BENCH, "node_modules")).isSymbolicLink();
if (stale && linked) {
  console.error("bench: bench/node_modules is a symlink to another checkout's install, and it does not match bench/package-lock.json. Install the peers in that checkout (npm ci --prefix bench), or replace the link with a directory of this checkout's own.");
  process.exit(1);
}
if (stale) {
  console.log("bench: installing the benchmark-only peers (bench/package-lock.json)…");
  execFileSync("npm", ["ci", "--prefix", BENCH, "--no-audit", "--no-fund"], { stdio: "inherit" });
}
