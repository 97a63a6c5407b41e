/**
 * The rooms index on the real host (party/engine/rooms-index.ts): rooms
 * written through the HTTP API and joined by a socket report to the app's
 * index object (the report window shortened by ROOMS_INDEX_MS, vitest.config.ts),
 * and the backend lists and filters them with `GET /parties/cards` — by id
 * prefix, metadata, members and activity, a page at a time; a deleted room
 * leaves it.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { RoomEnv } from "../../party/engine/durable-object.ts";
import type { IndexedRoom } from "../../party/engine/rooms-index.ts";
import { ErrorCode } from "../../party/shared/protocol.ts";
import { card, joinRoom } from "./socket.ts";
import cardsWorker from "./worker.ts";

const SECRET = "index-test-secret-0123456789abcdef";
const READ = "index-read-secret-0123456789abcdef";
const apiEnv = { ...env, API_SECRET: SECRET, API_READ_SECRET: READ } as RoomEnv;
const call = (path: string, init: RequestInit = {}, secret: string | null = SECRET) =>
  cardsWorker.fetch!(new Request(`http://x/parties/cards${path}`, { ...init, headers: secret ? { Authorization: `Bearer ${secret}` } : {} }) as never, apiEnv, {} as ExecutionContext);
const list = async (query: string, secret = SECRET) => (await (await call(`?${query}`, {}, secret)).json()) as { rooms: IndexedRoom[]; cursor: string | null };

/** Until `check` holds (a positive barrier: the reports are asynchronous). */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`never: ${what}`);
}

describe("rooms index", () => {
  it("lists the rooms the backend wrote with their activity, members and metadata, filtered and paged", async () => {
    for (const id of ["idx-a", "idx-b", "idx-c"]) {
      expect((await call(`/${id}/mutate`, { method: "POST", body: JSON.stringify({ mid: "m1", ops: [{ op: "put", rec: card("c1") }] }) })).status).toBe(200);
    }
    await call("/idx-a/metadata", { method: "PUT", body: JSON.stringify({ team: "blue", tags: ["q3", "ux"] }) });
    await call("/idx-b/metadata", { method: "PUT", body: JSON.stringify({ team: "red" }) });
    const ada = await joinRoom("idx-c", "ada");
    await until(async () => {
      const { rooms } = await list("prefix=idx-");
      return rooms.length === 3 && rooms.find((r) => r.id === "idx-c")?.members === 1 && rooms.find((r) => r.id === "idx-b")?.metadata.team === "red";
    }, "three rooms indexed");
    const { rooms } = await list("prefix=idx-", READ);
    const a = rooms.find((r) => r.id === "idx-a")!;
    expect(a).toMatchObject({ seq: 1, members: 0, metadata: { team: "blue", tags: ["q3", "ux"] } });
    expect(a.created).toBeLessThanOrEqual(a.active);
    // Newest activity first.
    expect(rooms.map((r) => r.active)).toEqual([...rooms.map((r) => r.active)].sort((x, y) => y - x));

    const ids = async (q: string) => (await list(`prefix=idx-&${q}`)).rooms.map((r) => r.id).sort();
    expect(await ids("metadata.team=blue")).toEqual(["idx-a"]);
    expect(await ids("metadata.tags=ux")).toEqual(["idx-a"]);
    expect(await ids("metadata.team=green")).toEqual([]);
    expect(await ids("minMembers=1")).toEqual(["idx-c"]);
    expect(await ids(`activeSince=${Math.max(...rooms.map((r) => r.active)) + 1}`)).toEqual([]);

    // A page at a time: every room once.
    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page: { rooms: IndexedRoom[]; cursor: string | null } = await list(`prefix=idx-&limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...page.rooms.map((r) => r.id));
      cursor = page.cursor;
    }
    expect(seen.sort()).toEqual(["idx-a", "idx-b", "idx-c"]);

    // A deleted room leaves the index.
    expect((await call("/idx-b", { method: "DELETE" })).status).toBe(200);
    await until(async () => (await ids("")).join() === "idx-a,idx-c", "idx-b gone");
    ada.ws.close(1000, "bye");
  });

  it("is for holders of an API secret, GET only, with typed refusals", async () => {
    expect((await call("", {}, null)).status).toBe(401);
    expect((await call("", { method: "POST" })).status).toBe(405);
    const bad = await call("?limit=0");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: ErrorCode.BAD_MESSAGE });
    expect((await call("?metadata.bad%20key=1")).status).toBe(400);
    expect((await call("?cursor=nonsense")).status).toBe(400);
  });
});
