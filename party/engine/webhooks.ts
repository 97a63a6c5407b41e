/**
 * Webhooks (docs/WEBHOOKS.md): a room tells a configured URL what happened —
 * `room.changed` (debounced, with the seq range), `room.restored`,
 * `room.emptied` — signed with HMAC-SHA256 over `<timestamp>.<body>`, retried
 * with exponential backoff through the room's one alarm, at least once, each
 * event with an id the receiver dedupes by.
 *
 * Events wait in a stored outbox (bounded: WEBHOOK_OUTBOX_MAX, oldest dropped
 * first), so an eviction or a restart loses none. A `room.changed` event is
 * written once per debounce window (its first change), not once per commit;
 * its range is closed with the head seq when it is first sent, and from then
 * on its body never changes, so every retry carries the same signed bytes.
 *
 * Delivery runs outside the room's event queue: a slow receiver never holds
 * up a mutation. Only picking the due events and recording the outcome are
 * queued (`Room.alarm`).
 */
import {
  WEBHOOK_DEBOUNCE_MS,
  WEBHOOK_MAX_ATTEMPTS,
  WEBHOOK_OUTBOX_MAX,
  WEBHOOK_RETRY_BASE_MS,
  WEBHOOK_RETRY_MAX_MS,
  WEBHOOK_TIMEOUT_MS,
} from "../shared/limits.ts";
import type { OutboxEvent, RoomStorage } from "./storage.ts";

/** Where a deployment's webhooks go (env WEBHOOK_URL, WEBHOOK_SECRET). */
export interface WebhookConfig {
  url: string;
  secret: string;
}

export type WebhookEventType = "room.changed" | "room.restored" | "room.emptied";

/** The body of every event, as signed and sent. */
export interface WebhookEvent {
  /** Unique per event; the same on every retry of it. */
  id: string;
  type: WebhookEventType;
  party: string;
  room: string;
  /** When the event happened (ms since the epoch). */
  at: number;
  data: Record<string, unknown>;
}

/** The headers of a delivery. */
export const SIGNATURE_HEADER = "Edgeroom-Signature";
export const TIMESTAMP_HEADER = "Edgeroom-Timestamp";
export const EVENT_ID_HEADER = "Edgeroom-Event-Id";

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`; timestamp in seconds. */
export async function sign(secret: string, timestamp: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return `v1=${hex(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${timestamp}.${body}`)))}`;
}

/** The wait before attempt `attempts + 1` (ms): base × 2^(attempts − 1), capped. */
export function backoff(attempts: number): number {
  return Math.min(WEBHOOK_RETRY_MAX_MS, WEBHOOK_RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

/** Ids that sort in creation order (time, then a counter), unique per room. */
function eventId(now: number, n: number): string {
  const rand = new Uint8Array(4);
  crypto.getRandomValues(rand);
  return `evt_${now.toString(36).padStart(9, "0")}${n.toString(36).padStart(4, "0")}${hex(rand.buffer)}`;
}

/** The outcome of one delivery attempt. */
export interface Attempt {
  id: string;
  ok: boolean;
  detail: string;
}

export class Webhooks {
  private readonly config: WebhookConfig | null;
  private readonly storage: RoomStorage;
  private readonly party: string;
  private readonly room: string;
  private events: OutboxEvent[] | null = null;
  private counter = 0;

  constructor(config: WebhookConfig | null, storage: RoomStorage, party: string, room: string) {
    this.config = config;
    this.storage = storage;
    this.party = party;
    this.room = room;
  }

  get enabled(): boolean {
    return this.config !== null;
  }

  reset(): void {
    this.events = null;
  }

  private async loaded(): Promise<OutboxEvent[]> {
    this.events ??= await this.storage.outbox();
    return this.events;
  }

  /** Add an event (or, for `room.changed`, fold it into the one still open).
   * Returns when it is due, for the alarm, or null when nothing was added. */
  async add(type: WebhookEventType, data: Record<string, unknown>, now: number, log: (event: string, detail: string) => void): Promise<number | null> {
    if (!this.config) return null;
    const events = await this.loaded();
    if (type === "room.changed" && events.some((e) => e.attempts === 0 && isOpenChange(e))) return null;
    const event: WebhookEvent = { id: eventId(now, this.counter++), type, party: this.party, room: this.room, at: now, data };
    const due = type === "room.changed" ? now + WEBHOOK_DEBOUNCE_MS : now;
    const entry: OutboxEvent = { id: event.id, body: JSON.stringify(event), attempts: 0, due };
    const dropped: string[] = [];
    while (events.length >= WEBHOOK_OUTBOX_MAX) dropped.push(events.shift()!.id);
    if (dropped.length) {
      await this.storage.deleteOutbox(dropped);
      log("webhook_dropped", `outbox full: dropped ${dropped.join(",")}`);
    }
    await this.storage.putOutbox([entry]);
    events.push(entry);
    return due;
  }

  /** The earliest due event (ms), or null. */
  async nextDue(): Promise<number | null> {
    if (!this.config) return null;
    const events = await this.loaded();
    return events.length ? Math.min(...events.map((e) => e.due)) : null;
  }

  /** The events due now, their bodies frozen (an open `room.changed` gets
   * `toSeq` = `head`). Runs in the room's queue. */
  async due(now: number, head: number): Promise<OutboxEvent[]> {
    if (!this.config) return [];
    const events = await this.loaded();
    const out: OutboxEvent[] = [];
    for (const e of events) {
      if (e.due > now) continue;
      if (isOpenChange(e)) {
        const body = JSON.parse(e.body) as WebhookEvent;
        body.data = { ...body.data, toSeq: head };
        e.body = JSON.stringify(body);
        await this.storage.putOutbox([e]);
      }
      out.push(e);
    }
    return out;
  }

  /** Send `events` (outside the room's queue), each with its own timeout. */
  async send(events: OutboxEvent[], fetcher: typeof fetch, now: number): Promise<Attempt[]> {
    const config = this.config;
    if (!config) return [];
    const timestamp = Math.floor(now / 1000);
    return Promise.all(
      events.map(async (e): Promise<Attempt> => {
        try {
          const res = await fetcher(config.url, {
            method: "POST",
            headers: {
              "Content-Type": "application/json",
              [SIGNATURE_HEADER]: await sign(config.secret, timestamp, e.body),
              [TIMESTAMP_HEADER]: String(timestamp),
              [EVENT_ID_HEADER]: e.id,
            },
            body: e.body,
            signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
          });
          // Drain the body so the connection can be reused.
          await res.body?.cancel();
          return { id: e.id, ok: res.ok, detail: `status ${res.status}` };
        } catch (err) {
          return { id: e.id, ok: false, detail: err instanceof Error ? err.message.slice(0, 120) : "failed" };
        }
      }),
    );
  }

  /** Record the outcomes: delivered events leave the outbox; failed ones are
   * due again after the backoff, or dropped after WEBHOOK_MAX_ATTEMPTS. Runs
   * in the room's queue. */
  async settle(attempts: Attempt[], now: number, log: (event: string, detail: string) => void): Promise<void> {
    const events = await this.loaded();
    const done: string[] = [];
    const retry: OutboxEvent[] = [];
    for (const a of attempts) {
      const e = events.find((x) => x.id === a.id);
      if (!e) continue;
      if (a.ok) {
        done.push(e.id);
        continue;
      }
      e.attempts++;
      if (e.attempts >= WEBHOOK_MAX_ATTEMPTS) {
        done.push(e.id);
        log("webhook_dropped", `${e.id} after ${e.attempts} attempts (${a.detail})`);
        continue;
      }
      e.due = now + backoff(e.attempts);
      retry.push(e);
      log("webhook_retry", `${e.id} attempt ${e.attempts} (${a.detail})`);
    }
    if (done.length) await this.storage.deleteOutbox(done);
    if (retry.length) await this.storage.putOutbox(retry);
    this.events = events.filter((e) => !done.includes(e.id));
  }
}

/** A `room.changed` event whose range is still open (not yet sent). */
function isOpenChange(e: OutboxEvent): boolean {
  return e.body.includes('"type":"room.changed"') && e.body.includes('"toSeq":null');
}
