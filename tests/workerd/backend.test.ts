/**
 * What the backend asks of a room besides its board, on the real host
 * (docs/HTTP-API.md): who is in it now (`GET …/presence`), its metadata
 * (`GET`/`PUT`/`PATCH …/metadata`, bounded, typed refusals) and an event
 * broadcast into it (`POST …/broadcast`) that reaches the clients connected
 * now that read broadcasts, and is never stored.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { RoomEnv } from "../../party/engine/durable-object.ts";
import { MAX_BROADCAST_BYTES, ROOM_METADATA_MAX_BYTES, ROOM_METADATA_MAX_KEYS } from "../../party/shared/limits.ts";
import { ErrorCode, PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import { card, joinRoom, openSocket, type TestClient } from "./socket.ts";
import cardsWorker from "./worker.ts";

const SECRET = "backend-test-secret-0123456789abcdef";
const READ = "backend-read-secret-0123456789abcdef";
const apiEnv = { ...env, API_SECRET: SECRET, API_READ_SECRET: READ } as RoomEnv;
const call = (path: string, init: RequestInit = {}, secret = SECRET) =>
  cardsWorker.fetch!(new Request(`http://x/parties/cards/${path}`, { ...init, headers: { Authorization: `Bearer ${secret}` } }) as never, apiEnv, {} as ExecutionContext);
const json = async <T = Record<string, unknown>>(res: Response | Promise<Response>) => (await (await res).json()) as T;
const send = (path: string, method: string, body: unknown, secret = SECRET) => call(path, { method, body: JSON.stringify(body) }, secret);

/** A client of this library's kind: it asks for broadcasts when it connects. */
async function joinReading(room: string, name: string): Promise<TestClient> {
  const c = await openSocket(`/parties/cards/${room}?broadcasts=1`);
  c.send({ type: "hello", v: PROTOCOL_VERSION, clientId: `c-${name}`, epoch: null, lastSeq: 0, name, color: "#224466" });
  await c.next("sync", 0, 15_000);
  return c;
}

describe("backend: presence", () => {
  it("lists who is in the room now, and not who has left", async () => {
    const room = "backend-presence";
    expect(await json(call(`${room}/presence`, {}, READ))).toEqual({ count: 0, members: [], relayed: 0 });
    const ada = await joinRoom(room, "ada");
    const bob = await joinRoom(room, "bob");
    const now = await json<{ count: number; members: { name: string; role: string; subject: null }[] }>(call(`${room}/presence`));
    expect(now.count).toBe(2);
    expect(now.members.map((m) => m.name).sort()).toEqual(["ada", "bob"]);
    expect(now.members[0]).toMatchObject({ role: "editor", subject: null });
    bob.ws.close(1000, "bye");
    await ada.next("leave");
    expect(await json(call(`${room}/presence`))).toMatchObject({ count: 1, members: [{ name: "ada" }] });
    expect((await call(`${room}/presence`, { method: "POST" })).status).toBe(405);
  });
});

describe("backend: metadata", () => {
  it("gets, replaces and merges a room's metadata within its bounds, refusing the rest whole with a typed error", async () => {
    const room = "backend-metadata";
    expect(await json(call(`${room}/metadata`))).toEqual({ metadata: {} });
    expect(await json(send(`${room}/metadata`, "PUT", { title: "Sprint 12", team: "blue", tags: ["plan", "q3"], open: true }))).toEqual({
      metadata: { title: "Sprint 12", team: "blue", tags: ["plan", "q3"], open: true },
    });
    expect(await json(send(`${room}/metadata`, "PATCH", { team: null, priority: 2 }))).toEqual({ metadata: { title: "Sprint 12", tags: ["plan", "q3"], open: true, priority: 2 } });
    const tooMany = Object.fromEntries(Array.from({ length: ROOM_METADATA_MAX_KEYS + 1 }, (_, i) => [`k${i}`, i]));
    const refused = await send(`${room}/metadata`, "PATCH", tooMany);
    expect(refused.status).toBe(413);
    expect(await json(refused)).toMatchObject({ code: ErrorCode.TOO_LARGE });
    const tooBig = await send(`${room}/metadata`, "PUT", { a: "x".repeat(500), b: "x".repeat(500), c: "x".repeat(500), d: "x".repeat(500), e: "x".repeat(500), f: "x".repeat(500), g: "x".repeat(500), h: "x".repeat(500), i: "x".repeat(ROOM_METADATA_MAX_BYTES / 8) });
    expect(tooBig.status).toBe(413);
    for (const bad of [[1, 2], { nested: { a: 1 } }, { "bad key!": 1 }, { n: "x".repeat(513) }]) {
      const res = await send(`${room}/metadata`, "PUT", bad);
      expect(res.status, JSON.stringify(bad).slice(0, 40)).toBe(400);
      expect(await json(res)).toMatchObject({ code: ErrorCode.BAD_MESSAGE });
    }
    // Nothing refused changed anything; the read-only secret reads, and may not write.
    expect(await json(call(`${room}/metadata`, {}, READ))).toEqual({ metadata: { title: "Sprint 12", tags: ["plan", "q3"], open: true, priority: 2 } });
    expect((await send(`${room}/metadata`, "PUT", {}, READ)).status).toBe(403);
    expect((await call(`${room}/metadata`, { method: "POST" })).status).toBe(405);
  });
});

describe("backend: broadcast", () => {
  it("sends an event to the clients connected now that read broadcasts, ahead of later changes, and stores nothing", async () => {
    const room = "backend-broadcast";
    expect((await send(`${room}/mutate`, "POST", { mid: "b1", ops: [{ op: "put", rec: card("c1") }] })).status).toBe(200);
    const reader = await joinReading(room, "ada");
    const older = await joinRoom(room, "bob"); // a client that did not ask for broadcasts
    const from = reader.inbox.length;
    const res = await send(`${room}/broadcast`, "POST", { event: { kind: "deploy", version: "1.4.2", notes: ["fast"] } });
    expect(await json(res)).toEqual({ sent: 1 });
    const got = await reader.next("broadcast" as never, from);
    expect(got).toMatchObject({ type: "broadcast", by: "api", event: { kind: "deploy", version: "1.4.2", notes: ["fast"] } });
    // The older client gets the next change and nothing before it.
    const olderFrom = older.inbox.length;
    expect((await send(`${room}/mutate`, "POST", { mid: "b2", ops: [{ op: "put", rec: card("c2") }] })).status).toBe(200);
    await older.next("change", olderFrom);
    expect(older.inbox.slice(olderFrom).map((m) => m.type)).toEqual(["change"]);
    // Never stored: the board and its history are as before.
    expect((await json<{ seq: number }>(call(`${room}/snapshot`))).seq).toBe(2);
    expect((await json<{ changes: unknown[] }>(call(`${room}/history`))).changes).toHaveLength(2);
    // Typed refusals: no event, too large, the read-only secret.
    expect(await json(send(`${room}/broadcast`, "POST", { nothing: 1 }))).toMatchObject({ code: ErrorCode.BAD_MESSAGE });
    const big = await send(`${room}/broadcast`, "POST", { event: "x".repeat(MAX_BROADCAST_BYTES) });
    expect(big.status).toBe(413);
    expect(await json(big)).toMatchObject({ code: ErrorCode.TOO_LARGE });
    expect((await send(`${room}/broadcast`, "POST", { event: 1 }, READ)).status).toBe(403);
  });
});
