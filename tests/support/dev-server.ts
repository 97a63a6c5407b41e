/**
 * Start a real dev server (`wrangler dev` or `partykit dev`) on a free loopback
 * port for a test or a benchmark, wait until it answers, and stop it by PID.
 * Each server gets its own persistence directory so runs never share state
 * (unless a test passes the same one on purpose, to restart over it).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "node_modules/.bin");

export interface DevServer {
  kind: DevServerKind;
  host: string; // 127.0.0.1:port
  port: number;
  persistDir: string;
  pid: number;
  output(): string;
  /** SIGTERM (or SIGKILL with hard=true), then wait for the process to exit. */
  stop(hard?: boolean): Promise<void>;
}

/** Signal the server's process group (its PID is the group id). */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

export interface StartOptions {
  port?: number;
  persistDir?: string;
  /** wrangler only: another config file (the benchmark's peers). */
  config?: string;
  /** Extra variables (`--var NAME:value` for wrangler, `--var NAME=value` for partykit). */
  vars?: Record<string, string>;
  /** Path polled until the server answers (< 500). */
  readyPath?: string;
  timeoutMs?: number;
  /** The app folder the server runs in (its wrangler.toml); defaults to the repo. */
  cwd?: string;
}

/** Start attempts when a port was taken between choosing it and binding it:
 * another server (a test file of another project, a benchmark) on this
 * machine may bind it first — wrangler's own helper sockets too. */
const PORT_RACE_ATTEMPTS = 3;

/** `wrangler dev` and `partykit dev` serve the build; `vite` is `npm run dev` (vite.dev.config.ts). */
export type DevServerKind = "wrangler" | "partykit" | "vite";

export async function startDevServer(kind: DevServerKind, opts: StartOptions = {}): Promise<DevServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(kind, opts);
    } catch (e) {
      const raced = e instanceof Error && /address already in use|EADDRINUSE/i.test(e.message);
      if (!raced || opts.port !== undefined || attempt >= PORT_RACE_ATTEMPTS) throw e;
    }
  }
}

async function startOnce(kind: DevServerKind, opts: StartOptions): Promise<DevServer> {
  const port = opts.port ?? (await freePort());
  const persistDir = opts.persistDir ?? mkdtempSync(join(tmpdir(), `edgeroom-${kind}-`));
  const env = {
    ...process.env,
    // Keep the dev servers off the network (this machine has none) and quiet.
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_SEND_METRICS: "false",
    PATH: `${BIN}:${process.env.PATH}`,
    // Run the wrangler CLI with the project's Node 24 even when the test runner
    // was started with an older system node.
    FORCE_COLOR: "0",
  };
  const args =
    kind === "wrangler"
      ? [
          join(BIN, "wrangler"),
          "dev",
          "--ip",
          "127.0.0.1",
          "--port",
          String(port),
          "--persist-to",
          persistDir,
          "--show-interactive-dev-session=false",
          ...(opts.config ? ["--config", opts.config] : []),
          ...Object.entries(opts.vars ?? {}).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
        ]
      : kind === "vite"
      ? [join(BIN, "vite"), "--config", "vite.dev.config.ts", "--host", "127.0.0.1", "--port", String(port), "--strictPort"]
      : [
          join(BIN, "partykit"),
          "dev",
          "--port",
          String(port),
          "--persist",
          persistDir,
          "--disable-request-cf-fetch",
          ...Object.entries(opts.vars ?? {}).flatMap(([k, v]) => ["--var", `${k}=${v}`]),
        ];
  const child: ChildProcess = spawn(join(BIN, "node"), args, { cwd: opts.cwd ?? ROOT, env, stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: the CLI starts workerd as a child, and stop() must
    // take both down (a SIGKILLed wrangler would otherwise orphan workerd).
    detached: true,
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<void>((res) => child.once("exit", () => res()));

  const host = `127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${kind} dev exited early:\n${out}`);
    try {
      // Any answer from the Worker means it is serving (401 when a secret is set).
      const res = await fetch(`http://${host}${opts.readyPath ?? "/parties/whiteboard/probe-ready/stats"}`);
      if (res.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      killGroup(child.pid!, "SIGKILL");
      throw new Error(`${kind} dev did not become ready on ${host}:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    kind,
    host,
    port,
    persistDir,
    pid: child.pid!,
    output: () => out,
    async stop(hard = false) {
      if (child.exitCode === null && child.signalCode === null) {
        killGroup(child.pid!, hard ? "SIGKILL" : "SIGTERM");
        const timer = setTimeout(() => killGroup(child.pid!, "SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
