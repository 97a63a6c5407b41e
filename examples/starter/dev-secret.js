// Before `npm run dev`: a random AUTH_SECRET for local development in
// .dev.vars (kept out of git), made once. The Worker signs access tokens with
// it (/login) and the rooms check them. In production: `npx wrangler secret put AUTH_SECRET`.
import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";

if (!existsSync(".dev.vars")) writeFileSync(".dev.vars", `AUTH_SECRET=${randomBytes(32).toString("hex")}\n`);
