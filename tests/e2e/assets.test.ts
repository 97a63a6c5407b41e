/**
 * Assets on a real `wrangler dev` (Miniflare's local R2 under --persist-to):
 * an upload is read back byte for byte with its headers, survives a restart
 * of the server over the same state, and goes with its room on DELETE.
 * On `partykit dev` the same routes answer 501 ASSETS_DISABLED (no blob store).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AssetErrorCode, assetHash } from "../../party/shared/assets.ts";
import { type DevServer, startDevServer } from "../support/dev-server.ts";

const API_SECRET = "e2e-asset-secret-0123456789abcdef";

function png(n: number, seed: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(8 + n);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  for (let i = 8; i < b.length; i++) b[i] = (i * 13 + seed) & 0xff;
  return b;
}

describe("assets on wrangler dev", () => {
  let server: DevServer;
  const url = (path: string) => `http://${server.host}/parties/whiteboard/${path}`;

  beforeAll(async () => {
    server = await startDevServer("wrangler", { vars: { API_SECRET } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("uploads, reads back, keeps it across a restart, and deletes it with the room", async () => {
    const bytes = png(200_000, 9);
    const hash = await assetHash(bytes);
    const up = await fetch(url(`e2e-asset/assets?sha256=${hash}`), { method: "POST", body: bytes });
    expect(up.status).toBe(201);
    expect(await up.json()).toMatchObject({ hash, type: "image/png", bytes: bytes.length });
    const again = await fetch(url("e2e-asset/assets"), { method: "POST", body: bytes });
    expect(again.status).toBe(200);

    const persistDir = server.persistDir;
    await server.stop();
    server = await startDevServer("wrangler", { vars: { API_SECRET }, persistDir });
    const read = await fetch(url(`e2e-asset/assets/${hash}`));
    expect(read.status).toBe(200);
    expect(read.headers.get("content-type")).toBe("image/png");
    expect(read.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(new Uint8Array(await read.arrayBuffer())).toEqual(bytes);

    const del = await fetch(url("e2e-asset"), { method: "DELETE", headers: { Authorization: `Bearer ${API_SECRET}` } });
    expect(del.status).toBe(200);
    const gone = await fetch(url(`e2e-asset/assets/${hash}`));
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { code: string }).code).toBe(AssetErrorCode.ASSET_NOT_FOUND);
  });
});

describe("a board's pictures through export, import and fork on wrangler dev", () => {
  let server: DevServer;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`http://${server.host}/parties/whiteboard/${path}`, { ...init, headers: { Authorization: `Bearer ${API_SECRET}`, "Content-Type": "application/json" } });
  beforeAll(async () => {
    server = await startDevServer("wrangler", { vars: { API_SECRET } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("export → import into a new room, and fork, bring the picture along; deleting the source leaves the copies", async () => {
    const bytes = png(50_000, 11);
    const hash = await assetHash(bytes);
    expect((await fetch(`http://${server.host}/parties/whiteboard/e2e-pic/assets`, { method: "POST", body: bytes })).status).toBe(201);
    const rec = { id: "pic", type: "image", x: 0, y: 0, z: 1, color: "#000000", stroke: 2, w: 200, h: 100, asset: hash };
    expect((await api("e2e-pic/mutate", { method: "POST", body: JSON.stringify({ mid: "m1", ops: [{ op: "put", rec }] }) })).status).toBe(200);
    const file = await (await api("e2e-pic/export")).text();
    expect((await api("e2e-pic-copy/import?mid=i1", { method: "POST", body: file })).status).toBe(200);
    expect((await api("e2e-pic-fork/fork", { method: "POST", body: JSON.stringify({ mid: "f1", from: "e2e-pic" }) })).status).toBe(200);
    expect((await api("e2e-pic", { method: "DELETE" })).status).toBe(200);
    for (const room of ["e2e-pic-copy", "e2e-pic-fork"]) {
      const read = await fetch(`http://${server.host}/parties/whiteboard/${room}/assets/${hash}`);
      expect(read.status, room).toBe(200);
      expect(new Uint8Array(await read.arrayBuffer())).toEqual(bytes);
      const snap = (await (await api(`${room}/snapshot`)).json()) as { records: { asset?: string }[] };
      expect(snap.records.map((r) => r.asset)).toEqual([hash]);
    }
    expect((await fetch(`http://${server.host}/parties/whiteboard/e2e-pic/assets/${hash}`)).status).toBe(404);
  });
});

describe("assets on partykit dev", () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await startDevServer("partykit");
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("refuses uploads and reads with 501 ASSETS_DISABLED: PartyKit has no blob store", async () => {
    const base = `http://${server.host}/parties/whiteboard/e2e-asset-pk/assets`;
    for (const res of [await fetch(base, { method: "POST", body: png(100, 1) }), await fetch(`${base}/${"a".repeat(64)}`)]) {
      expect(res.status).toBe(501);
      expect(((await res.json()) as { code: string }).code).toBe(AssetErrorCode.ASSETS_DISABLED);
    }
  });
});
