/**
 * Webhooks through the room core (in memory): debounced `room.changed` with
 * its seq range, `room.restored`, `room.emptied`, signed bodies, retries with
 * backoff through the alarm, the bounded outbox, and events surviving an
 * eviction. The real thing over HTTP: tests/e2e/webhooks.test.ts.
 */
import { describe, expect, it } from "vitest";
import { sign, type WebhookEvent } from "../../party/engine/webhooks.ts";
import { WEBHOOK_DEBOUNCE_MS, WEBHOOK_MAX_ATTEMPTS, WEBHOOK_OUTBOX_MAX, WEBHOOK_RETRY_BASE_MS } from "../../party/shared/limits.ts";
import { CardsRoomHost, card } from "../support/cards-room.ts";

const put = (mid: string, id: string) => ({ type: "mutate", mid, ops: [{ op: "put", rec: card(id) }] });

function withReceiver(status: () => number = () => 200) {
  const h = new CardsRoomHost("hooked");
  const got: { event: WebhookEvent; headers: Record<string, string>; body: string }[] = [];
  h.webhook = { url: "http://127.0.0.1:9/hook", secret: "whsec" };
  h.fetch = (async (_url: string, init: RequestInit) => {
    const body = init.body as string;
    got.push({ event: JSON.parse(body) as WebhookEvent, headers: init.headers as Record<string, string>, body });
    return new Response(null, { status: status() });
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

  it("gives up after WEBHOOK_MAX_ATTEMPTS and keeps at most WEBHOOK_OUTBOX_MAX events", async () => {
    const { h, got } = withReceiver(() => 500);
    const ada = await h.join("ada");
    await h.send(ada, put("m1", "s1"));
    for (let i = 0; i < WEBHOOK_MAX_ATTEMPTS + 2; i++) {
      h.clock += 11 * 60_000;
      h.pings.set(ada, h.clock);
      await h.fireAlarm();
    }
    expect(got).toHaveLength(WEBHOOK_MAX_ATTEMPTS);
    expect(h.logs.some((l) => l.event === "webhook_dropped")).toBe(true);
    // A dead receiver and many restores: the outbox stays bounded.
    for (let i = 0; i < WEBHOOK_OUTBOX_MAX + 20; i++) await h.send(ada, { type: "restore", mid: `r${i}`, seq: 0 });
    expect([...h.kv.data.keys()].filter((k) => k.startsWith("o:")).length).toBeLessThanOrEqual(WEBHOOK_OUTBOX_MAX);
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
    expect(h.alarmAt).toBeNull(); // nothing left: the room sleeps
  });
});
