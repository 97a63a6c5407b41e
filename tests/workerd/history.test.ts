/**
 * Retained history on the real host (workerd, SQLite): checkpoints and the
 * retention bound, by count and by bytes, asserted on the tables themselves;
 * and over real sockets through the Worker, a preview that touches nobody
 * else and a restore that is one exactly-once mutation another socket
 * receives. docs/PROTOCOL.md §15 documents what is asserted here.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Room, type RoomOptions } from "../../party/engine/room.ts";
import { SqlRoomStorage } from "../../party/engine/sql-storage.ts";
import { MAX_RECORD_BYTES } from "../../party/shared/limits.ts";
import { type Card, cards } from "../support/cards.ts";
import { card, joinRoom } from "./socket.ts";

let n = 0;
const freshStub = () => env.CARDS.get(env.CARDS.idFromName(`history-${++n}`));

/** A room core over this object's SQLite storage, driven through the HTTP
 * API's entry points (no rate limits), with a clock the test moves. */
function sqlRoom(state: DurableObjectState, options: RoomOptions<Card>) {
  const clock = { now: 1_700_000_000_000 };
  const room = new Room<Card>(
    "history-room",
    {
      storage: new SqlRoomStorage<Card>(state.storage),
      sockets: () => [],
      now: () => clock.now,
      setTimeout: () => {},
      getAlarm: async () => null,
      setAlarm: async () => {},
      lastPing: () => null,
      log: () => {},
    },
    cards,
    options,
  );
  const sql = state.storage.sql;
  const count = (q: string) => sql.exec<{ n: number }>(q).one().n;
  return { room, clock, sql, count };
}

describe("history on SQLite", () => {
  it("checkpoints every K changes and keeps at most the retained count, with the changes they need", async () => {
    const out = await runInDurableObject(freshStub(), async (_: unknown, state: DurableObjectState) => {
      const { room, count, sql } = sqlRoom(state, { historyPolicy: { checkpoint: { changes: 10 }, retention: { maxCheckpoints: 4 } } });
      for (let i = 1; i <= 95; i++) await room.apiMutate(`m${i}`, [{ op: "put", rec: card(`s${i % 5}`, i) }]);
      const seqs = sql.exec<{ seq: number }>(`SELECT seq FROM checkpoints ORDER BY seq`).toArray().map((r) => r.seq);
      const firstLog = count(`SELECT min(seq) AS n FROM op_log`);
      const page = await room.apiHistory(undefined, 200);
      const old = await room.apiBoard({ seq: 3 });
      const kept = await room.apiBoard({ seq: 65 });
      return { seqs, parts: count(`SELECT count(DISTINCT seq) AS n FROM checkpoint_parts`), firstLog, page, old, kept };
    });
    expect(out.seqs).toEqual([60, 70, 80, 90]);
    expect(out.parts).toBe(4);
    expect(out.page.floor).toBe(60);
    expect(out.page.changes.at(-1)!.seq).toBe(60);
    expect(out.old).toMatchObject({ code: "HISTORY_UNAVAILABLE" });
    expect("records" in out.kept && out.kept.records.find((r) => r.id === "s0")!.x).toBe(65);
  });

  it("keeps history under its byte cap however large the board, always keeping the newest checkpoint", async () => {
    const cap = 600 * 1024;
    const out = await runInDurableObject(freshStub(), async (_: unknown, state: DurableObjectState) => {
      const { room, count } = sqlRoom(state, { historyPolicy: { checkpoint: { changes: 3 }, retention: { maxBytes: cap } } });
      // Big text records: each checkpoint of this board is ~200 KB.
      const big = (id: string, i: number): Card => ({ ...card(id, i), text: `${i}`.padEnd(9_000, "w") });
      const sizes: number[] = [];
      for (let i = 1; i <= 40; i++) {
        const ops = [0, 1, 2, 3].map((k) => ({ op: "put" as const, rec: big(`t${(i + k) % 20}`, i) }));
        const res = await room.apiMutate(`b${i}`, ops);
        if (res.type !== "ack") throw new Error(JSON.stringify(res));
        const held = count(`SELECT coalesce(sum(length(data)), 0) AS n FROM checkpoint_parts`) + count(`SELECT coalesce(sum(bytes), 0) AS n FROM op_log WHERE seq > (SELECT min(seq) FROM checkpoints)`);
        sizes.push(held);
      }
      return { sizes, checkpoints: count(`SELECT count(*) AS n FROM checkpoints`), board: count(`SELECT coalesce(sum(length(data)), 0) AS n FROM records`) };
    });
    // Bound: the cap, or one board plus one checkpoint interval of changes beyond it.
    const bound = Math.max(cap, out.board + 4 * 4 * MAX_RECORD_BYTES);
    expect(Math.max(...out.sizes)).toBeLessThanOrEqual(bound);
    // Without the cap there would be 13 checkpoints (~2.3 MB): retention dropped most.
    expect(out.checkpoints).toBeGreaterThanOrEqual(1);
    expect(out.checkpoints).toBeLessThan(5);
    expect(out.sizes.at(-1)!).toBeGreaterThan(0);
  });
});

describe("history over real sockets", () => {
  it("a preview answers only the asker; a restore is one exactly-once mutation the others receive", async () => {
    const room = "history-sockets";
    const ada = await joinRoom(room, "ada");
    const bob = await joinRoom(room, "bob");
    ada.send({ type: "mutate", mid: "a1", ops: [{ op: "put", rec: card("s1", 1) }] });
    await ada.next("ack");
    ada.send({ type: "mutate", mid: "a2", ops: [{ op: "put", rec: card("s2", 2) }] });
    await ada.next("ack", ada.inbox.length - 1);
    bob.send({ type: "mutate", mid: "b1", ops: [{ op: "del", id: "s1" }] });
    await bob.next("ack");
    await ada.next("change", 0);
    const bobSeen = bob.inbox.length;

    ada.send({ type: "preview", rid: "p1", seq: 2 });
    const preview = await ada.next("preview");
    expect(preview.records.map((r) => r.id).sort()).toEqual(["s1", "s2"]);
    ada.send({ type: "history", rid: "h1" });
    expect((await ada.next("history")).changes.map((c) => c.name)).toEqual(["bob", "ada", "ada"]);
    expect(bob.inbox.length).toBe(bobSeen);

    const from = ada.inbox.length;
    ada.send({ type: "restore", mid: "r1", seq: 2 });
    expect(await ada.next("ack", from)).toEqual({ type: "ack", mid: "r1", seq: 4 });
    expect(await bob.next("change", bobSeen)).toMatchObject({ seq: 4, mid: "r1", restored: 2, ops: [{ op: "put", rec: { id: "s1" } }] });
    // The author gets the change too (it has no ops of its own to apply), just before its ack.
    expect(ada.inbox.slice(from).map((m) => m.type)).toEqual(["change", "ack"]);
    const afterAck = ada.inbox.length;
    ada.send({ type: "restore", mid: "r1", seq: 0 });
    expect(await ada.next("ack", afterAck)).toEqual({ type: "ack", mid: "r1", seq: 4, dup: true });
    // A mutation after it gets seq 5: the duplicate consumed nothing.
    bob.send({ type: "mutate", mid: "b2", ops: [{ op: "patch", id: "s1", set: { x: 9 } }] });
    expect(await bob.next("ack", bobSeen)).toMatchObject({ mid: "b2", seq: 5 });
    expect(bob.of("change").filter((c) => c.mid === "r1")).toHaveLength(1);
  });
});
