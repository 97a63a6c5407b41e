/**
 * A room's assets in and out of its export file (docs/EXPORT.md, PROTOCOL.md
 * §17): `GET …/export` carries the assets its records name, as base64, and
 * `POST …/import` (and so `POST …/fork`, an export imported) stores them in
 * the new room before its records — so an exported, imported or forked board
 * has its pictures. The bytes in a file are not trusted: each is stored
 * through the same checks as an upload (type by content, the app's types,
 * size, quota, and its hash against the name it is filed under).
 */
import type { AssetPolicy } from "../shared/assets.ts";
import { assetsNamed, type ExportedAsset } from "../shared/export-format.ts";
import { ErrorCode, type RecordBase } from "../shared/protocol.ts";
import { assetError, assetKey, type AssetTableStorage, storeAsset } from "./assets.ts";

/** What the room's object gives the transfer: its bucket, its asset table, its app's policy. */
export interface AssetIo {
  bucket: R2Bucket | undefined;
  storage: AssetTableStorage;
  policy: AssetPolicy | undefined;
  party: string;
  now: () => number;
  /** Told when a new asset was stored (its collection is scheduled, asset-gc.ts). */
  stored?: (at: number) => Promise<void>;
}

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(data: string): Uint8Array | null {
  try {
    const s = atob(data);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

/** The assets of room `room` that `records` name, with their bytes (those
 * the room has; a hash it has not is left out). */
export async function exportAssets(io: AssetIo, room: string, records: readonly RecordBase[]): Promise<ExportedAsset[]> {
  if (!io.bucket) return [];
  const out: ExportedAsset[] = [];
  for (const hash of assetsNamed(records)) {
    const object = await io.bucket.get(assetKey(io.party, room, hash));
    if (!object) continue;
    const type = object.httpMetadata?.contentType as ExportedAsset["type"] | undefined;
    if (!type) continue;
    out.push({ hash, type, data: toBase64(new Uint8Array(await object.arrayBuffer())) });
  }
  return out;
}

/** Store a file's `assets` in room `room`: null when all are stored, else
 * the refusal of the first that is not (the import then stops). */
export async function importAssets(io: AssetIo, room: string, assets: readonly ExportedAsset[]): Promise<Response | null> {
  for (const [i, a] of assets.entries()) {
    const bytes = fromBase64(a.data);
    if (!bytes) return assetError(400, ErrorCode.BAD_MESSAGE, `assets.${i}: data is not base64`);
    const stored = await storeAsset(io, { party: io.party, room }, io.policy, bytes, a.hash);
    if (!stored.ok) return stored.response;
  }
  return null;
}
