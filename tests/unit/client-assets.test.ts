/**
 * Assets from the client library (client/engine/room-assets.ts), end to end
 * over the real room core (in memory) and the online-aware transport with a
 * fake network, as the offline queue's tests are. The asset server is an
 * in-memory stand-in with the Worker's answers (POST …/assets with the bytes,
 * or with none to keep what it holds; tests/workerd/assets.test.ts and
 * asset-gc.test.ts cover the real one): it
 * counts uploads and notes how far the room was when each arrived, which is
 * how these tests see that a record is committed only after its asset is stored.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { type AssetStore, MemoryAssetStore } from "../../client/engine/asset-store.ts";
import { type NetworkEvents, onlineAwareTransport } from "../../client/engine/offline-transport.ts";
import { MemoryPendingStore, type PendingStore } from "../../client/engine/pending-store.ts";
import { AssetError, ASSET_RETRY_MIN_MS, type AssetLocks, RoomAssets } from "../../client/engine/room-assets.ts";
import { RoomClient } from "../../client/engine/room-client.ts";
import type { RejectNotice } from "../../client/engine/room-events.ts";
import { AssetErrorCode, assetHash } from "../../party/shared/assets.ts";
import { type Card, CardsRoomHost, card } from "../support/cards-room.ts";
import { FakeClock } from "../support/fake-clock.ts";
import { roomWire } from "../support/room-wire.ts";
import { waitFor } from "../support/wait.ts";

class FakeNetwork implements NetworkEvents {
  private readonly fns = { online: new Set<() => void>(), offline: new Set<() => void>() };
  onLine: boolean;
  constructor(online: boolean) {
    this.onLine = online;
    vi.stubGlobal("navigator", { onLine: online });
  }
  addEventListener(type: "online" | "offline", fn: () => void) {
    this.fns[type].add(fn);
  }
  removeEventListener(type: "online" | "offline", fn: () => void) {
    this.fns[type].delete(fn);
  }
  set(online: boolean) {
    this.onLine = online;
    vi.stubGlobal("navigator", { onLine: online });
    for (const fn of this.fns[online ? "online" : "offline"]) fn();
  }
}

/** The Worker's asset routes, in memory. `seqAtUpload` is the room's seq
 * when each upload arrived; `refuse` answers every upload with that code. */
class FakeAssetServer {
  readonly stored = new Map<string, Uint8Array>();
  uploads = 0;
  /** Keeps (an upload with no body) answered, and the room's seq at each. */
  keeps = 0;
  readonly seqAtKeep: number[] = [];
  readonly seqAtUpload: number[] = [];
  refuse: { status: number; code: string } | null = null;
  down = false;
  /** While set, an upload waits for it before it is answered. */
  gate: Promise<void> | null = null;
  constructor(private readonly host: CardsRoomHost) {}
  readonly fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    if (this.down) throw new TypeError("Failed to fetch");
    const url = new URL(String(input), "http://assets.test");
    if (init?.body == null) {
      const hash = url.searchParams.get("sha256")!;
      this.keeps++;
      this.seqAtKeep.push((await this.host.room.stats()).seq);
      if (!this.stored.has(hash)) return Response.json({ code: AssetErrorCode.ASSET_NOT_FOUND, message: "not held" }, { status: 404 });
      return Response.json({ hash, type: "image/png", bytes: this.stored.get(hash)!.length, url: url.pathname + "/" + hash });
    }
    this.uploads++;
    this.seqAtUpload.push((await this.host.room.stats()).seq);
    if (this.gate) await this.gate;
    if (this.refuse) return Response.json({ code: this.refuse.code, message: "refused" }, { status: this.refuse.status });
    const bytes = new Uint8Array(await (init!.body as Blob).arrayBuffer());
    const hash = await assetHash(bytes);
    expect(url.searchParams.get("sha256")).toBe(hash);
    this.stored.set(hash, bytes);
    return Response.json({ hash, type: "image/png", bytes: bytes.length, url: url.pathname + "/" + hash }, { status: 201 });
  }) as typeof fetch;
}

/** One exclusive lock per name, shared by the "tabs" of a test; `asked`
 * counts the requests. */
function sharedLocks(): AssetLocks & { asked: number } {
  const tails = new Map<string, Promise<unknown>>();
  return {
    asked: 0,
    request(name, cb) {
      this.asked++;
      const run = (tails.get(name) ?? Promise.resolve()).then(cb, cb);
      tails.set(name, run.catch(() => {}));
      return run;
    },
  };
}

function png(seed: number): Uint8Array {
  const b = new Uint8Array(64);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  for (let i = 8; i < b.length; i++) b[i] = (i * seed) & 0xff;
  return b;
}

/** Poll an async condition (a store's answer) until it holds. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (const deadline = Date.now() + 2000; !(await check()); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

const opened: { close(): void }[] = [];
afterEach(() => {
  for (const c of opened.splice(0)) c.close();
  vi.unstubAllGlobals();
});

interface Tab {
  client: RoomClient<Card>;
  assets: RoomAssets<Card>;
  rejects: RejectNotice<Card>[];
}

function tab(host: CardsRoomHost, network: FakeNetwork, server: FakeAssetServer, stores: { pending: PendingStore; assets: AssetStore }, extra: { clock?: FakeClock; locks?: AssetLocks; clientId?: string } = {}): Tab {
  const client = new RoomClient({ schema: cardsSchema, room: host.roomId, clientId: extra.clientId ?? "tab-1", name: "Bea", color: "#2f9e44", pendingStore: stores.pending, transport: onlineAwareTransport(roomWire(host), network) });
  const assets = new RoomAssets(client, { store: stores.assets, baseUrl: "http://assets.test", fetch: server.fetch, locks: extra.locks ?? null, ...(extra.clock ? { clock: extra.clock } : {}) });
  const rejects: RejectNotice<Card>[] = [];
  client.on("reject", (r) => rejects.push(r));
  opened.push(assets, client);
  return { client, assets, rejects };
}
import { cards as cardsSchema } from "../support/cards.ts";

function observer(host: CardsRoomHost): RoomClient<Card> {
  const c = new RoomClient({ schema: cardsSchema, room: host.roomId, clientId: "observer", name: "Obs", color: "#112233", transport: roomWire(host) });
  opened.push(c);
  return c;
}

/** A card that shows the asset `hash` (a record names its asset by hash). */
const imageCard = (id: string) => (a: { hash: string }) => [{ op: "put" as const, rec: { ...card(id), text: a.hash } }];

describe("RoomAssets", () => {
  it("online: draws the record at once, uploads once, and commits the record only after the bytes are stored", async () => {
    const host = new CardsRoomHost("assets-online");
    const server = new FakeAssetServer(host);
    const watcher = observer(host);
    const t = tab(host, new FakeNetwork(true), server, { pending: new MemoryPendingStore(), assets: new MemoryAssetStore() });
    await waitFor(() => t.client.connection.status === "live", 2000, "live");
    const { asset } = await t.assets.addAsset(new Blob([png(3) as BlobPart]), imageCard("img"));
    expect(t.client.records().get("img")?.text).toBe(asset.hash); // drawn at once
    expect(t.assets.assetUrl(asset.hash)).toMatch(/^blob:/); // from the local bytes
    await waitFor(() => watcher.records().has("img"), 2000, "the observer sees the image card");
    expect(server.uploads).toBe(1);
    expect(server.seqAtUpload).toEqual([0]); // nothing committed before the upload arrived
    expect(server.stored.has(watcher.records().get("img")!.text)).toBe(true);
    await waitFor(() => t.client.pendingCount === 0, 2000, "acknowledged");
  });

  it("offline: the asset waits with its record across a reload and is uploaded exactly once when the connection returns", async () => {
    const host = new CardsRoomHost("assets-offline");
    const server = new FakeAssetServer(host);
    const watcher = observer(host);
    const network = new FakeNetwork(false);
    const stores = { pending: new MemoryPendingStore(), assets: new MemoryAssetStore() };
    const before = tab(host, network, server, stores);
    await before.client.ready;
    const { asset } = await before.assets.addAsset(png(5), imageCard("img"));
    expect(before.client.records().has("img")).toBe(true);
    expect(server.uploads).toBe(0);

    // Reload while offline: the page is gone, its stores are not.
    before.assets.close();
    before.client.close();
    const after = tab(host, network, server, stores);
    await after.client.ready;
    expect(after.client.records().get("img")?.text).toBe(asset.hash); // still drawn
    await waitFor(() => after.assets.assetUrl(asset.hash).startsWith("blob:"), 2000, "shown from its local bytes");
    expect(server.uploads).toBe(0);

    network.set(true);
    await waitFor(() => watcher.records().has("img") && after.client.pendingCount === 0, 2000, "uploaded and committed");
    expect(server.uploads).toBe(1);
    expect(server.seqAtUpload).toEqual([0]);
    expect(watcher.seq).toBe(1);
    expect(await stores.assets.get(asset.hash)).toBeUndefined(); // the local bytes are let go
    expect(await stores.pending.load()).toEqual([]);
  });

  it("an upload acknowledged before the page died, its record sent after the room collected the file: the bytes kept on the device are uploaded again before the record is committed", async () => {
    const host = new CardsRoomHost("assets-collected");
    const server = new FakeAssetServer(host);
    const watcher = observer(host);
    const network = new FakeNetwork(true);
    const stores = { pending: new MemoryPendingStore(), assets: new MemoryAssetStore() };
    const before = tab(host, network, server, stores);
    await waitFor(() => before.client.connection.status === "live", 2000, "live");
    // The upload is answered only after the connection dropped: the room
    // stored the bytes, and the record could not be sent.
    let open!: () => void;
    server.gate = new Promise((r) => (open = r));
    const bytes = png(31);
    const { asset } = await before.assets.addAsset(bytes, imageCard("img"));
    await waitFor(() => server.uploads === 1, 2000, "upload started");
    network.set(false);
    server.gate = null;
    open();
    await until(async () => (await stores.assets.get(asset.hash))?.stored === true, "upload acknowledged");
    // The page dies. Nothing names the file for ASSET_GRACE_MS: the room
    // collects it (tests/workerd/asset-gc.test.ts runs the real collection).
    before.assets.close();
    before.client.close();
    server.stored.delete(asset.hash);

    // Reopened a day later, online.
    const after = tab(host, network, server, stores);
    network.set(true);
    await waitFor(() => watcher.records().has("img") && after.client.pendingCount === 0, 2000, "the record committed");
    expect(server.keeps).toBe(1); // asked the room to keep it: not held
    expect(server.uploads).toBe(2); // so uploaded again, from the bytes kept here
    expect(server.seqAtUpload).toEqual([0, 0]); // both before the record was committed
    const named = watcher.records().get("img")!.text;
    expect(named).toBe(asset.hash);
    expect(server.stored.get(named)).toEqual(bytes); // the record points at bytes that can be read
    expect(after.rejects).toEqual([]);
    await until(async () => (await stores.assets.get(asset.hash)) === undefined, "the local bytes let go once the record is acknowledged");
  });

  it("a connection that drops after the upload: the next one confirms the file (a keep, not an upload) before the record goes, and uploads again only if the room collected it", async () => {
    const host = new CardsRoomHost("assets-reconnect");
    const server = new FakeAssetServer(host);
    const watcher = observer(host);
    const network = new FakeNetwork(true);
    const stores = { pending: new MemoryPendingStore(), assets: new MemoryAssetStore() };
    const t = tab(host, network, server, stores);
    await waitFor(() => t.client.connection.status === "live", 2000, "live");
    const park = async (seed: number, id: string) => {
      let open!: () => void;
      server.gate = new Promise((r) => (open = r));
      const uploads = server.uploads;
      const { asset } = await t.assets.addAsset(png(seed), imageCard(id));
      await waitFor(() => server.uploads === uploads + 1, 2000, "upload started");
      network.set(false);
      server.gate = null;
      open();
      await until(async () => (await stores.assets.get(asset.hash))?.stored === true, "upload acknowledged");
      return asset.hash;
    };
    // Still held by the room when the connection returns: kept, not sent again.
    const held = await park(41, "held");
    network.set(true);
    await waitFor(() => watcher.records().has("held") && t.client.pendingCount === 0, 2000, "committed");
    expect({ uploads: server.uploads, keeps: server.keeps, seqAtKeep: server.seqAtKeep }).toEqual({ uploads: 1, keeps: 1, seqAtKeep: [0] });
    expect(server.stored.has(held)).toBe(true);
    // Collected while the connection was away: uploaded again first.
    const gone = await park(43, "gone");
    server.stored.delete(gone);
    network.set(true);
    await waitFor(() => watcher.records().has("gone") && t.client.pendingCount === 0, 2000, "committed");
    expect({ uploads: server.uploads, keeps: server.keeps }).toEqual({ uploads: 3, keeps: 2 });
    expect(server.seqAtUpload).toEqual([0, 1, 1]);
    expect(server.stored.get(watcher.records().get("gone")!.text)).toEqual(png(43));
  });

  it("edits made after an asset wait behind it, and go in order once it is stored", async () => {
    const host = new CardsRoomHost("assets-order");
    const server = new FakeAssetServer(host);
    const watcher = observer(host);
    const t = tab(host, new FakeNetwork(true), server, { pending: new MemoryPendingStore(), assets: new MemoryAssetStore() });
    await waitFor(() => t.client.connection.status === "live", 2000, "live");
    let open!: () => void;
    server.gate = new Promise((r) => (open = r));
    await t.assets.addAsset(png(7), imageCard("img"));
    await waitFor(() => server.uploads === 1, 2000, "upload started");
    t.client.mutate([{ op: "patch", id: "img", set: { x: 50 } }]);
    t.client.mutate([{ op: "put", rec: card("later") }]);
    // A barrier the room does see: the observer's own edit comes back to it.
    watcher.mutate([{ op: "put", rec: card("barrier") }]);
    await waitFor(() => watcher.records().has("barrier") && watcher.pendingCount === 0, 2000, "barrier");
    expect(watcher.records().has("img")).toBe(false);
    expect(watcher.records().has("later")).toBe(false);
    open();
    await waitFor(() => watcher.records().has("later") && watcher.records().get("img")?.x === 50, 2000, "all three in order");
    expect(t.rejects).toEqual([]);
  });

  it("a refusal for good rolls the record back with a reject, and what came after goes on", async () => {
    const host = new CardsRoomHost("assets-refused");
    const server = new FakeAssetServer(host);
    server.refuse = { status: 409, code: AssetErrorCode.ASSET_QUOTA };
    const watcher = observer(host);
    const stores = { pending: new MemoryPendingStore(), assets: new MemoryAssetStore() };
    const network = new FakeNetwork(false);
    const t = tab(host, network, server, stores);
    await t.client.ready;
    const { asset, mid } = await t.assets.addAsset(png(9), imageCard("img"));
    t.client.mutate([{ op: "put", rec: card("after") }]);
    network.set(true);
    await waitFor(() => watcher.records().has("after"), 2000, "the later edit reaches the room");
    expect(t.rejects).toEqual([expect.objectContaining({ mid, code: AssetErrorCode.ASSET_QUOTA })]);
    expect(t.client.records().has("img")).toBe(false);
    expect(watcher.records().has("img")).toBe(false);
    expect(await stores.assets.get(asset.hash)).toBeUndefined();
  });

  it("a passing failure is retried after ASSET_RETRY_MIN_MS, and still uploads once", async () => {
    const host = new CardsRoomHost("assets-retry");
    const server = new FakeAssetServer(host);
    const watcher = observer(host);
    const clock = new FakeClock();
    const t = tab(host, new FakeNetwork(true), server, { pending: new MemoryPendingStore(), assets: new MemoryAssetStore() }, { clock });
    await waitFor(() => t.client.connection.status === "live", 2000, "live");
    server.down = true;
    await t.assets.addAsset(png(11), imageCard("img"));
    await waitFor(() => (t.assets as unknown as { retries: Map<string, unknown> }).retries.size === 1, 2000, "a retry is planned");
    server.down = false;
    clock.advance(ASSET_RETRY_MIN_MS - 1);
    expect(server.uploads).toBe(0);
    clock.advance(1);
    await waitFor(() => watcher.records().has("img"), 2000, "uploaded on the retry");
    expect(server.uploads).toBe(1);
  });

  it("two tabs of one profile upload an asset they both hold once", async () => {
    const host = new CardsRoomHost("assets-tabs");
    const server = new FakeAssetServer(host);
    const watcher = observer(host);
    const network = new FakeNetwork(false);
    const stores = { pending: new MemoryPendingStore(), assets: new MemoryAssetStore() };
    const locks = sharedLocks();
    const a = tab(host, network, server, stores, { locks, clientId: "tab-a" });
    await a.client.ready;
    await a.assets.addAsset(png(13), imageCard("img"));
    // A second tab loads the same pending edits and asset bytes.
    const b = tab(host, network, server, stores, { locks, clientId: "tab-b" });
    await b.client.ready;
    expect(b.client.records().has("img")).toBe(true);
    // The first upload is held until both tabs have asked for the asset's lock.
    let open!: () => void;
    server.gate = new Promise((r) => (open = r));
    network.set(true);
    await waitFor(() => locks.asked === 2, 2000, "both tabs want to upload it");
    open();
    await waitFor(() => watcher.records().has("img") && a.client.pendingCount === 0 && b.client.pendingCount === 0, 2000, "settled in both tabs");
    expect(server.uploads).toBe(1);
    expect(watcher.seq).toBe(1);
  });

  it("stage + awaitsFor: an app's own mutations that name a staged asset wait for it; once stored, they no longer do", async () => {
    const host = new CardsRoomHost("assets-stage");
    const server = new FakeAssetServer(host);
    const watcher = observer(host);
    const network = new FakeNetwork(false);
    const t = tab(host, network, server, { pending: new MemoryPendingStore(), assets: new MemoryAssetStore() });
    await t.client.ready;
    const a = await t.assets.stage(png(21));
    const put = [{ op: "put" as const, rec: { ...card("img"), text: a.hash } }];
    expect(t.assets.awaitsFor(put)).toEqual([a.hash]);
    expect(t.assets.awaitsFor([{ op: "put", rec: card("plain") }])).toEqual([]);
    t.client.mutate(put, { awaits: t.assets.awaitsFor(put) });
    t.client.mutate([{ op: "del", id: "img" }]);
    // An undo of the delete puts it back while the upload has not happened yet.
    const again = [{ op: "put" as const, rec: { ...card("img2"), text: a.hash } }];
    t.client.mutate(again, { awaits: t.assets.awaitsFor(again) });
    expect(t.client.pending.list.map((m) => m.awaits ?? [])).toEqual([[a.hash], [], [a.hash]]);
    network.set(true);
    await waitFor(() => watcher.records().has("img2") && t.client.pendingCount === 0, 2000, "all three applied");
    expect(server.uploads).toBe(1);
    expect(t.assets.awaitsFor(again)).toEqual([]); // stored: nothing to wait for any more
  });

  it("refuses what is not an asset before anything is added: the type by content, the size", async () => {
    const host = new CardsRoomHost("assets-local");
    const t = tab(host, new FakeNetwork(true), new FakeAssetServer(host), { pending: new MemoryPendingStore(), assets: new MemoryAssetStore() });
    await t.client.ready;
    const notImage = t.assets.addAsset(new TextEncoder().encode("<svg onload=alert(1)>"), imageCard("x"));
    await expect(notImage).rejects.toBeInstanceOf(AssetError);
    await expect(notImage).rejects.toMatchObject({ code: AssetErrorCode.ASSET_TYPE });
    const big = new Uint8Array(8 * 1024 * 1024 + 1);
    big.set(png(1));
    await expect(t.assets.addAsset(big, imageCard("y"))).rejects.toMatchObject({ code: AssetErrorCode.ASSET_TOO_LARGE });
    expect(t.client.pendingCount).toBe(0);
  });
});
