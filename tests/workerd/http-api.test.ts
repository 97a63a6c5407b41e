/**
 * The HTTP API on the real host (workerd, SQLite, hibernating sockets): the
 * Worker checks the API secret at the edge, the room runs an HTTP mutation in
 * the same queue and exactly-once path as a socket's, and DELETE erases the
 * room for good. docs/HTTP-API.md documents what is asserted here.
 */
import { env, exports } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RoomEnv } from "../../party/engine/durable-object.ts";
import { CloseCode, ErrorCode } from "../../party/shared/protocol.ts";
import whiteboardWorker from "../../party/whiteboard/worker.ts";
import { joinRoom, rect } from "./socket.ts";

const SECRET = "api-test-secret-0123456789abcdef";
const ctx = {} as ExecutionContext;
const apiEnv = { ...env, API_SECRET: SECRET } as RoomEnv;
const call = (path: string, init: RequestInit = {}, e: RoomEnv = apiEnv, secret: string | null = SECRET) =>
  whiteboardWorker.fetch!(
    new Request(`http://x/parties/whiteboard/${path}`, {
      ...init,
      headers: { ...(secret ? { Authorization: `Bearer ${secret}` } : {}), ...(init.headers as Record<string, string> | undefined) },
    }) as never,
    e,
    ctx,
  );
const mutate = (room: string, body: unknown) => call(`${room}/mutate`, { method: "POST", body: JSON.stringify(body) });
const stubFor = (room: string) => env.WHITEBOARD.get(env.WHITEBOARD.idFromName(room));
const roomTables = (room: string) =>
  runInDurableObject(stubFor(room), (_: unknown, state: DurableObjectState) =>
    state.storage.sql
      .exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table'`)
      .toArray()
      .map((r) => r.name)
      .filter((n) => !n.startsWith("_cf_") && !n.startsWith("sqlite_")),
  );

describe("HTTP API: access", () => {
  it("is off, and says so, when API_SECRET is unset", async () => {
    const res = await exports.default.fetch("http://x/parties/whiteboard/api-off/snapshot", { headers: { Authorization: "Bearer anything" } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toMatch(/disabled.*API_SECRET/);
  });

  it("refuses a missing or wrong secret with 401 and never wakes the room", async () => {
    for (const secret of [null, "wrong-secret", `${SECRET}x`]) {
      const res = await call("api-auth/snapshot", {}, apiEnv, secret);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { code: string }).code).toBe(ErrorCode.UNAUTHORIZED);
    }
    const bearerless = await call("api-auth/snapshot", { headers: { Authorization: SECRET } }, apiEnv, null);
    expect(bearerless.status).toBe(401);
    expect(await roomTables("api-auth")).toEqual([]);
  });

  it("answers a wrong method with 405 and a bad room id with 400", async () => {
    expect((await call("api-m/snapshot", { method: "POST" })).status).toBe(405);
    expect((await call("api-m/mutate")).status).toBe(405);
    expect((await call("bad!room/snapshot")).status).toBe(400);
  });
});

describe("HTTP API: snapshot and mutate", () => {
  it("reads an unwritten room as empty and stores nothing for it", async () => {
    const res = await call("api-unwritten/snapshot");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ seq: 0, epoch: null, records: [] });
    expect(await roomTables("api-unwritten")).toEqual([]);
  });

  it("applies a mutation exactly once; sockets see it as an ordinary change", async () => {
    const room = "api-mutate";
    const ada = await joinRoom(room, "ada");
    const res = await mutate(room, { mid: "api-1", ops: [{ op: "put", rec: rect("s1", 5) }] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ type: "ack", mid: "api-1", seq: 1 });
    const change = await ada.next("change");
    expect(change).toMatchObject({ seq: 1, by: "api", mid: "api-1", ops: [{ op: "put", rec: { id: "s1", x: 5 } }] });

    // The same mid again (a retry after a lost response): the original seq, nothing applied.
    const again = await mutate(room, { mid: "api-1", ops: [{ op: "put", rec: rect("s1", 99) }] });
    expect(await again.json()).toEqual({ type: "ack", mid: "api-1", seq: 1, dup: true });
    // A socket mutation after it gets the next seq: one order for both paths.
    ada.send({ type: "mutate", mid: "sock-1", ops: [{ op: "patch", id: "s1", set: { y: 7 } }] });
    expect(await ada.next("ack")).toMatchObject({ mid: "sock-1", seq: 2 });

    const snap = (await (await call(`${room}/snapshot`)).json()) as { seq: number; epoch: string; records: unknown[] };
    expect(snap.seq).toBe(2);
    expect(snap.epoch).toBe(ada.inbox.find((m) => m.type === "sync")!.epoch);
    expect(snap.records).toEqual([{ ...rect("s1", 5), y: 7 }]);
    expect(ada.of("change")).toHaveLength(1);
  });

  it("refuses invalid mutations with the typed reject, and repeats a stored refusal", async () => {
    const room = "api-reject";
    const missing = await mutate(room, { mid: "api-x", ops: [{ op: "del", id: "nope" }] });
    expect(missing.status).toBe(422);
    expect(await missing.json()).toMatchObject({ type: "reject", mid: "api-x", code: ErrorCode.RECORD_NOT_FOUND });
    // The refusal is remembered: the same mid cannot apply later, even if it now could.
    await mutate(room, { mid: "api-y", ops: [{ op: "put", rec: rect("nope") }] });
    const late = await mutate(room, { mid: "api-x", ops: [{ op: "del", id: "nope" }] });
    expect(await late.json()).toMatchObject({ type: "reject", code: ErrorCode.RECORD_NOT_FOUND });

    const bad = await mutate(room, { mid: "api-z", ops: [{ op: "put", rec: { id: "r", type: "rect" } }] });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ type: "reject", mid: "api-z", code: ErrorCode.INVALID_MUTATION });
    expect((await call(`${room}/mutate`, { method: "POST", body: "not json" })).status).toBe(400);
    expect((await mutate(room, { ops: [] })).status).toBe(400);
    const huge = await call(`${room}/mutate`, { method: "POST", body: JSON.stringify({ mid: "h", ops: [], pad: "x".repeat(300_000) }) });
    expect(huge.status).toBe(413);
    const snap = (await (await call(`${room}/snapshot`)).json()) as { seq: number };
    expect(snap.seq).toBe(1);
  });
});

describe("HTTP API: DELETE", () => {
  it("erases the room's storage for good and closes its sockets with ROOM_DELETED", async () => {
    const room = "api-delete";
    const ada = await joinRoom(room, "ada");
    await mutate(room, { mid: "d1", ops: [{ op: "put", rec: rect("s1") }] });
    await ada.next("change");
    const epoch = ada.inbox.find((m) => m.type === "sync")!.epoch;
    expect(await roomTables(room)).not.toEqual([]);

    const res = await call(room, { method: "DELETE" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ deleted: true, room });
    const closed = await ada.waitClosed();
    expect(closed.code).toBe(CloseCode.ROOM_DELETED);
    expect(ada.of("error").at(-1)).toMatchObject({ code: ErrorCode.ROOM_DELETED });
    expect(await roomTables(room)).toEqual([]);

    const snap = (await (await call(`${room}/snapshot`)).json()) as { seq: number; epoch: string | null; records: unknown[] };
    expect(snap).toEqual({ seq: 0, epoch: null, records: [] });
    // A mid of the erased room is forgotten with it; a newcomer gets a new epoch.
    expect(await (await mutate(room, { mid: "d1", ops: [{ op: "put", rec: rect("s2") }] })).json()).toEqual({ type: "ack", mid: "d1", seq: 1 });
    const bob = await joinRoom(room, "bob");
    const sync = bob.inbox.find((m) => m.type === "sync")!;
    expect(sync.epoch).not.toBe(epoch);
    expect(sync).toMatchObject({ mode: "snapshot", seq: 1 });
  });

  it("deleting a room that was never written stores nothing", async () => {
    const res = await call("api-never", { method: "DELETE" });
    expect(res.status).toBe(200);
    expect(await roomTables("api-never")).toEqual([]);
  });
});
