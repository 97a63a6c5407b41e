/**
 * The room client's event processor: one parsed room message in, state
 * changes and events out. It owns the document (the store, with the pending
 * edits it settles), who else is here (the roster), this connection's peer,
 * and the per-connection sync state (synced yet? resyncing?); it applies
 * changes in seq order, drops duplicates, turns a gap into a `resync`,
 * resends the pending edits after each connection's first sync, retries what
 * the room could not take right now and rolls back the rest.
 *
 * No socket and no parsing here: what it sends goes through `host.send`, time
 * through `host.clock` (tests drive it by hand), and the connection's
 * lifecycle (room-connection.ts) tells it when a connection opens or closes.
 * One switch over the room's messages, so the order of effects per message
 * reads top to bottom.
 */
import { type ClientMessage, ErrorCode, type ErrorMessage, type Peer, PROTOCOL_VERSION, type RecordBase, type ServerMessage } from "../../party/shared/protocol.ts";
import type { RoomSchema } from "../../party/shared/schema.ts";
import type { RejectCode } from "../../party/shared/typed-ops.ts";
import type { Clock } from "./clock.ts";
import type { PendingEdits, PendingMutation } from "./pending-edits.ts";
import { PeerRoster } from "./peer-roster.ts";
import type { RoomClientEvents } from "./room-events.ts";
import { type ApplyOutcome, DocumentStore } from "./store.ts";

/** Retry budget for mutations the room could not take *right now* (rate limit,
 * internal error): they stay pending and go again after a pause. */
export const RETRY_DELAY_MS = 1_000;
export const MAX_RETRIES = 5;
const RETRYABLE = new Set<string>([ErrorCode.RATE_LIMITED, ErrorCode.INTERNAL]);

/** Room errors after which the connection's close is terminal: the reason is kept for the UI. */
const TERMINAL_ERRORS = new Set<string>([ErrorCode.UNSUPPORTED_VERSION, ErrorCode.UNAUTHORIZED, ErrorCode.INVALID_ROOM, ErrorCode.POLICY_VIOLATION]);

/** What the processor needs of the rest of the client. */
export interface ProcessorHost<R extends RecordBase> {
  readonly clock: Clock;
  /** True while a frame sent now reaches the room (the socket is open). */
  connected(): boolean;
  send(msg: ClientMessage<R>): void;
  emit<K extends keyof RoomClientEvents<R>>(event: K, ...args: Parameters<RoomClientEvents<R>[K]>): void;
  /** A sync was applied; `first`: the first of this connection, which is live now. */
  synced(first: boolean): void;
  /** A change or an ack was applied: the client is up to date as of now. */
  caughtUp(): void;
  /** Someone joined or left: the cursor interval follows the room's size. */
  peersChanged(): void;
  /** The room said why it refuses us (version skew, a terminal error). */
  roomError(msg: ErrorMessage, versionSkew: "outdated" | "room-behind" | null): void;
}

export class RoomProcessor<R extends RecordBase = RecordBase> {
  readonly store: DocumentStore<R>;
  readonly roster: PeerRoster;
  /** This connection as the room sees it (after the welcome). */
  self: Peer | null = null;
  /** Others watching an audience room, not among the peers (PROTOCOL.md §16). */
  watching = 0;
  /** True once this connection's first sync was applied: from then on the
   * client may send edits (before it, nothing but hello goes out). */
  synced = false;
  private resyncing = false;
  private readonly retries = new Map<string, number>();
  private readonly timers = new Set<unknown>();
  private readonly schema: RoomSchema<R>;
  private readonly pendingEdits: PendingEdits<R>;
  private readonly host: ProcessorHost<R>;

  constructor(schema: RoomSchema<R>, pendingEdits: PendingEdits<R>, host: ProcessorHost<R>) {
    this.schema = schema;
    this.pendingEdits = pendingEdits;
    this.host = host;
    this.store = new DocumentStore<R>(schema, pendingEdits);
    this.roster = new PeerRoster(() => {
      host.emit("change");
      host.emit("cursors", this.roster.cursors());
    }, host.clock);
  }

  /** True while a resync is asked for and not answered: changes wait for it. */
  get isResyncing(): boolean {
    return this.resyncing;
  }

  /** A connection opened: it has to say hello and sync before anything else. */
  opened(): void {
    this.synced = false;
    this.resyncing = false;
  }

  /** The connection closed: whoever was here is unknown until the next welcome. */
  closed(): void {
    this.synced = false;
    // Assets are confirmed again before their records go on the next connection.
    this.pendingEdits.forgetConfirmed();
    if (this.watching > 0) this.host.emit("watching", (this.watching = 0));
    this.roster.disconnected();
  }

  /** Close for good: no timer outlives the client. */
  dispose(): void {
    for (const t of this.timers) this.host.clock.clearTimeout(t);
    this.timers.clear();
    this.roster.dispose();
  }

  /** A frame from the room that does not parse: never guess, resync from a snapshot. */
  unreadable(code: string, message: string): void {
    this.host.emit("error", { code, message: `unreadable frame from the room: ${message}` });
    this.requestResync(true);
  }

  process(msg: ServerMessage<R>): void {
    switch (msg.type) {
      case "welcome":
        this.self = msg.self;
        this.roster.welcome(msg.peers);
        this.host.peersChanged();
        this.host.emit("change");
        return;
      case "sync": {
        this.resyncing = false;
        if (msg.mode === "snapshot") {
          this.store.applySnapshot(msg.epoch, msg.seq, msg.records);
        } else {
          let broken = msg.epoch !== this.store.epoch;
          for (const c of msg.changes) {
            if (broken) break;
            broken = this.store.applyChange(c) === "gap";
          }
          if (broken || this.store.seq !== msg.seq) {
            this.requestResync(true);
            return;
          }
        }
        const first = !this.synced;
        this.synced = true;
        // Everything not yet acknowledged goes (again) now; the room applies
        // each mutation id at most once.
        // Up to the first one that waits for its asset (room-assets.ts).
        if (first) for (const m of this.pendingEdits.list.slice(0, this.pendingEdits.heldFrom())) this.sendMutation(m);
        this.host.synced(first);
        this.host.emit("change");
        return;
      }
      case "change": {
        // Our own pending edit can come back as a change: sent on an earlier
        // connection (or by this tab before a reload) and applied from there.
        // The store confirms it (PendingEdits forgets it, durably too).
        const outcome = this.resyncing ? "gap" : this.store.applyChange(msg);
        if (outcome === "applied") this.retries.delete(msg.mid);
        this.onOutcome(outcome);
        this.host.caughtUp();
        return;
      }
      case "ack":
        this.retries.delete(msg.mid);
        this.onOutcome(this.store.ack(msg.mid, msg.seq));
        this.host.caughtUp();
        return;
      case "reject":
        return this.onReject(msg.mid, msg.code, msg.message);
      case "join":
        this.roster.join(msg.peer);
        this.host.peersChanged();
        this.host.emit("change");
        this.host.emit("cursors", this.roster.cursors());
        return;
      case "peer":
        this.roster.update(msg.peer);
        this.host.emit("change");
        return;
      case "leave":
        this.roster.leave(msg.conn);
        this.host.peersChanged();
        this.host.emit("live", this.roster.liveState());
        return;
      case "cursors":
        this.roster.cursorFrame(msg.f, this.self?.conn, Date.now());
        if (msg.l) {
          this.roster.liveFrame(msg.l, this.self?.conn);
          this.host.emit("live", this.roster.liveState());
        }
        this.host.emit("cursors", this.roster.cursors());
        return;
      case "error":
        return this.onError(msg);
      case "watching":
        this.watching = msg.n;
        this.host.emit("watching", msg.n);
        this.host.emit("change");
        return;
      case "pong":
      case "history":
      case "preview":
      case "version":
        return; // liveness and history answers (room-history.ts) are the client's
    }
  }

  /** Ask the room for what we missed. `fromScratch` forgets our seq (snapshot). */
  requestResync(fromScratch: boolean): void {
    if (this.resyncing || !this.host.connected()) return;
    this.resyncing = true;
    this.host.send({ type: "resync", epoch: fromScratch ? null : this.store.epoch, lastSeq: fromScratch ? 0 : this.store.seq });
  }

  /** Sends `m`, with how long ago it was made when it waited (offline, a
   * reload): the room's history then says when it was made (mutation-age.ts).
   * Wall-clock, as `createdAt` is: it may have been made by an earlier page. */
  sendMutation(m: PendingMutation<R>): void {
    const age = Math.max(0, Math.round(Date.now() - m.createdAt));
    this.host.send({ type: "mutate", mid: m.mid, ops: m.ops, ...(age > 0 ? { age } : {}) });
  }

  /** The asset `hash` is stored: what waited for it (and what was made after
   * it, up to the next mutation that waits) goes now, in order, on this
   * connection (PendingEdits.release). */
  assetStored(hash: string): void {
    // Answered after the connection closed: the next connection confirms it
    // again (it may open a day later, the file collected meanwhile).
    if (!this.host.connected()) return;
    const from = this.pendingEdits.heldFrom();
    if (this.pendingEdits.release(hash)) this.sendReleased(from);
  }

  /** The asset `hash` was refused for good: what waited for it is rolled back
   * like a rejected mutation (a `reject` event each), and what was made after
   * it goes on. */
  assetRefused(hash: string, code: string, message: string): void {
    const from = this.pendingEdits.heldFrom();
    const dropped = this.pendingEdits.awaiting(hash);
    if (dropped.length === 0) return;
    for (const m of dropped) {
      this.store.reject(m.mid);
      this.host.emit("reject", { mid: m.mid, code: code as RejectCode, message, ops: m.ops });
    }
    this.sendReleased(from);
  }

  /** Send what no longer waits: from `from` (where sending stopped) up to the
   * next mutation that waits. Mutations before `from` were sent already, and
   * every mutation that left the list was at or after it. */
  private sendReleased(from: number): void {
    if (this.synced && this.host.connected()) for (const m of this.pendingEdits.list.slice(from, this.pendingEdits.heldFrom())) this.sendMutation(m);
    this.host.emit("change");
  }

  private onError(msg: ErrorMessage): void {
    if (msg.code === ErrorCode.RATE_LIMITED && msg.ref === "resync") {
      // The room refused the resync for now: ask again shortly, or we would
      // ignore every change until the next reconnect.
      this.resyncing = false;
      this.later(() => this.requestResync(true), RETRY_DELAY_MS);
    }
    let skew: "outdated" | "room-behind" | null = null;
    if (msg.code === ErrorCode.UNSUPPORTED_VERSION) {
      // Who is behind? A room that does not say (before protocol 2) is.
      const roomNewer = (msg.v ?? 0) > PROTOCOL_VERSION || (msg.schema ?? 0) > this.schema.version;
      skew = roomNewer ? "outdated" : "room-behind";
    }
    if (TERMINAL_ERRORS.has(msg.code)) this.host.roomError(msg, skew);
    this.host.emit("error", { code: msg.code, message: msg.message });
  }

  private onOutcome(outcome: ApplyOutcome): void {
    if (outcome === "gap") this.requestResync(false);
    else if (outcome === "applied" || outcome === "duplicate") this.host.emit("change");
  }

  private onReject(mid: string, code: string, message: string): void {
    if (RETRYABLE.has(code)) {
      const n = (this.retries.get(mid) ?? 0) + 1;
      if (n <= MAX_RETRIES) {
        this.retries.set(mid, n);
        this.later(() => {
          const m = this.pendingEdits.get(mid);
          if (m && this.synced && this.host.connected()) this.sendMutation(m);
        }, RETRY_DELAY_MS * n);
        return;
      }
    }
    this.retries.delete(mid);
    const m = this.store.reject(mid);
    if (m) this.host.emit("reject", { mid, code: code as RejectCode, message, ops: m.ops });
    this.host.emit("change");
  }

  private later(fn: () => void, ms: number): void {
    const t = this.host.clock.setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }
}
