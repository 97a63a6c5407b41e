/**
 * Assets of a room: binary files (images) an app attaches to a room, stored
 * once per content hash and served by it (docs/HTTP-API.md "Assets",
 * docs/PROTOCOL.md §17). A record refers to an asset by its hash — the
 * SHA-256 of its bytes as 64 lowercase hex characters — never by a URL: the
 * URL follows from the room and the hash (`assetPath`).
 *
 * This module holds what both sides need: the refusal codes, the types the
 * engine can recognise by their content, the sniffing itself (the client
 * checks a file before it queues it; the room checks it again, trusting no
 * one), and the path. Host-free, so the browser imports it.
 */

/** Why an upload (or a read) was refused: the `code` of the `{code, message}`
 * body, beside the protocol's FORBIDDEN / UNAUTHORIZED / TOKEN_EXPIRED /
 * BAD_MESSAGE / INTERNAL. */
export const AssetErrorCode = {
  /** The bytes are not one of the app's allowed types, judged by their
   * content (magic bytes), never by a name or a declared type. SVG is always
   * refused (it can carry script): rasterise it first. HTTP 415. */
  ASSET_TYPE: "ASSET_TYPE",
  /** Over the app's largest file (default MAX_ASSET_BYTES). HTTP 413. */
  ASSET_TOO_LARGE: "ASSET_TOO_LARGE",
  /** The room holds its most asset bytes or assets (MAX_ROOM_ASSET_BYTES,
   * MAX_ASSETS_PER_ROOM). Not worth retrying soon: room is freed only when
   * assets no record names are collected, a day or more later (ASSET_GRACE_MS). HTTP 409. */
  ASSET_QUOTA: "ASSET_QUOTA",
  /** `?sha256=` named another hash than the bytes have (a corrupted upload). HTTP 422. */
  ASSET_HASH_MISMATCH: "ASSET_HASH_MISMATCH",
  /** No such asset in this room. HTTP 404. */
  ASSET_NOT_FOUND: "ASSET_NOT_FOUND",
  /** This app takes no assets, or this deployment has no asset bucket (the
   * `ROOM_ASSETS` R2 binding), or the host has none (PartyKit). HTTP 501. */
  ASSETS_DISABLED: "ASSETS_DISABLED",
} as const;
export type AssetErrorCode = (typeof AssetErrorCode)[keyof typeof AssetErrorCode];

/** The types the engine recognises by content and may store. */
export const ASSET_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"] as const;
export type AssetType = (typeof ASSET_TYPES)[number];

/** What sniffing can tell: a storable type, or SVG (recognised only to say
 * why it is refused). */
export type SniffedType = AssetType | "image/svg+xml";

/** An asset's id: SHA-256 of its bytes, lowercase hex. */
export const ASSET_HASH_PATTERN = /^[0-9a-f]{64}$/;

/** What an upload answers (and what the client library resolves with). */
export interface StoredAsset {
  hash: string;
  type: AssetType;
  bytes: number;
  /** The path to read it from, on the host the room is served from. */
  url: string;
}

/** The app's say in which assets its rooms take (a room option, `assets`). */
export interface AssetPolicy {
  /** Allowed types; anything else is ASSET_TYPE. */
  types: readonly AssetType[];
  /** Largest file, bytes (default and ceiling MAX_ASSET_BYTES). */
  maxFileBytes?: number;
  /** Asset bytes per room (default and ceiling MAX_ROOM_ASSET_BYTES). */
  maxRoomBytes?: number;
}

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0) => sig.every((v, i) => b[at + i] === v);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** The type `bytes` are, by their first bytes, or null when none the engine
 * knows. PNG, JPEG, GIF (87a/89a), WebP (RIFF….WEBP); SVG by its opening tag
 * after an optional BOM, whitespace, XML declaration or comments. */
export function sniffAssetType(bytes: Uint8Array): SniffedType | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(bytes, ascii("GIF87a")) || startsWith(bytes, ascii("GIF89a"))) return "image/gif";
  if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("WEBP"), 8)) return "image/webp";
  const head = new TextDecoder().decode(bytes.subarray(0, 1024)).replace(/^\uFEFF/, "");
  const text = head.replace(/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*/i, "");
  if (/^<(svg[\s>]|!DOCTYPE\s+svg)/i.test(text)) return "image/svg+xml";
  return null;
}

/** SHA-256 of `bytes`, lowercase hex: an asset's hash. */
export async function assetHash(bytes: Uint8Array | ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** `/parties/<party>/<room>/assets[/<hash>]`: where a room's assets are
 * uploaded (POST, no hash) and read (GET). */
export function assetPath(party: string, room: string, hash?: string): string {
  return `/parties/${party}/${room}/assets${hash === undefined ? "" : `/${hash}`}`;
}
