/**
 * The isolated host: the benchmark Worker (bench/peers/worker.ts, bundled once
 * by run.ts with every system under test) served by ONE workerd process,
 * started directly from a generated config and listening on 127.0.0.1:<port>
 * itself — no wrangler dev proxy in front (a hop production does not have,
 * whose CPU lands on whichever system sends the most frames) and no Node
 * process in the path. run.ts starts it under `taskset` so it has a core of
 * its own.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
/** The workerd binary wrangler itself runs (the version the product is tested on). */
export const WORKERD_BIN = join(ROOT, "node_modules/@cloudflare/workerd-linux-64/bin/workerd");

/**
 * Write `<bundleDir>/workerd.capnp` serving `<bundleDir>/worker.js` on `port`,
 * with the Durable Object bindings, date and flags of bench/wrangler.toml (the
 * one config that also drives --via-wrangler, so both modes run the same
 * Worker). Storage is a fresh directory beside the bundle: every run starts empty. Returns the path.
 */
export function writeWorkerdConfig(bundleDir: string, port: number): string {
  const toml = readFileSync(resolve(import.meta.dirname, "../wrangler.toml"), "utf8");
  const date = /^compatibility_date = "([^"]+)"/m.exec(toml)?.[1];
  if (!date) throw new Error("bench/wrangler.toml: no compatibility_date");
  const flags = [...(/^compatibility_flags = \[([^\]]*)\]/m.exec(toml)?.[1] ?? "").matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
  const objects = [...toml.matchAll(/\[\[durable_objects\.bindings\]\]\s*name = "([^"]+)"\s*class_name = "([^"]+)"/g)].map((m) => ({ binding: m[1]!, className: m[2]! }));
  const q = (s: string) => JSON.stringify(s);
  // workerd's in-memory storage has no SQLite; a fresh directory per run does.
  const storage = join(bundleDir, "do-storage");
  mkdirSync(storage, { recursive: true });
  const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "bench", worker = .bench),
    (name = "do-disk", disk = (path = ${q(storage)}, writable = true)),
  ],
  sockets = [ (name = "http", address = ${q(`127.0.0.1:${port}`)}, http = (), service = "bench") ],
);
const bench :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = ${q(date)},
  compatibilityFlags = [ ${flags.map(q).join(", ")} ],
  bindings = [ ${objects.map((o) => `(name = ${q(o.binding)}, durableObjectNamespace = ${q(o.className)})`).join(", ")} ],
  durableObjectNamespaces = [ ${objects.map((o) => `(className = ${q(o.className)}, uniqueKey = ${q(`bench-${o.className}`)}, enableSql = true)`).join(", ")} ],
  durableObjectStorage = (localDisk = "do-disk"),
);
`;
  const path = join(bundleDir, "workerd.capnp");
  writeFileSync(path, config);
  return path;
}
