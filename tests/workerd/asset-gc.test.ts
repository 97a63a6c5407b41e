/**
 * Collection of the assets no record names (party/engine/asset-gc.ts), on the
 * real host: the room's Durable Object, its alarm, its history, and
 * Miniflare's local R2 bucket (ROOM_ASSETS), listed here to count objects.
 * The rooms' clock is held (held-clock.ts) and moved by days; the alarm is
 * run by hand. docs/HTTP-API.md "Collection" documents what is asserted here.
 */
import { env, exports } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { AssetCollector } from "../../party/engine/asset-gc.ts";
import type { RoomEnv } from "../../party/engine/durable-object.ts";
import { AssetErrorCode } from "../../party/shared/assets.ts";
import { ErrorCode } from "../../party/shared/protocol.ts";
import { ASSET_GC_STEP_CHARS, ASSET_GRACE_MS, HISTORY_CHECKPOINT_MS, HISTORY_RETENTION_MS } from "../../party/shared/limits.ts";
import { withClockHeld } from "./held-clock.ts";
import { bigCard, card } from "./socket.ts";
import cardsWorker from "./worker.ts";

const ctx = {} as ExecutionContext;
const API = "asset-gc-secret-0123456789abcdef";
const e = { ...env, API_SECRET: API } as RoomEnv;
const DAY = 24 * 60 * 60 * 1000;

/** A file whose first bytes say PNG, then `n` bytes that vary with `seed`. */
function png(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(8 + n);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  for (let i = 8; i < b.length; i++) b[i] = (i * 13 + seed * 101) & 0xff;
  return b;
}

const call = (path: string, init: RequestInit = {}) =>
  cardsWorker.fetch!(new Request(`http://x/parties/cards/${path}`, { ...init, headers: { Authorization: `Bearer ${API}`, ...(init.headers as Record<string, string> | undefined) } }) as never, e, ctx);
const upload = async (room: string, bytes: Uint8Array) => {
  const res = await call(`${room}/assets`, { method: "POST", body: bytes });
  expect(res.status).toBe(201);
  return ((await res.json()) as { hash: string }).hash;
};
let mids = 0;
const mutate = async (room: string, ops: unknown[]) => {
  const res = await call(`${room}/mutate`, { method: "POST", body: JSON.stringify({ mid: `gc-${++mids}`, ops }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { seq: number }).seq;
};
const withPicture = (id: string, hash: string) => ({ ...card(id), picture: hash });
const stub = (room: string) => env.CARDS.get(env.CARDS.idFromName(room));
const objectsOf = async (room: string) => (await env.ROOM_ASSETS!.list({ prefix: `cards/${room}/` })).objects.map((o) => o.key.split("/").pop());
const read = async (room: string, hash: string) => {
  const res = await exports.default.fetch(`http://x/parties/cards/${room}/assets/${hash}`);
  return res.ok ? new Uint8Array(await res.arrayBuffer()) : res.status;
};
const stored = (room: string) => runInDurableObject(stub(room), (_: unknown, s: DurableObjectState) => s.storage.get("assets:tally"));
const passOpen = (room: string) => runInDurableObject(stub(room), async (_: unknown, s: DurableObjectState) => Boolean(((await s.storage.get("assets:gc")) as { pass?: unknown } | undefined)?.pass));
const alarmAt = (room: string) => runInDurableObject(stub(room), (_: unknown, s: DurableObjectState) => s.storage.getAlarm());

/** Fire the room's alarm now (its time moved by the held clock); then again
 * while a collection pass is open. Returns how many alarms ran. */
async function fireAlarm(room: string): Promise<number> {
  for (let fired = 1; fired <= 50; fired++) {
    await runInDurableObject(stub(room), (_: unknown, s: DurableObjectState) => s.storage.setAlarm(Date.now()));
    expect(await runDurableObjectAlarm(stub(room))).toBe(true);
    if (!(await passOpen(room))) return fired;
  }
  throw new Error("the collection pass did not end in 50 alarms");
}

describe("assets: collection of those no record names", () => {
  it("an upload no record names goes from R2 a grace after it (the room's alarm, set by the upload); a named one stays; the quota is given back", async () => {
    await withClockHeld(async (t0) => {
      const room = "gc-orphan";
      const lost = png(2_000, 1);
      const kept = png(3_000, 2);
      const lostHash = await upload(room, lost);
      const keptHash = await upload(room, kept);
      await mutate(room, [{ op: "put", rec: withPicture("c1", keptHash) }]);
      // The upload armed the room's alarm for the end of its grace: nothing
      // else would wake a room its last visitor left.
      expect(await alarmAt(room)).toBe(t0 + ASSET_GRACE_MS);

      vi.setSystemTime(t0 + ASSET_GRACE_MS - 60_000);
      await fireAlarm(room);
      expect((await objectsOf(room)).sort()).toEqual([lostHash, keptHash].sort());

      vi.setSystemTime(t0 + ASSET_GRACE_MS + 1);
      await fireAlarm(room);
      expect(await objectsOf(room)).toEqual([keptHash]);
      expect(await read(room, lostHash)).toBe(404);
      expect(await read(room, keptHash)).toEqual(kept);
      expect(await stored(room)).toEqual({ bytes: kept.length, count: 1 });
      // Nothing left to wait for: the room is not woken again.
      expect(await alarmAt(room)).toBeNull();
      // The same bytes again are stored anew (and charged anew).
      expect(await upload(room, lost)).toBe(lostHash);
      expect(await read(room, lostHash)).toEqual(lost);
    });
  });

  it("a deleted picture stays while retained history reaches it (restore brings it back), and goes a grace after retention drops that history", async () => {
    await withClockHeld(async (t0) => {
      const room = "gc-history";
      const bytes = png(4_000, 3);
      const hash = await upload(room, bytes);
      const putSeq = await mutate(room, [{ op: "put", rec: withPicture("c1", hash) }]);
      vi.setSystemTime(t0 + 60_000);
      await mutate(room, [{ op: "del", id: "c1" }]);

      // A day later no record on the board names it, but the change that put
      // it is in retained history: kept, and a restore finds its bytes.
      vi.setSystemTime(t0 + ASSET_GRACE_MS + 1);
      await fireAlarm(room);
      expect(await objectsOf(room)).toEqual([hash]);
      const restored = await call(`${room}/restore`, { method: "POST", body: JSON.stringify({ mid: "r1", seq: putSeq }) });
      expect(restored.status).toBe(200);
      expect(await read(room, hash)).toEqual(bytes);
      await mutate(room, [{ op: "del", id: "c1" }]);
      // The checkpoint after the restore and the delete (its board has no picture).
      vi.setSystemTime(t0 + ASSET_GRACE_MS + HISTORY_CHECKPOINT_MS + 2);
      await fireAlarm(room);

      // Past the retention window: an edit, its checkpoint, and retention
      // drops the history that reached the picture.
      const later = t0 + HISTORY_RETENTION_MS + 2 * DAY;
      vi.setSystemTime(later);
      await mutate(room, [{ op: "put", rec: card("c2") }]);
      vi.setSystemTime(later + HISTORY_CHECKPOINT_MS + 1);
      await fireAlarm(room);
      const gone = await call(`${room}/restore`, { method: "POST", body: JSON.stringify({ mid: "r2", seq: putSeq }) });
      expect(((await gone.json()) as { code: string }).code).toBe(ErrorCode.HISTORY_UNAVAILABLE);
      // Found unnamed now: its grace starts, it is still stored.
      expect(await objectsOf(room)).toEqual([hash]);

      vi.setSystemTime(later + HISTORY_CHECKPOINT_MS + ASSET_GRACE_MS + 2);
      await fireAlarm(room);
      expect(await objectsOf(room)).toEqual([]);
      expect(await stored(room)).toEqual({ bytes: 0, count: 0 });
    });
  });

  it("reads history in bounded steps, one per alarm: a pass over more than a step's share spans alarms and keeps a picture only its oldest changes name", async () => {
    await withClockHeld(async (t0) => {
      const room = "gc-steps";
      const old = png(1_000, 4);
      const never = png(1_000, 5);
      const oldHash = await upload(room, old);
      const neverHash = await upload(room, never);
      await mutate(room, [{ op: "put", rec: withPicture("c1", oldHash) }]);
      await mutate(room, [{ op: "del", id: "c1" }]);
      // Then more history than one step reads: ~1.6 MB of big cards.
      let written = 0;
      for (let i = 0; written < 1.5 * ASSET_GC_STEP_CHARS; i++) {
        await mutate(room, [0, 1, 2, 3].map((k) => ({ op: "put", rec: bigCard(`b${i}-${k}`, 50, i) })));
        written += 4 * 50_000;
      }
      vi.setSystemTime(t0 + ASSET_GRACE_MS + 1);
      await runInDurableObject(stub(room), (_: unknown, s: DurableObjectState) => s.storage.setAlarm(Date.now()));
      await runDurableObjectAlarm(stub(room));
      // One alarm read its share and stopped: the pass is open, nothing deleted yet.
      expect(await passOpen(room)).toBe(true);
      expect((await objectsOf(room)).sort()).toEqual([oldHash, neverHash].sort());
      await fireAlarm(room);
      expect(await objectsOf(room)).toEqual([oldHash]);
      expect(await read(room, oldHash)).toEqual(old);
    });
  });

  it("an upload of bytes being collected waits for the delete, then stores them anew: what it answered is readable", async () => {
    await withClockHeld(async (t0) => {
      const room = "gc-race";
      const bytes = png(1_500, 6);
      const hash = await upload(room, bytes);
      vi.setSystemTime(t0 + ASSET_GRACE_MS + 1);
      await runInDurableObject(stub(room), (_: unknown, s: DurableObjectState) => s.storage.setAlarm(Date.now()));
      const [, again] = await Promise.all([runDurableObjectAlarm(stub(room)), call(`${room}/assets`, { method: "POST", body: bytes })]);
      expect([200, 201]).toContain(again.status);
      expect(await read(room, hash)).toEqual(bytes);
      expect(await stored(room)).toEqual({ bytes: bytes.length, count: 1 });
    });
  });

  it("a record sent more than a grace after its upload finds its file: a keep (an upload with no body) starts the grace again, or answers 404 once the file is collected, and the bytes uploaded again are what the record reads", async () => {
    await withClockHeld(async (t0) => {
      const room = "gc-keep";
      const bytes = png(1_200, 8);
      const hash = await upload(room, bytes);
      const keep = () => call(`${room}/assets?sha256=${hash}`, { method: "POST" });
      // 23 h later a client about to send the record naming it keeps it.
      vi.setSystemTime(t0 + ASSET_GRACE_MS - 60 * 60_000);
      const kept = await keep();
      expect(kept.status).toBe(200);
      expect(await kept.json()).toMatchObject({ hash, bytes: bytes.length });
      vi.setSystemTime(t0 + ASSET_GRACE_MS + 1);
      await fireAlarm(room);
      expect(await read(room, hash)).toEqual(bytes);
      // The record never came (the page died): a grace after the keep, collected.
      vi.setSystemTime(t0 + 2 * ASSET_GRACE_MS);
      await fireAlarm(room);
      expect(await read(room, hash)).toBe(404);
      // The page reopens: its keep answers that the room no longer holds it…
      const gone = await keep();
      expect(gone.status).toBe(404);
      expect(((await gone.json()) as { code: string }).code).toBe(AssetErrorCode.ASSET_NOT_FOUND);
      // …so it uploads the bytes it kept again, then sends its record.
      expect(await upload(room, bytes)).toBe(hash);
      await mutate(room, [{ op: "put", rec: withPicture("c1", hash) }]);
      vi.setSystemTime(t0 + 4 * ASSET_GRACE_MS);
      await fireAlarm(room);
      expect(await read(room, hash)).toEqual(bytes);
      expect(await stored(room)).toEqual({ bytes: bytes.length, count: 1 });
      // No body and no hash is not a keep.
      expect((await call(`${room}/assets`, { method: "POST" })).status).toBe(400);
    });
  });

  it("an R2 delete that fails is tried again a minute later; the room's row and tally are not brought back", async () => {
    await withClockHeld(async (t0) => {
      const room = "gc-retry";
      const bytes = png(800, 7);
      const hash = await upload(room, bytes);
      vi.setSystemTime(t0 + ASSET_GRACE_MS + 1);
      const states = await runInDurableObject(stub(room), async (_: unknown, state: DurableObjectState) => {
        // The room's storage and the real bucket, behind a delete that fails while R2 is "down".
        let down = true;
        const bucket = { delete: async (keys: string[]) => (down ? Promise.reject(new Error("R2 is down")) : env.ROOM_ASSETS!.delete(keys)) } as unknown as R2Bucket;
        const woken: number[] = [];
        const gc = new AssetCollector(state.storage, bucket, { party: "cards", room }, async (at) => void woken.push(at));
        const board = { seq: 0, records: [], history: null };
        await (await gc.step(board, Date.now())).collect!();
        const failed = { tally: await state.storage.get("assets:tally"), row: await state.storage.get(`asset:${hash}`), woken: [...woken], objects: await objectsOf(room) };
        down = false;
        vi.setSystemTime(t0 + ASSET_GRACE_MS + 62_000);
        await (await gc.step(board, Date.now())).collect!();
        return { failed, after: (await state.storage.get("assets:gc")) as { retry?: string[] } };
      });
      expect(states.failed).toEqual({ tally: { bytes: 0, count: 0 }, row: undefined, woken: [t0 + ASSET_GRACE_MS + 1 + 60_000], objects: [hash] });
      expect(await objectsOf(room)).toEqual([]);
      expect(states.after.retry).toBeUndefined();
    });
  });
});
