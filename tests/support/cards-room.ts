/**
 * The engine's in-memory host (party/engine/testing) with the engine's test
 * schema (cards.ts): the room core in Node, sockets that record what they are
 * sent, timers fired by hand. The engine's room tests use this; the
 * whiteboard's use whiteboard-room.ts.
 */
import { MemoryRoomHost, TestSocket } from "../../party/engine/testing/memory-host.ts";
import type { RoomOptions } from "../../party/engine/room.ts";
import { type Card, cards } from "./cards.ts";

export class CardsRoomHost extends MemoryRoomHost<Card> {
  constructor(roomId = "test-room", options: RoomOptions<Card> = {}) {
    super(cards, roomId, options);
  }
}

export { TestSocket };
export { bigCard, card, type Card, cards } from "./cards.ts";
