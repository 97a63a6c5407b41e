/**
 * How many may edit an audience room, on the real host (issue 18 item 4;
 * PROTOCOL.md §16 "Roles"). The bounds are this project's (vitest.config.ts,
 * workerd-audience): 2 direct members, 3 per relay, 3 relays, 5 editors.
 * `lecture` rooms have the room option `audience: { editors: 3 }`
 * (tests/workerd/worker.ts): whoever joins with an editor role past the third
 * editor watches instead of being refused — at a relay or at the room itself.
 * `cards` rooms have no option: past the bound an editor is refused ROOM_FULL,
 * whichever door it comes through.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CloseCode, ErrorCode, PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import type { ServerMessage } from "../support/cards.ts";
import { card, openSocket, type TestClient } from "./socket.ts";

type Party = "lecture" | "cards";

async function token(room: string, role: "editor" | "viewer"): Promise<string> {
  const res = await exports.default.fetch(`http://x/auth/dev-token?room=${room}&role=${role}`);
  return ((await res.json()) as { token: string }).token;
}

const stats = async (party: Party, room: string) =>
  (await (await exports.default.fetch(`http://x/parties/${party}/${room}/stats?token=${await token(room, "viewer")}`)).json()) as Record<string, number>;

async function open(party: Party, room: string, name: string, role: "editor" | "viewer"): Promise<TestClient> {
  const c = await openSocket(`/parties/${party}/${room}?token=${await token(room, role)}`);
  c.send({ type: "hello", v: PROTOCOL_VERSION, clientId: `c-${name}`, epoch: null, lastSeq: 0, name, color: "#224466", watching: true });
  return c;
}

async function join(party: Party, room: string, name: string, role: "editor" | "viewer"): Promise<TestClient> {
  const c = await open(party, room, name, role);
  await c.next("sync", 0, 15_000);
  return c;
}

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const role = (c: TestClient) => c.of("welcome")[0]!.self.role;
/** The last watcher count `c` heard. */
const heard = (c: TestClient) => c.of("watching").at(-1)?.n;
const conn = (c: TestClient) => c.of("welcome")[0]!.self.conn;

/** `c` edits; resolves with its ack's seq, or the reject's code. */
async function tryEdit(c: TestClient, mid: string): Promise<number | string> {
  const from = c.inbox.length;
  c.send({ type: "mutate", mid, ops: [{ op: "put", rec: card(mid) }] });
  const answer = () => c.inbox.slice(from).find((m): m is Extract<ServerMessage, { type: "ack" | "reject" }> => (m.type === "ack" || m.type === "reject") && m.mid === mid);
  await until(`${mid} answered`, () => answer() !== undefined);
  const a = answer()!;
  return a.type === "ack" ? a.seq : a.code;
}

describe("an audience room's editors (RoomOptions.audience)", () => {
  it("seats an editor past the room's editors as a watcher at a relay: counted, not announced, cannot edit; a freed seat goes to the next to join", async () => {
    const room = "seats-relay";
    const d1 = await join("lecture", room, "d1", "editor");
    const d2 = await join("lecture", room, "d2", "editor");
    const e3 = await join("lecture", room, "e3", "editor");
    // The fourth editor token: in, as a viewer, told so by its welcome.
    const e4 = await join("lecture", room, "e4", "editor");
    expect([d1, d2, e3, e4].map(role)).toEqual(["editor", "editor", "editor", "viewer"]);
    expect(e4.closed).toBeNull();
    // A watcher: counted (every member hears it), never announced.
    await until("the watcher counted", async () => (await stats("lecture", room)).watching === 1);
    await until("d1 hears one watching", () => heard(d1) === 1);
    await until("e3 is announced", () => d1.of("join").some((j) => j.peer.conn === conn(e3)));
    expect(d1.of("join").map((j) => j.peer.name)).toEqual(["d2", "e3"]);
    // It cannot edit; the editors can, and it gets their edits.
    expect(await tryEdit(e4, "from-e4")).toBe(ErrorCode.FORBIDDEN);
    expect(await tryEdit(e3, "from-e3")).toBe(1);
    await until("e4 gets the edit", () => e4.of("change").some((c) => c.seq === 1));

    // An editor leaves: the next to join with an editor role takes the seat;
    // the one watching stays a watcher.
    e3.ws.close(1000, "bye");
    await until("e3's leave", () => d1.of("leave").some((l) => l.conn === conn(e3)));
    const e5 = await join("lecture", room, "e5", "editor");
    expect(role(e5)).toBe("editor");
    expect(await tryEdit(e5, "from-e5")).toBe(2);
    expect(await tryEdit(e4, "from-e4-again")).toBe(ErrorCode.FORBIDDEN);
    expect((await stats("lecture", room)).seq).toBe(2);
  });

  it("seats an editor past the room's editors as a viewer at the room itself too", async () => {
    const room = "seats-direct";
    const d1 = await join("lecture", room, "d1", "editor");
    const v = await join("lecture", room, "v", "viewer");
    // Relay 0: two editors (three in all), one viewer.
    await join("lecture", room, "r1", "editor");
    await join("lecture", room, "r2", "editor");
    await join("lecture", room, "r3", "viewer");
    // A place at the room frees up; an editor token takes it, as a viewer.
    v.ws.close(1000, "bye");
    await until("the room's place free", async () => (await stats("lecture", room)).connections === 1);
    const late = await join("lecture", room, "late", "editor");
    expect(role(late)).toBe("viewer");
    // At the room a viewer is an ordinary member: announced as one.
    await until("late announced", () => d1.of("join").some((j) => j.peer.conn === conn(late)));
    expect(d1.of("join").find((j) => j.peer.conn === conn(late))!.peer.role).toBe("viewer");
    expect(await tryEdit(late, "from-late")).toBe(ErrorCode.FORBIDDEN);
    expect(await tryEdit(d1, "from-d1")).toBe(1);
  });

  it("without the option, refuses an editor past the bound with ROOM_FULL at the room itself as at a relay", async () => {
    const room = "seats-refused";
    await join("cards", room, "d1", "editor");
    const v = await join("cards", room, "v", "viewer");
    // Four editors on relays: five in all, the bound.
    for (const n of ["r1", "r2", "r3", "r4"]) await join("cards", room, n, "editor");
    const atRelay = await open("cards", room, "r5", "editor");
    expect(await atRelay.next("error")).toMatchObject({ code: ErrorCode.ROOM_FULL });
    expect((await atRelay.waitClosed()).code).toBe(CloseCode.ROOM_FULL);
    // A place at the room frees up: an editor cannot take it past the bound.
    v.ws.close(1000, "bye");
    await until("the room's place free", async () => (await stats("cards", room)).connections === 1);
    const atRoom = await open("cards", room, "d2", "editor");
    expect(await atRoom.next("error")).toMatchObject({ code: ErrorCode.ROOM_FULL });
    expect((await atRoom.waitClosed()).code).toBe(CloseCode.ROOM_FULL);
    // A viewer still gets in.
    expect(role(await join("cards", room, "d3", "viewer"))).toBe("viewer");
  });
});
