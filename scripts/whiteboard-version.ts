/**
 * The whiteboard's record schema version, for the scripts' raw hellos. Read
 * from party/whiteboard/version.ts as text, not imported: scripts/ is
 * type-checked without the whiteboard too (tests/e2e/engine-alone.test.ts),
 * and a plain `node` run has no built package for the schema's imports.
 */
import { readFileSync } from "node:fs";

const source = readFileSync(new URL("../party/whiteboard/version.ts", import.meta.url), "utf8");
const found = /WHITEBOARD_SCHEMA_VERSION = (\d+)/.exec(source);
if (!found) throw new Error("party/whiteboard/version.ts names no WHITEBOARD_SCHEMA_VERSION");
export const WHITEBOARD_SCHEMA_VERSION = Number(found[1]);
