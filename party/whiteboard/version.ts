/**
 * The whiteboard's record schema version (`defineRoom` `version`, see
 * schema.ts and docs/WHITEBOARD-RECORDS.md "Versions"): a raw client's hello
 * names it as `schema`. On its own, with no imports, so a plain `node`
 * script can read it without the built package.
 */
export const WHITEBOARD_SCHEMA_VERSION = 3;
