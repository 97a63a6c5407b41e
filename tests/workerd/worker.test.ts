/**
 * The Worker in front of the rooms, called directly with the env a deployment
 * would configure (an Origin allowlist, dev tokens, a secret) and, where the
 * test must see what the Worker forwards, a namespace that records the request
 * instead of waking a room.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { mintToken } from "../../party/engine/auth.ts";
import type { RoomEnv } from "../../party/engine/durable-object.ts";
import { ROOM_HEADER } from "../../party/engine/headers.ts";

type Env = RoomEnv & { CARDS: DurableObjectNamespace };
const ctx = {} as ExecutionContext;
import { CloseCode, ErrorCode, PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import cardsWorker from "./worker.ts";

const worker = { fetch: (req: Request, e: Env) => cardsWorker.fetch!(req as never, e, ctx) };
import { card } from "./socket.ts";

const SECRET = "worker-test-secret-0123456789abcdef";

/** An env whose room namespace records the request it is handed. */
function recordingEnv(extra: Partial<Env> = {}) {
  const seen: Request[] = [];
  const ns = {
    idFromName: (name: string) => name,
    get: () => ({ fetch: async (req: Request) => (seen.push(req), new Response("forwarded")) }),
  } as unknown as DurableObjectNamespace;
  return { seen, env: { ...env, ...extra, CARDS: ns } as Env };
}

async function firstFrame(res: Response): Promise<{ msg: { type: string; code?: string }; close: number }> {
  const ws = res.webSocket!;
  ws.accept();
  return new Promise((resolve) => {
    let msg: { type: string; code?: string } = { type: "none" };
    ws.addEventListener("message", (e) => void (msg = JSON.parse(String(e.data))));
    ws.addEventListener("close", (e) => resolve({ msg, close: e.code }));
  });
}

describe("the Worker", () => {
  it("keeps the token away from the room: the forwarded URL has none, the verdict travels in headers", async () => {
    const { seen, env: e } = recordingEnv({ AUTH_SECRET: SECRET });
    const token = await mintToken(SECRET, { room: "r1", role: "viewer", subject: "ada" });
    await worker.fetch(new Request(`http://x/parties/cards/r1?token=${token}&_pk=abc`, { headers: { Upgrade: "websocket", "x-edgeroom-role": "editor" } }), e);
    const forwarded = seen[0]!;
    expect(new URL(forwarded.url).searchParams.has("token")).toBe(false);
    expect(new URL(forwarded.url).searchParams.get("_pk")).toBe("abc");
    expect(forwarded.headers.get("x-edgeroom-role")).toBe("viewer"); // the client's own header was overwritten
    expect(forwarded.headers.get("x-edgeroom-subject")).toBe("ada");
  });

  it("refuses a socket from an origin outside ALLOWED_ORIGINS, and lets listed ones and non-browsers through", async () => {
    const { seen, env: e } = recordingEnv({ ALLOWED_ORIGINS: "https://board.example.com, https://other.example.com" });
    const open = (origin?: string) =>
      worker.fetch(new Request("http://x/parties/cards/r1", { headers: { Upgrade: "websocket", ...(origin ? { Origin: origin } : {}) } }), e);
    const refused = await firstFrame(await open("https://evil.example.net"));
    expect(refused).toEqual({ msg: expect.objectContaining({ type: "error", code: ErrorCode.FORBIDDEN }), close: CloseCode.UNAUTHORIZED });
    await open("https://other.example.com");
    await open();
    expect(seen).toHaveLength(2);
  });

  it("answers plain requests to a room itself, with security headers", async () => {
    const { seen, env: e } = recordingEnv();
    const res = await worker.fetch(new Request("http://x/parties/cards/r1"), e);
    expect(res.status).toBe(426);
    expect(seen).toHaveLength(0);
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
    expect(res.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
  });

  it("mints dev tokens only for a known role and a clamped lifetime", async () => {
    const e = { ...env, AUTH_SECRET: SECRET, DEV_TOKENS: "true" } as Env;
    const mint = (q: string) => worker.fetch(new Request(`http://x/auth/dev-token?room=r1&${q}`), e);
    expect((await mint("role=admin")).status).toBe(400);
    expect((await mint("role=viewer&ttl=99999999")).status).toBe(400);
    expect((await mint("role=viewer&ttl=abc")).status).toBe(400);
    const ok = await mint("role=viewer&ttl=60");
    expect(ok.status).toBe(200);
    const { token } = (await ok.json()) as { token: string };
    const payload = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as { exp: number; iat: number; role: string };
    expect(payload.role).toBe("viewer");
    expect(payload.exp - payload.iat).toBe(60);
  });
});

describe("the room's Durable Object", () => {
  it("treats a connection without the Worker's role header as a viewer", async () => {
    const stub = env.CARDS.get(env.CARDS.idFromName("no-role-header"));
    const res = await stub.fetch("http://x/parties/cards/no-role-header", { headers: { Upgrade: "websocket", [ROOM_HEADER]: "no-role-header" } });
    const ws = res.webSocket!;
    ws.accept();
    const inbox: { type: string; code?: string }[] = [];
    ws.addEventListener("message", (ev) => void inbox.push(JSON.parse(String(ev.data))));
    ws.send(JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, clientId: "c1", epoch: null, lastSeq: 0, name: "x", color: "#112233" }));
    ws.send(JSON.stringify({ type: "mutate", mid: "m1", ops: [{ op: "put", rec: card("s1") }] }));
    for (let i = 0; i < 200 && !inbox.some((m) => m.type === "reject"); i++) await new Promise((r) => setTimeout(r, 5));
    expect(inbox.find((m) => m.type === "reject")).toMatchObject({ code: ErrorCode.FORBIDDEN });
  });

  it("adds the security headers to what it answers for a room (stats)", async () => {
    const res = await exports.default.fetch("http://x/parties/cards/r1/stats");
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });
});
