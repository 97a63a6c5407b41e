/**
 * One seeded convergence run: 3–5 RoomClients (the project's own client
 * library) against the room core over the fuzz network, with random edits —
 * conflicting ones included —, disconnects, half-open links, duplicated, delayed
 * and reordered frames, client reloads, evictions and process restarts. Then the
 * network heals and the run checks what a user would be promised:
 *
 * - every client shows exactly what the room stores, at the room's seq;
 * - every acknowledged mutation is in the room's log, at the seq it was acked
 *   with; no mutation id is in the log twice; the log replays to the records;
 * - every edit a client made was either applied or rejected with a notice to
 *   that client — never both, never neither; nothing is left pending.
 *
 * Everything is decided by the seed (see prng.ts, clock.ts), so a failing seed
 * replays exactly: `npm run fuzz -- --seed N --trace`.
 */
import { cards } from "../cards.ts";
import { isDeepStrictEqual } from "node:util";
import { MemoryPendingStore } from "../../../client/engine/pending-store.ts";
import { RoomClient } from "../../../client/engine/room-client.ts";
import { applyAccepted } from "../../../party/shared/apply.ts";
import type { Change, Op } from "../cards.ts";
import type { Card } from "../cards.ts";
import type { ServerMessage } from "../../../party/shared/protocol.ts";
import { KvRoomStorage } from "../../../party/engine/kv-storage.ts";
import { FuzzClock } from "./clock.ts";
import { type Endpoint, FuzzNetwork } from "./network.ts";
import { Prng } from "./prng.ts";

/** How hostile one seed's network and host are. Drawn from the seed itself, so
 * the seed space covers calm runs and stormy ones. */
export interface FuzzProfile {
  clients: number;
  steps: number;
  /** Chance that a delivered client→room frame is also delivered again later. */
  upDup: number;
  /** Chance that a client→room delivery takes a later frame of the queue. */
  upReorder: number;
  /** Chance that a room→client delivery takes a later frame (never happens on a
   * real socket; the client's gap detection must still converge). */
  downReorder: number;
  downDup: number;
  /** Weight of a delivery against the other actions: low values let frames
   * pile up in flight (latency), which is what gives reordering teeth. */
  delivery: number;
  /** Relative weights of the disruptive actions. */
  breaks: number;
  evictions: number;
  restarts: number;
  reloads: number;
  /** The app calling `mutate` is sloppy now and then: a put with a field the
   * schema does not know (the room strips it; the client must draw what the
   * room stores), or a value the schema refuses (the client must refuse it
   * up front, or it would sit pending forever: the room answers BAD_MESSAGE,
   * not a reject). */
  sloppyCaller: boolean;
  /** The room runs on a tiny frame send budget (2 at once, 20/s), so commits
   * and their acks wait and go out batched (commit-outbox.ts). */
  tightFrames: boolean;
  /** An audience room (issue 18): one direct member, the others through relay
   * objects of two (relays.ts), which crash now and then. Every member's seqs
   * must then be contiguous on each of its connections (the room's order,
   * through any relay), unless the seed reorders or duplicates room frames. */
  relays: number;
}

export interface FuzzResult {
  seed: number;
  ok: boolean;
  failures: string[];
  /** The last events before the end (all of them with `trace: true`). */
  trace: string[];
  profile: FuzzProfile;
  counts: Record<string, number>;
}

export interface FuzzOptions {
  /** Keep the whole trace instead of its tail. */
  trace?: boolean;
}

const ROOM = "fuzz-room";
/** A small id space, so edits collide: puts overwrite, patches and deletes hit
 * records another client just deleted. */
const IDS = ["a", "b", "c", "d", "e", "f", "g"];
const COLORS = ["#000000", "#ff0000", "#00aa00", "#3366ff", "#ffcc00"];
const TRACE_TAIL = 300;
/** Steps between two runs of the confirmed-state oracle (it reads the whole log). */
const CHECK_EVERY = 10;
/** A reordered delivery takes one of the first REORDER_WINDOW frames in flight. */
const REORDER_WINDOW = 8;
/** Steps the healing phase may take before the run counts as stuck. */
const HEAL_BUDGET = 20_000;
/** Time the healing phase lets pass when nothing else can move (retries wait on it). */
const HEAL_TICK_MS = 250;

function drawProfile(rng: Prng): Omit<FuzzProfile, "sloppyCaller" | "tightFrames" | "relays"> {
  const downChaos = rng.chance(0.4);
  return {
    clients: rng.range(3, 5),
    steps: rng.range(150, 450),
    upDup: rng.chance(0.5) ? rng.range(2, 15) / 100 : 0,
    upReorder: rng.chance(0.4) ? rng.range(5, 30) / 100 : 0,
    downReorder: downChaos ? rng.range(10, 50) / 100 : 0,
    downDup: downChaos && rng.chance(0.5) ? rng.range(2, 10) / 100 : 0,
    delivery: rng.pick([2, 4, 8]),
    breaks: rng.pick([0, 0.2, 0.5, 1]),
    evictions: rng.pick([0, 0.05, 0.2]),
    restarts: rng.pick([0, 0.03, 0.1]),
    reloads: rng.pick([0, 0.05, 0.15]),
  };
}

// ---------------------------------------------------------------------------
// Random edits

/** A random valid card. Each kind draws from the PRNG exactly as often as the
 * whiteboard shape it stands in for did when the seeds were pinned (rect,
 * ellipse, line, pen, text, sticky), so a pinned seed replays the same run of
 * edits, links and failures. */
function randomCard(rng: Prng, id: string): Card {
  const base = {
    id,
    x: rng.range(-1000, 1000),
    y: rng.range(-1000, 1000),
    votes: rng.range(0, 50),
    color: rng.pick(COLORS),
    text: "",
  };
  const pinned = rng.pick([undefined, false, true]);
  const card = pinned === undefined ? base : { ...base, pinned };
  switch (rng.pick(["note", "task", "link", "idea", "question", "risk"] as const)) {
    case "note": {
      const text = `note ${rng.range(0, 400)}×${rng.range(0, 400)}`;
      return rng.chance(0.5) ? { ...card, kind: "note", text } : { ...card, kind: "note", text, color: rng.pick(COLORS) };
    }
    case "task":
      return { ...card, kind: "task", text: `task ${rng.range(0, 400)}`, done: rng.range(0, 400) % 2 === 0 };
    case "link":
      return { ...card, kind: "link", text: `https://example.com/${rng.range(-300, 300)}/${rng.range(-300, 300)}`, pinned: rng.chance(0.5) };
    case "idea": {
      const words: string[] = [];
      for (let i = rng.range(1, 12); i > 0; i--) words.push(`${rng.range(-200, 200)}:${rng.range(-200, 200)}:${rng.int(101)}`);
      return { ...card, kind: "idea", text: words.join(" ") };
    }
    case "question":
      return { ...card, kind: "question", text: `q${rng.int(1000)}?`, votes: rng.range(8, 64) };
    case "risk":
      return { ...card, kind: "risk", text: `risk ${rng.range(50, 300)}/${rng.range(50, 300)} ${rng.int(1000)}`, color: rng.pick(COLORS) };
  }
}

/** 1–3 fields of `card` set anew. Draws as often whichever fields it picks. */
function randomPatch(rng: Prng, card: Card): Record<string, unknown> {
  const set: Record<string, unknown> = {};
  const fields = ["x", "y", "votes", "color", "text"];
  if (card.kind === "task") fields.push("done");
  for (let i = rng.range(1, 3); i > 0; i--) {
    const f = rng.pick(fields);
    if (f === "x" || f === "y") set[f] = rng.range(-1000, 1000);
    else if (f === "votes") set[f] = rng.range(0, 50);
    else if (f === "color") set[f] = rng.pick(COLORS);
    else if (f === "done") set[f] = rng.chance(0.5);
    else set[f] = `edit ${rng.int(1000)}`;
  }
  return set;
}

/** 1–3 ops that are valid against `view` (what this client sees), which may be
 * stale: the room is where conflicts are decided. */
function randomOps(rng: Prng, view: ReadonlyMap<string, Card>): Op[] {
  const ops: Op[] = [];
  const local = new Map(view);
  for (let i = rng.range(1, 3); i > 0; i--) {
    const existing = [...local.keys()];
    const kind = existing.length === 0 ? "put" : rng.weighted({ put: 3, patch: 4, del: 1.5 });
    if (kind === "put") {
      const rec = randomCard(rng, rng.pick(IDS));
      local.set(rec.id, rec);
      ops.push({ op: "put", rec });
    } else if (kind === "patch") {
      const id = rng.pick(existing);
      const set = randomPatch(rng, local.get(id)!);
      local.set(id, { ...local.get(id)!, ...set } as Card);
      ops.push({ op: "patch", id, set });
    } else {
      const id = rng.pick(existing);
      local.delete(id);
      ops.push({ op: "del", id });
    }
  }
  return ops;
}

function describeOps(ops: readonly Op[]): string {
  return ops.map((o) => (o.op === "put" ? `put ${o.rec.id}(${o.rec.kind})` : o.op === "patch" ? `patch ${o.id}{${Object.keys(o.set).join(",")}}` : `del ${o.id}`)).join("; ");
}

// ---------------------------------------------------------------------------
// Participants: one logical user, across client instances (reloads)

class Participant {
  readonly clientId: string;
  readonly pendingStore = new MemoryPendingStore();
  client!: RoomClient<Card>;
  endpoint!: Endpoint;
  private instances = 0;
  /** Every mutation id this user created. */
  readonly created = new Set<string>();
  /** mid → seq of the first ack received for it. */
  readonly acked = new Map<string, number>();
  /** mid → reject code, for rejects the client surfaced (rolled back). */
  readonly rejected = new Map<string, string>();
  readonly problems: string[] = [];

  /** The seq this instance holds on its current connection (null before its sync). */
  private held: number | null = null;

  constructor(
    readonly index: number,
    private readonly net: FuzzNetwork,
    private readonly contiguous = false,
  ) {
    this.clientId = `fuzz-client-${index}`;
  }

  /** Every change and first ack on one connection is the seq after the last. */
  private checkSeq(msg: ServerMessage<Card>): void {
    if (msg.type === "welcome") this.held = null;
    else if (msg.type === "sync") this.held = msg.seq;
    else if ((msg.type === "change" || (msg.type === "ack" && !msg.dup)) && this.held !== null) {
      if (msg.seq !== this.held + 1) this.problems.push(`${this.label}: seq ${msg.seq} after ${this.held} on one connection`);
      this.held = Math.max(this.held, msg.seq);
    }
  }

  get label(): string {
    return `c${this.index}.${this.instances}`;
  }

  /** Start a client instance over this user's pending store (a page load). */
  async start(): Promise<void> {
    this.instances++;
    const endpoint = this.net.endpoint(this.label);
    const client = new RoomClient({ schema: cards,
      room: ROOM,
      clientId: this.clientId,
      name: `user ${this.index}`,
      color: COLORS[this.index % COLORS.length]!,
      pendingStore: this.pendingStore,
      transport: endpoint.transport,
    });
    this.held = null;
    client.on("message", (msg) => {
      if (this.contiguous) this.checkSeq(msg);
      if (msg.type !== "ack") return;
      const first = this.acked.get(msg.mid);
      if (first === undefined) this.acked.set(msg.mid, msg.seq);
      else if (first !== msg.seq) this.problems.push(`${msg.mid} acked at seq ${first} and again at seq ${msg.seq}`);
    });
    client.on("reject", (notice) => {
      this.rejected.set(notice.mid, notice.code);
      this.net.note(`${this.label} rolls back ${notice.mid} (${notice.code})`);
    });
    client.on("error", (e) => {
      if (e.code === "INTERNAL") this.problems.push(`${this.label} got an INTERNAL error: ${e.message}`);
    });
    await client.ready;
    this.client = client;
    this.endpoint = endpoint;
  }
}

// ---------------------------------------------------------------------------

/** Let promise chains the last action started (pending-store writes, the room's
 * queue) run to completion before the next action. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function runSeed(seed: number, options: FuzzOptions = {}): Promise<FuzzResult> {
  const clock = new FuzzClock();
  clock.install();
  try {
    return await run(seed, clock, options);
  } finally {
    clock.uninstall();
  }
}

async function run(seed: number, clock: FuzzClock, options: FuzzOptions): Promise<FuzzResult> {
  const rng = new Prng(seed);
  // A second stream for what was added to the fuzz later, so that adding it did
  // not change what the main stream replays for seeds pinned before.
  const sideRng = new Prng(seed ^ 0x5bd1e995);
  // A third stream for the batching added after that (same reason).
  const frameRng = new Prng(seed ^ 0x2545f491);
  // A fourth for relays (issue 18), added after that.
  const relayRng = new Prng(seed ^ 0x68e31da4);
  const profile = { ...drawProfile(rng), sloppyCaller: sideRng.chance(0.3), tightFrames: frameRng.chance(0.5), relays: relayRng.chance(0.5) ? relayRng.pick([0.05, 0.2]) : 0 };
  const trace: string[] = [];
  let step = 0;
  const note = (line: string) => {
    trace.push(`#${step} t+${clock.now() - 1_700_000_000_000} ${line}`);
    if (!options.trace && trace.length > TRACE_TAIL * 2) trace.splice(0, trace.length - TRACE_TAIL);
  };
  const counts: Record<string, number> = {};
  const count = (k: string) => void (counts[k] = (counts[k] ?? 0) + 1);
  const net = new FuzzNetwork(ROOM, clock, note, profile.tightFrames ? { frameSendsPerSec: 20, frameSendBurst: 2 } : {}, profile.relays > 0);
  const failures: string[] = [];
  const people: Participant[] = [];
  // Seqs must be contiguous on every connection when room frames are not
  // reordered or duplicated by the seed (a real socket never does either).
  const contiguous = profile.relays > 0 && profile.downReorder === 0 && profile.downDup === 0;
  for (let i = 0; i < profile.clients; i++) {
    const p = new Participant(i, net, contiguous);
    await p.start();
    people.push(p);
  }
  note(`profile ${JSON.stringify(profile)}`);

  const edit = (p: Participant) => {
    const ops = randomOps(rng, p.client.records());
    const put = ops.find((o) => o.op === "put");
    if (profile.sloppyCaller && put && sideRng.chance(0.1)) {
      const sloppy = { ...put.rec } as Record<string, unknown>;
      const invalid = sideRng.chance(0.5);
      if (invalid) sloppy.color = "red";
      else sloppy.label = "not in the schema";
      const bad: Op[] = ops.map((o) => (o === put ? { op: "put", rec: sloppy as Card } : o));
      let mid: string | null = null;
      try {
        mid = p.client.mutate(bad);
      } catch {
        note(`${p.label} sloppy edit (${invalid ? "invalid colour" : "unknown field"}) refused locally`);
      }
      if (mid !== null) {
        p.created.add(mid);
        note(`${p.label} sloppy edit ${mid} (${invalid ? "invalid colour" : "unknown field"}) accepted: ${describeOps(bad)}`);
        if (invalid) failures.push(`${p.label}: mutate accepted ops the room's schema refuses (${mid}); it can never be acked or rejected`);
      }
      return;
    }
    try {
      const mid = p.client.mutate(ops);
      p.created.add(mid);
      count("edits");
      note(`${p.label} edits ${mid}: ${describeOps(ops)}${p.client.connection.status === "live" ? "" : " (offline)"}`);
    } catch (err) {
      // The client refused ops that do not apply to its own view; not a bug.
      note(`${p.label} edit refused locally: ${String(err).slice(0, 80)}`);
    }
  };

  // Mid-run oracle: a client's confirmed records must always be exactly the
  // room's records at the client's seq, whatever arrived out of order. The
  // room's history is rebuilt from its op log, so this sees a client that
  // skipped a change long before the end of the run could mask it.
  const history: Map<string, Card>[] = [new Map()];
  const storage = new KvRoomStorage<Card>(net.kv);
  const checkConfirmed = async () => {
    const meta = (await storage.load()).meta;
    if (!meta || meta.logStart !== 1) return; // compacted: no full history (runs stay far below that)
    for (const c of (await storage.changesSince(history.length - 1)).map((j) => JSON.parse(j) as Change)) {
      const next = new Map(history[history.length - 1]!);
      applyAccepted(next, c.ops);
      history.push(next);
    }
    for (const p of people) {
      const c = p.client;
      if (c.epoch !== null && c.epoch !== meta.epoch) continue;
      const expected = history[c.seq];
      if (!expected) {
        failures.push(`${p.label}: at seq ${c.seq}, beyond the room's ${history.length - 1}`);
        continue;
      }
      const diff = diffRecords(c.confirmedRecords(), expected);
      if (diff && !failures.some((f) => f.startsWith(`${p.label}: confirmed`))) {
        failures.push(`${p.label}: confirmed records at seq ${c.seq} differ from the room's at that seq (step ${step}): ${diff}`);
      }
    }
  };

  // The storm.
  for (step = 1; step <= profile.steps; step++) {
    const up = net.upReady();
    const down = net.downReady();
    const clientNotice = net.clientNoticeReady();
    const serverNotice = net.serverNoticeReady();
    const wanting = people.filter((p) => p.endpoint.wantsLink);
    const live = net.links.filter((l) => !l.broken);
    const action = rng.weighted({
      edit: 4,
      burst: 0.1,
      up: up.length ? profile.delivery : 0,
      down: down.length ? profile.delivery : 0,
      tick: 2,
      longTick: 0.1,
      break: live.length ? profile.breaks : 0,
      clientNotice: clientNotice.length ? 2 : 0,
      serverNotice: serverNotice.length ? 2 : 0,
      connect: wanting.length ? 3 : 0,
      reconnect: 0.1,
      alarm: net.alarmDue() ? 3 : 0,
      evict: profile.evictions,
      restart: profile.restarts,
      reload: profile.reloads,
      relayCrash: net.relays.size ? profile.relays : 0,
    });
    count(action);
    switch (action) {
      case "edit":
        edit(rng.pick(people));
        break;
      case "burst": {
        // Faster than the room's mutation bucket: exercises RATE_LIMITED and the client's retry.
        const p = rng.pick(people);
        for (let i = rng.range(10, 40); i > 0; i--) edit(p);
        break;
      }
      case "up": {
        const link = rng.pick(up);
        const index = rng.chance(profile.upReorder) ? rng.int(Math.min(link.up.length, REORDER_WINDOW)) : 0;
        const copyAt = rng.chance(profile.upDup) ? rng.int(link.up.length + 2) : null;
        await net.deliverUp(link, index, copyAt);
        break;
      }
      case "down": {
        const link = rng.pick(down);
        const index = rng.chance(profile.downReorder) ? rng.int(Math.min(link.down.length, REORDER_WINDOW)) : 0;
        const copyAt = rng.chance(profile.downDup) ? rng.int(link.down.length + 2) : null;
        net.deliverDown(link, index, copyAt);
        break;
      }
      case "tick":
        clock.advance(rng.range(1, 300));
        break;
      case "longTick":
        // Long enough for retries, pings, the presence linger and the half-open sweep.
        clock.advance(rng.range(1_000, 40_000));
        break;
      case "break":
        net.breakLink(rng.pick(live));
        break;
      case "clientNotice":
        net.clientNotice(rng.pick(clientNotice));
        break;
      case "serverNotice":
        await net.serverNotice(rng.pick(serverNotice));
        break;
      case "connect":
        await net.connect(rng.pick(wanting).endpoint);
        break;
      case "reconnect": {
        const p = rng.pick(people);
        note(`${p.label} reconnects`);
        p.client.reconnect();
        break;
      }
      case "alarm":
        await net.fireAlarm();
        break;
      case "evict":
        net.evict();
        break;
      case "restart":
        net.restart();
        break;
      case "relayCrash": {
        const k = relayRng.pick([...net.relays.keys()]);
        net.crashRelay(k);
        break;
      }
      case "reload": {
        // The tab reloads: the old instance is gone, its pending edits wait in the store.
        const p = rng.pick(people);
        note(`${p.label} reloads with ${p.client.pendingCount} pending`);
        p.client.close();
        await settle();
        await p.start();
        break;
      }
    }
    await settle();
    net.prune();
    if (step % CHECK_EVERY === 0) await checkConfirmed();
  }

  // Heal: no more faults, every frame delivered in order, everyone connected.
  const heal = async (): Promise<boolean> => {
    // Relays send the room at most one frame per RELAY_UP_MS, on a timer: a
    // quiet moment is only quiet once that much time has passed in it.
    let graceGiven = profile.relays === 0;
    for (let i = 0; i < HEAL_BUDGET; i++) {
      step++;
      const up = net.upReady();
      const down = net.downReady();
      const clientNotice = net.clientNoticeReady();
      const serverNotice = net.serverNoticeReady();
      const wanting = people.find((p) => p.endpoint.wantsLink);
      if (up.length) await net.deliverUp(up[0]!);
      else if (down.length) net.deliverDown(down[0]!);
      else if (clientNotice.length) net.clientNotice(clientNotice[0]!);
      else if (serverNotice.length) await net.serverNotice(serverNotice[0]!);
      else if (wanting) await net.connect(wanting.endpoint);
      else if (net.alarmDue()) await net.fireAlarm();
      else if (people.every((p) => p.client.connection.status === "live" && p.client.pendingCount === 0) && graceGiven) return true;
      // Something waits on time (a retry after RATE_LIMITED, a relay's next
      // frame): let it pass.
      else {
        graceGiven = true;
        clock.advance(HEAL_TICK_MS);
        await settle();
        net.prune();
        continue;
      }
      graceGiven = profile.relays === 0;
      await settle();
      net.prune();
    }
    return false;
  };
  note("heal");
  let healed = await heal();
  if (healed && (profile.downReorder > 0 || profile.downDup > 0)) {
    // A reordered room→client frame can leave a client silently behind (a change
    // it dropped while resyncing, a stale duplicate sync) until the next change
    // shows the gap. Real sockets never reorder, so give it that next change.
    const p = people[0]!;
    const mid = p.client.mutate([{ op: "put", rec: { id: "barrier", kind: "note", x: 0, y: 0, color: "#000000", votes: 0, text: "barrier" } }]);
    p.created.add(mid);
    note(`barrier ${mid}`);
    healed = await heal();
  }
  if (!healed) {
    const stuck = people.map((p) => `${p.label}: ${p.client.connection.status}, ${p.client.pendingCount} pending`).join("; ");
    failures.push(`did not heal within ${HEAL_BUDGET} steps (${stuck})`);
  }

  // What the room durably holds.
  await checkConfirmed();
  const loaded = await storage.load();
  const meta = loaded.meta;
  if (!meta) {
    // Nothing is stored before the first commit; then no client may have seen one.
    const seen = people.filter((p) => p.client.seq > 0).map((p) => p.label);
    if (seen.length) failures.push(`the room stored nothing, but ${seen.join(", ")} saw changes`);
    return { seed, ok: failures.length === 0, failures, trace, profile, counts };
  }
  const log = (await storage.changesSince(0)).map((j) => JSON.parse(j) as Change);
  const logMids = new Map<string, number>();
  log.forEach((c, i) => {
    if (c.seq !== meta.logStart + i) failures.push(`log entry ${i} has seq ${c.seq}, expected ${meta.logStart + i}`);
    if (logMids.has(c.mid)) failures.push(`mutation ${c.mid} applied twice: seq ${logMids.get(c.mid)} and ${c.seq}`);
    logMids.set(c.mid, c.seq);
  });
  if ((log.at(-1)?.seq ?? meta.logStart - 1) !== meta.seq) failures.push(`log ends at ${log.at(-1)?.seq}, meta.seq is ${meta.seq}`);
  if (meta.logStart === 1) {
    const replayed = new Map<string, Card>();
    for (const c of log) applyAccepted(replayed, c.ops);
    const diff = diffRecords(replayed, loaded.records);
    if (diff) failures.push(`replaying the op log does not give the stored records: ${diff}`);
  }

  for (const p of people) {
    const c = p.client;
    failures.push(...p.problems);
    for (const [mid, seq] of p.acked) {
      const at = logMids.get(mid);
      if (at === undefined) failures.push(`${p.label}: acked mutation ${mid} (seq ${seq}) is not in the room's log`);
      else if (at !== seq) failures.push(`${p.label}: mutation ${mid} acked at seq ${seq} but logged at ${at}`);
    }
    for (const mid of p.created) {
      const applied = logMids.has(mid);
      const rejected = p.rejected.get(mid);
      if (applied && rejected) {
        // Known limitation (reported, not fixed here): the room remembers the ids
        // it applied, not the ones it rejected, so a late copy of a rejected
        // mutation — a duplicate, or a frame from a half-open earlier link —
        // is judged again and may apply after the client rolled it back. The
        // client still converges (checked below); the notice was wrong. Any
        // other way to get here is a bug.
        if ((net.mutateDeliveries.get(mid) ?? 0) >= 2) count("rejectedThenApplied");
        else failures.push(`${p.label}: mutation ${mid} was rolled back (${rejected}) but the room applied it at seq ${logMids.get(mid)}`);
      }
      if (!applied && !rejected) failures.push(`${p.label}: mutation ${mid} was neither applied nor rejected`);
    }
    if (c.connection.status !== "live") failures.push(`${p.label}: ended ${c.connection.status}`);
    if (c.pendingCount) failures.push(`${p.label}: ${c.pendingCount} mutations still pending`);
    const stored = await p.pendingStore.load();
    if (stored.length) failures.push(`${p.label}: ${stored.length} mutations left in the pending store (${stored.slice(0, 3).map((m) => m.mid).join(", ")})`);
    if (c.epoch !== meta.epoch || c.seq !== meta.seq) failures.push(`${p.label}: at ${c.epoch}@${c.seq}, the room at ${meta.epoch}@${meta.seq}`);
    const diff = diffRecords(c.records(), loaded.records);
    if (diff) failures.push(`${p.label}: shows different records than the room: ${diff}`);
  }

  // A fresh observer joining now must see the same (a snapshot from the room).
  if (healed) {
    const observer = new Participant(people.length, net, contiguous);
    await observer.start();
    people.push(observer);
    if (!(await heal())) failures.push("the observer did not get live");
    const diff = diffRecords(observer.client.records(), loaded.records);
    if (diff) failures.push(`a fresh observer sees different records than the room stores: ${diff}`);
  }

  for (const line of net.logs) if (line.level === "error") failures.push(`room logged ${line.event}: ${line.detail?.split("\n").slice(0, 8).join(" / ")}`);
  counts.seq = meta.seq;
  counts.rejected = people.reduce((n, p) => n + p.rejected.size, 0);
  for (const p of people) p.client.close();
  return { seed, ok: failures.length === 0, failures, trace, profile, counts };
}

/** null when equal, else a short description of the first differences. */
function diffRecords(a: ReadonlyMap<string, Card>, b: ReadonlyMap<string, Card>): string | null {
  const out: string[] = [];
  for (const id of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(id);
    const y = b.get(id);
    if (!isDeepStrictEqual(x, y)) out.push(`${id}: ${JSON.stringify(x) ?? "missing"} vs ${JSON.stringify(y) ?? "missing"}`);
  }
  return out.length ? out.slice(0, 3).join("; ") : null;
}

