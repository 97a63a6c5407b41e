/**
 * Starts the servers the selected systems need and says which processes'
 * CPU is each system's:
 *
 * - isolated (default): workerd serving the bundle directly (hosts/workerd.ts)
 *   and the Node/Bun peers, all pinned to core 0 with `taskset`; the
 *   generator pins itself to core 1 (run.ts).
 * - --via-wrangler: the same bundle behind `wrangler dev` (its dev proxy
 *   included), nothing pinned — how earlier runs were measured.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { HOSTING, type Hosting } from "../drivers/index.ts";
import type { SystemName } from "../drivers/types.ts";
import { findWorkerd, type WorkerdPids } from "../lib/proc.ts";
import { freePort, type Service, startService } from "../lib/service.ts";
import { WORKERD_BIN, writeWorkerdConfig } from "./workerd.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const BENCH = join(ROOT, "bench");
const NODE = join(ROOT, "node_modules/.bin/node");

/** The core the systems under test get in isolated mode; the generator gets the other. */
export const SUT_CORE = "0";
export const GENERATOR_CORE = "1";

export interface Hosts {
  /** `127.0.0.1:port` per system. */
  host: Record<SystemName, string>;
  /** Processes whose CPU counts as each system's (runtime), and wrangler's proxy. */
  pids: Record<SystemName, WorkerdPids>;
  describe: string;
  /**
   * Stop the shared workerd (every socket of every Durable Object system drops
   * at once, as in a deploy) and start it again on the same port and the same
   * stored state; resolves once it answers. The systems' `pids` are updated in
   * place. Isolated mode only (null with --via-wrangler).
   */
  restartWorkerd: (() => Promise<void>) | null;
  stop(): Promise<void>;
}

/**
 * Bundle the bench Worker once into a temporary directory. A pinned bundle
 * keeps every system's code fixed for the whole run, whatever other
 * engineers edit meanwhile (and the commit in the results meaningful).
 */
/**
 * An experiment: constants of the bundled room replaced by other values
 * (`--experiment=CURSOR_FRAME_MS=16,CURSOR_RATE_PER_SEC=80`), to measure a
 * proposed room change before anyone writes it. Such a run is labelled and
 * never written to bench/results (run.ts).
 */
export type BundlePatch = Record<string, number>;

function patchBundle(outdir: string, patch: BundlePatch): void {
  const path = join(outdir, "worker.js");
  let js = readFileSync(path, "utf8");
  for (const [name, value] of Object.entries(patch)) {
    const re = new RegExp(`^var ${name} = [0-9.]+;$`, "gm");
    const hits = js.match(re)?.length ?? 0;
    if (hits !== 1) throw new Error(`experiment: ${name} found ${hits} times in the bundle (need exactly 1)`);
    js = js.replace(re, `var ${name} = ${value};`);
  }
  writeFileSync(path, js);
}

function bundleOnce(patch: BundlePatch): string {
  const dir = mkdtempSync(join(tmpdir(), "edgeroom-bench-"));
  const outdir = join(dir, "dist");
  execFileSync(NODE, [join(ROOT, "node_modules/.bin/wrangler"), "deploy", "--dry-run", "--config", join(BENCH, "wrangler.toml"), "--outdir", outdir], {
    cwd: ROOT,
    stdio: "ignore",
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
  });
  patchBundle(outdir, patch);
  return outdir;
}

/** A wrangler config serving the bundle as is (`no_bundle`): wrangler dev must not rebuild on edits. */
function wranglerConfigFor(outdir: string): string {
  const config = readFileSync(join(BENCH, "wrangler.toml"), "utf8").replace(/^main = .*$/m, `main = ${JSON.stringify(join(outdir, "worker.js"))}\nno_bundle = true`);
  const path = join(outdir, "..", "wrangler.toml");
  writeFileSync(path, config);
  return path;
}

async function startPeer(kind: Exclude<Hosting, "workerd">, cpus: string | undefined): Promise<Service> {
  const port = await freePort();
  switch (kind) {
    case "yjs-ws":
      return startService({ name: "yjs-ws", command: NODE, args: [join(BENCH, "node_modules/@y/websocket-server/src/server.js")], cwd: BENCH, env: { HOST: "127.0.0.1", PORT: String(port) }, cpus, port });
    case "hocuspocus":
      return startService({ name: "hocuspocus", command: NODE, args: [join(BENCH, "hosts/hocuspocus.ts"), String(port)], cwd: BENCH, cpus, port });
    case "liveblocks":
      return startService({
        name: "liveblocks",
        command: join(BENCH, "node_modules/.bin/bun"),
        args: [join(BENCH, "node_modules/liveblocks/dist/index.js"), "dev", "--host", "127.0.0.1", "--port", String(port), "--no-persist", "--no-check"],
        cwd: mkdtempSync(join(tmpdir(), "edgeroom-bench-lb-")),
        cpus,
        port,
      });
  }
}

/** The processes a service's CPU is read from: the leader and its descendants. */
function treePids(root: number): number[] {
  const out = [root];
  try {
    const children = execFileSync("ps", ["-o", "pid=", "--ppid", String(root)], { encoding: "utf8" }).split("\n").map(Number).filter((n) => n > 0);
    for (const c of children) out.push(...treePids(c));
  } catch {
    // no children
  }
  return out;
}

export async function startHosts(systems: readonly SystemName[], viaWrangler: boolean, patch: BundlePatch = {}): Promise<Hosts> {
  const needed = new Set(systems.map((s) => HOSTING[s]));
  const services: Service[] = [];
  const byHosting = new Map<Hosting, { host: string; pids: WorkerdPids }>();
  const cpus = viaWrangler ? undefined : SUT_CORE;
  let restartWorkerd: Hosts["restartWorkerd"] = null;
  try {
    if (needed.has("workerd")) {
      const outdir = bundleOnce(patch);
      const port = await freePort();
      let svc: Service;
      let pids: WorkerdPids;
      if (viaWrangler) {
        svc = await startService({
          name: "wrangler dev",
          command: NODE,
          args: [join(ROOT, "node_modules/.bin/wrangler"), "dev", "--config", wranglerConfigFor(outdir), "--ip", "127.0.0.1", "--port", String(port), "--persist-to", join(outdir, "..", "state")],
          cwd: ROOT,
          env: { CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
          port,
          readyPath: "/parties/relay/ready",
        });
        services.push(svc);
        pids = findWorkerd(svc.pid, port);
      } else {
        const spec = { name: "workerd", command: WORKERD_BIN, args: ["serve", writeWorkerdConfig(outdir, port)], cwd: outdir, cpus, port, readyPath: "/parties/relay/ready" };
        svc = await startService(spec);
        services.push(svc);
        pids = { runtime: [svc.pid], proxy: [] };
        const runtime = pids.runtime;
        restartWorkerd = async () => {
          const at = services.findIndex((x) => x.name === "workerd");
          // A second's grace, then SIGKILL: an instance replaced, not a drained one.
          await services[at]!.stop(1_000);
          const again = await startService(spec);
          services[at] = again;
          runtime.splice(0, runtime.length, again.pid);
        };
      }
      byHosting.set("workerd", { host: svc.host, pids });
    }
    for (const kind of ["yjs-ws", "hocuspocus", "liveblocks"] as const) {
      if (!needed.has(kind)) continue;
      const svc = await startPeer(kind, cpus);
      services.push(svc);
      byHosting.set(kind, { host: svc.host, pids: { runtime: treePids(svc.pid), proxy: [] } });
    }
  } catch (e) {
    await Promise.all(services.map((s) => s.stop()));
    throw e;
  }
  const host = {} as Record<SystemName, string>;
  const pids = {} as Record<SystemName, WorkerdPids>;
  for (const s of systems) {
    const h = byHosting.get(HOSTING[s])!;
    host[s] = h.host;
    pids[s] = h.pids;
  }
  return {
    host,
    pids,
    describe: [...byHosting].map(([k, v]) => `${k} ${v.host} (pids ${[...v.pids.runtime, ...v.pids.proxy].join(",")})`).join("; "),
    restartWorkerd,
    async stop() {
      await Promise.all(services.map((s) => s.stop()));
    },
  };
}
