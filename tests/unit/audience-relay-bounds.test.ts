/**
 * A relay holds its own members to the bounds a direct member meets in the
 * room (issue 18; docs/SECURITY.md §3.9, party/engine/relay-guard.ts): the
 * frames it answers itself (hello, resync, ping, read, garbage) are budgeted
 * and counted, silent sockets are swept, expired tokens close — watchers
 * included, whose frames never reach the room. In memory, real relays
 * (tests/support/audience-room.ts).
 */
import { describe, expect, it } from "vitest";
import { HELLO_TIMEOUT_MS, MAX_BAD_FRAMES, MAX_HELLO_BYTES, RESYNC_BURST, STALE_AFTER_MS, SWEEP_INTERVAL_MS } from "../../party/shared/limits.ts";
import { CloseCode, ErrorCode, PING_FRAME, PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import { AudienceRoom } from "../support/audience-room.ts";

async function audience(): Promise<AudienceRoom> {
  const a = new AudienceRoom({ directMax: 1, relayMax: 10, relaysMax: 2 });
  a.join("writer", "editor");
  await a.settle();
  return a;
}

describe("a relay's bounds on its members", () => {
  it("kicks a watcher past MAX_BAD_FRAMES garbage frames, each answered", async () => {
    const a = await audience();
    const bystander = a.join("bystander");
    const junk = a.join("junk");
    await a.settle();
    expect(a.where.get(junk)).toBe(0);
    for (let i = 0; i <= MAX_BAD_FRAMES; i++) a.send(junk, "{not json");
    await a.settle();
    expect(junk.closed?.code).toBe(CloseCode.POLICY_VIOLATION);
    expect(junk.of("error").filter((e) => e.code === ErrorCode.BAD_MESSAGE)).toHaveLength(MAX_BAD_FRAMES + 1);
    expect(junk.last("error")).toMatchObject({ code: ErrorCode.POLICY_VIOLATION });
    expect(bystander.closed).toBeNull();
  });

  it("counts padded pings, padded hellos and repeated hellos as bad frames", async () => {
    const a = await audience();
    const s = a.join("s");
    await a.settle();
    a.send(s, `${PING_FRAME} `);
    a.send(s, { type: "hello", v: PROTOCOL_VERSION, clientId: "c-s", epoch: null, lastSeq: 0, name: "s".repeat(10), color: "#224466", pad: "x".repeat(MAX_HELLO_BYTES) });
    await a.settle();
    expect(s.of("error").map((e) => e.code)).toEqual([ErrorCode.BAD_MESSAGE, ErrorCode.TOO_LARGE]);
    for (let i = 0; i < MAX_BAD_FRAMES; i++) a.send(s, { type: "hello", v: PROTOCOL_VERSION, clientId: "c-s", epoch: null, lastSeq: 0, name: "s", color: "#224466" });
    await a.settle();
    expect(s.closed?.code).toBe(CloseCode.POLICY_VIOLATION);
    expect(s.of("welcome")).toHaveLength(1);
  });

  it("limits resyncs per member as the room does", async () => {
    const a = await audience();
    const s = a.join("s");
    await a.settle();
    const sync = s.last("sync")!;
    for (let i = 0; i < RESYNC_BURST + 3; i++) a.send(s, { type: "resync", epoch: sync.epoch, lastSeq: sync.seq });
    await a.settle();
    expect(s.of("sync")).toHaveLength(1 + RESYNC_BURST);
    expect(s.of("error").filter((e) => e.code === ErrorCode.RATE_LIMITED && e.ref === "resync")).toHaveLength(3);
    // The bucket refills.
    await a.advance(1_100, 100);
    a.send(s, { type: "resync", epoch: sync.epoch, lastSeq: sync.seq });
    await a.settle();
    expect(s.of("sync")).toHaveLength(2 + RESYNC_BURST);
  });

  it("sweeps a silent member and a socket that never said hello; a member that pings stays", async () => {
    const a = await audience();
    const silent = a.join("silent");
    const pinging = a.join("pinging");
    const mute = a.open();
    await a.settle();
    expect([a.where.get(silent), a.where.get(mute)]).toEqual([0, 0]);
    await a.advance(HELLO_TIMEOUT_MS + SWEEP_INTERVAL_MS, 1_000);
    expect(mute.closed).toMatchObject({ code: 1001, reason: "no hello" });
    expect(silent.closed).toBeNull();
    for (let t = 0; t < STALE_AFTER_MS + SWEEP_INTERVAL_MS; t += 5_000) {
      a.send(pinging, PING_FRAME);
      await a.advance(5_000, 1_000);
    }
    expect(silent.closed).toMatchObject({ code: 1001, reason: "no ping" });
    expect(pinging.closed).toBeNull();
  });

  it("closes sockets past their hello deadline at the next socket it accepts, before its sweep", async () => {
    const a = await audience();
    const mute = [a.open(), a.open()];
    await a.settle();
    expect(mute.map((s) => a.where.get(s))).toEqual([0, 0]);
    await a.advance(HELLO_TIMEOUT_MS + 1, 1_000); // the relay's sweep is SWEEP_INTERVAL_MS away
    expect(mute.map((s) => s.closed)).toEqual([null, null]);
    const next = a.join("next");
    await a.settle();
    expect(a.where.get(next)).toBe(0);
    for (const s of mute) expect(s.closed).toMatchObject({ code: 1001, reason: "no hello" });
    expect(next.closed).toBeNull();
    expect(next.last("sync")).toBeDefined();
  });

  it("closes a watcher whose token expired, at the sweep and at its next frame", async () => {
    const a = await audience();
    const at = a.clock + 20_000;
    const quiet = a.join("quiet", "viewer", { expiresAt: at });
    const talker = a.join("talker", "viewer", { expiresAt: at });
    const fresh = a.join("fresh");
    await a.advance(20_000, 1_000);
    a.send(talker, { type: "presence", status: "away" });
    await a.settle();
    expect(talker.closed?.code).toBe(CloseCode.TOKEN_EXPIRED);
    expect(talker.last("error")).toMatchObject({ code: ErrorCode.TOKEN_EXPIRED });
    expect(quiet.closed).toBeNull();
    await a.advance(SWEEP_INTERVAL_MS, 1_000);
    expect(quiet.closed?.code).toBe(CloseCode.TOKEN_EXPIRED);
    expect(fresh.closed).toBeNull();
  });
});
