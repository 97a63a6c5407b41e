/**
 * Mint an access token for development:
 *   npm run token -- --room r1 --role viewer [--ttl 600]
 * The secret comes from $AUTH_SECRET or from .dev.vars (what `wrangler dev` reads).
 * In production your own backend mints tokens the same way (docs/SECURITY.md).
 */
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { mintToken } from "../party/engine/auth.ts";
import { ROOM_ID_PATTERN } from "../party/shared/limits.ts";

const { values } = parseArgs({
  options: { room: { type: "string" }, role: { type: "string", default: "editor" }, ttl: { type: "string", default: "600" } },
});

function secretFromDevVars(): string | undefined {
  if (!existsSync(".dev.vars")) return undefined;
  const line = readFileSync(".dev.vars", "utf8")
    .split("\n")
    .find((l) => l.startsWith("AUTH_SECRET="));
  return line?.slice("AUTH_SECRET=".length).trim().replace(/^"|"$/g, "");
}

const secret = process.env.AUTH_SECRET ?? secretFromDevVars();
const room = values.room ?? "";
const role = values.role;
if (!secret) {
  console.error("no secret: set AUTH_SECRET or put AUTH_SECRET=... in .dev.vars");
  process.exit(2);
}
if (!ROOM_ID_PATTERN.test(room) || (role !== "editor" && role !== "viewer")) {
  console.error("usage: npm run token -- --room <roomId> [--role editor|viewer] [--ttl seconds]");
  process.exit(2);
}
console.log(await mintToken(secret, { room, role, ttlSeconds: Number(values.ttl) }));
