/**
 * RoomClient options: either a host (the client builds the partysocket
 * connection, with token and backoff) or a transport built by the caller —
 * never both, since a transport would silently ignore the host's settings.
 */
import { cards } from "../support/cards.ts";
import { describe, expect, it } from "vitest";
import type { TransportFactory } from "../../client/engine/connection.ts";
import { RoomClient, type RoomClientOptions } from "../../client/engine/room-client.ts";

/** A transport that never connects: enough to construct a client. */
const idle: TransportFactory = () => ({ isOpen: false, send: () => {}, reconnect: () => {}, close: () => {} });
const base = { room: "r", name: "Ada", color: "#112233" };

describe("RoomClient options", () => {
  it.each<{ name: string; extra: Record<string, unknown>; message: RegExp }>([
    { name: "a host", extra: { host: "127.0.0.1:8787" }, message: /host configure the default connection/ },
    { name: "a token", extra: { getToken: () => "t" }, message: /getToken/ },
    { name: "backoff", extra: { minReconnectDelayMs: 10, maxReconnectDelayMs: 20 }, message: /minReconnectDelayMs, maxReconnectDelayMs/ },
  ])("refuse $name next to a transport, instead of ignoring it", ({ extra, message }) => {
    expect(() => new RoomClient({ schema: cards,  ...base, transport: idle, ...extra } as unknown as RoomClientOptions)).toThrow(message);
  });

  it("refuse neither a host nor a transport", () => {
    expect(() => new RoomClient(base as unknown as RoomClientOptions)).toThrow(/either `host` or `transport`/);
  });

  it("the types say the same: host settings and a transport do not mix", async () => {
    // @ts-expect-error — a transport and a host in one options object
    const both: RoomClientOptions = { ...base, transport: idle, host: "127.0.0.1:8787" };
    expect(both.host).toBeDefined();
    const client = new RoomClient({ schema: cards,  ...base, transport: idle });
    await client.ready;
    expect(client.connection.status).toBe("connecting");
    client.close();
  });
});
