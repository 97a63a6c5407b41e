/**
 * Live state: ephemeral per-connection values under the app's keys (a stroke
 * being drawn, a viewport to follow), sent with the cursor frames, checked
 * against the app's schema, bounded, never stored.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MemoryRoomHost } from "../../party/engine/testing/memory-host.ts";
import { MAX_LIVE_BYTES, MAX_LIVE_KEYS } from "../../party/shared/limits.ts";
import { ErrorCode } from "../../party/shared/protocol.ts";
import { defineRoom } from "../../party/shared/schema.ts";

const notes = defineRoom({
  party: "notes",
  records: z.object({ id: z.string(), text: z.string() }),
  live: {
    draft: z.object({ text: z.string().max(MAX_LIVE_BYTES) }),
    view: z.object({ x: z.number(), y: z.number(), zoom: z.number().positive() }),
    a: z.number(),
    b: z.number(),
    c: z.number(),
  },
});

const lastLive = (s: { of(t: "cursors"): { l?: [string, string, unknown][] }[] }) => s.of("cursors").flatMap((f) => f.l ?? []);

describe("live state", () => {
  it("reaches the others with a cursor frame, in order, never the sender, and clears with null", async () => {
    const h = new MemoryRoomHost(notes);
    const a = await h.join("ada");
    const b = await h.join("bob");
    const aConn = a.last("welcome")!.self.conn;
    await h.send(a, { type: "live", key: "draft", data: { text: "hel" } });
    await h.send(a, { type: "live", key: "draft", data: { text: "hello" } });
    h.flushTimers();
    // A quiet room sends each at once (a busy one coalesces: latest wins).
    expect(lastLive(b)).toEqual([[aConn, "draft", { text: "hel" }], [aConn, "draft", { text: "hello" }]]);
    expect(lastLive(a)).toEqual([]);
    await h.send(a, { type: "live", key: "draft", data: null });
    h.flushTimers();
    expect(lastLive(b).at(-1)).toEqual([aConn, "draft", null]);
  });

  it("is shown to a newcomer, forgotten when its connection leaves, and never stored", async () => {
    const h = new MemoryRoomHost(notes);
    const a = await h.join("ada");
    const aConn = a.last("welcome")!.self.conn;
    await h.send(a, { type: "live", key: "view", data: { x: 1, y: 2, zoom: 1.5 } });
    h.flushTimers();
    const c = await h.join("cyd");
    expect(lastLive(c)).toEqual([[aConn, "view", { x: 1, y: 2, zoom: 1.5 }]]);
    await h.disconnect(a);
    const d = await h.join("dan");
    expect(lastLive(d)).toEqual([]);
    expect(h.kv.data.size).toBe(0); // nothing of it reached storage
  });

  it("refuses keys the app did not define and values its schema refuses, as bad frames", async () => {
    const h = new MemoryRoomHost(notes);
    const a = await h.join("ada");
    const b = await h.join("bob");
    await h.send(a, { type: "live", key: "secret", data: { text: "x" } });
    expect(a.last("error")).toMatchObject({ code: ErrorCode.BAD_MESSAGE, ref: "live" });
    await h.send(a, { type: "live", key: "view", data: { x: 1, y: 2, zoom: -1 } });
    expect(a.last("error")).toMatchObject({ code: ErrorCode.BAD_MESSAGE, ref: "live" });
    await h.send(a, { type: "live", key: "Bad Key", data: 1 });
    expect(a.last("error")).toMatchObject({ code: ErrorCode.BAD_MESSAGE });
    h.flushTimers();
    expect(lastLive(b)).toEqual([]);
    expect((await h.room.stats()).badFrames).toBe(3);
  });

  it("bounds a value's size and a connection's keys", async () => {
    const h = new MemoryRoomHost(notes);
    const a = await h.join("ada");
    await h.send(a, { type: "live", key: "draft", data: { text: "x".repeat(MAX_LIVE_BYTES) } });
    expect(a.last("error")).toMatchObject({ code: ErrorCode.TOO_LARGE, ref: "live" });
    for (const [i, key] of ["a", "b", "c", "view"].entries()) await h.send(a, { type: "live", key, data: key === "view" ? { x: 0, y: 0, zoom: 1 } : i });
    expect(MAX_LIVE_KEYS).toBe(4);
    await h.send(a, { type: "live", key: "draft", data: { text: "one too many" } });
    expect(a.last("error")).toMatchObject({ code: ErrorCode.TOO_LARGE, ref: "live" });
  });
});
