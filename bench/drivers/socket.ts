/**
 * A `ws` WebSocket that counts what crosses the wire, for drivers that hand a
 * WebSocket class to a client library (RoomClient's transport, YProvider).
 */
import WebSocket from "ws";
import { frameBytes, payloadLength, type WireStats } from "../lib/wire.ts";

export function countingWebSocket(wire: WireStats): typeof WebSocket {
  class CountingWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      // No permessage-deflate, for every system alike: bytes are payload
      // bytes, and neither side spends CPU in zlib (a browser would offer
      // deflate and workerd accept it — smaller frames for all four, at a
      // CPU price on both ends).
      super(address, protocols, { perMessageDeflate: false });
      this.on("message", (data) => {
        wire.framesIn++;
        wire.bytesIn += frameBytes(payloadLength(data), false);
      });
    }
    override send(data: unknown, ...rest: unknown[]): void {
      wire.framesOut++;
      wire.bytesOut += frameBytes(payloadLength(data), true);
      (super.send as (...a: unknown[]) => void)(data, ...rest);
    }
  }
  return CountingWebSocket as typeof WebSocket;
}

/** Open a counting socket and resolve once it is open (reject on error/close). */
export function openSocket(url: string, wire: WireStats, timeoutMs = 10_000): Promise<WebSocket> {
  const Counting = countingWebSocket(wire);
  const ws = new Counting(url);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`connect timeout: ${url}`));
    }, timeoutMs);
    ws.once("open", () => {
      clearTimeout(timer);
      resolve(ws);
    });
    ws.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
