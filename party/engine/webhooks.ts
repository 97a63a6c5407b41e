/**
 * Webhooks (docs/WEBHOOKS.md): a room tells each configured endpoint
 * (webhook-config.ts) the events it wants — `room.created`, `room.changed`
 * (debounced, with the seq range), `room.restored`, `room.emptied`,
 * `room.deleted`, and opt-in `member.entered` / `member.left` — signed with
 * HMAC-SHA256 over `<timestamp>.<body>` (with the previous secret too during
 * a rotation), retried with capped exponential backoff through the room's one
 * alarm for WEBHOOK_RETRY_FOR_MS, at least once, each event with an id the
 * receiver dedupes by.
 *
 * Each (event, endpoint) is one row of a stored outbox, `<event id>~<endpoint>`,
 * bounded per endpoint (WEBHOOK_OUTBOX_MAX, that endpoint's oldest dropped
 * first), so an eviction or a restart loses none and a dead endpoint pushes
 * out no other's events. A `room.changed` event is written once per debounce
 * window (its first change), not once per commit; its range is closed with
 * the head seq when it is first sent — for every endpoint at once, so one id
 * always means one body — and from then on every retry carries the same bytes.
 *
 * Every row is delivered on its own (alarm.ts): a silent endpoint delays no
 * other. Rows in flight are remembered in memory with a deadline (the
 * timeout), which keeps the alarm set: an object evicted mid-delivery sends
 * again. Each attempt's outcome goes to the room's delivery log (bounded,
 * `GET …/webhooks`).
 */
import { WEBHOOK_DEBOUNCE_MS, WEBHOOK_LOG_MAX, WEBHOOK_OUTBOX_MAX, WEBHOOK_RETRY_BASE_MS, WEBHOOK_RETRY_FOR_MS, WEBHOOK_RETRY_MAX_MS, WEBHOOK_TIMEOUT_MS } from "../shared/limits.ts";
import type { OutboxEvent, RoomStorage } from "./storage.ts";
import { DEFAULT_EVENTS, endpointsOf, signatures, type WebhookConfig, type WebhookEndpoint, type WebhookEventType, wants } from "./webhook-config.ts";

export { sign, type WebhookConfig, type WebhookEndpoint, type WebhookEventType } from "./webhook-config.ts";

/** The body of every event, as signed and sent. */
export interface WebhookEvent {
  /** Unique per event; the same on every retry of it, and for every endpoint. */
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
export const ENDPOINT_HEADER = "Edgeroom-Endpoint";

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

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

/** A row's event id and endpoint (a row stored before endpoints had names: "default"). */
function split(row: string): { event: string; endpoint: string } {
  const at = row.indexOf("~");
  return at < 0 ? { event: row, endpoint: "default" } : { event: row.slice(0, at), endpoint: row.slice(at + 1) };
}

/** The outcome of one delivery attempt. */
export interface Attempt {
  /** The outbox row. */
  id: string;
  ok: boolean;
  /** The receiver's status, null when it did not answer. */
  status: number | null;
  detail: string;
  /** How long it took (ms). */
  ms: number;
}

/** One line of a room's delivery log. */
export interface DeliveryLogEntry {
  /** When the attempt ended (or the event was dropped), ms. */
  at: number;
  event: string;
  type: WebhookEventType;
  endpoint: string;
  /** Which attempt this was (1 = the first); 0 when dropped unsent. */
  attempt: number;
  ok: boolean;
  status: number | null;
  detail: string;
  ms: number;
  /** When the next attempt is due; null when delivered or given up. */
  next: number | null;
}

/** What `GET …/webhooks` answers. */
export interface WebhookReport {
  endpoints: { name: string; events: readonly WebhookEventType[] }[];
  pending: { event: string; type: WebhookEventType; endpoint: string; attempts: number; due: number; inFlight: boolean }[];
  /** Newest first, at most WEBHOOK_LOG_MAX. */
  deliveries: DeliveryLogEntry[];
}

type Log = (event: string, detail: string) => void;

const typeOf = (row: OutboxEvent): WebhookEventType => (/"type":"([a-z.]+)"/.exec(row.body)?.[1] ?? "room.changed") as WebhookEventType;

export class Webhooks {
  private readonly endpoints: WebhookEndpoint[];
  private readonly storage: RoomStorage;
  private readonly party: string;
  private readonly room: string;
  private rows: OutboxEvent[] | null = null;
  private loading: Promise<OutboxEvent[]> | null = null;
  /** Rows being delivered now, with the time they count as failed by. */
  private readonly inFlight = new Map<string, number>();
  private counter = 0;

  constructor(config: WebhookConfig | null, storage: RoomStorage, party: string, room: string) {
    this.endpoints = endpointsOf(config);
    this.storage = storage;
    this.party = party;
    this.room = room;
  }

  get enabled(): boolean {
    return this.endpoints.length > 0;
  }

  /** Whether any endpoint gets events of `type` (nothing is stored otherwise). */
  wants(type: WebhookEventType): boolean {
    return this.endpoints.some((e) => wants(e, type));
  }

  /** The room was erased: forget the outbox (deliveries in flight settle into nothing). */
  reset(): void {
    this.rows = null;
    this.loading = null;
    this.inFlight.clear();
  }

  private async loaded(): Promise<OutboxEvent[]> {
    if (this.rows) return this.rows;
    this.loading ??= this.storage.outbox().then((rows) => (this.rows = rows));
    return this.loading;
  }

  /** Add an event for every endpoint that wants it (a `room.changed` while one
   * is still open: nothing). Returns when it is due, or null when nothing was added. */
  async add(type: WebhookEventType, data: Record<string, unknown>, now: number, log: Log): Promise<number | null> {
    const targets = this.endpoints.filter((e) => wants(e, type));
    if (!targets.length) return null;
    const rows = await this.loaded();
    if (type === "room.changed" && rows.some(isOpenChange)) return null;
    const event: WebhookEvent = { id: eventId(now, this.counter++), type, party: this.party, room: this.room, at: now, data };
    const due = type === "room.changed" ? now + WEBHOOK_DEBOUNCE_MS : now;
    const body = JSON.stringify(event);
    const added = targets.map((e): OutboxEvent => ({ id: `${event.id}~${e.name}`, body, attempts: 0, due }));
    const dropped: OutboxEvent[] = [];
    for (const e of targets) {
      const mine = rows.filter((r) => split(r.id).endpoint === e.name);
      dropped.push(...mine.slice(0, Math.max(0, mine.length - WEBHOOK_OUTBOX_MAX + 1)));
    }
    if (dropped.length) {
      const gone = new Set(dropped.map((r) => r.id));
      this.rows = rows.filter((r) => !gone.has(r.id));
      for (const id of gone) this.inFlight.delete(id);
      await this.storage.deleteOutbox([...gone]);
      log("webhook_dropped", `outbox full: dropped ${[...gone].join(",")}`);
      await this.record(dropped.map((r) => entry(r, now, { attempt: 0, ok: false, status: null, detail: "dropped: the endpoint's outbox was full", ms: 0, next: null })));
    }
    await this.storage.putOutbox(added);
    this.rows = [...(this.rows ?? rows), ...added];
    return due;
  }

  /** When the alarm is next needed (ms): the earliest row due that is not in
   * flight, or the deadline of one in flight; null when the outbox is empty. */
  async nextDue(): Promise<number | null> {
    if (!this.enabled) return null;
    const rows = await this.loaded();
    let next: number | null = null;
    for (const r of rows) {
      const at = this.inFlight.get(r.id) ?? r.due;
      if (next === null || at < next) next = at;
    }
    return next;
  }

  /** The rows due now and not in flight, marked in flight, their bodies
   * frozen (an open `room.changed` gets `toSeq` = `head`, for every
   * endpoint's row of it). Runs in the room's queue. */
  async due(now: number, head: number): Promise<OutboxEvent[]> {
    if (!this.enabled) return [];
    const rows = await this.loaded();
    // A deadline passed without an outcome (the delivery was lost): due again.
    for (const [id, deadline] of this.inFlight) if (deadline <= now) this.inFlight.delete(id);
    const out = rows.filter((r) => r.due <= now && !this.inFlight.has(r.id));
    const frozen: OutboxEvent[] = [];
    for (const r of out) {
      if (!isOpenChange(r)) continue;
      const body = JSON.parse(r.body) as WebhookEvent;
      body.data = { ...body.data, toSeq: head };
      const text = JSON.stringify(body);
      for (const same of rows) {
        if (split(same.id).event !== body.id) continue;
        same.body = text;
        frozen.push(same);
      }
    }
    if (frozen.length) await this.storage.putOutbox(frozen);
    for (const r of out) this.inFlight.set(r.id, now + WEBHOOK_TIMEOUT_MS + 1_000);
    return out;
  }

  /** Send one row (outside the room's queue), with its own timeout. */
  async send(row: OutboxEvent, fetcher: typeof fetch, now: number): Promise<Attempt> {
    const endpoint = this.endpoints.find((e) => e.name === split(row.id).endpoint);
    if (!endpoint) return { id: row.id, ok: false, status: null, detail: "no such endpoint configured", ms: 0 };
    const timestamp = Math.floor(now / 1000);
    const started = Date.now();
    try {
      const res = await fetcher(endpoint.url, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          [SIGNATURE_HEADER]: await signatures(endpoint, timestamp, row.body, now),
          [TIMESTAMP_HEADER]: String(timestamp),
          [EVENT_ID_HEADER]: split(row.id).event,
          [ENDPOINT_HEADER]: endpoint.name,
        },
        body: row.body,
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      // Drain the body so the connection can be reused.
      await res.body?.cancel();
      return { id: row.id, ok: res.ok, status: res.status, detail: `status ${res.status}`, ms: Date.now() - started };
    } catch (err) {
      return { id: row.id, ok: false, status: null, detail: err instanceof Error ? err.message.slice(0, 120) : "failed", ms: Date.now() - started };
    }
  }

  /** Record one outcome: delivered, the row leaves the outbox; failed, it is
   * due again after the backoff — or dropped once WEBHOOK_RETRY_FOR_MS have
   * passed since the event (or its endpoint is gone). Runs in the room's queue. */
  async settle(attempt: Attempt, now: number, log: Log): Promise<void> {
    if (!this.inFlight.delete(attempt.id)) return; // erased (or dropped) meanwhile
    const rows = await this.loaded();
    const row = rows.find((x) => x.id === attempt.id);
    if (!row) return;
    row.attempts++;
    const base = { attempt: row.attempts, ok: attempt.ok, status: attempt.status, detail: attempt.detail, ms: attempt.ms };
    const at = (JSON.parse(row.body) as WebhookEvent).at;
    const endpointGone = !this.endpoints.some((e) => e.name === split(row.id).endpoint);
    if (attempt.ok || endpointGone || now - at >= WEBHOOK_RETRY_FOR_MS) {
      this.rows = rows.filter((x) => x !== row);
      await this.storage.deleteOutbox([row.id]);
      if (!attempt.ok) log("webhook_dropped", `${row.id} after ${row.attempts} attempts (${attempt.detail})`);
      await this.record([entry(row, now, { ...base, next: null, ...(attempt.ok ? {} : { detail: `${attempt.detail}; given up` }) })]);
      return;
    }
    row.due = now + backoff(row.attempts);
    await this.storage.putOutbox([row]);
    log("webhook_retry", `${row.id} attempt ${row.attempts} (${attempt.detail})`);
    await this.record([entry(row, now, { ...base, next: row.due })]);
  }

  private async record(entries: DeliveryLogEntry[]): Promise<void> {
    await this.storage.appendWebhookLog(entries.map((e) => JSON.stringify(e)), WEBHOOK_LOG_MAX);
  }

  /** The endpoints, what waits, and the delivery log (newest first). */
  async report(): Promise<WebhookReport> {
    const rows = this.enabled ? await this.loaded() : await this.storage.outbox();
    const log = await this.storage.webhookLog();
    return {
      endpoints: this.endpoints.map((e) => ({ name: e.name, events: e.events ?? DEFAULT_EVENTS })),
      pending: rows.map((r) => ({ event: split(r.id).event, type: typeOf(r), endpoint: split(r.id).endpoint, attempts: r.attempts, due: r.due, inFlight: this.inFlight.has(r.id) })),
      deliveries: log.map((l) => JSON.parse(l) as DeliveryLogEntry).reverse(),
    };
  }
}

function entry(row: OutboxEvent, at: number, rest: Omit<DeliveryLogEntry, "at" | "event" | "type" | "endpoint">): DeliveryLogEntry {
  const { event, endpoint } = split(row.id);
  return { at, event, type: typeOf(row), endpoint, ...rest };
}

/** A `room.changed` event whose range is still open (not yet sent). */
function isOpenChange(e: OutboxEvent): boolean {
  return e.attempts === 0 && e.body.includes('"type":"room.changed"') && e.body.includes('"toSeq":null');
}
