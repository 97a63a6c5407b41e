/**
 * What the board needs from the room it draws: RoomClient satisfies it, and so
 * do the offline backdrop (app/room-session.ts) and a previewed past version
 * (app/board-preview.ts), which is why it is an interface of its own.
 */
import type { Shape } from "../../../party/whiteboard/records.ts";
import type { whiteboard } from "../../../party/whiteboard/schema.ts";
import type { LiveEntries, Peer, RemoteCursor } from "edgeroom/client";
import type { z } from "zod";

/** The whiteboard's live keys and their schemas (party/whiteboard/schema.ts). */
type Live = typeof whiteboard.live;

export interface BoardRoom {
  records(): ReadonlyMap<string, Shape>;
  pendingIds(): ReadonlySet<string>;
  peers(): ReadonlyMap<string, Peer>;
  cursors(): ReadonlyMap<string, RemoteCursor>;
  moveCursor(x: number, y: number): void;
  hideCursor(): void;
  /** This person's live state (canvas/live.ts: the draft being drawn, the view). */
  setLive<K extends keyof Live & string>(key: K, data: z.input<Live[K]> | null): void;
  live(): ReadonlyMap<string, LiveEntries<Live>>;
  on(event: "change", fn: () => void): () => void;
  on(event: "cursors", fn: (c: ReadonlyMap<string, RemoteCursor>) => void): () => void;
  on(event: "live", fn: () => void): () => void;
  /** A change someone else made arrived (`by`: their connection). */
  on(event: "remote-change", fn: (by: string) => void): () => void;
}
