/**
 * Bytes on the wire for one WebSocket frame: payload plus the RFC 6455 header
 * (2, 4 or 10 bytes, plus a 4-byte mask on frames a client sends). TCP/IP
 * overhead is left out: it is the same per frame for every system.
 */
export function frameBytes(payloadBytes: number, fromClient: boolean): number {
  const header = payloadBytes < 126 ? 2 : payloadBytes < 65_536 ? 4 : 10;
  return payloadBytes + header + (fromClient ? 4 : 0);
}

/** Payload size of a received `ws` message (Buffer, ArrayBuffer, fragments or text). */
export function payloadLength(data: unknown): number {
  if (typeof data === "string") return Buffer.byteLength(data);
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  if (Array.isArray(data)) return data.reduce((n: number, part: unknown) => n + payloadLength(part), 0);
  return 0;
}

export interface WireStats {
  framesIn: number;
  bytesIn: number;
  framesOut: number;
  bytesOut: number;
}

export function emptyWireStats(): WireStats {
  return { framesIn: 0, bytesIn: 0, framesOut: 0, bytesOut: 0 };
}
