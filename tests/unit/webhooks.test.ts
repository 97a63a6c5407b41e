/**
 * Webhooks through the room core (in memory, on an injected clock and fetch):
 * debounced `room.changed` with its seq range, `room.restored`,
 * `room.emptied`, `room.created`, `room.deleted`, opt-in member events, each
 * endpoint with its own filter, signatures during a secret rotation, retries
 * with capped backoff for WEBHOOK_RETRY_FOR_MS, no head-of-line blocking
 * between endpoints, the bounded outbox and delivery log, and events
 * surviving an eviction. The real thing over HTTP: tests/e2e/webhooks.test.ts;
 * in workerd: tests/workerd/webhooks.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { WebhookEndpoint, WebhookEventType } from "../../party/engine/webhook-config.ts";
import { sign, type WebhookEvent } from "../../party/engine/webhooks.ts";
import {
  WEBHOOK_DEBOUNCE_MS,
  WEBHOOK_LOG_MAX,
  WEBHOOK_OUTBOX_MAX,
  WEBHOOK_RETRY_BASE_MS,
  WEBHOOK_RETRY_FOR_MS,
  WEBHOOK_RETRY_MAX_MS,
} from "../../party/shared/limits.ts";
import { CardsRoomHost, card } from "../support/cards-room.ts";

const put = (mid: string, id: string) => ({ type: "mutate", mid, ops: [{ op: "put", rec: card(id) }] });
/** The three events these tests were first written for. */
const CLASSIC: WebhookEventType[] = ["room.changed", "room.restored", "room.emptied"];

interface Got {
  endpoint: string;
  event: WebhookEvent;
  headers: Record<string, string>;
  body: string;
}

function withReceiver(status: () => number = () => 200, events: WebhookEventType[] = CLASSIC) {
  const h = new CardsRoomHost("hooked");
  const got: Got[] = [];
  h.webhook = { url: "http://127.0.0.1:9/hook", secret: "whsec", events };
  h.fetch = (async (_url: string, init: RequestInit) => {
    const body = init.body as string;
    const headers = init.headers as Record<string, string>;
    got.push({ endpoint: headers["Edgeroom-Endpoint"]!, event: JSON.parse(body) as WebhookEvent, headers, body });
    return new Response(null, { status: status() });
  }) as typeof fetch;
  h.evict();
  return { h, got };
}

/** Several endpoints; `answer(endpoint)` is each delivery's response (a
 * promise that may never settle: a receiver that never answers). */
function withEndpoints(endpoints: WebhookEndpoint[], answer: (endpoint: string, init: RequestInit) => Promise<Response> | Response = () => new Response(null)) {
  const h = new CardsRoomHost("hooked");
  const got: Got[] = [];
  h.webhook = endpoints;
  h.fetch = (async (_url: string, init: RequestInit) => {
    const body = init.body as string;
    const headers = init.headers as Record<string, string>;
    const endpoint = headers["Edgeroom-Endpoint"]!;
    got.push({ endpoint, event: JSON.parse(body) as WebhookEvent, headers, body });
    return answer(endpoint, init);
  }) as typeof fetch;
  h.evict();
  return { h, got };
}

describe("webhooks through the room", () => {
  it("sends one debounced room.changed per window with its seq range, signed", async () => {
    const { h, got } = withReceiver();
    const ada = await h.join("ada");
    await h.send(ada, put("m1", "s1"));
    await h.send(ada, put("m2", "s2"));
    expect(h.alarmAt).toBe(h.clock + WEBHOOK_DEBOUNCE_MS);
    await h.send(ada, put("m3", "s3"));
    h.clock += WEBHOOK_DEBOUNCE_MS;
    h.pings.set(ada, h.clock);
    await h.fireAlarm();
    expect(got.map((g) => [g.event.type, g.event.data.fromSeq, g.event.data.toSeq])).toEqual([["room.changed", 1, 3]]);
    const { headers, body, event } = got[0]!;
    expect(headers["Edgeroom-Event-Id"]).toBe(event.id);
    expect(headers["Edgeroom-Signature"]).toBe(await sign("whsec", Number(headers["Edgeroom-Timestamp"]), body));
    expect(event).toMatchObject({ party: "cards", room: "hooked" });
    // The next change opens a new window.
    await h.send(ada, put("m4", "s4"));
    h.clock += WEBHOOK_DEBOUNCE_MS;
    await h.fireAlarm();
    expect(got.map((g) => [g.event.data.fromSeq, g.event.data.toSeq])).toEqual([[1, 3], [4, 4]]);
  });

  it("sends room.restored at once and room.emptied when the last one leaves", async () => {
    const { h, got } = withReceiver();
    const ada = await h.join("ada");
    await h.send(ada, put("m1", "s1"));
    await h.send(ada, { type: "restore", mid: "r1", seq: 0 });
    await h.disconnect(ada);
    h.clock += WEBHOOK_DEBOUNCE_MS;
    await h.fireAlarm();
    expect(got.map((g) => g.event.type).sort()).toEqual(["room.changed", "room.emptied", "room.restored"]);
    expect(got.find((g) => g.event.type === "room.restored")!.event.data).toMatchObject({ seq: 2, restored: 0, mid: "r1" });
    expect(got.find((g) => g.event.type === "room.emptied")!.event.data).toMatchObject({ seq: 2 });
  });

  it("retries a failed delivery with backoff and the same id and body, at least once across an eviction", async () => {
    let fail = 2;
    const { h, got } = withReceiver(() => (fail-- > 0 ? 500 : 200));
    const ada = await h.join("ada");
    await h.send(ada, put("m1", "s1"));
    h.clock += WEBHOOK_DEBOUNCE_MS;
    await h.fireAlarm();
    expect(h.alarmAt).toBe(h.clock + WEBHOOK_RETRY_BASE_MS);
    h.evict(); // the outbox is stored, not held in memory
    h.clock += WEBHOOK_RETRY_BASE_MS;
    await h.fireAlarm();
    expect(h.alarmAt).toBeLessThanOrEqual(h.clock + 2 * WEBHOOK_RETRY_BASE_MS);
    h.clock += 2 * WEBHOOK_RETRY_BASE_MS;
    await h.fireAlarm();
    expect(got).toHaveLength(3);
    expect(new Set(got.map((g) => g.body)).size).toBe(1);
    h.clock += 20_000;
    h.pings.set(ada, h.clock);
    await h.fireAlarm();
    expect(got).toHaveLength(3); // delivered: not sent again
  });

  it("retries for WEBHOOK_RETRY_FOR_MS with backoff capped at WEBHOOK_RETRY_MAX_MS, then gives up and logs it", async () => {
    const { h, got } = withReceiver(() => 500, ["room.changed"]);
    const ada = await h.join("ada");
    await h.send(ada, put("m1", "s1"));
    await h.disconnect(ada); // no sweep: every alarm from here is the webhook's
    const at: number[] = [];
    for (let wakes = 0; h.alarmAt !== null && wakes < 500; wakes++) {
      h.clock = h.alarmAt;
      const before = got.length;
      await h.fireAlarm();
      if (got.length > before) at.push(h.clock);
    }
    expect(h.alarmAt).toBeNull();
    const first = at[0]!;
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    expect(gaps.slice(0, 3)).toEqual([WEBHOOK_RETRY_BASE_MS, 2 * WEBHOOK_RETRY_BASE_MS, 4 * WEBHOOK_RETRY_BASE_MS]);
    expect(Math.max(...gaps)).toBe(WEBHOOK_RETRY_MAX_MS);
    // Tried for at least a day after the event, and not much longer.
    const event = got[0]!.event.at;
    expect(at.at(-1)! - event).toBeGreaterThanOrEqual(WEBHOOK_RETRY_FOR_MS);
    expect(at.at(-1)! - event).toBeLessThan(WEBHOOK_RETRY_FOR_MS + WEBHOOK_RETRY_MAX_MS + WEBHOOK_DEBOUNCE_MS);
    expect(first - event).toBe(WEBHOOK_DEBOUNCE_MS);
    expect(new Set(got.map((g) => g.body)).size).toBe(1);
    expect(h.logs.some((l) => l.event === "webhook_dropped")).toBe(true);
    const report = await h.room.apiWebhooks();
    expect(report.pending).toEqual([]);
    expect(report.deliveries[0]).toMatchObject({ type: "room.changed", endpoint: "default", attempt: at.length, ok: false, status: 500, next: null });
    expect(report.deliveries[1]).toMatchObject({ attempt: at.length - 1, ok: false, next: at.at(-1) });
  });

  it("keeps at most WEBHOOK_OUTBOX_MAX events per endpoint: a dead one drops its own oldest, never another's", async () => {
    const { h, got } = withEndpoints(
      [
        { name: "dead", url: "http://127.0.0.1:9/dead", secret: "d", events: ["room.restored"] },
        { name: "live", url: "http://127.0.0.1:9/live", secret: "l", events: ["room.restored"] },
      ],
      (endpoint) => new Response(null, { status: endpoint === "dead" ? 503 : 200 }),
    );
    const ada = await h.join("ada");
    await h.send(ada, put("m1", "s1"));
    for (let i = 0; i < WEBHOOK_OUTBOX_MAX + 20; i++) {
      h.clock += 300; // restores are rate-limited (HISTORY_RATE_PER_SEC)
      await h.send(ada, { type: "restore", mid: `r${i}`, seq: 0 });
      if (i % 10 === 9) {
        h.pings.set(ada, h.clock);
        await h.fireAlarm(); // the live endpoint keeps up; the dead one fails
      }
    }
    const rows = [...h.kv.data.keys()].filter((k) => k.startsWith("o:"));
    expect(rows.filter((k) => k.endsWith("~dead")).length).toBe(WEBHOOK_OUTBOX_MAX);
    expect(rows.filter((k) => k.endsWith("~live")).length).toBeLessThan(10);
    await h.fireAlarm();
    // Every one of the live endpoint's events arrived, dropped ones included for the other.
    expect(new Set(got.filter((g) => g.endpoint === "live").map((g) => g.event.id)).size).toBe(WEBHOOK_OUTBOX_MAX + 20);
    const report = await h.room.apiWebhooks();
    expect(report.deliveries.some((d) => d.endpoint === "dead" && d.detail.startsWith("dropped"))).toBe(true);
    expect(report.deliveries.some((d) => d.endpoint === "live" && d.detail.startsWith("dropped"))).toBe(false);
    expect(report.deliveries.length).toBeLessThanOrEqual(WEBHOOK_LOG_MAX);
  });

  it("keeps the alarm set for an event not yet due, after the last socket has gone", async () => {
    const { h, got } = withReceiver(() => (got.length === 1 ? 500 : 200));
    const ada = await h.join("ada");
    await h.send(ada, put("m1", "s1"));
    h.clock += WEBHOOK_DEBOUNCE_MS;
    await h.fireAlarm(); // room.changed fails once: its retry is due in 1 s
    const retryAt = h.clock + WEBHOOK_RETRY_BASE_MS;
    await h.disconnect(ada); // room.emptied, due now
    await h.fireAlarm(); // sends room.emptied only
    expect(got.map((g) => g.event.type)).toEqual(["room.changed", "room.emptied"]);
    expect(h.alarmAt).toBe(retryAt);
    // An alarm with nothing due (an early wake) and no socket: still re-armed.
    await h.fireAlarm();
    expect(h.alarmAt).toBe(retryAt);
    h.clock = retryAt;
    await h.fireAlarm();
    expect(got.map((g) => g.event.type)).toEqual(["room.changed", "room.emptied", "room.changed"]);
    // One more wake, the delivery's deadline (an object evicted mid-delivery
    // would send again then); with nothing left, the room sleeps.
    expect(h.alarmAt).not.toBeNull();
    h.clock = h.alarmAt!;
    await h.fireAlarm();
    expect(h.alarmAt).toBeNull();
  });

  it("sends each endpoint only the events it wants: room.created and room.deleted by default, member events opt-in", async () => {
    const { h, got } = withEndpoints([
      { name: "ops", url: "http://127.0.0.1:9/ops", secret: "o" },
      { name: "presence", url: "http://127.0.0.1:9/presence", secret: "p", events: ["member.entered", "member.left"] },
    ]);
    const ada = await h.join("ada");
    await h.send(ada, put("m1", "s1"));
    await h.send(ada, put("m2", "s2"));
    await h.disconnect(ada);
    h.clock += WEBHOOK_DEBOUNCE_MS;
    await h.fireAlarm();
    await h.room.erase();
    await h.fireAlarm();
    const of = (endpoint: string) => got.filter((g) => g.endpoint === endpoint).map((g) => g.event.type);
    expect(of("ops").sort()).toEqual(["room.changed", "room.created", "room.deleted", "room.emptied"]);
    expect(of("presence").sort()).toEqual(["member.entered", "member.left"]); // deliveries are independent: arrival order is not promised
    const entered = got.find((g) => g.event.type === "member.entered")!.event;
    expect(entered.data).toMatchObject({ name: "ada", role: "editor", members: 1 });
    expect(got.find((g) => g.event.type === "member.left")!.event.data).toMatchObject({ name: "ada", members: 0 });
    expect(got.find((g) => g.event.type === "room.created")!.event.data).toMatchObject({ seq: 1 });
    // A room.changed event is one body for every endpoint that gets it.
    const deleted = got.filter((g) => g.event.type === "room.deleted");
    expect(deleted).toHaveLength(1);
    expect(deleted[0]!.event.data.epoch).toBe(got.find((g) => g.event.type === "room.created")!.event.data.epoch);
  });

  it("signs with the new and the previous secret while a rotation lasts, then with the new one alone", async () => {
    const until = 1_700_000_000_000 + 60_000;
    const { h, got } = withEndpoints([{ name: "rotating", url: "http://127.0.0.1:9/r", secret: "new-secret", previousSecret: "old-secret", previousSecretUntil: until, events: ["room.restored"] }]);
    const ada = await h.join("ada");
    await h.send(ada, put("m1", "s1"));
    await h.send(ada, { type: "restore", mid: "r1", seq: 0 });
    h.pings.set(ada, h.clock);
    await h.fireAlarm();
    const during = got[0]!;
    const ts = Number(during.headers["Edgeroom-Timestamp"]);
    const sigs = during.headers["Edgeroom-Signature"]!.split(" ");
    expect(sigs).toEqual([await sign("new-secret", ts, during.body), await sign("old-secret", ts, during.body)]);
    h.clock = until;
    h.pings.set(ada, h.clock);
    await h.send(ada, { type: "restore", mid: "r2", seq: 0 });
    await h.fireAlarm();
    const after = got[1]!;
    expect(after.headers["Edgeroom-Signature"]).toBe(await sign("new-secret", Number(after.headers["Edgeroom-Timestamp"]), after.body));
  });

  it("a receiver that never answers delays no other endpoint's delivery", async () => {
    let release: (r: Response) => void = () => {};
    const held = new Promise<Response>((resolve) => (release = resolve));
    const { h, got } = withEndpoints(
      [
        { name: "silent", url: "http://127.0.0.1:9/silent", secret: "s", events: ["room.restored"] },
        { name: "live", url: "http://127.0.0.1:9/live", secret: "l", events: ["room.restored"] },
      ],
      (endpoint) => (endpoint === "silent" ? held : new Response(null)), // silent answers only when released
    );
    /** Until the live endpoint's `n`-th delivery is recorded (a positive barrier). */
    const liveDelivered = async (n: number) => {
      for (let i = 0; i < 1_000; i++) {
        if ((await h.room.apiWebhooks()).deliveries.filter((d) => d.endpoint === "live" && d.ok).length >= n) return;
        await new Promise((r) => setTimeout(r, 0));
      }
      throw new Error(`live's delivery ${n} was never recorded`);
    };
    const ada = await h.join("ada");
    await h.send(ada, put("m1", "s1"));
    await h.send(ada, { type: "restore", mid: "r1", seq: 0 });
    h.alarmAt = null;
    await h.room.alarm(); // not fireAlarm: that waits for every delivery
    await liveDelivered(1);
    // The silent endpoint's delivery is still open; the next event goes out at once.
    await h.send(ada, { type: "restore", mid: "r2", seq: 0 });
    expect(h.alarmAt).toBe(h.clock);
    h.alarmAt = null;
    await h.room.alarm();
    await liveDelivered(2);
    let report = await h.room.apiWebhooks();
    expect(got.filter((g) => g.endpoint === "silent")).toHaveLength(2); // both sent, neither answered
    expect(report.pending.filter((p) => p.endpoint === "silent").map((p) => p.inFlight)).toEqual([true, true]);
    expect(report.pending.filter((p) => p.endpoint === "live")).toEqual([]);
    // The silent one answers at last (a 503): only its own events wait for a retry.
    release(new Response(null, { status: 503 }));
    await h.room.webhookDeliveries();
    report = await h.room.apiWebhooks();
    expect(report.pending.map((p) => [p.endpoint, p.attempts, p.due])).toEqual([
      ["silent", 1, h.clock + WEBHOOK_RETRY_BASE_MS],
      ["silent", 1, h.clock + WEBHOOK_RETRY_BASE_MS],
    ]);
  });
});
