/**
 * Version skew (docs/PROTOCOL.md §2; party/shared/migrations.ts,
 * party/engine/version-skew.ts, client/engine/pending-migration.ts): real
 * RoomClients over the real room core (in memory), with a record schema that
 * changes shape between two versions of an app. A deploy is the same storage
 * under new code (`MemoryRoomHost.deploy`).
 */
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { TransportFactory } from "../../client/engine/connection.ts";
import { MemoryPendingStore } from "../../client/engine/pending-store.ts";
import { RoomClient } from "../../client/engine/room-client.ts";
import { MemoryRoomHost, TestSocket } from "../../party/engine/testing/memory-host.ts";
import { migrateDown, readCurrent } from "../../party/shared/migrations.ts";
import { CloseCode, ErrorCode, isTerminalClose, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION } from "../../party/shared/protocol.ts";
import { defineRoom } from "../../party/shared/schema.ts";
import { waitFor } from "../support/wait.ts";

// Version 1 of a checklist app: an item has `text`. Version 2 renames it to
// `title` and adds a required `done`.
const ItemV1 = z.object({ id: z.string(), text: z.string().max(200) });
const ItemV2 = z.object({ id: z.string(), title: z.string().max(200), done: z.boolean() });
type Item = { id: string } & Record<string, unknown>;
const v1 = defineRoom({ party: "checklist", records: ItemV1 as unknown as z.ZodType<Item> });
const v2 = defineRoom({
  party: "checklist",
  records: ItemV2 as unknown as z.ZodType<Item>,
  version: 2,
  migrations: [
    {
      version: 2,
      up: ({ text, ...rest }) => ({ ...rest, title: text, done: false }),
      down: ({ title, done: _done, ...rest }) => ({ ...rest, text: title }),
      upPatch: ({ text, ...rest }) => (text === undefined ? rest : { ...rest, title: text }),
    },
  ],
});

/** A room-side socket that delivers to the client asynchronously and tells it when it closes, like a wire. */
class WireSocket extends TestSocket<Item> {
  constructor(
    private readonly deliver: (frame: string) => void,
    private readonly closed_: (code: number, reason: string) => void,
  ) {
    super();
  }
  override send(frame: string): void {
    super.send(frame);
    queueMicrotask(() => this.deliver(frame));
  }
  override close(code: number, reason: string): void {
    const first = this.closed === null;
    super.close(code, reason);
    if (first) queueMicrotask(() => this.closed_(code, reason));
  }
}

/** Connects a RoomClient to whatever room `host` runs now; reconnects by
 * itself after a non-terminal close, like partysocket. `up` false: no connection. */
function wire(host: MemoryRoomHost<Item>, gate: { up: boolean }): TransportFactory {
  return (handlers) => {
    let socket: WireSocket | null = null;
    let closedForGood = false;
    const connect = () => {
      if (closedForGood) return;
      if (!gate.up) return void setTimeout(connect, 20);
      const s: WireSocket = new WireSocket(
        (frame) => socket === s && handlers.message(frame),
        (code, reason) => {
          if (socket !== s) return;
          socket = null;
          host.sockets.delete(s);
          void host.room.close(s);
          handlers.close(code, reason);
          if (!isTerminalClose(code)) setTimeout(connect, 20);
        },
      );
      socket = s;
      host.sockets.add(s);
      void host.room.connect(s, { ok: true, role: "editor", subject: null });
      queueMicrotask(() => socket === s && handlers.open());
    };
    connect();
    return {
      get isOpen() {
        return socket !== null;
      },
      send: (frame) => {
        if (socket) void host.room.message(socket, frame);
      },
      reconnect: () => {
        if (socket) socket.close(1000, "reconnect");
        else connect();
      },
      close: () => {
        closedForGood = true;
        socket?.close(1000, "closed");
      },
    };
  };
}

const clients: RoomClient<Item>[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

function client(schema: typeof v1, host: MemoryRoomHost<Item>, store: MemoryPendingStore, gate = { up: true }, clientId = "tab"): RoomClient<Item> {
  const c = new RoomClient<Item>({ schema, room: host.roomId, clientId, name: "Old", color: "#123456", pendingStore: store, transport: wire(host, gate), reloadWhenOutdated: false });
  clients.push(c);
  return c;
}

describe("record schema migrations", () => {
  it("defineRoom checks the steps, and a record reads as current through them (and back down)", () => {
    expect(() => defineRoom({ party: "x", records: ItemV2, version: 2 })).toThrow(/needs 1 migrations/);
    expect(readCurrent(v2.records, v2.migrations, 2, { id: "a", text: "milk" })).toEqual({ record: { id: "a", title: "milk", done: false }, migratedFrom: 1 });
    expect(readCurrent(v2.records, v2.migrations, 2, { id: "a", title: "milk", done: true })).toEqual({ record: { id: "a", title: "milk", done: true }, migratedFrom: null });
    expect(migrateDown(v2.migrations, { id: "a", title: "milk", done: true }, 2, 1)).toEqual({ id: "a", text: "milk" });
  });
});

describe("version skew", () => {
  it("an old client keeps its pending edits through the upgrade: refused, reloaded, migrated, sent once", async () => {
    const host = new MemoryRoomHost<Item>(v1, "skew-room");
    const store = new MemoryPendingStore();
    const gate = { up: true };
    const old = client(v1, host, store, gate);
    await waitFor(() => old.connection.status === "live");
    old.mutate([{ op: "put", rec: { id: "a", text: "milk" } }]);
    await waitFor(() => old.pendingCount === 0);

    // Offline, the old client edits: a new item and a patch, in the old shape.
    gate.up = false;
    old.reconnect();
    await waitFor(() => old.connection.status !== "live");
    old.mutate([{ op: "put", rec: { id: "b", text: "eggs" } }]);
    old.mutate([{ op: "patch", id: "a", set: { text: "oat milk" } }]);
    // And one row from code older still: no schema version on it at all.
    await store.add({ mid: "from-older-code", ops: [{ op: "put", rec: { id: "c", text: "bread" } as { id: string } }], createdAt: Date.now() });
    expect((await store.load()).map((m) => m.mid)).toHaveLength(3);

    // The deploy: schema 2 over the same storage. The old client is told it
    // is behind (not the room), and says so; nothing it holds is lost.
    await host.deploy(v2);
    const outdated: string[] = [];
    old.on("outdated", (e) => outdated.push(e.code));
    gate.up = true;
    await waitFor(() => old.connection.status === "error");
    expect(old.connection.error?.code).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(outdated).toEqual([ErrorCode.UNSUPPORTED_VERSION]);
    expect(old.pendingCount).toBe(2);
    old.close();

    // The reload: new code, the same durable queue.
    const reloaded = client(v2, host, store);
    await waitFor(() => reloaded.connection.status === "live" && reloaded.pendingCount === 0);
    const want = new Map<string, Item>([
      ["a", { id: "a", title: "oat milk", done: false }],
      ["b", { id: "b", title: "eggs", done: false }],
      ["c", { id: "c", title: "bread", done: false }],
    ]);
    expect(new Map(reloaded.records())).toEqual(want);
    // The room stored the migrated shapes, each edit applied exactly once: 1 + 3 seqs.
    const stats = await host.room.stats();
    expect(stats.seq).toBe(4);
    expect((await host.room.snapshot()).records.sort((x, y) => x.id.localeCompare(y.id))).toEqual([...want.values()]);
    expect(await store.load()).toEqual([]);
  });

  it("a room migrates stored records on load; a client that synced before gets a snapshot, never an old-shape delta", async () => {
    const host = new MemoryRoomHost<Item>(v1, "skew-load");
    const store = new MemoryPendingStore();
    const old = client(v1, host, store);
    await waitFor(() => old.connection.status === "live");
    old.mutate([{ op: "put", rec: { id: "a", text: "milk" } }]);
    await waitFor(() => old.pendingCount === 0);
    old.close();
    await host.deploy(v2);
    const fresh = await host.join("new", { lastSeq: 0 });
    // A v2 hello through the host's helper carries no schema: it is a version-1 client.
    expect(fresh.last("error")).toMatchObject({ code: ErrorCode.UNSUPPORTED_VERSION, v: PROTOCOL_VERSION, schema: 2 });
    const s = host.connect();
    await host.send(s, { type: "hello", v: PROTOCOL_VERSION, schema: 2, clientId: "n", epoch: old.epoch, lastSeq: 1, name: "New", color: "#112233" });
    expect(s.last("welcome")).toMatchObject({ schema: 2 });
    expect(s.last("sync")).toMatchObject({ mode: "snapshot", records: [{ id: "a", title: "milk", done: false }] });
  });

  it("speaks protocol N and N−1: a version-1 hello is accepted while the record schema matches", async () => {
    expect(MIN_PROTOCOL_VERSION).toBe(PROTOCOL_VERSION - 1);
    const host = new MemoryRoomHost<Item>(v1, "skew-window");
    const s = host.connect();
    await host.send(s, { type: "hello", v: MIN_PROTOCOL_VERSION, clientId: "v1", epoch: null, lastSeq: 0, name: "V1", color: "#112233" });
    expect(s.last("welcome")).toBeDefined();
    const tooOld = host.connect();
    await host.send(tooOld, { type: "hello", v: MIN_PROTOCOL_VERSION - 1, clientId: "v0", epoch: null, lastSeq: 0, name: "V0", color: "#112233" });
    expect(tooOld.closed?.code).toBe(CloseCode.UNSUPPORTED_VERSION);
  });

  it("a newer client against an older room waits and retries, visibly, and joins once the room is updated", async () => {
    const host = new MemoryRoomHost<Item>(v1, "skew-newer");
    const store = new MemoryPendingStore();
    const newer = client(v2, host, store);
    newer.mutate([{ op: "put", rec: { id: "x", title: "early", done: true } }]);
    await waitFor(() => newer.connection.status === "waiting");
    expect(newer.connection.error?.code).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(newer.pendingCount).toBe(1);
    await host.deploy(v2);
    await waitFor(() => newer.connection.status === "live" && newer.pendingCount === 0, 10_000);
    expect((await host.room.snapshot()).records).toEqual([{ id: "x", title: "early", done: true }]);
  }, 15_000);
});
