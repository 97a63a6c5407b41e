/**
 * A server the benchmark starts (workerd through Miniflare, wrangler dev, a
 * Node or Bun peer): spawned in its own process group, optionally pinned to
 * CPU cores with `taskset`, ready once it answers on its port, stopped by
 * signalling that group (never by name).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";

export interface Service {
  name: string;
  /** `127.0.0.1:port` */
  host: string;
  port: number;
  pid: number;
  output(): string;
  /** SIGTERM the group, SIGKILL it after `graceMs`, resolve once the leader exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
  /** Cores to pin the whole process tree to (`taskset -c`), e.g. "0". */
  cpus?: string;
  port: number;
  /** Ready when an HTTP GET of this path answers at all (any status). */
  readyPath?: string;
  timeoutMs?: number;
}

/** A free loopback port (the OS picks one, then releases it for the service). */
export function freePort(): Promise<number> {
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

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Spawn a service and resolve once it answers; reject (and stop it) if it exits or times out. */
export async function startService(spec: ServiceSpec): Promise<Service> {
  const [cmd, args] = spec.cpus ? ["taskset", ["-c", spec.cpus, spec.command, ...spec.args]] : [spec.command, spec.args];
  const child: ChildProcess = spawn(cmd, args, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const keep = (d: Buffer) => {
    log += d.toString();
    // Bounded: a chatty server must not grow the generator's heap.
    if (log.length > 64_000) log = log.slice(-32_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const service: Service = {
    name: spec.name,
    host: `127.0.0.1:${spec.port}`,
    port: spec.port,
    pid: child.pid!,
    output: () => log,
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      killGroup(child.pid!, "SIGTERM");
      const timer = setTimeout(() => killGroup(child.pid!, "SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
      // Children that outlived the leader (workerd under Miniflare) go too.
      killGroup(child.pid!, "SIGKILL");
    },
  };
  const deadline = Date.now() + (spec.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${spec.name} exited early:\n${log.slice(-2_000)}`);
    try {
      await fetch(`http://${service.host}${spec.readyPath ?? "/"}`, { signal: AbortSignal.timeout(2_000) });
      return service;
    } catch {
      if (Date.now() > deadline) {
        await service.stop();
        throw new Error(`${spec.name} did not answer within ${spec.timeoutMs ?? 60_000} ms:\n${log.slice(-2_000)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Pin this process (every thread it has now, and so every thread it starts later) to `cpus`. */
export function pinSelf(cpus: string): boolean {
  return spawnSync("taskset", ["-a", "-p", "-c", cpus, String(process.pid)], { stdio: "ignore" }).status === 0;
}
