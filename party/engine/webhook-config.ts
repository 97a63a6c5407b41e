/**
 * Where a deployment's webhooks go (docs/WEBHOOKS.md): one or more endpoints,
 * each with its URL, its signing secret (and, while a rotation lasts, the
 * previous one), and the event types it wants. Read from the environment by
 * `webhooksFromEnv` — `WEBHOOK_URL` + `WEBHOOK_SECRET` (the endpoint
 * "default"), `WEBHOOK_ENDPOINTS` (a JSON array) — and the signatures a
 * delivery carries.
 */
import { WEBHOOK_ENDPOINTS_MAX } from "../shared/limits.ts";

export type WebhookEventType = "room.created" | "room.changed" | "room.restored" | "room.emptied" | "room.deleted" | "member.entered" | "member.left";

/** Every event type; an endpoint without `events` gets DEFAULT_EVENTS. */
export const WEBHOOK_EVENT_TYPES: readonly WebhookEventType[] = ["room.created", "room.changed", "room.restored", "room.emptied", "room.deleted", "member.entered", "member.left"];
/** What an endpoint gets unless it lists its own: everything but the member
 * events, which are opt-in (one per join and leave). */
export const DEFAULT_EVENTS: readonly WebhookEventType[] = ["room.created", "room.changed", "room.restored", "room.emptied", "room.deleted"];

/** One receiver. */
export interface WebhookEndpoint {
  /** 1-32 of `A-Z a-z 0-9 _ -`, unique; in the delivery log and the outbox. */
  name: string;
  url: string;
  /** Signs every delivery. */
  secret: string;
  /** During a rotation: also signs, so receivers holding either secret verify. */
  previousSecret?: string;
  /** When `previousSecret` stops signing (ms since the epoch); absent: while set. */
  previousSecretUntil?: number;
  /** The event types it gets (default DEFAULT_EVENTS). */
  events?: readonly WebhookEventType[];
}

/** One endpoint (its name defaults to "default") or several. */
export type WebhookConfig = (Omit<WebhookEndpoint, "name"> & { name?: string }) | readonly WebhookEndpoint[];

const NAME = /^[A-Za-z0-9_-]{1,32}$/;

/** The endpoints of `config`, each with a name. */
export function endpointsOf(config: WebhookConfig | null | undefined): WebhookEndpoint[] {
  if (!config) return [];
  if (Array.isArray(config)) return [...(config as readonly WebhookEndpoint[])];
  const one = config as Omit<WebhookEndpoint, "name"> & { name?: string };
  return [{ ...one, name: one.name ?? "default" }];
}

/** Whether `endpoint` gets events of `type`. */
export function wants(endpoint: WebhookEndpoint, type: WebhookEventType): boolean {
  return (endpoint.events ?? DEFAULT_EVENTS).includes(type);
}

/** A time in ms from a number or an ISO 8601 string, or null. */
function timeOf(v: unknown): number | null | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  const t = typeof v === "number" ? v : typeof v === "string" ? (/^\d+$/.test(v) ? Number(v) : Date.parse(v)) : NaN;
  return Number.isFinite(t) ? t : null;
}

/** Check one endpoint as configured: the endpoint, or why it is refused. */
export function parseEndpoint(raw: unknown): WebhookEndpoint | string {
  if (typeof raw !== "object" || raw === null) return "an endpoint is an object {name, url, secret, previousSecret?, previousSecretUntil?, events?}";
  const e = raw as Record<string, unknown>;
  if (typeof e.name !== "string" || !NAME.test(e.name)) return "name: 1-32 of A-Z a-z 0-9 _ -";
  if (typeof e.url !== "string" || !/^https?:\/\/./.test(e.url)) return `${e.name}: url must be http(s)`;
  if (typeof e.secret !== "string" || !e.secret) return `${e.name}: secret is required`;
  const out: WebhookEndpoint = { name: e.name, url: e.url, secret: e.secret };
  if (e.previousSecret !== undefined && e.previousSecret !== "") {
    if (typeof e.previousSecret !== "string") return `${e.name}: previousSecret is a string`;
    out.previousSecret = e.previousSecret;
  }
  const until = timeOf(e.previousSecretUntil);
  if (until === null) return `${e.name}: previousSecretUntil is a time (ISO 8601 or ms)`;
  if (until !== undefined) out.previousSecretUntil = until;
  if (e.events !== undefined) {
    const events = typeof e.events === "string" ? e.events.split(",").map((s) => s.trim()).filter(Boolean) : e.events;
    if (!Array.isArray(events) || !events.length) return `${e.name}: events is a non-empty list`;
    const unknown = events.find((t) => !WEBHOOK_EVENT_TYPES.includes(t as WebhookEventType));
    if (unknown !== undefined) return `${e.name}: unknown event type ${String(unknown).slice(0, 40)}`;
    out.events = [...new Set(events as WebhookEventType[])];
  }
  return out;
}

/**
 * The webhook endpoints `env` configures (none: webhooks off), and what was
 * refused. `WEBHOOK_URL` + `WEBHOOK_SECRET` make the endpoint "default"
 * (`WEBHOOK_PREVIOUS_SECRET`, `WEBHOOK_PREVIOUS_SECRET_UNTIL`, `WEBHOOK_EVENTS`
 * comma-separated); `WEBHOOK_ENDPOINTS` is a JSON array of endpoints. At most
 * WEBHOOK_ENDPOINTS_MAX, names unique.
 */
export function webhooksFromEnv(env: Record<string, unknown> | undefined): { endpoints: WebhookEndpoint[]; errors: string[] } {
  const endpoints: WebhookEndpoint[] = [];
  const errors: string[] = [];
  const add = (raw: unknown) => {
    const e = parseEndpoint(raw);
    if (typeof e === "string") errors.push(e);
    else if (endpoints.some((x) => x.name === e.name)) errors.push(`${e.name}: a second endpoint of that name`);
    else if (endpoints.length >= WEBHOOK_ENDPOINTS_MAX) errors.push(`${e.name}: more than ${WEBHOOK_ENDPOINTS_MAX} endpoints`);
    else endpoints.push(e);
  };
  const url = env?.WEBHOOK_URL;
  const secret = env?.WEBHOOK_SECRET;
  if (typeof url === "string" && url && typeof secret === "string" && secret) {
    add({ name: "default", url, secret, previousSecret: env?.WEBHOOK_PREVIOUS_SECRET, previousSecretUntil: env?.WEBHOOK_PREVIOUS_SECRET_UNTIL, events: env?.WEBHOOK_EVENTS || undefined });
  }
  const list = env?.WEBHOOK_ENDPOINTS;
  if (typeof list === "string" && list.trim()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(list);
    } catch {
      errors.push("WEBHOOK_ENDPOINTS is not JSON");
    }
    if (Array.isArray(parsed)) for (const raw of parsed) add(raw);
    else if (parsed !== undefined) errors.push("WEBHOOK_ENDPOINTS is a JSON array of endpoints");
  }
  return { endpoints, errors };
}

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`; timestamp in seconds. */
export async function sign(secret: string, timestamp: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return `v1=${hex(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${timestamp}.${body}`)))}`;
}

/** The `Edgeroom-Signature` value: one `v1=` per secret in use, separated by a
 * space — the current one first, then the previous one while it is valid. */
export async function signatures(endpoint: WebhookEndpoint, timestamp: number, body: string, now: number): Promise<string> {
  const out = [await sign(endpoint.secret, timestamp, body)];
  const previous = endpoint.previousSecret;
  if (previous && previous !== endpoint.secret && (endpoint.previousSecretUntil === undefined || now < endpoint.previousSecretUntil)) out.push(await sign(previous, timestamp, body));
  return out.join(" ");
}
