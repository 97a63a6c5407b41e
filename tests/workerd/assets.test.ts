/**
 * Assets of a room on the real host: the Worker, the room's Durable Object
 * (its asset table in its storage) and Miniflare's local R2 bucket bound as
 * ROOM_ASSETS in wrangler.toml — a real bucket, listed here to count objects.
 * docs/HTTP-API.md "Assets" documents what is asserted here.
 */
import { env, exports } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { uploadAsset } from "../../party/engine/assets.ts";
import { mintToken } from "../../party/engine/auth.ts";
import type { RoomEnv } from "../../party/engine/durable-object.ts";
import { AssetErrorCode, assetHash } from "../../party/shared/assets.ts";
import { MAX_ASSET_BYTES } from "../../party/shared/limits.ts";
import { ErrorCode } from "../../party/shared/protocol.ts";
import cardsWorker from "./worker.ts";
import { card } from "./socket.ts";

const ctx = {} as ExecutionContext;
const SECRET = "asset-test-secret-0123456789abcdef";
const API = "asset-api-secret-0123456789abcdef";

/** A file whose first bytes say PNG, then `n` bytes that vary with `seed`. */
function png(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(8 + n);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  for (let i = 8; i < b.length; i++) b[i] = (i * 31 + seed * 7) & 0xff;
  return b;
}

const call = (path: string, init: RequestInit = {}, e: RoomEnv = env) =>
  cardsWorker.fetch!(new Request(`http://x/parties/cards/${path}`, init) as never, e, ctx);
const upload = (room: string, body: BodyInit, headers: Record<string, string> = {}, e: RoomEnv = env) => call(`${room}/assets`, { method: "POST", body, headers }, e);
const objectsOf = async (room: string) => (await env.ROOM_ASSETS!.list({ prefix: `cards/${room}/` })).objects.map((o) => o.key);
const codeOf = async (res: Response) => ((await res.json()) as { code: string }).code;

describe("assets: upload and read back", () => {
  it("stores a PNG and serves the same bytes with its type, an immutable cache and the security headers", async () => {
    const bytes = png(5_000);
    const res = await upload("as-read", bytes);
    expect(res.status).toBe(201);
    const stored = (await res.json()) as { hash: string; type: string; bytes: number; url: string };
    expect(stored).toEqual({ hash: await assetHash(bytes), type: "image/png", bytes: bytes.length, url: `/parties/cards/as-read/assets/${stored.hash}` });
    const read = await exports.default.fetch(`http://x${stored.url}`);
    expect(read.status).toBe(200);
    expect(new Uint8Array(await read.arrayBuffer())).toEqual(bytes);
    expect(read.headers.get("Content-Type")).toBe("image/png");
    expect(read.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    expect(read.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(read.headers.get("Content-Security-Policy")).toBe("default-src 'none'; sandbox");
    expect(read.headers.get("ETag")).toBe(`"${stored.hash}"`);
    // A revalidation costs no body.
    const again = await exports.default.fetch(`http://x${stored.url}`, { headers: { "If-None-Match": `"${stored.hash}"` } });
    expect(again.status).toBe(304);
  });

  it("stores the same bytes once: a second upload answers 200 with the same hash, one object, charged once", async () => {
    const bytes = png(3_000, 2);
    const [a, b] = await Promise.all([upload("as-once", bytes), upload("as-once", bytes)]);
    const c = await upload("as-once", bytes);
    expect([a.status, b.status, c.status].sort()).toEqual([200, 200, 201]);
    const hashes = new Set(await Promise.all([a, b, c].map(async (r) => ((await r.json()) as { hash: string }).hash)));
    expect(hashes.size).toBe(1);
    expect(await objectsOf("as-once")).toEqual([`cards/as-once/${[...hashes][0]}`]);
    const stub = env.CARDS.get(env.CARDS.idFromName("as-once"));
    const tally = await runInDurableObject(stub, (_: unknown, state: DurableObjectState) => state.storage.get("assets:tally"));
    expect(tally).toEqual({ bytes: bytes.length, count: 1 });
  });

  it("answers 404 ASSET_NOT_FOUND for a hash the room does not have, even one another room has", async () => {
    const bytes = png(100, 3);
    const { hash } = (await (await upload("as-mine", bytes)).json()) as { hash: string };
    const other = await exports.default.fetch(`http://x/parties/cards/as-theirs/assets/${hash}`);
    expect(other.status).toBe(404);
    expect(await codeOf(other)).toBe(AssetErrorCode.ASSET_NOT_FOUND);
    expect((await exports.default.fetch(`http://x/parties/cards/as-mine/assets/not-a-hash`)).status).toBe(400);
  });

  it("refuses ?sha256= that the bytes do not hash to, and stores nothing", async () => {
    const res = await call(`as-hash/assets?sha256=${"0".repeat(64)}`, { method: "POST", body: png(50, 4) });
    expect(res.status).toBe(422);
    expect(await codeOf(res)).toBe(AssetErrorCode.ASSET_HASH_MISMATCH);
    expect(await objectsOf("as-hash")).toEqual([]);
  });
});

describe("assets: refusals", () => {
  it("judges the type by content: a text file named .png, an SVG and a JPEG the app does allow", async () => {
    const text = await upload("as-type", new TextEncoder().encode("hello, not an image"), { "Content-Type": "image/png" });
    expect(text.status).toBe(415);
    expect(await codeOf(text)).toBe(AssetErrorCode.ASSET_TYPE);
    const svg = await upload("as-type", new TextEncoder().encode(`<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), { "Content-Type": "image/png" });
    expect(svg.status).toBe(415);
    expect(((await svg.json()) as { message: string }).message).toMatch(/SVG/);
    expect(await objectsOf("as-type")).toEqual([]);
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
    const ok = await upload("as-type", jpeg, { "Content-Type": "text/html" });
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as { type: string }).type).toBe("image/jpeg");
  });

  it("refuses a file over MAX_ASSET_BYTES, by its declared length and while streaming one without", async () => {
    const declared = await upload("as-big", png(MAX_ASSET_BYTES));
    expect(declared.status).toBe(413);
    expect(await codeOf(declared)).toBe(AssetErrorCode.ASSET_TOO_LARGE);
    const big = png(MAX_ASSET_BYTES);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let at = 0; at < big.length; at += 1 << 20) c.enqueue(big.subarray(at, at + (1 << 20)));
        c.close();
      },
    });
    const streamed = await call("as-big/assets", { method: "POST", body: stream, duplex: "half" } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await codeOf(streamed)).toBe(AssetErrorCode.ASSET_TOO_LARGE);
    expect(await objectsOf("as-big")).toEqual([]);
  });

  it("refuses an upload past the room's quota, keeps what it had, and still takes bytes it already has", async () => {
    const stub = env.CARDS.get(env.CARDS.idFromName("as-quota"));
    const policy = { types: ["image/png"] as const, maxRoomBytes: 2_500 };
    const answers = await runInDurableObject(stub, async (_: unknown, state: DurableObjectState) => {
      const io = { storage: state.storage, bucket: env.ROOM_ASSETS, now: () => Date.now() };
      const send = (b: Uint8Array) => uploadAsset(io, { party: "cards", room: "as-quota" }, policy, new Request("http://x/parties/cards/as-quota/assets", { method: "POST", body: b }));
      const out: { status: number; code?: string }[] = [];
      for (const b of [png(1_000, 1), png(1_000, 2), png(1_000, 3), png(1_000, 1)]) {
        const res = await send(b);
        out.push({ status: res.status, ...(res.ok ? {} : { code: await codeOf(res) }) });
      }
      return out;
    });
    expect(answers).toEqual([{ status: 201 }, { status: 201 }, { status: 409, code: AssetErrorCode.ASSET_QUOTA }, { status: 200 }]);
    expect(await objectsOf("as-quota")).toHaveLength(2);
  });

  it("refuses viewers (403) and missing tokens (401) when the deployment has tokens; editors and the API secret upload", async () => {
    const e = { ...env, AUTH_SECRET: SECRET, API_SECRET: API } as RoomEnv;
    const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
    const viewer = await upload("as-roles", png(10, 5), bearer(await mintToken(SECRET, { room: "as-roles", role: "viewer" })), e);
    expect(viewer.status).toBe(403);
    expect(await codeOf(viewer)).toBe(ErrorCode.FORBIDDEN);
    const none = await upload("as-roles", png(10, 5), {}, e);
    expect(none.status).toBe(401);
    expect(await codeOf(none)).toBe(ErrorCode.UNAUTHORIZED);
    const otherRoom = await upload("as-roles", png(10, 5), bearer(await mintToken(SECRET, { room: "elsewhere", role: "editor" })), e);
    expect(otherRoom.status).toBe(401);
    expect(await objectsOf("as-roles")).toEqual([]);
    const editor = await upload("as-roles", png(10, 5), bearer(await mintToken(SECRET, { room: "as-roles", role: "editor" })), e);
    expect(editor.status).toBe(201);
    const api = await upload("as-roles", png(10, 6), bearer(API), e);
    expect(api.status).toBe(201);
    expect(await objectsOf("as-roles")).toHaveLength(2);
  });

  it("a deployment without the bucket refuses with ASSETS_DISABLED, and so do wrong methods and room ids", async () => {
    const bare = { ...env, ROOM_ASSETS: undefined } as RoomEnv;
    const read = await call(`as-off/assets/${"a".repeat(64)}`, {}, bare);
    expect(read.status).toBe(501);
    expect(await codeOf(read)).toBe(AssetErrorCode.ASSETS_DISABLED);
    expect((await call("as-off/assets")).status).toBe(405);
    expect((await call("bad!room/assets", { method: "POST", body: png(1) })).status).toBe(400);
  });
});

describe("assets: a host that fails", () => {
  it("answers a read R2 fails, and an upload the room's object fails, with a typed INTERNAL (500) the client retries", async () => {
    const failing = { ...env, ROOM_ASSETS: { get: () => Promise.reject(new Error("R2 is down")) } } as unknown as RoomEnv;
    const read = await call(`as-fail/assets/${"b".repeat(64)}`, {}, failing);
    expect(read.status).toBe(500);
    expect(await codeOf(read)).toBe(ErrorCode.INTERNAL);
    const broken = { idFromName: (n: string) => env.CARDS.idFromName(n), get: () => ({ fetch: () => Promise.reject(new Error("object reset")) }) };
    const up = await upload("as-fail", png(10), {}, { ...env, CARDS: broken } as unknown as RoomEnv);
    expect(up.status).toBe(500);
    expect(await codeOf(up)).toBe(ErrorCode.INTERNAL);
  });
});

describe("assets: a deleted room", () => {
  it("DELETE of the room deletes its assets and its tally", async () => {
    const e = { ...env, API_SECRET: API } as RoomEnv;
    await upload("as-del", png(200, 7));
    await upload("as-del", png(200, 8));
    expect(await objectsOf("as-del")).toHaveLength(2);
    const res = await call("as-del", { method: "DELETE", headers: { Authorization: `Bearer ${API}` } }, e);
    expect(res.status).toBe(200);
    expect(await objectsOf("as-del")).toEqual([]);
    const again = await upload("as-del", png(200, 7));
    expect(again.status).toBe(201);
  });
});

describe("assets: export, import, fork, restore", () => {
  const e = { ...env, API_SECRET: API } as RoomEnv;
  const auth = { Authorization: `Bearer ${API}` };
  const api = (path: string, init: RequestInit = {}) => call(path, { ...init, headers: { ...auth, ...(init.headers as Record<string, string> | undefined) } }, e);
  const imageRec = (id: string, asset: string) => ({ ...card(id), picture: asset });
  const readBytes = async (room: string, hash: string) => {
    const res = await exports.default.fetch(`http://x/parties/cards/${room}/assets/${hash}`);
    return res.ok ? new Uint8Array(await res.arrayBuffer()) : res.status;
  };

  it("an export carries the assets its records name; an import into a new room stores them before the records", async () => {
    const bytes = png(3_000, 31);
    const { hash } = (await (await upload("as-exp", bytes)).json()) as { hash: string };
    await upload("as-exp", png(500, 32)); // an asset no record names: not exported
    expect((await api("as-exp/mutate", { method: "POST", body: JSON.stringify({ mid: "m1", ops: [{ op: "put", rec: imageRec("i1", hash) }] }) })).status).toBe(200);
    const file = (await (await api("as-exp/export")).json()) as { assets: { hash: string; type: string; data: string }[] };
    expect(file.assets.map((a) => [a.hash, a.type])).toEqual([[hash, "image/png"]]);

    const imported = await api("as-imp/import?mid=imp1", { method: "POST", body: JSON.stringify(file) });
    expect(imported.status).toBe(200);
    expect(await readBytes("as-imp", hash)).toEqual(bytes);
    const snap = (await (await api("as-imp/snapshot")).json()) as { records: { id: string }[] };
    expect(snap.records.map((r) => r.id)).toEqual(["i1"]);
    expect(await objectsOf("as-imp")).toHaveLength(1);
  });

  it("an import whose asset bytes do not match their hash is refused whole: no record, no object", async () => {
    const bytes = png(400, 33);
    const { hash } = (await (await upload("as-bad", bytes)).json()) as { hash: string };
    await api("as-bad/mutate", { method: "POST", body: JSON.stringify({ mid: "m1", ops: [{ op: "put", rec: imageRec("i1", hash) }] }) });
    const file = (await (await api("as-bad/export")).json()) as { assets: { data: string }[] };
    file.assets[0]!.data = btoa(String.fromCharCode(...png(400, 34)));
    const res = await api("as-bad2/import?mid=imp1", { method: "POST", body: JSON.stringify(file) });
    expect(res.status).toBe(422);
    expect(await codeOf(res)).toBe(AssetErrorCode.ASSET_HASH_MISMATCH);
    expect(((await (await api("as-bad2/snapshot")).json()) as { records: unknown[] }).records).toEqual([]);
    expect(await objectsOf("as-bad2")).toEqual([]);
  });

  it("a fork has the source's pictures; a restore to before a picture was deleted finds it still stored", async () => {
    const bytes = png(2_000, 35);
    const { hash } = (await (await upload("as-src", bytes)).json()) as { hash: string };
    const put = (await (await api("as-src/mutate", { method: "POST", body: JSON.stringify({ mid: "m1", ops: [{ op: "put", rec: imageRec("i1", hash) }] }) })).json()) as { seq: number };
    const forked = await api("as-fork/fork", { method: "POST", body: JSON.stringify({ mid: "f1", from: "as-src" }) });
    expect(forked.status).toBe(200);
    expect(await readBytes("as-fork", hash)).toEqual(bytes);

    await api("as-src/mutate", { method: "POST", body: JSON.stringify({ mid: "m2", ops: [{ op: "del", id: "i1" }] }) });
    const restored = await api("as-src/restore", { method: "POST", body: JSON.stringify({ mid: "r1", seq: put.seq }) });
    expect(restored.status).toBe(200);
    const snap = (await (await api("as-src/snapshot")).json()) as { records: { id: string }[] };
    expect(snap.records.map((r) => r.id)).toEqual(["i1"]);
    expect(await readBytes("as-src", hash)).toEqual(bytes);
  });
});
