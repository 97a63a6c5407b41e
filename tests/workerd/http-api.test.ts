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
import { MAX_IMPORT_BYTES, MAX_MESSAGE_BYTES } from "../../party/shared/limits.ts";
import cardsWorker from "./worker.ts";
import { joinRoom, card } from "./socket.ts";

const SECRET = "api-test-secret-0123456789abcdef";
const ctx = {} as ExecutionContext;
const apiEnv = { ...env, API_SECRET: SECRET } as RoomEnv;
const call = (path: string, init: RequestInit = {}, e: RoomEnv = apiEnv, secret: string | null = SECRET) =>
  cardsWorker.fetch!(
    new Request(`http://x/parties/cards/${path}`, {
      ...init,
      headers: { ...(secret ? { Authorization: `Bearer ${secret}` } : {}), ...(init.headers as Record<string, string> | undefined) },
    }) as never,
    e,
    ctx,
  );
const mutate = (room: string, body: unknown) => call(`${room}/mutate`, { method: "POST", body: JSON.stringify(body) });
const stubFor = (room: string) => env.CARDS.get(env.CARDS.idFromName(room));
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
    const res = await exports.default.fetch("http://x/parties/cards/api-off/snapshot", { headers: { Authorization: "Bearer anything" } });
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
    const res = await mutate(room, { mid: "api-1", ops: [{ op: "put", rec: card("s1", 5) }] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ type: "ack", mid: "api-1", seq: 1 });
    const change = await ada.next("change");
    expect(change).toMatchObject({ seq: 1, by: "api", mid: "api-1", ops: [{ op: "put", rec: { id: "s1", x: 5 } }] });

    // The same mid again (a retry after a lost response): the original seq, nothing applied.
    const again = await mutate(room, { mid: "api-1", ops: [{ op: "put", rec: card("s1", 99) }] });
    expect(await again.json()).toEqual({ type: "ack", mid: "api-1", seq: 1, dup: true });
    // A socket mutation after it gets the next seq: one order for both paths.
    ada.send({ type: "mutate", mid: "sock-1", ops: [{ op: "patch", id: "s1", set: { y: 7 } }] });
    expect(await ada.next("ack")).toMatchObject({ mid: "sock-1", seq: 2 });

    const snap = (await (await call(`${room}/snapshot`)).json()) as { seq: number; epoch: string; records: unknown[] };
    expect(snap.seq).toBe(2);
    expect(snap.epoch).toBe(ada.inbox.find((m) => m.type === "sync")!.epoch);
    expect(snap.records).toEqual([{ ...card("s1", 5), y: 7 }]);
    expect(ada.of("change")).toHaveLength(1);
  });

  it("refuses invalid mutations with the typed reject, and repeats a stored refusal", async () => {
    const room = "api-reject";
    const missing = await mutate(room, { mid: "api-x", ops: [{ op: "del", id: "nope" }] });
    expect(missing.status).toBe(422);
    expect(await missing.json()).toMatchObject({ type: "reject", mid: "api-x", code: ErrorCode.RECORD_NOT_FOUND });
    // The refusal is remembered: the same mid cannot apply later, even if it now could.
    await mutate(room, { mid: "api-y", ops: [{ op: "put", rec: card("nope") }] });
    const late = await mutate(room, { mid: "api-x", ops: [{ op: "del", id: "nope" }] });
    expect(await late.json()).toMatchObject({ type: "reject", code: ErrorCode.RECORD_NOT_FOUND });

    const bad = await mutate(room, { mid: "api-z", ops: [{ op: "put", rec: { id: "r", kind: "note" } }] });
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
    await mutate(room, { mid: "d1", ops: [{ op: "put", rec: card("s1") }] });
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
    expect(await (await mutate(room, { mid: "d1", ops: [{ op: "put", rec: card("s2") }] })).json()).toEqual({ type: "ack", mid: "d1", seq: 1 });
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

const READ_SECRET = "api-read-secret-0123456789abcdef";
const readEnv = { ...apiEnv, API_READ_SECRET: READ_SECRET } as RoomEnv;
const json = async <T = Record<string, unknown>>(res: Response | Promise<Response>) => (await (await res).json()) as T;
const post = (path: string, body: unknown, e: RoomEnv = apiEnv, secret: string | null = SECRET) =>
  call(path, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) }, e, secret);

describe("HTTP API: history and restore", () => {
  it("lists history, reads the board at a past seq, and restores exactly once, seen by sockets as a marked change", async () => {
    const room = "api-history";
    const ada = await joinRoom(room, "ada");
    const bob = await joinRoom(room, "bob");
    ada.send({ type: "mutate", mid: "a1", ops: [{ op: "put", rec: card("s1", 1) }] });
    await ada.next("ack");
    await mutate(room, { mid: "h2", ops: [{ op: "put", rec: card("s2", 2) }] });
    await mutate(room, { mid: "h3", ops: [{ op: "del", id: "s1" }] });

    const page = await json<{ head: number; floor: number; changes: { seq: number; by: string; name?: string; mid: string }[] }>(call(`${room}/history`));
    expect(page).toMatchObject({ head: 3, floor: 0 });
    expect(page.changes.map((c) => [c.seq, c.by, c.mid])).toEqual([[3, "api", "h3"], [2, "api", "h2"], [1, ada.of("welcome")[0]!.self.conn, "a1"]]);
    expect(page.changes[2]!.name).toBe("ada");
    expect((await json<{ changes: unknown[] }>(call(`${room}/history?before=3&limit=1`))).changes).toHaveLength(1);

    const at2 = await json<{ seq: number; records: { id: string }[] }>(call(`${room}/history/2`));
    expect(at2.seq).toBe(2);
    expect(at2.records.map((r) => r.id).sort()).toEqual(["s1", "s2"]);
    const future = await call(`${room}/history/99`);
    expect(future.status).toBe(404);
    expect((await json(future)).code).toBe(ErrorCode.HISTORY_UNAVAILABLE);

    const from = bob.inbox.length;
    const restored = await post(`${room}/restore`, { mid: "rs1", seq: 2 });
    expect(await json(restored)).toEqual({ type: "ack", mid: "rs1", seq: 4 });
    expect(await bob.next("change", from)).toMatchObject({ seq: 4, by: "api", mid: "rs1", restored: 2 });
    expect(await ada.next("change", ada.inbox.length - 1)).toMatchObject({ seq: 4 });
    // A repeated mid: the original answer, nothing applied.
    expect(await json(post(`${room}/restore`, { mid: "rs1", seq: 0 }))).toEqual({ type: "ack", mid: "rs1", seq: 4, dup: true });
    const snap = await json<{ seq: number; records: { id: string }[] }>(call(`${room}/snapshot`));
    expect(snap.seq).toBe(4);
    expect(snap.records.map((r) => r.id).sort()).toEqual(["s1", "s2"]);
    expect((await post(`${room}/restore`, { mid: "rs2", seq: 999 })).status).toBe(404);
    expect((await post(`${room}/restore`, { mid: "rs3" })).status).toBe(400);
    expect(bob.of("change").filter((c) => c.seq === 4)).toHaveLength(1);
  });

  it("refuses a read-only (viewer-scoped) secret on every endpoint that writes, and a missing one everywhere", async () => {
    const room = "api-readonly";
    await mutate(room, { mid: "r1", ops: [{ op: "put", rec: card("s1") }] });
    for (const path of ["snapshot", "history", "history/1", "export"]) expect((await call(`${room}/${path}`, {}, readEnv, READ_SECRET)).status, path).toBe(200);
    const writes: [string, RequestInit][] = [
      [`${room}/mutate`, { method: "POST", body: JSON.stringify({ mid: "x1", ops: [{ op: "del", id: "s1" }] }) }],
      [`${room}/restore`, { method: "POST", body: JSON.stringify({ mid: "x2", seq: 0 }) }],
      [`${room}-copy/import?mid=x3`, { method: "POST", body: "{}" }],
      [`${room}-copy/fork`, { method: "POST", body: JSON.stringify({ mid: "x4", from: room }) }],
      [room, { method: "DELETE" }],
    ];
    for (const [path, init] of writes) {
      const res = await call(path, init, readEnv, READ_SECRET);
      expect(res.status, path).toBe(403);
      expect((await json(res)).code).toBe(ErrorCode.FORBIDDEN);
      expect((await call(path, init, readEnv, null)).status, path).toBe(401);
    }
    // A read-only secret alone still turns the API on, for reads.
    const onlyRead = { ...env, API_READ_SECRET: READ_SECRET } as RoomEnv;
    expect((await call(`${room}/history`, {}, onlyRead, READ_SECRET)).status).toBe(200);
    expect((await call(`${room}/history`, {}, onlyRead, SECRET)).status).toBe(401);
    expect((await json<{ seq: number }>(call(`${room}/snapshot`))).seq).toBe(1);
  });
});

describe("HTTP API: export, import, fork", () => {
  it("exports a board and imports it into a new room identically, exactly once; refuses a room with a board", async () => {
    const room = "api-export";
    const records = [card("e1", 1), card("e2", 2), { ...card("e3", 3), pinned: true }];
    await mutate(room, { mid: "x1", ops: records.map((rec) => ({ op: "put", rec })) });
    await mutate(room, { mid: "x2", ops: [{ op: "patch", id: "e2", set: { x: 20 } }] });
    const res = await call(`${room}/export`);
    expect(res.headers.get("Content-Disposition")).toContain(`${room}-2.edgeroom.json`);
    const file = await res.text();
    expect(JSON.parse(file)).toMatchObject({ format: "edgeroom.export", v: 1, party: "cards", room, seq: 2 });

    const copy = "api-export-copy";
    const imported = await call(`${copy}/import?mid=imp1`, { method: "POST", body: file });
    expect(await json(imported)).toEqual({ type: "ack", mid: "imp1", seq: 1 });
    expect(await json(call(`${copy}/import?mid=imp1`, { method: "POST", body: file }))).toEqual({ type: "ack", mid: "imp1", seq: 1, dup: true });
    const a = await json<{ records: { id: string }[] }>(call(`${room}/snapshot`));
    const b = await json<{ records: { id: string }[] }>(call(`${copy}/snapshot`));
    const byId = (r: { records: { id: string }[] }) => [...r.records].sort((x, y) => x.id.localeCompare(y.id));
    expect(byId(b)).toEqual(byId(a));
    // And the round trip of the copy's export is the same file body.
    const again = JSON.parse(await (await call(`${copy}/export`)).text()) as { records: unknown[] };
    expect(byId(again as never)).toEqual(byId(JSON.parse(file)));

    const refused = await call(`${copy}/import?mid=imp2`, { method: "POST", body: file });
    expect(refused.status).toBe(409);
    expect((await json(refused)).code).toBe(ErrorCode.ROOM_NOT_EMPTY);
    const wrongParty = await call(`api-export-x/import?mid=imp3`, { method: "POST", body: file.replace('"party":"cards"', '"party":"checklist"') });
    expect(wrongParty.status).toBe(400);
    const badRecord = await call(`api-export-y/import?mid=imp4`, { method: "POST", body: file.replace('"kind":"note"', '"kind":"blob"') });
    expect(badRecord.status).toBe(422);
    expect(await roomTables("api-export-x")).toEqual([]);
  });

  it("forks a room at a past seq into a new room", async () => {
    const room = "api-fork-src";
    await mutate(room, { mid: "f1", ops: [{ op: "put", rec: card("k1") }] });
    await mutate(room, { mid: "f2", ops: [{ op: "put", rec: card("k2") }] });
    const res = await post("api-fork-dst/fork", { mid: "fk1", from: room, seq: 1 });
    expect(await json(res)).toEqual({ type: "ack", mid: "fk1", seq: 1 });
    const snap = await json<{ records: { id: string }[] }>(call("api-fork-dst/snapshot"));
    expect(snap.records.map((r) => r.id)).toEqual(["k1"]);
    const page = await json<{ changes: { kind?: string }[] }>(call("api-fork-dst/history"));
    expect(page.changes[0]!.kind).toBe("import");
    expect((await post("api-fork-dst/fork", { mid: "fk2", from: room })).status).toBe(409);
  });
});

describe("HTTP API: bodies over their limit", () => {
  /** A body streamed in `chunks` pieces of `size` bytes, with no declared length. */
  const chunked = (chunks: number, size: number) => {
    let sent = 0;
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < chunks) controller.enqueue(new Uint8Array(size).fill(0x20));
        else controller.close();
      },
    });
  };

  it("answers an import over MAX_IMPORT_BYTES with 413 TOO_LARGE by its declared length, and cuts one without a length at the limit", async () => {
    const room = "api-import-big";
    const declared = await call(`${room}/import?mid=big1`, { method: "POST", body: "x", headers: { "Content-Length": String(MAX_IMPORT_BYTES + 1) } });
    expect(declared.status).toBe(413);
    expect(await json(declared)).toMatchObject({ code: ErrorCode.TOO_LARGE });
    let pulled = 0;
    const size = 1024 * 1024;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(size).fill(0x20));
      },
    });
    // An endless body: the read stops at the first chunk past the limit.
    const cut = await call(`${room}/import?mid=big2`, { method: "POST", body, duplex: "half" } as RequestInit);
    expect(cut.status).toBe(413);
    expect(await json(cut)).toMatchObject({ code: ErrorCode.TOO_LARGE });
    expect(pulled).toBeLessThanOrEqual(MAX_IMPORT_BYTES / size + 3);
    expect(await roomTables(room)).toEqual([]);
  });

  it("answers a mutate body over MAX_MESSAGE_BYTES without a length with 413, and one within it as usual", async () => {
    const over = await call("api-mutate-big/mutate", { method: "POST", body: chunked(MAX_MESSAGE_BYTES / 1024 + 1, 1024), duplex: "half" } as RequestInit);
    expect(over.status).toBe(413);
    expect(await json(over)).toMatchObject({ code: ErrorCode.TOO_LARGE });
    const body = new TextEncoder().encode(JSON.stringify({ mid: "ok1", ops: [{ op: "put", rec: card("c1") }] }));
    const within = await call("api-mutate-big/mutate", { method: "POST", body: new ReadableStream({ start: (c) => (c.enqueue(body), c.close()) }), duplex: "half" } as RequestInit);
    expect(await json(within)).toEqual({ type: "ack", mid: "ok1", seq: 1 });
  });
});
