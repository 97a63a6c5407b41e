/**
 * The engine's in-memory host (party/engine/testing) with the whiteboard's
 * schema, for the tests of the whiteboard's rooms, and a shape to put in them.
 */
import { MemoryRoomHost, TestSocket } from "../../party/engine/testing/memory-host.ts";
import type { RoomOptions } from "../../party/engine/room.ts";
import { type Shape, whiteboard } from "../../party/whiteboard/schema.ts";

export class WhiteboardRoomHost extends MemoryRoomHost<Shape> {
  constructor(roomId = "test-room", options: RoomOptions<Shape> = {}) {
    super(whiteboard, roomId, options);
  }
}

export { TestSocket };

let n = 0;
export function rect(id: string, x = 0, y = 0) {
  return { id, type: "rect" as const, x, y, z: ++n, color: "#000000", stroke: 2, w: 10, h: 10, fill: null };
}
