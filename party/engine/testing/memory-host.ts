/**
 * An in-memory host for the room core: sockets that record what they were sent,
 * a storage that outlives the room object (so a test can "evict" the room and
 * build a new one over the same storage and sockets), and timers a test fires by
 * hand.
 */
import { PROTOCOL_VERSION, type RecordBase, type Role, type ServerMessage } from "../../shared/protocol.ts";
import type { RoomSchema } from "../../shared/schema.ts";
import { type ConnState, type LogLine, Room, type RoomHost, type RoomOptions, type RoomSocket } from "../room.ts";
import { KvRoomStorage } from "../kv-storage.ts";
import { MemoryKv } from "./memory-kv.ts";
import type { WebhookConfig } from "../webhooks.ts";

export class TestSocket<R extends RecordBase = RecordBase> implements RoomSocket {
  readonly inbox: ServerMessage<R>[] = [];
  /** Frames received (a batch frame is one frame of several messages). */
  frames = 0;
  /** Characters received (what a read window counts). */
  chars = 0;
  closed: { code: number; reason: string } | null = null;
  private state: ConnState | null = null;

  send(frame: string): void {
    if (this.closed) throw new Error("send on a closed socket");
    this.frames++;
    this.chars += frame.length;
    const parsed = JSON.parse(frame) as ServerMessage<R> | ServerMessage<R>[];
    if (Array.isArray(parsed)) this.inbox.push(...parsed);
    else this.inbox.push(parsed);
  }
  close(code: number, reason: string): void {
    this.closed ??= { code, reason };
  }
  getState(): ConnState | null {
    return this.state;
  }
  setState(state: ConnState): void {
    // Like a real attachment: a copy, and bounded in size.
    const json = JSON.stringify(state);
    if (json.length > 2048) throw new Error(`attachment of ${json.length} bytes`);
    this.state = JSON.parse(json) as ConnState;
  }
  /** Messages of one type received so far. */
  of<T extends ServerMessage<R>["type"]>(type: T): Extract<ServerMessage<R>, { type: T }>[] {
    return this.inbox.filter((m) => m.type === type) as Extract<ServerMessage<R>, { type: T }>[];
  }
  last<T extends ServerMessage<R>["type"]>(type: T): Extract<ServerMessage<R>, { type: T }> | undefined {
    return this.of(type).at(-1);
  }
  clear(): void {
    this.inbox.length = 0;
  }
}

export class MemoryRoomHost<R extends RecordBase = RecordBase> {
  readonly kv = new MemoryKv();
  readonly sockets = new Set<TestSocket<R>>();
  readonly logs: LogLine[] = [];
  /** Pending one-shot timers and when each is due on `clock`. */
  private timers: { at: number; fn: () => void }[] = [];
  /** The delay each timer was asked for, in order. */
  readonly timerDelays: number[] = [];
  clock = 1_700_000_000_000;
  /** The room's alarm time, if set; a test fires it with `fireAlarm()`. */
  alarmAt: number | null = null;
  /** Per-socket "last auto-answered ping" times, as the runtime would report. */
  readonly pings = new Map<TestSocket<R>, number>();
  room: Room<R>;
  readonly roomId: string;
  /** Webhooks for the room (set before `evict()` to take effect), and the
   * fetch they are sent with. */
  webhook: WebhookConfig | null = null;
  fetch: typeof fetch | undefined;
  /** Where the room reports to the rooms index (set before `evict()`), if anywhere. */
  roomsIndex: RoomHost<R>["roomsIndex"] = null;
  /** The code the room runs: changed by `deploy`. */
  schema: RoomSchema<R>;
  private options: RoomOptions<R>;

  constructor(schema: RoomSchema<R>, roomId = "test-room", options: RoomOptions<R> = {}) {
    this.schema = schema;
    this.roomId = roomId;
    this.options = options;
    this.room = this.build();
  }

  private build(): Room<R> {
    return new Room<R>(this.roomId, {
      storage: new KvRoomStorage<R>(this.kv),
      sockets: () => [...this.sockets].filter((s) => !s.closed),
      now: () => this.clock,
      setTimeout: (fn, ms) => {
        this.timers.push({ at: this.clock + ms, fn });
        this.timerDelays.push(ms);
      },
      getAlarm: async () => this.alarmAt,
      setAlarm: async (at) => void (this.alarmAt = at),
      lastPing: (s) => this.pings.get(s as TestSocket<R>) ?? null,
      log: (line) => void this.logs.push(line),
      webhook: this.webhook,
      ...(this.fetch ? { fetch: this.fetch } : {}),
      roomsIndex: this.roomsIndex,
    }, this.schema, this.options);
  }

  /** Throw the room object away and build a new one over the same storage and
   * sockets: what a Durable Object eviction with hibernated sockets does. */
  evict(): void {
    this.timers = [];
    this.room = this.build();
  }

  /** A deploy: new code (another schema version, other options) over the same
   * storage. Open sockets are dropped, as a Durable Object restart drops them. */
  async deploy(schema: RoomSchema<R>, options: RoomOptions<R> = this.options): Promise<void> {
    for (const s of [...this.sockets]) {
      s.close(1012, "deploy");
      this.sockets.delete(s);
    }
    this.schema = schema;
    this.options = options;
    this.evict();
  }

  /** Accept a socket. The verdict is queued in the room like every event, so
   * `send` right after is handled after it; `await h.room.settled()` to observe it.
   * `subject`: the access token's `sub`, as hooks see it (`actor.subject`). */
  connect(role: Role = "editor", expiresAt?: number, subject: string | null = null): TestSocket<R> {
    const s = new TestSocket<R>();
    this.sockets.add(s);
    void this.room.connect(s, { ok: true, role, subject, ...(expiresAt ? { expiresAt } : {}) });
    return s;
  }

  /** Run the room's alarm as the runtime would (clears it first: alarms are one-shot). */
  async fireAlarm(): Promise<void> {
    this.alarmAt = null;
    await this.room.alarm();
    // And the webhook deliveries it started, each recorded.
    await this.room.webhookDeliveries();
  }

  /** Connect and say hello. `schema`: the record schema version the hello names (absent: none, which the room reads as 1). */
  async join(name = "ada", opts: { epoch?: string | null; lastSeq?: number; role?: Role; clientId?: string; expiresAt?: number; subject?: string; schema?: number } = {}): Promise<TestSocket<R>> {
    const s = this.connect(opts.role, opts.expiresAt, opts.subject ?? null);
    await this.send(s, {
      type: "hello",
      v: PROTOCOL_VERSION,
      ...(opts.schema !== undefined ? { schema: opts.schema } : {}),
      clientId: opts.clientId ?? `c-${name}`,
      epoch: opts.epoch ?? null,
      lastSeq: opts.lastSeq ?? 0,
      name,
      color: "#112233",
    });
    return s;
  }

  /** Resolves once the frame was handled, and (a preview, a restore) once
   * the past board it asked for was built and the answer sent: a build runs
   * in turns of its own, outside the room's queue (room/past-boards.ts). */
  async send(s: TestSocket<R>, msg: unknown): Promise<void> {
    await this.room.message(s, typeof msg === "string" ? msg : JSON.stringify(msg));
    await this.room.pastBoards.idle();
  }

  async disconnect(s: TestSocket<R>): Promise<void> {
    s.closed ??= { code: 1000, reason: "bye" };
    this.sockets.delete(s);
    await this.room.close(s);
  }

  /** Fire pending one-shot timers (cursor frames), whenever they are due. */
  flushTimers(): void {
    const t = this.timers;
    this.timers = [];
    for (const { fn } of t) fn();
  }

  /** Move the clock to `t`, firing each timer due by then at its own time,
   * earliest first (and the microtasks it queued before the next). */
  async advanceTo(t: number): Promise<void> {
    for (;;) {
      let next: { at: number; fn: () => void } | undefined;
      for (const timer of this.timers) if (timer.at <= t && (!next || timer.at < next.at)) next = timer;
      if (!next) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.clock = Math.max(this.clock, next.at);
      next.fn();
      await this.room.settled();
    }
    this.clock = Math.max(this.clock, t);
  }

  get pendingTimers(): number {
    return this.timers.length;
  }
}
