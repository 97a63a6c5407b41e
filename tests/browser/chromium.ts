/**
 * The Chromium that the browser tests, `npm run screenshots` and the render
 * benchmarks drive through playwright-core (which never downloads a browser).
 * Which one, in order:
 * 1. `CHROMIUM_PATH`, when set;
 * 2. Debian's `/usr/bin/chromium`, when installed — what CI, the screenshots
 *    and the benchmarks' figures were made with;
 * 3. the headless Chromium of the `@sparticuz/chromium` package, a
 *    devDependency, so a plain `npm install` brings it (used on Linux x64).
 *    It ships brotli-packed: unpacked on first use into the temp folder
 *    (`/tmp/chromium`, ~20 s once per machine), with the NSS and expat
 *    libraries it links (its `al2023.tar.br`, meant for AWS Lambda) on
 *    LD_LIBRARY_PATH and its own fonts: then it needs nothing of the system
 *    but glibc, which every Debian has (README "Dependency notes").
 * `CHROMIUM=debian` or `CHROMIUM=sparticuz` picks one.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type Browser, chromium } from "playwright-core";

const DEBIAN_CHROMIUM = "/usr/bin/chromium";

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** A browser to launch: its binary and what its process needs in its environment. */
export interface ChromiumBinary {
  path: string;
  source: "CHROMIUM_PATH" | "debian" | "sparticuz";
  env: Record<string, string>;
}

/** What is used of @sparticuz/chromium (declared here: a machine without the
 * package still type-checks and runs everything but this fallback). */
interface Sparticuz {
  default: { executablePath(): Promise<string> };
  /** Unpacks a `.br` / `.tar.br` of its bin folder into the temp folder; resolves to what it made. */
  inflate(file: string): Promise<string>;
}
const SPARTICUZ: string = "@sparticuz/chromium";

/** @sparticuz/chromium's binary, unpacked (once) with its libraries and fonts; null when the package is not installed. */
async function sparticuzChromium(): Promise<ChromiumBinary | null> {
  // Its binary is built for Linux x64 (the package itself installs anywhere).
  if (process.platform !== "linux" || process.arch !== "x64") return null;
  let pkg: Sparticuz;
  let bin: string;
  try {
    bin = join(dirname(createRequire(import.meta.url).resolve(SPARTICUZ)), "../bin");
    pkg = (await import(SPARTICUZ)) as Sparticuz;
  } catch {
    return null; // not installed (npm install --omit=dev)
  }
  // Its executablePath() unpacks the browser, fonts and SwiftShader; the
  // libraries only on Lambda, so those are unpacked here (skipped when present).
  const [path, lib] = await Promise.all([pkg.default.executablePath(), pkg.inflate(join(bin, "al2023.tar.br"))]);
  const libs = join(lib, "lib");
  return {
    path,
    source: "sparticuz",
    env: { LD_LIBRARY_PATH: [libs, process.env.LD_LIBRARY_PATH].filter(Boolean).join(":"), FONTCONFIG_PATH: join(tmpdir(), "fonts") },
  };
}

/** The browser `launchChromium` starts (see the header for the order). */
export async function findChromium(): Promise<ChromiumBinary> {
  const wanted = process.env.CHROMIUM;
  if (process.env.CHROMIUM_PATH) return { path: process.env.CHROMIUM_PATH, source: "CHROMIUM_PATH", env: {} };
  if (wanted !== "sparticuz" && existsSync(DEBIAN_CHROMIUM)) return { path: DEBIAN_CHROMIUM, source: "debian", env: {} };
  if (wanted !== "debian") {
    const packaged = await sparticuzChromium();
    if (packaged) return packaged;
  }
  throw new Error(
    wanted === "sparticuz"
      ? "CHROMIUM=sparticuz, but @sparticuz/chromium is not installed (npm install without --omit=optional, on Linux x64)."
      : `No Chromium: ${DEBIAN_CHROMIUM} is missing and @sparticuz/chromium is not installed. Run npm install (it brings @sparticuz/chromium on Linux x64), or apt-get install -y chromium, or set CHROMIUM_PATH.`,
  );
}

export async function launchChromium(): Promise<Browser> {
  const found = await findChromium();
  return chromium.launch({ executablePath: found.path, args: FLAGS, headless: true, env: { ...process.env, ...found.env } as Record<string, string> });
}
