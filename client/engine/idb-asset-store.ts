/**
 * Assets waiting for upload, in IndexedDB: their bytes outlive a reload while
 * offline. A database of its own (`edgeroom-assets`), not a new store in the
 * pending edits' one: adding a store there would mean a version upgrade, which
 * waits for every open tab of older code to close.
 */
import { type DBSchema, type IDBPDatabase, openDB } from "idb";
import type { AssetStore, LocalAsset } from "./asset-store.ts";
import { MemoryAssetStore } from "./asset-store.ts";

export const ASSET_DB_NAME = "edgeroom-assets";

interface AssetRow extends LocalAsset {
  room: string;
}

interface AssetDB extends DBSchema {
  assets: { key: [string, string]; value: AssetRow };
}

let dbPromise: Promise<IDBPDatabase<AssetDB>> | null = null;

function openAssetDb(): Promise<IDBPDatabase<AssetDB>> {
  dbPromise ??= openDB<AssetDB>(ASSET_DB_NAME, 1, {
    upgrade(db) {
      db.createObjectStore("assets", { keyPath: ["room", "hash"] });
    },
  });
  return dbPromise;
}

/** One room's waiting assets. Without IndexedDB (storage blocked), memory:
 * the asset is still uploaded, it just would not outlive the page. */
export class IdbAssetStore implements AssetStore {
  private readonly room: string;
  private fallback: MemoryAssetStore | null = null;

  constructor(room: string) {
    this.room = room;
  }

  private async db(): Promise<IDBPDatabase<AssetDB> | null> {
    if (this.fallback) return null;
    try {
      return await openAssetDb();
    } catch {
      this.fallback ??= new MemoryAssetStore();
      return null;
    }
  }

  async get(hash: string): Promise<LocalAsset | undefined> {
    const db = await this.db();
    if (!db) return this.fallback!.get(hash);
    const row = await db.get("assets", [this.room, hash]);
    if (!row) return undefined;
    const { room: _room, ...asset } = row;
    return asset;
  }

  async put(asset: LocalAsset): Promise<void> {
    const db = await this.db();
    if (!db) return this.fallback!.put(asset);
    await db.put("assets", { ...asset, room: this.room });
  }

  async remove(hash: string): Promise<void> {
    const db = await this.db();
    if (!db) return this.fallback!.remove(hash);
    await db.delete("assets", [this.room, hash]);
  }
}
