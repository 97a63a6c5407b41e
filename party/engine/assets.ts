/**
 * Assets of a room on the wrangler host (R2): the upload, which runs in the
 * room's Durable Object because the room keeps the per-room tally, and the
 * read and the erase, which need only the bucket. docs/HTTP-API.md "Assets".
 *
 * - One object per room and content hash: `<party>/<room>/<sha256>` in the
 *   `ROOM_ASSETS` bucket. The same bytes uploaded again are found in the
 *   room's table and not stored (nor charged) again.
 * - The type is judged by the bytes (party/shared/assets.ts), against the
 *   app's `assets.types`; it is stored with the object and served as is.
 * - The room's table lives in the object's key-value storage (`asset:<hash>`
 *   and the tally `assets:tally`), so `deleteAll` on erase empties it with
 *   the rest of the room; the erase then deletes the room's objects.
 *
 * The check and the reservation of the tally run with no I/O but storage
 * between them, and the input gate lets no other event in between: two
 * uploads racing for the last bytes of a quota cannot both pass.
 */
import { AssetErrorCode, type AssetPolicy, type AssetType, ASSET_HASH_PATTERN, assetHash, assetPath, sniffAssetType, type StoredAsset } from "../shared/assets.ts";
import { MAX_ASSET_BYTES, MAX_ASSETS_PER_ROOM, MAX_ROOM_ASSET_BYTES } from "../shared/limits.ts";
import { ErrorCode } from "../shared/protocol.ts";

/** The key-value half of the Durable Object storage API (both hosts have it). */
export interface AssetTableStorage {
  get<T>(key: string): Promise<T | undefined>;
  put<T>(key: string, value: T): Promise<void>;
  delete(key: string): Promise<boolean>;
}

export interface Tally {
  bytes: number;
  count: number;
}
/** A row of the room's asset table (`asset:<hash>`). */
export interface Entry {
  type: AssetType;
  bytes: number;
  /** When it was stored, or uploaded again (ms): its grace runs from then (asset-gc.ts). */
  at: number;
  /** Reserved, its R2 put not yet confirmed. */
  pending?: true;
}

export const TALLY_KEY = "assets:tally";
export const ENTRY_PREFIX = "asset:";
export const entryKey = (hash: string) => `${ENTRY_PREFIX}${hash}`;

/** R2 keys being deleted by a collection (asset-gc.ts), until their delete
 * is answered: an upload of the same bytes waits for it, then stores them
 * anew, so it never answers for an object that is about to go. Per isolate,
 * as the room's object is. */
export const collecting = new Map<string, Promise<void>>();

/** What an upload needs of the room's object. `stored`: told when a new
 * asset was stored, so collection looks at it once its grace has passed. */
export interface AssetUploadIo {
  storage: AssetTableStorage;
  bucket: R2Bucket | undefined;
  now: () => number;
  stored?: (at: number) => Promise<void>;
}

/** The R2 key of a room's asset (or, without a hash, the prefix of all of them). */
export function assetKey(party: string, room: string, hash = ""): string {
  return `${party}/${room}/${hash}`;
}

/** `{code, message}` with a status: the body of every asset refusal. */
export function assetError(status: number, code: AssetErrorCode | ErrorCode, message: string): Response {
  return Response.json({ code, message }, { status, headers: { "Cache-Control": "no-store" } });
}

/** The bounds of `policy`, never past the engine's own. */
function boundsOf(policy: AssetPolicy): { file: number; room: number } {
  return {
    file: Math.min(policy.maxFileBytes ?? MAX_ASSET_BYTES, MAX_ASSET_BYTES),
    room: Math.min(policy.maxRoomBytes ?? MAX_ROOM_ASSET_BYTES, MAX_ROOM_ASSET_BYTES),
  };
}

/** The body, or null when it is longer than `max`: read chunk by chunk and
 * abandoned at the first byte past the bound, whatever Content-Length said. */
async function readBounded(request: Request, max: number): Promise<Uint8Array | null> {
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > max) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes;
}

const stored = (party: string, room: string, hash: string, type: AssetType, bytes: number): StoredAsset => ({ hash, type, bytes, url: assetPath(party, room, hash) });

/**
 * `POST …/<room>/assets[?sha256=<hex>]` inside the room's object, the
 * Worker having checked the token (editors only). `201` with the stored
 * asset, `200` when the room already had it, or a typed refusal.
 */
export async function uploadAsset(
  io: AssetUploadIo,
  where: { party: string; room: string },
  policy: AssetPolicy | undefined,
  request: Request,
): Promise<Response> {
  if (!policy || policy.types.length === 0) return assetError(501, AssetErrorCode.ASSETS_DISABLED, "this app takes no assets");
  if (!io.bucket) return assetError(501, AssetErrorCode.ASSETS_DISABLED, "this deployment has no asset bucket (the ROOM_ASSETS R2 binding)");
  const bounds = boundsOf(policy);
  const expected = new URL(request.url).searchParams.get("sha256");
  if (expected !== null && !ASSET_HASH_PATTERN.test(expected)) return assetError(400, ErrorCode.BAD_MESSAGE, "sha256: 64 lowercase hex characters");
  const declared = Number(request.headers.get("Content-Length") ?? 0);
  const tooLarge = (n: number | string) => assetError(413, AssetErrorCode.ASSET_TOO_LARGE, `a file of ${n} bytes exceeds this app's ${bounds.file}`);
  // Refused before a byte is read when its length is declared.
  if (declared > bounds.file) return tooLarge(declared);
  const bytes = await readBounded(request, bounds.file);
  if (bytes === null) return tooLarge(`more than ${bounds.file}`);
  if (bytes.byteLength === 0) {
    if (expected === null) return assetError(400, ErrorCode.BAD_MESSAGE, "the body is the file's bytes; it was empty");
    return keepAsset(io, where, expected);
  }
  const result = await storeAsset(io, where, policy, bytes, expected);
  return result.ok ? Response.json(result.asset, { status: result.created ? 201 : 200 }) : result.response;
}

/**
 * Store `bytes` as an asset of the room `where` under `policy`: the type read
 * from the bytes, the hash (and `expected`, if given), the room's quota; once
 * per hash. Used by the upload and by an import (asset-transfer.ts).
 */
export async function storeAsset(
  io: AssetUploadIo,
  where: { party: string; room: string },
  policy: AssetPolicy | undefined,
  bytes: Uint8Array,
  expected: string | null,
): Promise<{ ok: true; created: boolean; asset: StoredAsset } | { ok: false; response: Response }> {
  const refuse = (status: number, code: AssetErrorCode | ErrorCode, message: string) => ({ ok: false as const, response: assetError(status, code, message) });
  if (!policy || policy.types.length === 0) return refuse(501, AssetErrorCode.ASSETS_DISABLED, "this app takes no assets");
  if (!io.bucket) return refuse(501, AssetErrorCode.ASSETS_DISABLED, "this deployment has no asset bucket (the ROOM_ASSETS R2 binding)");
  const bounds = boundsOf(policy);
  if (bytes.byteLength > bounds.file) return refuse(413, AssetErrorCode.ASSET_TOO_LARGE, `a file of ${bytes.byteLength} bytes exceeds this app's ${bounds.file}`);
  const sniffed = sniffAssetType(bytes);
  if (sniffed === "image/svg+xml") return refuse(415, AssetErrorCode.ASSET_TYPE, "SVG is not stored (it can carry script): rasterise it to PNG first");
  if (sniffed === null || !policy.types.includes(sniffed)) {
    return refuse(415, AssetErrorCode.ASSET_TYPE, `the content is ${sniffed ?? "no known type"}; this app takes ${policy.types.join(", ")}`);
  }
  const hash = await assetHash(bytes);
  if (expected !== null && expected !== hash) return refuse(422, AssetErrorCode.ASSET_HASH_MISMATCH, `the bytes hash to ${hash}, not ${expected}`);
  const { party, room } = where;
  const key = assetKey(party, room, hash);
  const put = () => io.bucket!.put(key, bytes, { httpMetadata: { contentType: sniffed }, sha256: hash });
  const existing = await renewed(io, key, hash);
  if (existing) {
    // The same bytes, still on their way to R2 in another upload: put them
    // too (same key, same bytes, charged once), so this answer, like every
    // answer, means the asset is readable.
    if (existing.pending) await put();
    return { ok: true, created: false, asset: stored(party, room, hash, existing.type, existing.bytes) };
  }
  // Check and reserve with nothing but storage in between (the input gate).
  const tally = (await io.storage.get<Tally>(TALLY_KEY)) ?? { bytes: 0, count: 0 };
  if (tally.count + 1 > MAX_ASSETS_PER_ROOM) return refuse(409, AssetErrorCode.ASSET_QUOTA, `this room holds its ${MAX_ASSETS_PER_ROOM} assets`);
  if (tally.bytes + bytes.byteLength > bounds.room) {
    return refuse(409, AssetErrorCode.ASSET_QUOTA, `this room holds ${tally.bytes} asset bytes of ${bounds.room}; this file (${bytes.byteLength}) does not fit`);
  }
  const entry: Entry = { type: sniffed, bytes: bytes.byteLength, at: io.now() };
  await io.storage.put(TALLY_KEY, { bytes: tally.bytes + entry.bytes, count: tally.count + 1 });
  await io.storage.put(entryKey(hash), { ...entry, pending: true });
  try {
    // R2 checks the hash too: what it stores is what was checked here.
    await put();
    await io.storage.put(entryKey(hash), entry);
  } catch {
    const now = (await io.storage.get<Tally>(TALLY_KEY)) ?? { bytes: entry.bytes, count: 1 };
    await io.storage.put(TALLY_KEY, { bytes: Math.max(0, now.bytes - entry.bytes), count: Math.max(0, now.count - 1) });
    await io.storage.delete(entryKey(hash));
    return refuse(500, ErrorCode.INTERNAL, "the asset could not be stored; try again");
  }
  await io.stored?.(entry.at);
  return { ok: true, created: true, asset: stored(party, room, hash, sniffed, entry.bytes) };
}

/**
 * The room's row for `hash`, its grace started again (uploaded again, or
 * kept): or undefined when the room does not hold it. A collection deleting
 * these very bytes (asset-gc.ts) finishes first: it holds its lock from
 * before it reads the row until R2 answered, so a row read with no lock held
 * after it is not one being deleted. The new time is written with no await
 * since the check (the write is issued at the call), so it lands before any
 * collection's read; a collection re-reads the row after taking its lock, and
 * spares it.
 */
async function renewed(io: AssetUploadIo, key: string, hash: string): Promise<Entry | undefined> {
  for (;;) {
    await collecting.get(key);
    const existing = await io.storage.get<Entry>(entryKey(hash));
    if (collecting.has(key)) continue;
    if (existing) await io.storage.put(entryKey(hash), { ...existing, at: io.now() });
    return existing;
  }
}

/**
 * `POST …/assets?sha256=<hash>` with no body: **keep** an asset the client
 * uploaded earlier, before it sends a record naming it (docs/PROTOCOL.md §17
 * "Lifecycle"). `200` with the stored asset, its grace started again — so a
 * record sent now finds it however long ago it was uploaded — or `404`
 * `ASSET_NOT_FOUND` when the room does not hold it (collected, or its upload
 * still on its way to R2): the client uploads the bytes again.
 */
export async function keepAsset(io: AssetUploadIo, where: { party: string; room: string }, hash: string): Promise<Response> {
  const entry = await renewed(io, assetKey(where.party, where.room, hash), hash);
  if (!entry || entry.pending) return assetError(404, AssetErrorCode.ASSET_NOT_FOUND, "this room does not hold that asset: upload its bytes");
  return Response.json(stored(where.party, where.room, hash, entry.type, entry.bytes), { status: 200 });
}

/** Headers of a served asset: cached for good (its URL names its content),
 * never sniffed into something else, and inert even if opened as a page. */
export const ASSET_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  "Cache-Control": "public, max-age=31536000, immutable",
  "X-Content-Type-Options": "nosniff",
  "Content-Security-Policy": "default-src 'none'; sandbox",
  // Readable by any page that has the URL, so a board on another origin can
  // draw it into a canvas (an export) without tainting it.
  "Access-Control-Allow-Origin": "*",
  "Cross-Origin-Resource-Policy": "cross-origin",
};

/** `GET …/<room>/assets/<hash>`, at the edge: straight from R2, waking no room. */
export async function readAsset(bucket: R2Bucket | undefined, party: string, room: string, hash: string, request: Request): Promise<Response> {
  if (!bucket) return assetError(501, AssetErrorCode.ASSETS_DISABLED, "this deployment has no asset bucket (the ROOM_ASSETS R2 binding)");
  if (!ASSET_HASH_PATTERN.test(hash)) return assetError(400, ErrorCode.BAD_MESSAGE, "an asset is named by its sha256: 64 lowercase hex characters");
  const etag = `"${hash}"`;
  if (request.headers.get("If-None-Match") === etag) return new Response(null, { status: 304, headers: { ...ASSET_RESPONSE_HEADERS, ETag: etag } });
  let object: R2ObjectBody | null;
  try {
    object = await bucket.get(assetKey(party, room, hash));
  } catch {
    return assetError(500, ErrorCode.INTERNAL, "the asset could not be read just now; try again");
  }
  if (!object) return assetError(404, AssetErrorCode.ASSET_NOT_FOUND, "this room has no asset with that hash");
  return new Response(object.body, {
    headers: {
      ...ASSET_RESPONSE_HEADERS,
      "Content-Type": object.httpMetadata?.contentType ?? "application/octet-stream",
      "Content-Length": String(object.size),
      ETag: etag,
    },
  });
}

/** Delete every object of a room (its table goes with the room's storage). */
export async function eraseAssets(bucket: R2Bucket | undefined, party: string, room: string): Promise<number> {
  if (!bucket) return 0;
  let deleted = 0;
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: assetKey(party, room), ...(cursor ? { cursor } : {}) });
    if (page.objects.length > 0) await bucket.delete(page.objects.map((o) => o.key));
    deleted += page.objects.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return deleted;
}
