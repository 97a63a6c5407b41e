/**
 * Sockets accepted that never say hello (issue 23 item 6): a client whose
 * upgrade was slow gives up on it after its connect timeout and tries again,
 * while the room keeps the socket it accepted. 250 clients left a room with
 * 1,745 sockets that way on a loaded `wrangler dev`, and one run at 500 ran
 * workerd out of file descriptors. The room closes such a socket
 * HELLO_TIMEOUT_MS after it accepted it — at the next socket it accepts
 * (a storm keeps it busy accepting) or at an alarm set for that deadline —
 * and holds at most MAX_HELLOLESS_PER_IDENTITY of one identity's.
 * docs/SECURITY.md §3.9 "One person or machine opens many sockets…".
 * The rooms' clock is held (held-clock.ts): the deadline passes when the test
 * says so, not with the machine's load.
 */
import { env, exports } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { AUDIENCE_DIRECT_MAX, HELLO_TIMEOUT_MS, MAX_HELLOLESS_PER_IDENTITY } from "../../party/shared/limits.ts";
import { PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import { withClockHeld } from "./held-clock.ts";
import { openSocket, type TestClient } from "./socket.ts";

const stubFor = (room: string) => env.CARDS.get(env.CARDS.idFromName(room));
const alarmOf = (room: string) => runInDurableObject(stubFor(room), (_: unknown, state: DurableObjectState) => state.storage.getAlarm());
const stats = async (room: string) => (await (await exports.default.fetch(`http://x/parties/cards/${room}/stats`)).json()) as Record<string, number | string | null>;
const hello = (c: TestClient, name: string) => c.send({ type: "hello", v: PROTOCOL_VERSION, clientId: `c-${name}`, epoch: null, lastSeq: 0, name, color: "#224466" });

/** Waits (by real turns: the held Date does not move) until `c` is closed; throws past ~3 s. */
async function closedSoon(c: TestClient): Promise<{ code: number; reason: string }> {
  for (let i = 0; i < 600 && !c.closed; i++) await new Promise((r) => setTimeout(r, 5));
  if (!c.closed) throw new Error("the socket is still open");
  return c.closed;
}

describe("sockets that never say hello", () => {
  it("are closed by the next socket the room accepts once HELLO_TIMEOUT_MS has passed, without waiting for a sweep", async () => {
    await withClockHeld(async (t0) => {
      const room = "hello-deadline-accept";
      const silent = await openSocket(`/parties/cards/${room}`);
      const member = await openSocket(`/parties/cards/${room}`);
      hello(member, "ada");
      await member.next("sync");
      vi.setSystemTime(t0 + HELLO_TIMEOUT_MS);
      const early = await openSocket(`/parties/cards/${room}`);
      hello(early, "bo");
      await early.next("sync");
      expect(silent.closed).toBeNull(); // not before its deadline
      vi.setSystemTime(t0 + HELLO_TIMEOUT_MS + 1);
      const next = await openSocket(`/parties/cards/${room}`);
      expect(await closedSoon(silent)).toEqual({ code: 1001, reason: "no hello" });
      // Nobody else is touched: the members and the newcomer carry on.
      hello(next, "cy");
      await next.next("sync");
      expect([member.closed, early.closed, next.closed]).toEqual([null, null, null]);
    });
  });

  it("are closed by an alarm set for their deadline, and the next sweep comes at the next deadline", async () => {
    await withClockHeld(async (t0) => {
      const room = "hello-deadline-alarm";
      const first = await openSocket(`/parties/cards/${room}`);
      const member = await openSocket(`/parties/cards/${room}`);
      hello(member, "ada");
      await member.next("sync");
      // The alarm fires by the first socket's deadline (the sweep's interval is longer).
      expect(await alarmOf(room)).toBeLessThanOrEqual(t0 + HELLO_TIMEOUT_MS + 1);
      vi.setSystemTime(t0 + 4_000);
      const second = await openSocket(`/parties/cards/${room}`);
      vi.setSystemTime(t0 + HELLO_TIMEOUT_MS + 1);
      expect(await runDurableObjectAlarm(stubFor(room))).toBe(true);
      expect(await closedSoon(first)).toEqual({ code: 1001, reason: "no hello" });
      expect(second.closed).toBeNull();
      expect(member.closed).toBeNull();
      // Re-armed for the second socket's deadline, not a whole sweep interval later.
      expect(await alarmOf(room)).toBe(t0 + 4_000 + HELLO_TIMEOUT_MS + 1);
      vi.setSystemTime(t0 + 4_000 + HELLO_TIMEOUT_MS + 1);
      expect(await runDurableObjectAlarm(stubFor(room))).toBe(true);
      expect(await closedSoon(second)).toEqual({ code: 1001, reason: "no hello" });
      expect(member.closed).toBeNull();
    });
  });

  it(`hold at most ${MAX_HELLOLESS_PER_IDENTITY} per identity: the next one closes that identity's oldest`, async () => {
    await withClockHeld(async (t0) => {
      const room = "hello-deadline-identity";
      const ip = { "CF-Connecting-IP": "203.0.113.9" };
      const mine: TestClient[] = [];
      for (let i = 0; i < MAX_HELLOLESS_PER_IDENTITY; i++) {
        vi.setSystemTime(t0 + i);
        mine.push(await openSocket(`/parties/cards/${room}`, ip));
      }
      const someoneElse = await openSocket(`/parties/cards/${room}`, { "CF-Connecting-IP": "198.51.100.4" });
      vi.setSystemTime(t0 + 100);
      const newest = await openSocket(`/parties/cards/${room}`, ip);
      expect(await closedSoon(mine[0]!)).toEqual({ code: 1001, reason: "no hello" });
      // The rest of the identity's, its newest and the other identity's still get in.
      for (const [i, c] of [...mine.slice(1), newest, someoneElse].entries()) {
        hello(c, `p${i}`);
        await c.next("sync");
      }
      expect([...mine.slice(1), newest, someoneElse].map((c) => c.closed)).toEqual(Array(MAX_HELLOLESS_PER_IDENTITY + 1).fill(null));
    });
  });

  it("cannot keep a room's own slots: abandoned upgrades hold them for HELLO_TIMEOUT_MS at most", { timeout: 60_000 }, async () => {
    await withClockHeld(async (t0) => {
      const room = "hello-deadline-full";
      // As many as the room object holds itself; past them it hands sockets to relays.
      const abandoned: TestClient[] = [];
      for (let i = 0; i < AUDIENCE_DIRECT_MAX; i++) abandoned.push(await openSocket(`/parties/cards/${room}`, {}, { light: true }));
      vi.setSystemTime(t0 + HELLO_TIMEOUT_MS + 1);
      const member = await openSocket(`/parties/cards/${room}`);
      hello(member, "ada");
      await member.next("sync");
      for (const c of abandoned) expect(await closedSoon(c)).toEqual({ code: 1001, reason: "no hello" });
      // The member is the room's own, not handed to a relay woken for it.
      expect(await stats(room)).toMatchObject({ connections: 1, relays: 0, relayed: 0 });
    });
  });
});
