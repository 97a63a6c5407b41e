/**
 * History floods do not stall the room (issue 23, SECURITY.md §3.9): on the
 * real host (workerd, SQLite, the Worker's routing), twelve sockets ask many
 * previews of past points of a ~3.5 MB board and an editor floods restores,
 * while a bystander keeps editing. Every request is answered (a board or
 * RATE_LIMITED) and the bystander's edits never stall behind history work:
 * none waits 5 s for its ack (before the work was bounded, 27–70 s). The
 * p50/p99 are printed — issue 23's target is p99 ≤ 500 ms, SECURITY.md §3.9
 * quotes the runs — but speed is a benchmark's to assert, not a test's (on a
 * machine loaded by other test files the same room measured 1.4 s).
 * Unit tests of the same bounds: tests/unit/history-work.test.ts.
 */
import { describe, expect, it } from "vitest";
import { card, joinRoom, type TestClient } from "./socket.ts";

const BIG_MUTATIONS = 14;
const text = (id: string, i: number) => ({ ...card(id, i), text: `${i}`.padEnd(2_400, "w") });

async function until(check: () => boolean, what: string, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.99) - 1]!;

describe("history floods", () => {
  it("twelve sockets previewing a multi-MB board and a restore flood never stall a bystander's edits (no ack waits 5 s)", { timeout: 180_000 }, async () => {
    const room = "history-flood";
    const ada = await joinRoom(room, "ada", { light: true });
    // ~3.5 MB of text records in 14 commits (each under the frame limit), then 30 small edits: 44 points to preview.
    for (let m = 0; m < BIG_MUTATIONS; m++) {
      ada.send({ type: "mutate", mid: `big${m}`, ops: Array.from({ length: 100 }, (_, k) => ({ op: "put", rec: text(`t${m * 100 + k}`, m) })) });
      await until(() => ada.of("ack").some((a) => a.mid === `big${m}`), `big${m}`);
    }
    for (let e = 0; e < 30; e++) ada.send({ type: "mutate", mid: `e${e}`, ops: [{ op: "patch", id: `t${e}`, set: { x: 1_000 + e } }] });
    await until(() => ada.of("ack").length === BIG_MUTATIONS + 30, "the small edits");
    const head = BIG_MUTATIONS + 30;

    const askers: TestClient[] = [];
    for (let i = 0; i < 12; i++) askers.push(await joinRoom(room, `asker${i}`, { light: true }));
    const restorer = await joinRoom(room, "rita", { light: true });
    const bystander = await joinRoom(room, "bea", { light: true });

    // The floods, for as long as the bystander edits: each asker sends a
    // preview every 60 ms (four times its history rate) of points spread over
    // the last 30 seqs, the restorer a restore every 60 ms. (Sent paced, not
    // in one burst: a burst of ~800 frames is ~0.7 s of the runtime's own
    // delivery work here whatever the frames are — not history work.)
    let flooding = true;
    const sent = { previews: 0, restores: 0 };
    const flood = (async () => {
      for (let k = 0; flooding; k++) {
        for (const [i, c] of askers.entries()) c.send({ type: "preview", rid: `p${i}-${k}`, seq: BIG_MUTATIONS + ((i * 7 + k) % 30) });
        restorer.send({ type: "restore", mid: `r${k}`, seq: BIG_MUTATIONS + ((k * 11) % 30) });
        sent.previews += askers.length;
        sent.restores++;
        await new Promise((r) => setTimeout(r, 60));
      }
    })();
    await until(() => askers.some((c) => c.of("preview").length > 0), "the first preview");

    // The bystander edits every 100 ms meanwhile, one edit in flight at a time.
    const latencies: number[] = [];
    for (let e = 0; e < 60; e++) {
      const at = Date.now();
      const from = bystander.inbox.length;
      bystander.send({ type: "mutate", mid: `b${e}`, ops: [{ op: "put", rec: card(`bea${e}`, e) }] });
      await bystander.next("ack", from, 120_000);
      latencies.push(Date.now() - at);
      await new Promise((r) => setTimeout(r, 100));
    }
    flooding = false;
    await flood;

    // Every request was answered: a board, or RATE_LIMITED (never silence).
    const answered = (c: TestClient) => c.of("preview").length + c.of("error").filter((e) => e.ref === "preview").length;
    await until(() => askers.reduce((n, c) => n + answered(c), 0) === sent.previews, "every preview answered", 120_000);
    await until(() => restorer.of("ack").length + restorer.of("reject").length === sent.restores, "every restore answered", 120_000);
    const previews = askers.flatMap((c) => c.of("preview"));
    expect(previews.length).toBeGreaterThan(0);
    expect(previews.length).toBeLessThan(sent.previews / 2);
    // Whole boards (a light client keeps a big frame's size, not its records).
    for (const p of previews) expect((p as unknown as { bytes: number }).bytes).toBeGreaterThan(BIG_MUTATIONS * 100 * 2_400);
    expect(askers.flatMap((c) => c.of("error")).every((e) => e.code === "RATE_LIMITED")).toBe(true);
    expect(restorer.of("reject").every((r) => r.code === "RATE_LIMITED")).toBe(true);
    expect(restorer.of("ack").length).toBeGreaterThan(0);
    expect(bystander.of("ack").map((a) => a.seq)).toEqual([...new Set(bystander.of("ack").map((a) => a.seq))]);
    expect(head).toBeLessThan(bystander.of("ack")[0]!.seq);

    const worst = Math.max(...latencies);
    console.log(`bystander ack latency under history floods (${sent.previews} previews, ${sent.restores} restores): ${latencies.join(",")} ms; p50 ${[...latencies].sort((a, b) => a - b)[30]} ms, p99 ${p99(latencies)} ms, max ${worst} ms`);
    expect(worst).toBeLessThan(5_000);
  });
});
