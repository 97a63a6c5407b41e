/**
 * W9 history flood (issue 23 item 2; target: a bystander's ack p99 ≤ 500 ms
 * while twelve sockets flood previews of a 3.5 MiB board, and while restores
 * flood). One edgeroom room holds ~3.5 MiB of text shapes (14 commits of 100
 * shapes × 2,400 characters, each under the frame limit) and 30 small edits
 * after them: 44 past points. A bystander then edits every 100 ms, one edit
 * in flight at a time, through four phases side by side:
 *
 * - quiet: nothing else happens (the room's own ack time);
 * - previews: twelve sockets each ask a preview every 60 ms (four times
 *   their history rate) of points spread over the last 30 seqs;
 * - restores: one socket asks a restore every 60 ms;
 * - both at once.
 *
 * Per phase: the bystander's ack p50/p99/max, and what the flood got (whole
 * boards, or RATE_LIMITED — never silence). The flooders and the bystander are
 * raw sockets that never parse a board (a 3.5 MiB JSON per preview would be
 * the generator's work, not the room's): they look for their own answers in
 * the text.
 */
import WebSocket from "ws";
import { PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import { whiteboard } from "../../party/whiteboard/schema.ts";
import { sleep, until, wallMs } from "../lib/clock.ts";
import { Histogram } from "../lib/histogram.ts";

const BIG_COMMITS = 14;
const SMALL_EDITS = 30;
const ASKERS = 12;
const FLOOD_EVERY_MS = 60;
const BYSTANDER_EVERY_MS = 100;

export const W9_PHASES = ["quiet", "previews", "restores", "both"] as const;
export type W9Phase = (typeof W9_PHASES)[number];

export interface W9PhaseResult {
  phase: W9Phase;
  edits: number;
  ackP50Ms: number;
  ackP99Ms: number;
  ackMaxMs: number;
  previewsAsked: number;
  previewsServed: number;
  previewsRateLimited: number;
  restoresAsked: number;
  restoresApplied: number;
  restoresRefused: number;
}

export interface W9Result {
  boardChars: number;
  points: number;
  phases: W9PhaseResult[];
}

export interface W9Options {
  host: string;
  /** Bystander edits per phase. */
  edits: number;
  runId: string;
  log: (line: string) => void;
}

/** A raw member: hello, its sync, and the text of everything after. */
class Raw {
  readonly ws: WebSocket;
  synced = false;
  /** Counts of messages by a key the owner chooses (see `watch`). */
  readonly seen = new Map<string, number>();
  boardChars = 0;
  private readonly waiters: ((text: string) => void)[] = [];

  constructor(host: string, room: string, name: string) {
    this.ws = new WebSocket(`ws://${host}/parties/whiteboard/${room}`, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
    this.ws.on("open", () => this.ws.send(JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, schema: whiteboard.version, clientId: `w9-${name}-${Math.random().toString(36).slice(2, 8)}`, epoch: null, lastSeq: 0, name, color: "#123456" })));
    this.ws.on("error", () => {});
    this.ws.on("message", (data) => {
      const text = String(data);
      if (!this.synced && text.includes(`"type":"sync"`)) this.synced = true;
      // The start of every message in the frame tells its type (the room writes `type` first).
      for (let at = text.indexOf(`{"type":"`); at >= 0; at = text.indexOf(`{"type":"`, at + 9)) {
        const type = text.slice(at + 9, text.indexOf(`"`, at + 9));
        if (type === "preview") this.boardChars = Math.max(this.boardChars, text.length);
        if (type === "error" || type === "reject") {
          const code = /"code":"([A-Z_]+)"/.exec(text.slice(at, at + 300))?.[1] ?? "?";
          this.bump(`${type}:${code}`);
        } else this.bump(type);
      }
      for (const w of this.waiters.splice(0)) w(text);
    });
  }

  private bump(key: string): void {
    this.seen.set(key, (this.seen.get(key) ?? 0) + 1);
  }

  count(key: string): number {
    return this.seen.get(key) ?? 0;
  }

  /** Refusals of any code (`error:…` or `reject:…`). */
  refusals(kind: "error" | "reject"): number {
    let n = 0;
    for (const [k, v] of this.seen) if (k.startsWith(`${kind}:`)) n += v;
    return n;
  }

  send(msg: unknown): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  /** Resolve when a frame carries this mid's ack (or its refusal). */
  answer(mid: string, timeoutMs: number): Promise<"ack" | "reject" | "timeout"> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve("timeout"), timeoutMs);
      const look = (text: string) => {
        const i = text.indexOf(`"mid":"${mid}"`);
        if (i >= 0) {
          const start = text.lastIndexOf(`{"type":"`, i);
          if (text.startsWith(`{"type":"ack"`, start) || text.startsWith(`{"type":"reject"`, start)) {
            clearTimeout(timer);
            return resolve(text.startsWith(`{"type":"ack"`, start) ? "ack" : "reject");
          }
        }
        this.waiters.push(look);
      };
      this.waiters.push(look);
    });
  }

  close(): void {
    this.ws.terminate();
  }
}

const textShape = (id: string, i: number) => ({ id, type: "text", x: i, y: 0, z: 1, color: "#000000", stroke: 2, size: 16, text: `${i}`.padEnd(2_400, "w") });
const rect = (id: string, i: number) => ({ id, type: "rect", x: i, y: 0, z: 1, color: "#000000", stroke: 2, w: 10, h: 10, fill: null });
const q = (h: Histogram, p: number) => Math.round(h.quantile(p) * 10) / 10;

export async function runW9(opts: W9Options): Promise<W9Result> {
  const room = `w9-${opts.runId}`;
  const all: Raw[] = [];
  const join = async (name: string) => {
    const c = new Raw(opts.host, room, name);
    all.push(c);
    await until(() => c.synced, 30_000, `W9 ${name} in`);
    return c;
  };
  try {
    const author = await join("ada");
    for (let m = 0; m < BIG_COMMITS; m++) {
      const answer = author.answer(`big${m}`, 60_000);
      author.send({ type: "mutate", mid: `big${m}`, ops: Array.from({ length: 100 }, (_, k) => ({ op: "put", rec: textShape(`t${m * 100 + k}`, m) })) });
      if ((await answer) !== "ack") throw new Error(`W9: seeding commit ${m} was not acknowledged`);
    }
    for (let e = 0; e < SMALL_EDITS; e++) {
      const answer = author.answer(`e${e}`, 60_000);
      author.send({ type: "mutate", mid: `e${e}`, ops: [{ op: "patch", id: `t${e}`, set: { x: 1_000 + e } }] });
      await answer;
    }
    const askers: Raw[] = [];
    for (let i = 0; i < ASKERS; i++) askers.push(await join(`asker${i}`));
    const restorer = await join("rita");
    const bystander = await join("bea");
    opts.log(`W9: ${BIG_COMMITS + SMALL_EDITS} points, ${ASKERS} askers, a restorer and a bystander in`);

    const phases: W9PhaseResult[] = [];
    let k = 0;
    for (const phase of W9_PHASES) {
      const previews = phase === "previews" || phase === "both";
      const restores = phase === "restores" || phase === "both";
      const before = {
        served: askers.reduce((n, c) => n + c.count("preview"), 0),
        limited: askers.reduce((n, c) => n + c.count("error:RATE_LIMITED"), 0),
        applied: restorer.count("ack"),
        refused: restorer.count("reject:RATE_LIMITED"),
        answered: askers.reduce((n, c) => n + c.count("preview") + c.refusals("error"), 0),
        restoreAnswers: restorer.count("ack") + restorer.refusals("reject"),
      };
      const asked = { previews: 0, restores: 0 };
      let flooding = true;
      const flood = (async () => {
        if (!previews && !restores) return;
        while (flooding) {
          k++;
          if (previews) for (const [i, c] of askers.entries()) c.send({ type: "preview", rid: `p${i}-${k}`, seq: BIG_COMMITS + ((i * 7 + k) % SMALL_EDITS) });
          if (restores) restorer.send({ type: "restore", mid: `r${k}`, seq: BIG_COMMITS + ((k * 11) % SMALL_EDITS) });
          asked.previews += previews ? askers.length : 0;
          asked.restores += restores ? 1 : 0;
          await sleep(FLOOD_EVERY_MS);
        }
      })();
      // The flood's first answers before the bystander starts: it edits into a flooded room.
      if (previews) await until(() => askers.some((c) => c.count("preview") > before.served), 30_000, "W9 the first preview").catch(() => {});
      if (restores) await until(() => restorer.count("ack") + restorer.refusals("reject") > before.restoreAnswers, 30_000, "W9 the first restore").catch(() => {});
      const acks = new Histogram();
      let max = 0;
      for (let e = 0; e < opts.edits; e++) {
        const mid = `b-${phase}-${e}`;
        const at = wallMs();
        const answer = bystander.answer(mid, 120_000);
        bystander.send({ type: "mutate", mid, ops: [{ op: "put", rec: rect(`bea-${phase}-${e}`, e) }] });
        const got = await answer;
        const ms = wallMs() - at;
        if (got === "timeout") throw new Error(`W9 ${phase}: the bystander's edit ${e} was not answered in 120 s`);
        acks.add(ms);
        max = Math.max(max, ms);
        await sleep(BYSTANDER_EVERY_MS);
      }
      flooding = false;
      await flood;
      // Every request answered before the next phase (a board, or RATE_LIMITED).
      const answered = () =>
        askers.reduce((n, c) => n + c.count("preview") + c.refusals("error"), 0) - before.answered >= asked.previews && restorer.count("ack") + restorer.refusals("reject") - before.restoreAnswers >= asked.restores;
      await until(answered, 60_000, `W9 ${phase}: every request answered`).catch(() => opts.log(`W9 ${phase}: not every flood request was answered within 60 s`));
      const r: W9PhaseResult = {
        phase,
        edits: opts.edits,
        ackP50Ms: q(acks, 0.5),
        ackP99Ms: q(acks, 0.99),
        ackMaxMs: Math.round(max * 10) / 10,
        previewsAsked: asked.previews,
        previewsServed: askers.reduce((n, c) => n + c.count("preview"), 0) - before.served,
        previewsRateLimited: askers.reduce((n, c) => n + c.count("error:RATE_LIMITED"), 0) - before.limited,
        restoresAsked: asked.restores,
        restoresApplied: restorer.count("ack") - before.applied,
        restoresRefused: restorer.count("reject:RATE_LIMITED") - before.refused,
      };
      phases.push(r);
      opts.log(`W9 ${phase}: ${JSON.stringify(r)}`);
      // The history budgets refill between phases, as the flood's own phase started them full.
      await sleep(5_000);
    }
    return { boardChars: Math.max(...askers.map((c) => c.boardChars)), points: BIG_COMMITS + SMALL_EDITS, phases };
  } finally {
    for (const c of all) c.close();
  }
}
