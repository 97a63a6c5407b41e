/**
 * The write path typed from the app's schema (issue 20 item 2), as an app
 * meets it through `edgeroom/client`: `patch.set` takes the record's own
 * fields with their types, less `id` and the schema's fixed fields; `setLive`
 * takes the schema's live keys with their types and `live()` gives them back
 * typed; `mutate` throws a `MutationError` carrying the `ErrorCode`; a
 * `reject` event's code is typed; `mutate(ops, { mid })` applies an
 * app-chosen mid once however often it is sent.
 *
 * The `@ts-expect-error` lines are the type test: `npm run typecheck`
 * compiles this file (tsconfig.json), and an expected error that is not an
 * error fails it. The package test (tests/e2e/package.test.ts) checks the same
 * from the packed tarball's declarations.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ErrorCode, MutationError, type RejectCode, type RejectNotice, RoomClient } from "edgeroom/client";
import { type Card, CardsRoomHost, card, cards } from "../support/cards-room.ts";
import { roomWire } from "../support/room-wire.ts";
import { waitFor } from "../support/wait.ts";

const clients: RoomClient<Card>[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

/** Every frame the clients sent, in order. */
const sent: string[] = [];

async function person(host: CardsRoomHost, name: string) {
  const c = new RoomClient({ schema: cards, room: host.roomId, clientId: name, name, color: "#3366ff", transport: roomWire(host, { sent }) });
  clients.push(c);
  await waitFor(() => c.connection.status === "live", 10_000, `${name} live`);
  return c;
}

/** Compiled, never called: each expected error is a type error the compiler must report. */
function typeChecks(c: Awaited<ReturnType<typeof person>>): void {
  c.mutate([{ op: "patch", id: "a", set: { x: 10, votes: 2, text: "hi", pinned: true } }]);
  c.mutate([{ op: "patch", id: "t", set: { done: true } }]); // a task's field: the patch cannot know the record's kind
  // @ts-expect-error an unknown field (the room would drop it silently)
  c.mutate([{ op: "patch", id: "a", set: { nosuchfield: 1 } }]);
  // @ts-expect-error a wrong type
  c.mutate([{ op: "patch", id: "a", set: { x: "10" } }]);
  // @ts-expect-error a fixed field (defineRoom({ fixed: ["kind"] }))
  c.mutate([{ op: "patch", id: "a", set: { kind: "task" } }]);
  // @ts-expect-error id is never patched
  c.mutate([{ op: "patch", id: "a", set: { id: "b" } }]);
  // @ts-expect-error a put takes a whole record
  c.mutate([{ op: "put", rec: { id: "a", kind: "note", x: 0 } }]);

  c.setLive("view", { x: 1, y: 2, zoom: 1 });
  c.setLive("draft", null);
  // @ts-expect-error not a live key of the schema
  c.setLive("selection", { ids: [] });
  // @ts-expect-error a view has no `scale`
  c.setLive("view", { x: 1, y: 2, scale: 1 });
  const zoom: number | undefined = c.live().get("conn")?.get("view")?.zoom;
  // @ts-expect-error a draft is a Card, not a view
  const wrong: number | undefined = c.live().get("conn")?.get("draft")?.zoom;

  c.on("reject", (r) => {
    const code: RejectCode = r.code;
    // @ts-expect-error the code is one of the protocol's (or an asset's), not any string
    const notACode: typeof r.code = "NOT_A_CODE";
    void [code, notACode, zoom, wrong];
  });
}

describe("the typed write path", () => {
  it("mutate throws a MutationError whose code is the ErrorCode, and queues nothing", async () => {
    expect(typeChecks).toBeTypeOf("function");
    const host = new CardsRoomHost();
    const ada = await person(host, "ada");
    const refused = (f: () => void): MutationError => {
      try {
        f();
      } catch (e) {
        if (e instanceof MutationError) return e;
        throw e;
      }
      throw new Error("mutate did not throw");
    };
    const missing = refused(() => ada.mutate([{ op: "patch", id: "ghost", set: { votes: 1 } }]));
    expect(missing.code).toBe(ErrorCode.RECORD_NOT_FOUND);
    expect(missing.detail).toBe("ops.0: record ghost does not exist");
    expect(missing.message).toBe(`RECORD_NOT_FOUND: ops.0: record ghost does not exist`);
    const put = card("a");
    ada.mutate([{ op: "put", rec: put }]);
    expect(refused(() => ada.mutate([{ op: "patch", id: "a", set: { votes: -1 } }])).code).toBe(ErrorCode.INVALID_MUTATION);
    // Fixed fields are refused at run time too, for callers the compiler did not see.
    const fixed = refused(() => ada.mutate([{ op: "patch", id: "a", set: { kind: "task" } as never }]));
    expect(fixed).toMatchObject({ code: ErrorCode.INVALID_MUTATION, detail: "ops.0: a patch may not change kind" });
    await waitFor(() => ada.pendingCount === 0, 10_000, "the put acknowledged");
    expect(ada.records().get("a")).toMatchObject({ kind: "note", votes: put.votes }); // untouched by the refused patches
  });

  it("a reject from the room carries the typed code; an app-chosen mid sent three times applies once", async () => {
    const host = new CardsRoomHost("typed-room", { hooks: { authorize: (_actor, op) => (op.op === "del" ? "cards are never deleted here" : true) } });
    const ada = await person(host, "ada");
    const notices: RejectNotice<Card>[] = [];
    ada.on("reject", (r) => notices.push(r));
    ada.mutate([{ op: "put", rec: { ...card("v"), votes: 0 } }]);
    await waitFor(() => ada.pendingCount === 0, 10_000, "the card acknowledged");
    const before = ada.seq;
    // A backend's retries: the same ops under the mid it chose, again while
    // pending (left as it is) and again after the ack (sent: the room answers
    // it as a duplicate).
    const vote = [{ op: "patch", id: "v", set: { votes: 1 } }] as const;
    for (let i = 0; i < 3; i++) expect(ada.mutate(vote, { mid: "vote-1" })).toBe("vote-1");
    await waitFor(() => ada.pendingCount === 0, 10_000, "the vote acknowledged");
    ada.mutate(vote, { mid: "vote-1" });
    await waitFor(() => ada.pendingCount === 0, 10_000, "the retry answered");
    expect(sent.filter((f) => f.includes('"mid":"vote-1"'))).toHaveLength(2);
    const bo = await person(host, "bo");
    expect([ada.seq, bo.seq]).toEqual([before + 1, before + 1]); // applied once
    expect(bo.records().get("v")?.votes).toBe(1);
    ada.mutate([{ op: "del", id: "v" }]);
    await waitFor(() => notices.length === 1, 10_000, "the hook refuses");
    expect(notices[0]).toMatchObject({ code: ErrorCode.FORBIDDEN, message: "cards are never deleted here" });
    expect(ada.records().has("v")).toBe(true); // rolled back
  });

  it("live state is typed from defineRoom({ live }): what one sets, the other reads by key", async () => {
    const host = new CardsRoomHost();
    const ada = await person(host, "ada");
    const bo = await person(host, "bo");
    await waitFor(() => bo.peers().size === 1, 10_000, "bo sees ada");
    const adaConn = ada.self!.conn;
    ada.setLive("view", { x: 5, y: 6, zoom: 2 });
    await waitFor(() => bo.live().get(adaConn)?.get("view") !== undefined, 10_000, "ada's view reaches bo");
    const view = bo.live().get(adaConn)!.get("view")!;
    expect(view.zoom * 10 + view.x).toBe(25);
  });
});
