/**
 * Where an asset added on this device waits until the room has stored it
 * (room-assets.ts): its bytes, so a reload while offline still has them to
 * show and to upload. The browser keeps them in IndexedDB
 * (idb-asset-store.ts); Node and tests in memory.
 */
import type { AssetType } from "../../party/shared/assets.ts";

/** One asset of one room, as this device holds it. */
export interface LocalAsset {
  hash: string;
  type: AssetType;
  data: Blob;
  /** The room answered that it stored these bytes. */
  stored: boolean;
  /** When it was added here (ms). */
  at: number;
}

export interface AssetStore {
  get(hash: string): Promise<LocalAsset | undefined>;
  put(asset: LocalAsset): Promise<void>;
  remove(hash: string): Promise<void>;
}

export class MemoryAssetStore implements AssetStore {
  private readonly items = new Map<string, LocalAsset>();
  async get(hash: string): Promise<LocalAsset | undefined> {
    return this.items.get(hash);
  }
  async put(asset: LocalAsset): Promise<void> {
    this.items.set(asset.hash, asset);
  }
  async remove(hash: string): Promise<void> {
    this.items.delete(hash);
  }
}
