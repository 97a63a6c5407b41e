/**
 * The room's rules, checked on the engine's room core in memory
 * (`edgeroom/testing`): no server, no network, time moves only when the test
 * says. Each person is a socket that records what the room sent it.
 */
import { MemoryRoomHost } from "edgeroom/testing";
import { describe, expect, it } from "vitest";
import { hooks } from "../hooks.ts";
import { type Note, notes } from "../schema.ts";

const note = (id: string, author: string, text = "hello"): Note => ({ id, text, author, at: 1 });
const mutate = (mid: string, ops: unknown[]) => ({ type: "mutate", mid, ops });

describe("notes", () => {
  it("a note one person writes reaches the other, once", async () => {
    const host = new MemoryRoomHost(notes, "r1", { hooks });
    const ada = await host.join("ada", { subject: "ada" });
    const bo = await host.join("bo", { subject: "bo" });

    await host.send(ada, mutate("m1", [{ op: "put", rec: note("n1", "ada") }]));
    await host.send(ada, mutate("m1", [{ op: "put", rec: note("n1", "ada") }])); // a retry after a lost ack
    host.flushTimers();

    expect(ada.of("ack").map((a) => a.mid)).toEqual(["m1", "m1"]);
    expect(bo.of("change").flatMap((c) => c.ops)).toEqual([{ op: "put", rec: note("n1", "ada") }]);
    expect((await host.room.snapshot()).records).toEqual([note("n1", "ada")]);
  });

  it("you write as yourself and delete only your own notes", async () => {
    const host = new MemoryRoomHost(notes, "r1", { hooks });
    const ada = await host.join("ada", { subject: "ada" });
    const bo = await host.join("bo", { subject: "bo" });
    await host.send(ada, mutate("m1", [{ op: "put", rec: note("n1", "ada") }]));

    await host.send(bo, mutate("m2", [{ op: "put", rec: note("n2", "ada", "not really Ada") }]));
    expect(bo.last("reject")).toMatchObject({ mid: "m2", code: "FORBIDDEN", message: "write notes as yourself" });
    await host.send(bo, mutate("m3", [{ op: "del", id: "n1" }]));
    expect(bo.last("reject")).toMatchObject({ mid: "m3", code: "FORBIDDEN", message: "only its author may change a note" });

    await host.send(ada, mutate("m4", [{ op: "del", id: "n1" }]));
    expect(ada.last("ack")?.mid).toBe("m4");
    expect((await host.room.snapshot()).records).toEqual([]);
  });

  it("the schema holds on the server: an empty note is refused", async () => {
    const host = new MemoryRoomHost(notes, "r1", { hooks });
    const ada = await host.join("ada", { subject: "ada" });
    await host.send(ada, mutate("m1", [{ op: "put", rec: note("n1", "ada", "") }]));
    expect(ada.last("reject")).toMatchObject({ mid: "m1", code: "INVALID_MUTATION" });
  });
});
