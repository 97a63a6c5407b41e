/**
 * Webhooks on a real `wrangler dev`, to receivers on 127.0.0.1: every
 * delivery's signature is checked the way docs/WEBHOOKS.md tells receivers to
 * (HMAC-SHA256 over `<timestamp>.<body>`, any of the header's signatures,
 * timestamp within tolerance) — during a secret rotation, with the new secret
 * and with the old one; the receiver answers 500 to the first attempt, and
 * the room retries the same event (same id, same bytes) through its alarm —
 * with no socket open, so the alarm finds its room by the object's name. Then
 * `room.restored` and `room.emptied`; a second endpoint (WEBHOOK_ENDPOINTS)
 * with its own secret and filter gets `room.created`, the opt-in member
 * events and `room.deleted`; `GET …/webhooks` shows the delivery log.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { RoomClient } from "../../client/engine/room-client.ts";
import type { WebhookReport } from "../../party/engine/webhooks.ts";
import { WEBHOOK_TOLERANCE_SECONDS } from "../../party/shared/limits.ts";
import type { Shape } from "../../party/whiteboard/records.ts";
import { whiteboard } from "../../party/whiteboard/schema.ts";
import { type DevServer, freePort, startDevServer } from "../support/dev-server.ts";
import { waitFor } from "../support/wait.ts";

const API_SECRET = "e2e-hooks-api-secret-0123456789";
const WEBHOOK_SECRET = "e2e-hooks-signing-secret-abcdef";
const OLD_SECRET = "e2e-hooks-old-signing-secret-012";
const MEMBERS_SECRET = "e2e-hooks-members-secret-456789";
const rect = (id: string, x = 0): Shape => ({ id, type: "rect", x, y: 0, z: 1, color: "#000000", stroke: 2, w: 10, h: 10, fill: null });

interface Delivery {
  id: string;
  body: string;
  event: { id: string; type: string; room: string; data: Record<string, unknown> };
  valid: boolean;
  validOld: boolean;
  status: number;
  at: number;
}

/** The receiver's check, as in docs/WEBHOOKS.md: any of the signatures. */
function verify(secret: string, body: string, timestamp: string | undefined, signatures: string | undefined): boolean {
  if (!timestamp || !signatures) return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > WEBHOOK_TOLERANCE_SECONDS) return false;
  const expected = Buffer.from(`v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`);
  return signatures.split(" ").some((s) => {
    const given = Buffer.from(s);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

describe("webhooks on wrangler dev", () => {
  let server: DevServer;
  let receiver: Server;
  const got: Delivery[] = [];
  const members: Delivery[] = [];
  let failNext = 1;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`http://${server.host}/parties/whiteboard/${path}`, { ...init, headers: { Authorization: `Bearer ${API_SECRET}`, "Content-Type": "application/json" } });

  beforeAll(async () => {
    const port = await freePort();
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        const toMembers = req.url === "/members";
        const status = !toMembers && failNext-- > 0 ? 500 : 200;
        const [ts, sig] = [req.headers["edgeroom-timestamp"] as string, req.headers["edgeroom-signature"] as string];
        const delivery = {
          id: String(req.headers["edgeroom-event-id"]),
          body,
          event: JSON.parse(body) as Delivery["event"],
          valid: verify(toMembers ? MEMBERS_SECRET : WEBHOOK_SECRET, body, ts, sig),
          validOld: verify(OLD_SECRET, body, ts, sig),
          status,
          at: Date.now(),
        };
        (toMembers ? members : got).push(delivery);
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(port, "127.0.0.1", r));
    const endpoints = [{ name: "members", url: `http://127.0.0.1:${port}/members`, secret: MEMBERS_SECRET, events: ["room.created", "member.entered", "member.left", "room.deleted"] }];
    server = await startDevServer("wrangler", {
      vars: {
        API_SECRET,
        WEBHOOK_URL: `http://127.0.0.1:${port}/hook`,
        WEBHOOK_SECRET,
        WEBHOOK_PREVIOUS_SECRET: OLD_SECRET,
        WEBHOOK_EVENTS: "room.changed,room.restored,room.emptied",
        WEBHOOK_ENDPOINTS: JSON.stringify(endpoints),
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await new Promise((r) => receiver?.close(r));
  });

  it("delivers a signed room.changed with its seq range, retrying after a 500 with the same event", async () => {
    // Sent together: all three must land within WEBHOOK_DEBOUNCE_MS (2 s) of the
    // first, which three requests one after another can miss on a loaded machine.
    const sent = await Promise.all([1, 2, 3].map((i) => api("e2e-hooks/mutate", { method: "POST", body: JSON.stringify({ mid: `h${i}`, ops: [{ op: "put", rec: rect(`s${i}`, i) }] }) })));
    for (const res of sent) expect(res.status).toBe(200);
    await waitFor(() => got.some((d) => d.status === 200), 30_000, "a delivered webhook");
    const [first, second] = got;
    expect(first!.status).toBe(500);
    expect(second!.id).toBe(first!.id);
    expect(second!.body).toBe(first!.body);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
    // A rotation: both the new secret and the old one verify every delivery.
    expect(got.every((d) => d.valid && d.validOld)).toBe(true);
    expect(first!.event).toMatchObject({ type: "room.changed", room: "e2e-hooks", data: { fromSeq: 1, toSeq: 3 } });
    expect(first!.event.id).toBe(first!.id);
    // A forged signature would not pass the receiver's check.
    expect(verify("another-secret", first!.body, String(Math.floor(Date.now() / 1000)), "v1=00")).toBe(false);
  });

  it("sends room.restored for a restore and room.emptied when the last client leaves", async () => {
    const client = new RoomClient({ schema: whiteboard, host: server.host, room: "e2e-hooks", name: "ada", color: "#112233", WebSocket, minReconnectDelayMs: 50 });
    await waitFor(() => client.connection.status === "live", 15_000, "the client live");
    const res = await api("e2e-hooks/restore", { method: "POST", body: JSON.stringify({ mid: "hr1", seq: 1 }) });
    expect(await res.json()).toEqual({ type: "ack", mid: "hr1", seq: 4 });
    await waitFor(() => client.records().size === 1, 10_000, "the restore at the client");
    client.close();
    await waitFor(() => got.some((d) => d.event.type === "room.emptied"), 30_000, "room.emptied");
    const restored = got.find((d) => d.event.type === "room.restored")!;
    expect(restored.event.data).toMatchObject({ seq: 4, restored: 1, mid: "hr1", by: "api" });
    expect(got.find((d) => d.event.type === "room.emptied")!.event.data).toMatchObject({ seq: 4 });
    expect(got.every((d) => d.valid)).toBe(true);
    // At least once, deduped by id: no event was delivered twice with a 200.
    const delivered = got.filter((d) => d.status === 200).map((d) => d.id);
    expect(new Set(delivered).size).toBe(delivered.length);
  });

  it("sends the second endpoint only its events, member ones included, signed with its own secret; GET …/webhooks logs each attempt", async () => {
    await waitFor(() => members.some((d) => d.event.type === "member.left"), 30_000, "member.left");
    expect(members.map((d) => d.event.type)).toEqual(["room.created", "member.entered", "member.left"]);
    expect(members.every((d) => d.valid && !d.validOld)).toBe(true);
    expect(members[1]!.event.data).toMatchObject({ name: "ada", role: "editor", members: 1 });
    const log = (await (await api("e2e-hooks/webhooks")).json()) as WebhookReport;
    expect(log.endpoints.map((e) => e.name)).toEqual(["default", "members"]);
    expect(log.deliveries.find((d) => d.endpoint === "default" && !d.ok)).toMatchObject({ status: 500, attempt: 1 });
    expect(log.deliveries.filter((d) => d.endpoint === "members" && d.ok).map((d) => d.type).sort()).toEqual(["member.entered", "member.left", "room.created"]);
    expect((await api("e2e-hooks", { method: "DELETE" })).status).toBe(200);
    await waitFor(() => members.some((d) => d.event.type === "room.deleted"), 30_000, "room.deleted");
    expect(members.at(-1)!.event.data).toMatchObject({ epoch: members[0]!.event.data.epoch });
  });
});
