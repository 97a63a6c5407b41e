/**
 * Webhooks on the real host (workerd, SQLite, the Durable Object's own alarm),
 * with two endpoints configured the way a deployment does
 * (`WEBHOOK_ENDPOINTS`, vitest.config.ts project "workerd-webhooks"): each
 * gets the events it asked for, a receiver that never answers holds up no
 * other endpoint's delivery, and `GET …/webhooks` shows the outbox and the
 * delivery log. The receivers stand in for the network (no server can run
 * inside workerd); tests/e2e/webhooks.test.ts sends over real HTTP.
 */
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RoomEnv } from "../../party/engine/durable-object.ts";
import type { WebhookReport } from "../../party/engine/webhooks.ts";
import { WEBHOOK_DEBOUNCE_MS, WEBHOOK_RETRY_BASE_MS } from "../../party/shared/limits.ts";
import { withClockHeld } from "./held-clock.ts";
import cardsWorker from "./worker.ts";
import { card } from "./socket.ts";

const SECRET = "hooks-api-secret-0123456789abcdef";
const apiEnv = { ...env, API_SECRET: SECRET } as RoomEnv;
const call = (path: string, init: RequestInit = {}) =>
  cardsWorker.fetch!(new Request(`http://x/parties/cards/${path}`, { ...init, headers: { Authorization: `Bearer ${SECRET}` } }) as never, apiEnv, {} as ExecutionContext);
const stubFor = (room: string) => env.CARDS.get(env.CARDS.idFromName(room));
const report = async (room: string) => (await (await call(`${room}/webhooks`)).json()) as WebhookReport;

interface Delivery {
  url: string;
  type: string;
  body: string;
}

/** Until `check` holds (a positive barrier: it polls for what must arrive). */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never: ${what}`);
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("webhooks in workerd", () => {
  it("a receiver that never answers holds up no other endpoint; GET …/webhooks shows the outbox and the delivery log", async () => {
    const got: Delivery[] = [];
    let release: (r: Response) => void = () => {};
    const held = new Promise<Response>((resolve) => (release = resolve));
    vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
      const body = init.body as string;
      got.push({ url: String(url), type: (JSON.parse(body) as { type: string }).type, body });
      return String(url).includes("/silent") ? held : new Response(null, { status: 204 });
    });
    await withClockHeld(async (t0) => {
      const room = "hooks-hol";
      const put = (mid: string, id: string) => call(`${room}/mutate`, { method: "POST", body: JSON.stringify({ mid, ops: [{ op: "put", rec: card(id) }] }) });
      expect((await put("m1", "c1")).status).toBe(200);
      let r = await report(room);
      expect(r.endpoints.map((e) => e.name)).toEqual(["silent", "live"]);
      // silent gets every default event, live only room.changed.
      expect(r.pending.map((p) => [p.endpoint, p.type]).sort()).toEqual([["live", "room.changed"], ["silent", "room.changed"], ["silent", "room.created"]]);

      vi.setSystemTime(t0 + WEBHOOK_DEBOUNCE_MS);
      expect(await runDurableObjectAlarm(stubFor(room))).toBe(true);
      await until(() => got.some((d) => d.url.includes("/live")), "live's room.changed");
      // The silent endpoint has not answered; live's delivery is recorded all the same.
      await until(async () => (await report(room)).deliveries.some((d) => d.endpoint === "live" && d.ok), "live's log entry");
      r = await report(room);
      expect(r.pending.filter((p) => p.endpoint === "silent").every((p) => p.inFlight)).toBe(true);

      // A later change while silent still hangs: live gets it at its own time.
      expect((await put("m2", "c2")).status).toBe(200);
      vi.setSystemTime(t0 + 2 * WEBHOOK_DEBOUNCE_MS + 1);
      expect(await runDurableObjectAlarm(stubFor(room))).toBe(true);
      await until(() => got.filter((d) => d.url.includes("/live")).length === 2, "live's second room.changed");
      const live = got.filter((d) => d.url.includes("/live")).map((d) => JSON.parse(d.body) as { data: { fromSeq: number; toSeq: number } });
      expect(live.map((e) => [e.data.fromSeq, e.data.toSeq])).toEqual([[1, 1], [2, 2]]);

      // silent answers 500 at last: only its own rows wait for their retry.
      release(new Response(null, { status: 500 }));
      await until(async () => (await report(room)).deliveries.filter((d) => d.endpoint === "silent").length === 3, "silent's outcomes");
      r = await report(room);
      expect(r.pending.every((p) => p.endpoint === "silent" && p.attempts === 1 && !p.inFlight)).toBe(true);
      expect(r.deliveries.filter((d) => d.endpoint === "silent").every((d) => d.status === 500 && d.next !== null && d.next >= t0 + WEBHOOK_DEBOUNCE_MS + WEBHOOK_RETRY_BASE_MS)).toBe(true);
      expect(r.deliveries.filter((d) => d.endpoint === "live").map((d) => d.ok)).toEqual([true, true]);

      // DELETE: the room goes, its room.deleted waits for silent (live did not ask for it).
      expect((await call(room, { method: "DELETE" })).status).toBe(200);
      r = await report(room);
      expect(r.pending.map((p) => [p.endpoint, p.type])).toEqual([["silent", "room.deleted"]]);
    });
  });

  it("lets the read-only secret read GET …/webhooks, and answers another method 405", async () => {
    const res = await cardsWorker.fetch!(
      new Request("http://x/parties/cards/hooks-ro/webhooks", { headers: { Authorization: "Bearer ro-secret-0123456789" } }) as never,
      { ...env, API_READ_SECRET: "ro-secret-0123456789" } as RoomEnv,
      {} as ExecutionContext,
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as WebhookReport).deliveries).toEqual([]);
    const post = await call("hooks-ro/webhooks", { method: "POST" });
    expect(post.status).toBe(405);
  });
});
