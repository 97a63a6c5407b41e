/**
 * PendingEdits, the one owner of pending edits: memory is the truth, every
 * change is written through to the durable backend in order, the backend is
 * read once (a reload), and the count a person sees is of their edits.
 */
import { describe, expect, it } from "vitest";
import { PendingEdits, type PendingMutation } from "../../client/engine/pending-edits.ts";
import { MemoryPendingStore, type PendingStore } from "../../client/engine/pending-store.ts";

const m = (mid: string, createdAt = 1_000, edit?: string): PendingMutation => ({ mid, createdAt, ops: [{ op: "del", id: `r-${mid}` }], ...(edit ? { edit } : {}) });

/** A backend that records every call it gets. */
class RecordingStore implements PendingStore {
  readonly inner = new MemoryPendingStore();
  readonly calls: string[] = [];
  load() {
    this.calls.push("load");
    return this.inner.load();
  }
  add(x: PendingMutation) {
    this.calls.push(`add ${x.mid}`);
    return this.inner.add(x);
  }
  remove(mid: string) {
    this.calls.push(`remove ${mid}`);
    return this.inner.remove(mid);
  }
}

describe("PendingEdits", () => {
  it("writes every addition and removal through to the backend, in order, and never reads it again", async () => {
    const backend = new RecordingStore();
    const p = new PendingEdits(backend);
    await p.load(2_000, 10_000);
    p.add(m("a"));
    p.add(m("b"));
    expect(p.remove("a")?.mid).toBe("a");
    expect(p.remove("a")).toBeUndefined(); // settled twice (ack, then its change): one removal
    await p.flushed();
    expect(backend.calls).toEqual(["load", "add a", "add b", "remove a"]);
    expect((await backend.inner.load()).map((x) => x.mid)).toEqual(["b"]);
    expect(p.list.map((x) => x.mid)).toEqual(["b"]);
  });

  it("takes what a reload left, oldest first, and drops what the room may have forgotten", async () => {
    const backend = new RecordingStore();
    await backend.inner.add(m("old", 100));
    await backend.inner.add(m("x", 5_000));
    await backend.inner.add(m("y", 6_000));
    const p = new PendingEdits(backend);
    expect(await p.load(10_000, 8_000)).toBe(2);
    await p.flushed();
    expect(p.list.map((x) => x.mid)).toEqual(["x", "y"]);
    expect(backend.calls).toEqual(["load", "remove old"]); // taking them writes nothing back
    expect((await backend.inner.load()).map((x) => x.mid)).toEqual(["x", "y"]);
  });

  it("a failed write keeps the edit in memory (it is still sent)", async () => {
    const failing: PendingStore = { load: async () => [], add: () => Promise.reject(new Error("quota")), remove: async () => {} };
    const p = new PendingEdits(failing);
    p.add(m("a"));
    await p.flushed();
    expect(p.list.map((x) => x.mid)).toEqual(["a"]);
  });

  it("counts edits, not mutations: the mutations of one edit count once", () => {
    const p = new PendingEdits();
    // A drag committed three times, a paste split in two, and a lone edit.
    for (const mid of ["d1", "d2", "d3"]) p.add(m(mid, 1, "drag"));
    for (const mid of ["p1", "p2"]) p.add(m(mid, 2, "paste"));
    p.add(m("lone", 3));
    expect(p.size).toBe(6);
    expect(p.editCount()).toBe(3);
    p.remove("d1");
    p.remove("d2");
    expect(p.editCount()).toBe(3); // the drag is still not all acknowledged
    p.remove("d3");
    expect(p.editCount()).toBe(2);
    expect(p.ids()).toEqual(new Set(["r-p1", "r-p2", "r-lone"]));
  });
});
