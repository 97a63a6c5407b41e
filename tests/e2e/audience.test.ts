/**
 * An audience on wrangler dev (issue 18): 1,000 people open one board. Before
 * relays, 254 got in and 746 got ROOM_FULL. Now the room object keeps
 * AUDIENCE_DIRECT_MAX members itself and hands the rest to relay objects, and
 * what each of them notices is the same as in a small room:
 * - every member gets in through the same URL;
 * - an edit and a deletion by the presenter reach every member, on every
 *   relay, in seq order, each once;
 * - a viewer who tries to edit is refused with a typed error (FORBIDDEN), and
 *   nobody sees its edit;
 * - every member hears how many watch (`watching`), and the backend's watcher
 *   list (`GET …/presence?watchers`, paged) names each watcher exactly once.
 * The audience joins with a viewer token (a deployment without tokens makes
 * everyone an editor, bounded by MAX_EDITORS_PER_ROOM); members are
 * lightweight raw sockets. Every wait is for a condition, with a generous
 * bound for a loaded machine; nothing is timed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { AUDIENCE_DIRECT_MAX, RELAY_MAX_MEMBERS, WATCHERS_PAGE_MAX } from "../../party/shared/limits.ts";
import { ErrorCode, PING_FRAME, PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import { WHITEBOARD_SCHEMA_VERSION } from "../../party/whiteboard/schema.ts";
import { type DevServer, startDevServer } from "../support/dev-server.ts";

type Op = { op: string; id?: string; rec?: { id: string } };
type Msg = { type: string; seq?: number; mid?: string; mode?: string; n?: number; ops?: Op[]; dup?: boolean; code?: string; self?: { role: string } };

const AUDIENCE = 1000;
const EDITS = 5;
const API_SECRET = "audience-e2e-api-secret-0123456789abcdef";

interface Member {
  name: string;
  ws: WebSocket;
  synced: boolean;
  role: string | null;
  /** The seqs applied, in arrival order: each change's, and the author's acks. */
  seqs: number[];
  /** What each change did, by seq ("put s0", "del s0"). */
  ops: Map<number, string>;
  /** The last `watching` count heard (null: none yet). */
  watching: number | null;
  rejects: { mid: string; code: string }[];
  closed: number | null;
  errors: string[];
}

function join(url: string, name: string): Member {
  const m: Member = { name, ws: new WebSocket(url), synced: false, role: null, seqs: [], ops: new Map(), watching: null, rejects: [], closed: null, errors: [] };
  m.ws.on("message", (d) => {
    const parsed = JSON.parse(String(d)) as Msg | Msg[];
    for (const msg of Array.isArray(parsed) ? parsed : [parsed]) {
      if (msg.type === "welcome") m.role = msg.self!.role;
      if (msg.type === "sync") m.synced = true;
      if (msg.type === "change" || (msg.type === "ack" && !msg.dup)) m.seqs.push(msg.seq!);
      if (msg.type === "change") m.ops.set(msg.seq!, msg.ops!.map((o) => `${o.op} ${o.id ?? o.rec?.id}`).join(","));
      if (msg.type === "watching") m.watching = msg.n!;
      if (msg.type === "reject") m.rejects.push({ mid: msg.mid!, code: msg.code! });
      if (msg.type === "error") m.errors.push(msg.code!);
    }
  });
  m.ws.on("error", () => {});
  m.ws.on("close", (code) => {
    m.closed = code;
  });
  // `watching`: it reads the watcher count, as the client library's hello says.
  m.ws.on("open", () => m.ws.send(JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, schema: WHITEBOARD_SCHEMA_VERSION, clientId: `c-${name}`, epoch: null, lastSeq: 0, name, color: "#000000", watching: true })));
  return m;
}

/** Wait for a condition, checked every 50 ms; `label` says how far it got. */
async function until(what: () => boolean, ms: number, label: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${label()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const rect = (id: string, x: number) => ({ id, type: "rect", x, y: 0, z: 1, color: "#000000", stroke: 2, w: 10, h: 10, fill: null });

describe("wrangler dev: an audience of 1,000 in one room", () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await startDevServer("wrangler", { vars: { AUTH_SECRET: "audience-e2e-secret-0123456789abcdef", DEV_TOKENS: "true", API_SECRET } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("lets every member in; edits, a deletion, the watcher count and the watcher list reach all of them; viewers cannot edit", { timeout: 120_000 }, async () => {
    const room = "audience-e2e";
    const base = `http://${server.host}/parties/whiteboard/${room}`;
    const api = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${API_SECRET}` } });
    const token = async (role: string) => ((await (await fetch(`http://${server.host}/auth/dev-token?room=${room}&role=${role}`)).json()) as { token: string }).token;
    const url = (t: string) => `ws://${server.host}/parties/whiteboard/${room}?token=${t}`;
    const presenter = join(url(await token("editor")), "presenter");
    await until(() => presenter.synced, 30_000, () => "the presenter's sync");

    const viewer = await token("viewer");
    const members: Member[] = [];
    const everyone = () => [presenter, ...members];
    // Members ping as the library does (a silent socket is swept after 30 s).
    const pings = setInterval(() => {
      for (const m of everyone()) if (m.ws.readyState === WebSocket.OPEN) m.ws.send(PING_FRAME);
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
      expect(members.filter((m) => m.role !== "viewer").map((m) => m.name), "members whose welcome did not say viewer").toEqual([]);

      // The watchers are the members on relays: everyone past the room's own.
      const watchers = AUDIENCE + 1 - AUDIENCE_DIRECT_MAX;
      // The relays report their counts at most once a second (RELAY_COUNTS_MS).
      const read = async () => (await (await fetch(`${base}/stats?token=${viewer}`)).json()) as Record<string, number>;
      let stats = await read();
      const end = Date.now() + 30_000;
      while (stats.relayed !== watchers && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 200));
        stats = await read();
      }
      expect(stats).toMatchObject({ connections: AUDIENCE_DIRECT_MAX, relayed: watchers, relays: Math.ceil(watchers / RELAY_MAX_MEMBERS), watching: watchers });

      // Every member hears the count: the room's own members all the
      // watchers, a watcher the others (PROTOCOL.md `watching`).
      const direct = new Set<Member>();
      const presence = (await (await api("/presence")).json()) as { count: number; members: { clientId: string }[] };
      const directIds = new Set(presence.members.map((p) => p.clientId));
      for (const m of everyone()) if (directIds.has(`c-${m.name}`)) direct.add(m);
      expect(direct.size, "members the room holds itself").toBe(AUDIENCE_DIRECT_MAX);
      expect(presence.count).toBe(AUDIENCE + 1);
      const heard = (m: Member) => (direct.has(m) ? watchers : watchers - 1);
      await until(
        () => everyone().every((m) => m.watching === heard(m)),
        30_000,
        () => `every member to hear the watcher count: ${everyone().filter((m) => m.watching === heard(m)).length}/${AUDIENCE + 1} (e.g. ${everyone().find((m) => m.watching !== heard(m))?.watching})`,
      );

      // The backend lists the watchers on request, a page at a time: each of
      // them exactly once, and nobody else.
      const listed: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await api(`/presence?watchers=1&limit=${WATCHERS_PAGE_MAX}${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`);
        expect(res.status).toBe(200);
        const page = (await res.json()) as { watchers: { clientId: string; role: string }[]; cursor: string | null; watching: number };
        expect(page.watchers.length).toBeLessThanOrEqual(WATCHERS_PAGE_MAX);
        expect(page.watching).toBe(watchers);
        expect(page.watchers.every((w) => w.role === "viewer")).toBe(true);
        listed.push(...page.watchers.map((w) => w.clientId));
        cursor = page.cursor;
        pages++;
      } while (cursor !== null && pages < 100);
      expect(cursor, "the list ended").toBeNull();
      const expected = everyone().filter((m) => !direct.has(m)).map((m) => `c-${m.name}`);
      expect([...listed].sort(), "the watchers listed").toEqual([...expected].sort());
      expect(new Set(listed).size, "watchers listed twice").toBe(listed.length);

      // A viewer cannot edit, whether the room or a relay holds it.
      const onRoom = members.find((m) => direct.has(m))!;
      const onRelay = members.findLast((m) => !direct.has(m))!;
      for (const [i, m] of [onRoom, onRelay].entries()) m.ws.send(JSON.stringify({ type: "mutate", mid: `viewer-${i}`, ops: [{ op: "put", rec: rect(`v${i}`, 0) }] }));
      await until(() => onRoom.rejects.length > 0 && onRelay.rejects.length > 0, 30_000, () => "the viewers' rejects");
      expect(onRoom.rejects).toEqual([{ mid: "viewer-0", code: ErrorCode.FORBIDDEN }]);
      expect(onRelay.rejects).toEqual([{ mid: "viewer-1", code: ErrorCode.FORBIDDEN }]);

      // The presenter draws EDITS shapes and deletes the first.
      for (let i = 0; i < EDITS; i++) presenter.ws.send(JSON.stringify({ type: "mutate", mid: `edit-${i}`, ops: [{ op: "put", rec: rect(`s${i}`, i) }] }));
      presenter.ws.send(JSON.stringify({ type: "mutate", mid: "delete-0", ops: [{ op: "del", id: "s0" }] }));
      const last = EDITS + 1;
      await until(() => everyone().every((m) => m.seqs.length >= last), 60_000, () => `every member at seq ${last}: ${everyone().filter((m) => m.seqs.length >= last).length}/${AUDIENCE + 1}`);
      // Seq 1..6 once each, in order, for all (the viewers' edits took none);
      // the last is the deletion, for every member that was not its author.
      const seqs = Array.from({ length: last }, (_, i) => i + 1);
      const wrong = everyone().filter((m) => JSON.stringify(m.seqs) !== JSON.stringify(seqs)).map((m) => [m.name, m.seqs]);
      expect(wrong, "members whose seqs are not 1..6 once each, in order").toEqual([]);
      const missed = members.filter((m) => m.ops.get(last) !== "del s0" || m.ops.get(1) !== "put s0").map((m) => [m.name, [...m.ops]]);
      expect(missed, "members that did not see the first shape drawn, then deleted").toEqual([]);
    } finally {
      clearInterval(pings);
      for (const m of everyone()) m.ws.terminate();
    }
  });
});
