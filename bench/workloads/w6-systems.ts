/**
 * W6's systems side by side (issue 18 item 9): how each one's 10 editors and
 * V watchers are made, and what each counts as the room's inbound messages.
 *
 * - `edgeroom`: the product's room with tokens on (`/parties/whiteboard-audience`):
 *   past AUDIENCE_DIRECT_MAX direct members it hands sockets to relays.
 * - `edgeroom-one-object`: the same room as one object (`/parties/whiteboard-single`,
 *   no relays): it refuses past MAX_CONNECTIONS_PER_ROOM, so its ladder is
 *   clipped to that cap less the editors, and stops there.
 * - `relay`: the bare fan-out Durable Object (every frame to every other
 *   socket, unparsed): the limit.
 * - `tldraw`: TLSocketRoom; editors through the bench's tldraw driver (its
 *   30/s push cadence, presence with a cursor), watchers as raw sessions that
 *   send the `connect` TLSyncClient sends and a ping every 5 s.
 * - `liveblocks`: the dev server; editors and watchers through
 *   `@liveblocks/client` itself (its raw protocol is not public), so its
 *   watchers cost the generator more than the others' (their rows say when
 *   the generator, not the server, was the limit).
 *
 * edgeroom's and the relay's editors and watchers are raw sockets (the
 * generator must hold 10,000 of them); an edit's `x` is its send stamp,
 * which every watcher reads back from what it receives.
 */
import WebSocket from "ws";
import { mintToken } from "../../party/engine/auth.ts";
import { MAX_CONNECTIONS_PER_ROOM } from "../../party/shared/limits.ts";
import { PING_FRAME, PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import { whiteboard } from "../../party/whiteboard/schema.ts";
import { loadDriver } from "../drivers/load.ts";
import type { BenchClient } from "../drivers/types.ts";
import { stampSince, until, wallMs } from "../lib/clock.ts";
import type { Histogram } from "../lib/histogram.ts";
import { AUDIENCE_SECRET } from "../peers/audience-secret.ts";

export const W6_SYSTEMS = ["edgeroom", "edgeroom-one-object", "relay", "tldraw", "liveblocks"] as const;
export type W6System = (typeof W6_SYSTEMS)[number];
/** The room's editors (issue 18: 10 of them, 5 edits/s in all, cursors at 20 Hz). */
export const W6_EDITORS = 10;
/** Shapes the editors move (one put or patch per edit). */
const W6_SHAPES = 50;

export interface W6Setup {
  host: string;
  room: string;
  runId: string;
  editors: number;
  epochMs: number;
  /** Watchers count bytes and changes only while this is on (the window). */
  counting: { on: boolean };
  /** Edit → watcher latency of every change a watcher sees while counting. */
  latency: Histogram;
}

export interface W6Member {
  /** Socket open (or connect call) → its first state; null until then. */
  joinMs: number | null;
  /** Refused, closed or failed before it joined. */
  failed: boolean;
  /** Changes seen while counting. */
  changes: number;
  /** Characters received so far / frames sent so far (pings), for window deltas. */
  bytesIn(): number;
  framesOut(): number;
  /** Frames received so far (a batch is one frame), where the system's client counts them. */
  framesIn?(): number;
  /** Changes that did not follow the member's seq by one (a gap or a repeat), where the system has a seq. */
  seqErrors?(): number;
  close(): void;
}

export interface W6Editor {
  cursor(stamp: number, index: number): void;
  edit(n: number, stamp: number): void;
  framesOut(): number;
  close(): void;
}

export interface W6Room {
  editors: W6Editor[];
  member(index: number): W6Member;
  /** Messages the room object has received so far: its own counter where it
   * has one (edgeroom's /stats: direct members' frames plus relay links'), else
   * what this generator's clients sent it. */
  inbound(members: W6Member[]): Promise<number>;
  /** Relay objects behind the room (edgeroom's /stats), null where there are none. */
  relays(): Promise<number | null>;
  close(): void;
}

export interface W6SystemDef {
  /** The largest audience the system admits by design, and why; null: no cap of its own. */
  cap: { v: number; why: string } | null;
  /** Watchers joining at once. */
  wave: number;
  open(setup: W6Setup): Promise<W6Room>;
}

const rect = (id: string, x: number) => ({ op: "put", rec: { id, type: "rect", x, y: 0, z: 1, color: "#000000", stroke: 2, w: 10, h: 10, fill: null } });

/** A raw socket that counts what it receives and sent. */
interface RawSocket {
  ws: WebSocket;
  openedAt: number;
  joinMs: number | null;
  failed: boolean;
  bytes: number;
  frames: number;
  sent: number;
  changes: number;
  /** The seq the member holds (edgeroom), and changes that did not follow it by one. */
  seq: number | null;
  seqErrors: number;
}

function raw(url: string, onOpen: (s: RawSocket) => void, onText: (s: RawSocket, text: string) => void): RawSocket {
  const s: RawSocket = { ws: new WebSocket(url, { perMessageDeflate: false }), openedAt: wallMs(), joinMs: null, failed: false, bytes: 0, frames: 0, sent: 0, changes: 0, seq: null, seqErrors: 0 };
  s.ws.on("message", (data) => {
    const text = String(data);
    s.bytes += text.length;
    s.frames++;
    onText(s, text);
  });
  s.ws.on("error", () => {});
  s.ws.on("close", () => {
    if (s.joinMs === null) s.failed = true;
  });
  s.ws.on("open", () => onOpen(s));
  return s;
}

const send = (s: RawSocket, frame: string) => {
  if (s.ws.readyState !== WebSocket.OPEN) return;
  s.sent++;
  s.ws.send(frame);
};

function asMember(s: RawSocket): W6Member {
  return {
    get joinMs() {
      return s.joinMs;
    },
    get failed() {
      return s.failed;
    },
    get changes() {
      return s.changes;
    },
    bytesIn: () => s.bytes,
    framesIn: () => s.frames,
    seqErrors: () => s.seqErrors,
    framesOut: () => s.sent,
    close: () => s.ws.terminate(),
  };
}

/** Every stamp `re` (one capture group: the number) finds in `text`, as latencies. */
function stamps(s: RawSocket, text: string, re: RegExp, setup: W6Setup): void {
  if (!setup.counting.on) return;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    s.changes++;
    setup.latency.add(stampSince(setup.epochMs) - Number(m[1]));
  }
}

// ---- edgeroom (the audience room, and the same room as one object) ----

const EDGEROOM_CHANGE = /"type":"change"[^]*?"x":(-?[\d.]+)/g;
/** A change's seq (the room writes it first), and a sync's. */
const EDGEROOM_SEQ = /"type":"change","seq":(\d+)/g;
const SYNC_SEQ = /"type":"sync"[^]*?"seq":(\d+)/;

/** Every change in `text` must follow the member's seq by one: the
 * contiguity every member is promised (PROTOCOL.md §9), checked all the time,
 * cheaply (a scan of the frames that hold a change). */
function followSeqs(s: RawSocket, text: string): void {
  EDGEROOM_SEQ.lastIndex = 0;
  for (let m = EDGEROOM_SEQ.exec(text); m; m = EDGEROOM_SEQ.exec(text)) {
    const seq = Number(m[1]);
    if (s.seq !== null && seq !== s.seq + 1) s.seqErrors++;
    s.seq = seq;
  }
}

function edgeroomDef(party: "whiteboard-audience" | "whiteboard-single", cap: W6SystemDef["cap"]): W6SystemDef {
  return {
    cap,
    wave: 100,
    async open(setup) {
      const token = (role: "editor" | "viewer") => mintToken(AUDIENCE_SECRET, { room: setup.room, role });
      const url = `ws://${setup.host}/parties/${party}/${setup.room}?token=`;
      const editorUrl = url + (await token("editor"));
      const viewerUrl = url + (await token("viewer"));
      const sockets: RawSocket[] = [];
      const join = (u: string, name: string, watch: boolean) => {
        const s = raw(
          u,
          (s) => send(s, JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, schema: whiteboard.version, clientId: `w6-${name}`, epoch: null, lastSeq: 0, name, color: "#000000" })),
          (s, text) => {
            if (s.joinMs === null) {
              if (!text.includes(`"type":"sync"`)) return;
              s.joinMs = wallMs() - s.openedAt;
              s.seq = Number(SYNC_SEQ.exec(text)?.[1] ?? Number.NaN);
              return;
            }
            // Only changes are looked into (cursor frames are counted, not parsed).
            if (watch && text.includes(`"type":"change"`)) {
              followSeqs(s, text);
              stamps(s, text, EDGEROOM_CHANGE, setup);
            }
          },
        );
        sockets.push(s);
        return s;
      };
      const eds = Array.from({ length: setup.editors }, (_, i) => join(editorUrl, `editor-${i}`, false));
      await until(() => eds.every((e) => e.joinMs !== null), 30_000, `W6 ${party} editors in`).catch((e: unknown) => {
        for (const s of sockets) s.ws.terminate();
        throw e;
      });
      // Pings as the library sends them (answered by the runtime, never the room).
      const pings = setInterval(() => {
        for (const s of sockets) send(s, PING_FRAME);
      }, 10_000);
      const stats = async () => {
        const res = await fetch(`http://${setup.host}/parties/${party}/${setup.room}/stats?token=${await token("viewer")}`);
        return (await res.json()) as Record<string, number>;
      };
      return {
        editors: eds.map((e, i) => ({
          cursor: (stamp) => send(e, JSON.stringify({ type: "cursor", p: [stamp, i] })),
          edit: (n, stamp) => send(e, JSON.stringify({ type: "mutate", mid: `w6-${setup.runId}-${n}`, ops: [rect(`s${n % W6_SHAPES}`, stamp)] })),
          framesOut: () => e.sent,
          close: () => e.ws.terminate(),
        })),
        member: (i) => asMember(join(viewerUrl, `v${i}`, true)),
        async inbound() {
          // The room object's own inbound (PROTOCOL.md §13, stats): its direct
          // members' frames, relayed frames excluded, plus its relays' link frames.
          const s = await stats();
          return (s.messages ?? 0) - (s.relayedFrames ?? 0) + (s.linkFrames ?? 0);
        },
        async relays() {
          return (await stats()).relays ?? 0;
        },
        close() {
          clearInterval(pings);
          for (const s of sockets) s.ws.terminate();
        },
      };
    },
  };
}

// ---- the bare fan-out relay ----

const RELAY_EDIT = /^\{"t":"e".*?"p":\[(-?[\d.]+)/g;

const relayDef: W6SystemDef = {
  cap: null,
  wave: 100,
  async open(setup) {
    const url = `ws://${setup.host}/parties/relay/${setup.room}`;
    const sockets: RawSocket[] = [];
    const join = (watch: boolean) => {
      const s = raw(
        url,
        (s) => (s.joinMs = wallMs() - s.openedAt),
        (s, text) => {
          if (watch && text.startsWith(`{"t":"e"`)) stamps(s, text, RELAY_EDIT, setup);
        },
      );
      sockets.push(s);
      return s;
    };
    const eds = Array.from({ length: setup.editors }, () => join(false));
    await until(() => eds.every((e) => e.joinMs !== null), 30_000, "W6 relay editors in").catch((e: unknown) => {
      for (const s of sockets) s.ws.terminate();
      throw e;
    });
    return {
      editors: eds.map((e, i) => ({
        cursor: (stamp) => send(e, `{"t":"c","p":[${stamp},${i}]}`),
        edit: (n, stamp) => send(e, JSON.stringify({ t: "e", id: `s${n % W6_SHAPES}`, p: [stamp, 0], s: i })),
        framesOut: () => e.sent,
        close: () => e.ws.terminate(),
      })),
      member: () => asMember(join(true)),
      // The relay has no counter: what was sent to it is what it received.
      inbound: async (members) => eds.reduce((n, e) => n + e.sent, 0) + members.reduce((n, m) => n + m.framesOut(), 0),
      relays: async () => null,
      close() {
        for (const s of sockets) s.ws.terminate();
      },
    };
  },
};

// ---- peers with a client library: editors through the bench's drivers ----

function driverEditors(clients: BenchClient[]): W6Editor[] {
  return clients.map((c, i) => ({
    cursor: (stamp) => c.sendCursor(stamp, i),
    edit: (n, stamp) => c.patchShape(`s${n % W6_SHAPES}`, stamp, 0),
    framesOut: () => c.wire.framesOut,
    close: () => c.close(),
  }));
}

async function seededEditors(system: "tldraw" | "liveblocks", setup: W6Setup): Promise<BenchClient[]> {
  const driver = await loadDriver(system);
  const clients = Array.from({ length: setup.editors }, (_, i) => driver({ host: setup.host, room: setup.room, index: i, first: i === 0 }));
  try {
    // The first brings the room's document (Liveblocks' initial storage) and the shapes.
    await clients[0]!.connect();
    await clients[0]!.putShapes(Array.from({ length: W6_SHAPES }, (_, k) => ({ id: `s${k}`, x: 0, y: 0 })));
    await Promise.all(clients.slice(1).map((c) => c.connect()));
    return clients;
  } catch (e) {
    for (const c of clients) c.close();
    throw e;
  }
}

const clientsInbound = (editors: W6Editor[], members: W6Member[]) => editors.reduce((n, e) => n + e.framesOut(), 0) + members.reduce((n, m) => n + m.framesOut(), 0);

const TLDRAW_EDIT = /"x":\["put",(-?[\d.]+)\]/g;

async function tldrawDef(): Promise<W6SystemDef> {
  const { tldrawConnectFrame, PING_INTERVAL_MS: TLDRAW_PING_MS } = await import("../drivers/tldraw.ts");
  return {
    cap: null,
    wave: 50,
    async open(setup) {
      const editors = driverEditors(await seededEditors("tldraw", setup));
      const sockets: RawSocket[] = [];
      // TLSyncClient pings every 5 s; the room drops sessions it has not heard from.
      const pings = setInterval(() => {
        for (const s of sockets) send(s, `{"type":"ping"}`);
      }, TLDRAW_PING_MS);
      return {
        editors,
        member(i) {
          const sessionId = `w6-${i}-${Math.random().toString(36).slice(2, 10)}`;
          const s = raw(
            `ws://${setup.host}/parties/tldraw/${setup.room}?sessionId=${sessionId}`,
            (s) => send(s, tldrawConnectFrame(sessionId)),
            (s, text) => {
              if (s.joinMs === null) {
                if (text.includes(`"type":"connect"`)) s.joinMs = wallMs() - s.openedAt;
                return;
              }
              // A shape's x in a patch (presence cursors carry {"x":n}, not ["put",n]).
              if (text.includes(`["put",`)) stamps(s, text, TLDRAW_EDIT, setup);
            },
          );
          sockets.push(s);
          return asMember(s);
        },
        inbound: async (members) => clientsInbound(editors, members),
        relays: async () => null,
        close() {
          clearInterval(pings);
          for (const s of sockets) s.ws.terminate();
          for (const e of editors) e.close();
        },
      };
    },
  };
}

async function liveblocksDef(): Promise<W6SystemDef> {
  const driver = await loadDriver("liveblocks");
  return {
    cap: null,
    wave: 25,
    async open(setup) {
      const editors = driverEditors(await seededEditors("liveblocks", setup));
      const clients: BenchClient[] = [];
      return {
        editors,
        member(i) {
          const c = driver({ host: setup.host, room: setup.room, index: setup.editors + i, first: false });
          clients.push(c);
          const started = wallMs();
          const m = {
            joinMs: null as number | null,
            failed: false,
            changes: 0,
            bytesIn: () => c.wire.bytesIn,
            framesOut: () => c.wire.framesOut,
            close: () => c.close(),
          };
          c.onRemoteEdit = (_id, x) => {
            if (!setup.counting.on) return;
            m.changes++;
            setup.latency.add(stampSince(setup.epochMs) - x);
          };
          c.connect().then(
            () => (m.joinMs = wallMs() - started),
            () => (m.failed = true),
          );
          return m;
        },
        inbound: async (members) => clientsInbound(editors, members),
        relays: async () => null,
        close() {
          for (const c of clients) c.close();
          for (const e of editors) e.close();
        },
      };
    },
  };
}

/** The definition of each W6 system (peers' client code loaded on demand). */
export async function w6System(system: W6System): Promise<W6SystemDef> {
  switch (system) {
    case "edgeroom":
      return edgeroomDef("whiteboard-audience", null);
    case "edgeroom-one-object":
      return edgeroomDef("whiteboard-single", { v: MAX_CONNECTIONS_PER_ROOM - W6_EDITORS, why: `its cap: one object refuses past MAX_CONNECTIONS_PER_ROOM (${MAX_CONNECTIONS_PER_ROOM}), ${W6_EDITORS} of them the editors` });
    case "relay":
      return relayDef;
    case "tldraw":
      return tldrawDef();
    case "liveblocks":
      return liveblocksDef();
  }
}
