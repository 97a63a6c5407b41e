/**
 * An event the backend broadcasts into a room (`POST …/broadcast`,
 * docs/HTTP-API.md; docs/PROTOCOL.md §7 `broadcast`): sent to the room's
 * connected clients as one frame of its own, never stored, never replayed.
 * Its own module (protocol.ts holds the rest of the wire contract, at its
 * length limit): the room sends it only to clients that asked for it when
 * they connected (the `broadcasts=1` query parameter, which this library
 * adds), so a client older than it never meets a message type it cannot read.
 */
import { z } from "zod";

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The message as a client receives it. */
export interface BroadcastMessage<E = JsonValue> {
  type: "broadcast";
  /** Who sent it: the backend, through the HTTP API. */
  by: "api";
  /** When the room sent it (ms, the room's clock). */
  at: number;
  /** What the backend posted as `event`, as it posted it. */
  event: E;
}

/** The connection's query parameter that asks for broadcasts. */
export const BROADCAST_QUERY = "broadcasts";

const Broadcast = z.object({ type: z.literal("broadcast"), by: z.literal("api"), at: z.number(), event: z.unknown() });
const PREFIX = '{"type":"broadcast",';

/** The frame for `eventJson` (the event's JSON text, already checked). */
export function broadcastFrame(eventJson: string, at: number): string {
  return `${PREFIX}"by":"api","at":${at},"event":${eventJson}}`;
}

/** The broadcast in `frame`, or null when the frame is not one (then it is
 * parsed as the room's other messages are). */
export function parseBroadcast(frame: string): BroadcastMessage | null {
  if (!frame.startsWith(PREFIX)) return null;
  let json: unknown;
  try {
    json = JSON.parse(frame);
  } catch {
    return null;
  }
  const parsed = Broadcast.safeParse(json);
  return parsed.success && parsed.data.event !== undefined ? (parsed.data as BroadcastMessage) : null;
}
