/**
 * RoomClient's history requests (client/engine/room-history.ts) against the
 * real room core in memory: history() lists who changed what; previewAt()
 * answers the asker only; restore() is one mutation the others receive, and
 * resending its mid — by hand or after a lost ack and a reconnect — applies
 * it once; nameVersion() names a version (a taken name is a typed error);
 * without a connection every request fails at once with OFFLINE.
 */
import { afterEach, describe, expect, it } from "vitest";
import { RoomClient } from "../../client/engine/room-client.ts";
import { HistoryError } from "../../client/engine/room-history.ts";
import { type Card, cards } from "../support/cards.ts";
import { roomWire } from "../support/room-wire.ts";
import { card, CardsRoomHost } from "../support/cards-room.ts";
import { waitFor } from "../support/wait.ts";

const clients: RoomClient<Card>[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

async function person(host: CardsRoomHost, name: string, drop?: (frame: string) => boolean): Promise<{ c: RoomClient<Card>; received: string[] }> {
  const received: string[] = [];
  const c = new RoomClient({ schema: cards, room: host.roomId, clientId: name, name, color: "#3366ff", transport: roomWire(host, { received, ...(drop ? { drop } : {}) }) });
  clients.push(c);
  await waitFor(() => c.connection.status === "live");
  return { c, received };
}

async function settled(c: RoomClient<Card>): Promise<void> {
  await waitFor(() => c.pendingCount === 0);
}

const ids = (c: RoomClient<Card>) => [...c.records().keys()].sort();

describe("RoomClient history requests", () => {
  it("lists who changed what, and previews a past board for the asker only", async () => {
    const host = new CardsRoomHost();
    const { c: ada } = await person(host, "Ada");
    const { c: bob, received: bobGot } = await person(host, "Bob");
    ada.mutate([{ op: "put", rec: card("a") }, { op: "put", rec: card("b") }]);
    await settled(ada);
    ada.mutate([{ op: "del", id: "a" }]);
    await settled(ada);
    await waitFor(() => bob.seq === ada.seq);

    const page = await ada.history();
    expect(page.head).toBe(2);
    expect(page.changes.map((ch) => [ch.seq, ch.name, ch.puts, ch.dels])).toEqual([
      [2, "Ada", 0, 1],
      [1, "Ada", 2, 0],
    ]);

    const before = bobGot.length;
    const past = await ada.previewAt({ seq: 1 });
    expect(past.seq).toBe(1);
    expect(past.records.map((r) => r.id).sort()).toEqual(["a", "b"]);
    expect(ids(ada)).toEqual(["b"]); // the live board is untouched
    // A barrier: Ada's next edit reaches Bob after anything her preview could
    // have sent him (the room handles her messages in order).
    ada.mutate([{ op: "put", rec: card("c") }]);
    await waitFor(() => bob.records().has("c"));
    const heard = bobGot.slice(before).flatMap((f) => [JSON.parse(f) as { type: string }].flat());
    expect(heard.map((m) => m.type)).toEqual(["change"]); // Bob heard nothing of the preview
  });

  it("restores as one change the others receive; the same mid again applies nothing", async () => {
    const host = new CardsRoomHost();
    const { c: ada } = await person(host, "Ada");
    const { c: bob } = await person(host, "Bob");
    ada.mutate([{ op: "put", rec: card("a") }, { op: "put", rec: card("b") }]);
    await settled(ada);
    ada.mutate([{ op: "del", id: "a" }, { op: "del", id: "b" }]);
    await settled(ada);

    const done = await ada.restore({ seq: 1 }, { mid: "restore-1" });
    expect(done).toEqual({ mid: "restore-1", seq: 3, dup: false });
    await waitFor(() => bob.seq === 3 && ada.seq === 3);
    expect(ids(bob)).toEqual(["a", "b"]);
    expect(ids(ada)).toEqual(["a", "b"]);

    // Asked twice at once (a tab resending through a shared connection): one answer for both.
    const [x, y] = await Promise.all([ada.restore({ seq: 2 }, { mid: "restore-1" }), ada.restore({ seq: 2 }, { mid: "restore-1" })]);
    expect(x).toEqual(y);
    const again = await ada.restore({ seq: 2 }, { mid: "restore-1" });
    expect(again).toEqual({ mid: "restore-1", seq: 3, dup: true });
    // A barrier: Ada's next edit is the next seq Bob sees — the repeats took none.
    ada.mutate([{ op: "put", rec: card("z") }]);
    await waitFor(() => bob.records().has("z"));
    expect(bob.seq).toBe(4);
    expect(ids(bob)).toEqual(["a", "b", "z"]);
  });

  it("a restore whose ack was lost is resent with its mid after a reconnect, and applied once", async () => {
    const host = new CardsRoomHost();
    let loseAcks = true;
    const { c: ada } = await person(host, "Ada", (f) => loseAcks && f.includes('"type":"ack"') && f.includes("restore-2"));
    const { c: bob } = await person(host, "Bob");
    ada.mutate([{ op: "put", rec: card("a") }]);
    await settled(ada);
    ada.mutate([{ op: "del", id: "a" }]);
    await settled(ada);

    const restoring = ada.restore({ seq: 1 }, { mid: "restore-2" });
    await waitFor(() => bob.seq === 3); // applied; Ada never heard
    loseAcks = false;
    ada.reconnect();
    await expect(restoring).resolves.toEqual({ mid: "restore-2", seq: 3, dup: true });
    await waitFor(() => ada.seq === 3);
    expect(ids(ada)).toEqual(["a"]);
    expect((await ada.history()).changes.filter((ch) => ch.mid === "restore-2")).toHaveLength(1);
  });

  it("names versions; a taken name is a typed error; a version can be previewed by name", async () => {
    const host = new CardsRoomHost();
    const { c: ada } = await person(host, "Ada");
    ada.mutate([{ op: "put", rec: card("a") }]);
    await settled(ada);
    const saved = await ada.nameVersion("before the review");
    expect(saved).toMatchObject({ version: "before the review", seq: 1 });
    ada.mutate([{ op: "del", id: "a" }]);
    await settled(ada);

    const taken = await ada.nameVersion("before the review").catch((e: unknown) => e);
    expect(taken).toBeInstanceOf(HistoryError);
    expect((taken as HistoryError).code).toBe("VERSION_EXISTS");
    expect((await ada.previewAt({ version: "before the review" })).records.map((r) => r.id)).toEqual(["a"]);
    expect((await ada.history()).versions.map((v) => [v.version, v.name])).toEqual([["before the review", "Ada"]]);
  });

  it("without a connection every request fails at once with OFFLINE", async () => {
    const host = new CardsRoomHost();
    const { c: ada } = await person(host, "Ada");
    ada.close();
    for (const request of [ada.history(), ada.previewAt({ seq: 0 }), ada.restore({ seq: 0 }), ada.nameVersion("x")]) {
      const e = await request.catch((err: unknown) => err);
      expect(e).toBeInstanceOf(HistoryError);
      expect(["OFFLINE", "CLOSED"]).toContain((e as HistoryError).code);
    }
    const offline = new RoomClient({ schema: cards, room: host.roomId, name: "Cy", color: "#3366ff", transport: () => ({ isOpen: false, send() {}, reconnect() {}, close() {} }) });
    clients.push(offline);
    await expect(offline.history()).rejects.toMatchObject({ code: "OFFLINE" });
  });
});
