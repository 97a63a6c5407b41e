/**
 * An audience on wrangler dev (issue 18): 1,000 people open one board. Before
 * relays, 254 got in and 746 got ROOM_FULL. Now the room object keeps
 * AUDIENCE_DIRECT_MAX members itself and hands the rest to relay objects:
 * every member gets in through the same URL, and an edit reaches every member
 * on every relay with contiguous seq. The audience joins with a viewer token
 * (a deployment without tokens makes everyone an editor, bounded by
 * MAX_EDITORS_PER_ROOM); members are lightweight raw sockets.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { AUDIENCE_DIRECT_MAX, RELAY_MAX_MEMBERS } from "../../party/shared/limits.ts";
import { PING_FRAME, PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import { WHITEBOARD_SCHEMA_VERSION } from "../../party/whiteboard/schema.ts";
import { type DevServer, startDevServer } from "../support/dev-server.ts";

type Msg = { type: string; seq?: number; mode?: string; changes?: { seq: number }[]; dup?: boolean; code?: string };

const AUDIENCE = 1000;
const EDITS = 5;

interface Member {
  ws: WebSocket;
  synced: boolean;
  /** The seqs applied: each change's, and the author's acks. */
  seqs: number[];
  closed: number | null;
  errors: string[];
}

function join(url: string, name: string): Member {
  const m: Member = { ws: new WebSocket(url), synced: false, seqs: [], closed: null, errors: [] };
  m.ws.on("message", (d) => {
    const parsed = JSON.parse(String(d)) as Msg | Msg[];
    for (const msg of Array.isArray(parsed) ? parsed : [parsed]) {
      if (msg.type === "sync") m.synced = true;
      if (msg.type === "change" || (msg.type === "ack" && !msg.dup)) m.seqs.push(msg.seq!);
      if (msg.type === "error") m.errors.push(msg.code!);
    }
  });
  m.ws.on("error", () => {});
  m.ws.on("close", (code) => {
    m.closed = code;
  });
  m.ws.on("open", () => m.ws.send(JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, schema: WHITEBOARD_SCHEMA_VERSION, clientId: `c-${name}`, epoch: null, lastSeq: 0, name, color: "#000000" })));
  return m;
}

async function until(what: () => boolean, ms: number, label: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${label()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("wrangler dev: an audience of 1,000 in one room", () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await startDevServer("wrangler", { vars: { AUTH_SECRET: "audience-e2e-secret-0123456789abcdef", DEV_TOKENS: "true" } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("lets every member in and brings an edit to all of them with contiguous seq", { timeout: 300_000 }, async () => {
    const room = "audience-e2e";
    const token = async (role: string) => ((await (await fetch(`http://${server.host}/auth/dev-token?room=${room}&role=${role}`)).json()) as { token: string }).token;
    const url = (t: string) => `ws://${server.host}/parties/whiteboard/${room}?token=${t}`;
    const editor = join(url(await token("editor")), "presenter");
    await until(() => editor.synced, 30_000, () => "the presenter's sync");

    const viewer = await token("viewer");
    const members: Member[] = [];
    // Members ping as the library does (a silent socket is swept after 30 s).
    const pings = setInterval(() => {
      for (const m of [editor, ...members]) if (m.ws.readyState === WebSocket.OPEN) m.ws.send(PING_FRAME);
    }, 10_000);
    try {
      // In waves, as a lecture hall fills: 50 sockets at a time.
      for (let i = 0; i < AUDIENCE; i += 50) {
        const wave = Array.from({ length: Math.min(50, AUDIENCE - i) }, (_, j) => join(url(viewer), `v${i + j}`));
        members.push(...wave);
        await until(() => wave.every((m) => m.synced || m.closed !== null), 60_000, () => `wave ${i}: ${wave.filter((m) => m.synced).length} synced`);
      }
      const refused = members.filter((m) => !m.synced);
      expect(refused.map((m) => [m.closed, ...m.errors]), "members that did not get in").toEqual([]);

      // The relays report their counts at most once a second (RELAY_COUNTS_MS).
      const read = async () => (await (await fetch(`http://${server.host}/parties/whiteboard/${room}/stats?token=${viewer}`)).json()) as Record<string, number>;
      let stats = await read();
      for (let i = 0; i < 50 && stats.relayed !== AUDIENCE + 1 - AUDIENCE_DIRECT_MAX; i++) {
        await new Promise((r) => setTimeout(r, 200));
        stats = await read();
      }
      expect(stats.connections).toBe(AUDIENCE_DIRECT_MAX);
      expect(stats.relayed).toBe(AUDIENCE + 1 - AUDIENCE_DIRECT_MAX);
      expect(stats.relays).toBe(Math.ceil((AUDIENCE + 1 - AUDIENCE_DIRECT_MAX) / RELAY_MAX_MEMBERS));
      expect(stats.watching).toBe(AUDIENCE + 1 - AUDIENCE_DIRECT_MAX);

      for (let i = 0; i < EDITS; i++) {
        editor.ws.send(JSON.stringify({ type: "mutate", mid: `edit-${i}`, ops: [{ op: "put", rec: { id: `s${i}`, type: "rect", x: i, y: 0, z: 1, color: "#000000", stroke: 2, w: 10, h: 10, fill: null } }] }));
      }
      const everyone = [editor, ...members];
      await until(() => everyone.every((m) => m.seqs.length >= EDITS), 60_000, () => `every member at seq ${EDITS}: ${everyone.filter((m) => m.seqs.length >= EDITS).length}/${everyone.length}`);
      const expected = Array.from({ length: EDITS }, (_, i) => i + 1);
      const wrong = everyone.map((m, i) => [i, m.seqs] as const).filter(([, seqs]) => JSON.stringify(seqs) !== JSON.stringify(expected));
      expect(wrong, "members whose seqs are not 1..5 once each, in order").toEqual([]);
      for (const m of everyone) m.ws.close();
    } finally {
      clearInterval(pings);
    }
  });
});
