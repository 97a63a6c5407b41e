/**
 * A room's assets, from the client: upload a file, name its URL, and add a
 * file together with the record that shows it — online or offline
 * (docs/PROTOCOL.md §17, docs/HTTP-API.md "Assets").
 *
 * `addAsset(file, makeOps)` is the offline-safe path. The bytes go to the
 * asset store first (IndexedDB in a page), then the record's mutation into
 * the pending edits with `awaits: [<hash>]`: drawn at once (from a local object
 * URL), sent only once the room has stored the bytes — so no one ever sees a
 * record whose asset is missing — and everything made after it waits behind
 * it, keeping the room's order. The upload starts when the connection is
 * live (at once, or when it returns, or after a reload), once per asset
 * across this profile's tabs (a Web Lock per asset; a tab that finds the
 * bytes uploaded asks the room to keep them instead of uploading again).
 * The bytes stay on the device until the room acknowledged every record
 * naming them, and each new connection confirms the room still holds them
 * before those records go (uploading them again if it collected them).
 * A refusal for good (wrong type, too large, over the room's quota) rolls the
 * record back with a `reject` event; a passing failure (network, 5xx) is
 * retried with backoff.
 *
 * An app that makes its own edits (an editor with undo) uses the two halves:
 * `stage(file)` keeps the bytes and names the asset, and its mutations pass
 * `awaits: assets.awaitsFor(ops)` — the staged assets those ops name, so an
 * undo that puts an image back before its upload finished waits too.
 */
import { ASSET_TYPES, AssetErrorCode, type AssetType, assetHash, assetPath, sniffAssetType, type StoredAsset } from "../../party/shared/assets.ts";
import { MAX_ASSET_BYTES } from "../../party/shared/limits.ts";
import type { Op, RecordBase } from "../../party/shared/protocol.ts";
import type { EditOp } from "../../party/shared/typed-ops.ts";
import { type AssetStore, type LocalAsset, MemoryAssetStore } from "./asset-store.ts";
import { type Clock, systemClock } from "./clock.ts";
import type { RoomClient } from "./room-client.ts";

/** Backoff between upload attempts after a passing failure: 2 s doubling to
 * 1 min — a server error or a flaky link, not worth hammering. */
export const ASSET_RETRY_MIN_MS = 2_000;
export const ASSET_RETRY_MAX_MS = 60_000;

/** Why an upload failed: the room's code (`AssetErrorCode`, or the
 * protocol's FORBIDDEN, UNAUTHORIZED, …), or `NETWORK` when no answer came. */
export class AssetError extends Error {
  readonly code: string;
  /** The HTTP status; 0 when no answer came. */
  readonly status: number;
  constructor(code: string, message: string, status = 0) {
    super(message);
    this.name = "AssetError";
    this.code = code;
    this.status = status;
  }
  /** Worth trying again later (no answer, a server error, a rate limit, an
   * expired token); otherwise the same bytes would be refused again. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || (this.status >= 500 && this.status !== 501) || this.code === "TOKEN_EXPIRED";
  }
}

/** An asset as `addAsset` hands it to the record it makes. */
export interface AddedAsset {
  hash: string;
  type: AssetType;
  bytes: number;
  /** Where to read it now: a local object URL until the room has it. */
  url: string;
}

/** The part of Web Locks this uses (one exclusive lock per asset). */
export interface AssetLocks {
  request(name: string, callback: () => Promise<void>): Promise<unknown>;
}

export interface RoomAssetsOptions {
  /** Where added assets wait until the room stored them; memory by default
   * (a page: IdbAssetStore, so they outlive a reload). */
  store?: AssetStore;
  /** The origin of the Worker, e.g. `http://127.0.0.1:8787`. Default in a
   * page: its own origin (relative URLs); required elsewhere. */
  baseUrl?: string;
  /** An editor's access token for uploads (sent as `Authorization: Bearer`),
   * asked again before every upload. */
  getToken?: () => Promise<string | null> | string | null;
  fetch?: typeof fetch;
  clock?: Clock;
  /** Default: `navigator.locks` when there is one; null: none. */
  locks?: AssetLocks | null;
}

type File = Blob | Uint8Array;

export class RoomAssets<R extends RecordBase = RecordBase> {
  private readonly client: RoomClient<R>;
  private readonly store: AssetStore;
  private readonly base: string | undefined;
  private readonly getToken: RoomAssetsOptions["getToken"];
  private readonly fetchFn: typeof fetch;
  private readonly clock: Clock;
  private readonly locks: AssetLocks | null;
  /** Object URLs of the bytes held here, by hash. */
  private readonly local = new Map<string, string>();
  /** Stored by the room, their bytes still kept in the store until no
   * pending mutation names them (the room acknowledged every one). */
  private readonly kept = new Set<string>();
  /** Staged here and not yet known to be stored by the room. */
  private readonly staged = new Set<string>();
  private readonly busy = new Set<string>();
  /** Uploads started when their asset was staged on a live connection. */
  private readonly early = new Map<string, Promise<unknown>>();
  private readonly retries = new Map<string, { attempt: number; timer: unknown }>();
  private readonly listeners = new Set<() => void>();
  private readonly unsubscribe: () => void;
  private readonly offChange: () => void;
  private closed = false;

  constructor(client: RoomClient<R>, options: RoomAssetsOptions = {}) {
    this.client = client;
    this.store = options.store ?? new MemoryAssetStore();
    this.base = options.baseUrl ?? (typeof location === "undefined" ? undefined : "");
    this.getToken = options.getToken;
    this.fetchFn = options.fetch ?? ((...args) => fetch(...args));
    this.clock = options.clock ?? systemClock;
    const nav = (globalThis as { navigator?: { locks?: AssetLocks } }).navigator;
    this.locks = options.locks === undefined ? (nav?.locks ?? null) : options.locks;
    // The connection returned: what waits goes up now.
    this.unsubscribe = client.on("status", (s) => {
      if (s.status !== "live") return;
      for (const [hash, r] of this.retries) {
        if (r.timer != null) this.clock.clearTimeout(r.timer);
        this.retries.set(hash, { ...r, timer: null });
      }
      this.pumpAll();
    });
    // A new mutation may wait for a staged asset: start its upload. An
    // acknowledged one may have been the last to name bytes kept here.
    this.offChange = client.on("change", () => {
      this.pumpAll();
      this.letGo();
    });
    // After a reload: show what waits from its local bytes, and send it when live.
    void client.ready.then(() => this.showWaiting()).then(() => this.pumpAll());
  }

  /** Where the asset `hash` of this room is read: a local object URL while
   * this device holds its bytes, else the room's URL for it. */
  assetUrl(hash: string): string {
    return this.local.get(hash) ?? `${this.base ?? ""}${assetPath(this.client.schema.party, this.client.room, hash)}`;
  }

  /** Called when an asset's URL or state changed (bytes shown, stored, refused). */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Upload `file` now (no queue, no record): resolves with the stored asset,
   * rejects with an AssetError. The type and size are checked here first. */
  async uploadAsset(file: File): Promise<StoredAsset> {
    const { bytes, type } = await checked(file);
    return this.post(await assetHash(bytes), new Blob([bytes as BlobPart], { type }));
  }

  /**
   * Add `file` with the records that show it: `makeOps` gets the asset (its
   * hash, for the record) and returns the ops. Rejects with an AssetError if
   * the file is not an asset type or too large (nothing is added then);
   * otherwise the records are drawn at once and reach the room once the
   * bytes are stored (see the top of this file). Resolves once both are
   * kept durably.
   */
  async addAsset(file: File, makeOps: (asset: AddedAsset) => Op<R>[], options: { edit?: string } = {}): Promise<{ asset: AddedAsset; mid: string }> {
    const asset = await this.stage(file);
    const ops = makeOps(asset);
    const mid = this.client.mutate(ops as EditOp<R>[], { awaits: this.awaitsFor(ops), ...(options.edit !== undefined ? { edit: options.edit } : {}) });
    await this.client.saved();
    return { asset, mid };
  }

  /**
   * Keep `file`'s bytes on this device (until the room has stored them) and
   * show them at `assetUrl(hash)`; nothing is sent until a mutation that
   * names the hash is made with `awaits: awaitsFor(ops)`. Rejects with an
   * AssetError for a file that is not an asset type or too large.
   */
  async stage(file: File): Promise<AddedAsset> {
    const { bytes, type } = await checked(file);
    const hash = await assetHash(bytes);
    const data = file instanceof Blob && file.type === type ? file : new Blob([bytes as BlobPart], { type });
    // Live: the upload starts now, beside keeping the bytes and making the
    // record — which still waits for its answer (settle).
    if (this.client.connection.status === "live" && this.base !== undefined && !this.early.has(hash)) {
      const upload = this.post(hash, data);
      upload.catch(() => {}); // its failure is settle's to handle
      this.early.set(hash, upload);
    }
    // The bytes are kept before any record names them: a record never waits
    // for bytes that a reload could have lost.
    const known = await this.store.get(hash);
    if (!known) await this.store.put({ hash, type, data, stored: false, at: Date.now() });
    if (!known?.stored) this.staged.add(hash);
    this.showLocal(hash, data);
    return { hash, type, bytes: bytes.byteLength, url: this.assetUrl(hash) };
  }

  /** Stage the asset `hash` of another room (a paste from another board):
   * its bytes read from `url` (that room's asset URL) and checked against
   * the hash. Rejects with an AssetError when they cannot be read. */
  async stageFrom(url: string, hash: string): Promise<AddedAsset> {
    const res = await this.send(url, { method: "GET" });
    if (!res.ok) throw await refusal(res);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if ((await assetHash(bytes)) !== hash) throw new AssetError(AssetErrorCode.ASSET_HASH_MISMATCH, "the bytes read are not the asset named", 422);
    return this.stage(bytes);
  }

  /** The staged assets, not yet stored by the room, that `ops` name (a value
   * of a put record or a patch equal to the hash): what their mutation must
   * wait for. */
  awaitsFor(ops: readonly Op<R>[]): string[] {
    if (this.staged.size === 0) return [];
    const found = new Set<string>();
    for (const op of ops) {
      const values = op.op === "put" ? Object.values(op.rec) : op.op === "patch" ? Object.values(op.set) : [];
      for (const v of values) if (typeof v === "string" && this.staged.has(v)) found.add(v);
    }
    return [...found];
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    this.offChange();
    for (const r of this.retries.values()) if (r.timer != null) this.clock.clearTimeout(r.timer);
    this.retries.clear();
    this.early.clear();
    for (const url of this.local.values()) if (url.startsWith("blob:")) URL.revokeObjectURL(url);
    this.local.clear();
    this.listeners.clear();
  }

  // -------------------------------------------------------------------------

  /** Every asset a pending mutation waits for, confirmed on this connection or not. */
  private awaited(): Set<string> {
    return new Set(this.client.pending.list.flatMap((m) => m.awaits ?? []));
  }

  /** Let go of kept bytes no pending mutation names any more: the room
   * acknowledged every record that needs them. */
  private letGo(): void {
    if (this.kept.size === 0) return;
    const awaited = this.awaited();
    for (const hash of this.kept) {
      if (awaited.has(hash)) continue;
      this.kept.delete(hash);
      void this.store.remove(hash).catch(() => {});
    }
  }

  private async showWaiting(): Promise<void> {
    for (const hash of this.awaited()) {
      const held = await this.store.get(hash);
      if (held) this.showLocal(hash, held.data);
      if (held && !held.stored) this.staged.add(hash);
    }
  }

  private showLocal(hash: string, data: Blob): void {
    if (this.local.has(hash) || typeof URL.createObjectURL !== "function") return;
    this.local.set(hash, URL.createObjectURL(data));
    this.changed();
  }

  private pumpAll(): void {
    for (const hash of this.client.pending.waitingAssets()) void this.pump(hash);
  }

  /** Settle `hash` if the connection is live and something waits for it. */
  private async pump(hash: string): Promise<void> {
    if (this.closed || this.busy.has(hash) || this.retries.get(hash)?.timer != null) return;
    if (this.client.connection.status !== "live" || !this.client.pending.waitingAssets().has(hash)) return;
    this.busy.add(hash);
    try {
      const name = `edgeroom-asset:${this.client.schema.party}/${this.client.room}/${hash}`;
      if (this.locks) await this.locks.request(name, () => this.settle(hash));
      else await this.settle(hash);
    } finally {
      this.busy.delete(hash);
    }
  }

  /**
   * Make sure the room holds the bytes, then let what waits for them go; or
   * roll it back on a refusal; or try again later. Bytes never uploaded are
   * uploaded. Bytes uploaded earlier — before a reload, or on an earlier
   * connection — are **kept** (an upload without its body, which starts the
   * room's grace for them again) and uploaded again if the room answers that
   * it has collected them: a record that waited more than ASSET_GRACE_MS
   * after its upload still finds its file (docs/PROTOCOL.md §17). The bytes
   * stay in the store until every record naming them is acknowledged.
   */
  private async settle(hash: string): Promise<void> {
    if (this.closed || !this.client.pending.waitingAssets().has(hash)) return;
    try {
      const held: LocalAsset | undefined = await this.store.get(hash);
      // Noted once the records are on their way (a page that dies first
      // uploads again: the room answers 200, nothing is stored twice).
      let noted: Promise<void> = Promise.resolve();
      const early = this.early.get(hash);
      this.early.delete(hash);
      if (early) {
        await early;
        if (held && !held.stored) noted = this.store.put({ ...held, stored: true });
      } else if (held && !held.stored) {
        await this.post(hash, held.data);
        noted = this.store.put({ ...held, stored: true });
      } else if (held) {
        if (!(await this.keep(hash))) await this.post(hash, held.data);
      } else if (!(await this.keep(hash))) {
        // Another tab settled it and let the bytes go, or they were never
        // kept (storage blocked), and the room does not have them.
        throw new AssetError(AssetErrorCode.ASSET_NOT_FOUND, "the asset's bytes are gone from this device and the room does not have them", 404);
      }
      this.retries.delete(hash);
      this.staged.delete(hash);
      if (held) this.kept.add(hash);
      this.client.settleAsset(hash);
      await noted;
      this.letGo();
    } catch (e) {
      const err = e instanceof AssetError ? e : new AssetError("NETWORK", e instanceof Error ? e.message : String(e));
      if (err.retryable) return this.retryLater(hash);
      this.retries.delete(hash);
      this.staged.delete(hash);
      this.kept.delete(hash);
      this.client.settleAsset(hash, { code: err.code, message: err.message });
      await this.store.remove(hash);
    } finally {
      this.changed();
    }
  }

  private retryLater(hash: string): void {
    if (this.closed) return;
    const attempt = (this.retries.get(hash)?.attempt ?? 0) + 1;
    const delay = Math.min(ASSET_RETRY_MAX_MS, ASSET_RETRY_MIN_MS * 2 ** (attempt - 1));
    const timer = this.clock.setTimeout(() => {
      this.retries.set(hash, { attempt, timer: null });
      void this.pump(hash);
    }, delay);
    this.retries.set(hash, { attempt, timer });
  }

  private url(hash?: string): string {
    if (this.base === undefined) throw new TypeError("RoomAssets: give `baseUrl` outside a browser page");
    return `${this.base}${assetPath(this.client.schema.party, this.client.room, hash)}`;
  }

  private async post(hash: string, body: Blob): Promise<StoredAsset> {
    const token = this.getToken ? await this.getToken() : null;
    const res = await this.send(`${this.url()}?sha256=${hash}`, { method: "POST", body, headers: token ? { Authorization: `Bearer ${token}` } : {} });
    if (res.ok) return (await res.json()) as StoredAsset;
    throw await refusal(res);
  }

  /** Keep `hash` (an upload with no body): true when the room holds it (its
   * grace started again), false when it does not; else the AssetError. */
  private async keep(hash: string): Promise<boolean> {
    const token = this.getToken ? await this.getToken() : null;
    const res = await this.send(`${this.url()}?sha256=${hash}`, { method: "POST", headers: token ? { Authorization: `Bearer ${token}` } : {} });
    if (res.ok) return true;
    if (res.status === 404) return false;
    throw await refusal(res);
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetchFn(url, init);
    } catch (e) {
      throw new AssetError("NETWORK", e instanceof Error ? e.message : "no answer", 0);
    }
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }
}

/** The bytes of `file`, if they are an asset type under MAX_ASSET_BYTES. */
async function checked(file: File): Promise<{ bytes: Uint8Array; type: AssetType }> {
  const bytes = file instanceof Uint8Array ? file : new Uint8Array(await file.arrayBuffer());
  if (bytes.byteLength > MAX_ASSET_BYTES) throw new AssetError(AssetErrorCode.ASSET_TOO_LARGE, `a file of ${bytes.byteLength} bytes exceeds ${MAX_ASSET_BYTES}`, 413);
  const type = sniffAssetType(bytes);
  if (type === "image/svg+xml") throw new AssetError(AssetErrorCode.ASSET_TYPE, "SVG is not stored (it can carry script): rasterise it to PNG first", 415);
  if (type === null || !(ASSET_TYPES as readonly string[]).includes(type)) throw new AssetError(AssetErrorCode.ASSET_TYPE, "the file is not a PNG, JPEG, GIF or WebP image", 415);
  return { bytes, type: type as AssetType };
}

async function refusal(res: Response): Promise<AssetError> {
  let body: { code?: unknown; message?: unknown } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // no JSON body (a HEAD, a proxy's page)
  }
  const code = typeof body.code === "string" ? body.code : res.status >= 500 ? "INTERNAL" : "BAD_MESSAGE";
  return new AssetError(code, typeof body.message === "string" ? body.message : `HTTP ${res.status}`, res.status);
}
