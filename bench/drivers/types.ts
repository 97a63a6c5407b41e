/**
 * The one interface every system is driven through. A workload is written once
 * against it; each driver translates it into the system's own protocol the way
 * that system's users would (see BENCHMARKS.md, "Adapters").
 */
import type { WireStats } from "../lib/wire.ts";

export const SYSTEMS = ["relay", "relay-coalescing", "tldraw", "yjs", "yjs-readme", "yjs-ws", "hocuspocus", "liveblocks", "liveblocks-16ms", "edgeroom"] as const;
export type SystemName = (typeof SYSTEMS)[number];

/** A shape as the workloads think of it; each driver maps it to its own record. */
export interface BenchShape {
  id: string;
  x: number;
  y: number;
}

export interface DriverOptions {
  /** `127.0.0.1:port` of the server hosting this system. */
  host: string;
  room: string;
  /** Index of this client in the run: identifies a sender inside payloads. */
  index: number;
  /**
   * Whether this client is the first of its room, the one that brings the
   * room's initial document where a system needs one brought (Liveblocks'
   * initialStorage). Defaults to `index === 0` (W1–W3: one room per run).
   */
  first?: boolean;
  /** Another configuration of the same system, where its host serves several
   * (edgeroom: "history-off", the room with retained history switched off). */
  variant?: string;
}

export interface BenchClient {
  readonly system: SystemName;
  readonly wire: WireStats;
  /** Whether the system acknowledges edits to their author (relay and Yjs do not). */
  readonly acks: boolean;
  /** Whether the system keeps a document at all (the relay does not). */
  readonly stateful: boolean;

  /** Open the socket, join, and resolve once the document (if any) is in. */
  connect(): Promise<void>;
  /** Move this client's cursor. `x` carries the send stamp, `y` the sender index. */
  sendCursor(x: number, y: number): void;
  /** Called for every remote cursor update this client receives. */
  onCursor: ((x: number, y: number) => void) | null;

  /** Create shapes; resolves when the system has them (acked, or flushed to the socket). */
  putShapes(shapes: BenchShape[]): Promise<void>;
  /** Change one shape's x and y. Returns a token handed back to `onAck`. */
  patchShape(id: string, x: number, y: number): void;
  /** Called when the room acknowledges one of this client's patches (in order sent). */
  onAck: (() => void) | null;
  /** Called for every remote edit this client applies. */
  onRemoteEdit: ((id: string, x: number, y: number) => void) | null;
  /** The client's current view of shape positions (for the convergence check). */
  shapes(): Map<string, { x: number; y: number }>;

  /** Drop the connection but keep local state (a network blip). */
  disconnect(): Promise<void>;
  /** Reconnect with local state; resolves when caught up again. */
  reconnect(): Promise<void>;
  /** Close for good. */
  close(): void;
}

export type DriverFactory = (opts: DriverOptions) => BenchClient;
