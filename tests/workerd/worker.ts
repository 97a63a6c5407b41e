/**
 * The engine's own Worker for the workerd tier: the engine given its test
 * schema (tests/support/cards.ts), as an app's worker.ts gives it its own
 * (examples/checklist/worker.ts). tests/workerd/wrangler.toml makes it the
 * main module and binds its room class as CARDS, with the ROOM_OPENS
 * rate-limiting binding and the ROOM_ASSETS bucket, so these tests need
 * nothing of the whiteboard.
 */
import { createRoomServer } from "edgeroom/server";
import { cards } from "../support/cards.ts";

export const server = createRoomServer(cards, {
  binding: "CARDS",
  // Pictures on cards: the asset store's tests (assets.test.ts).
  assets: { types: ["image/png", "image/jpeg", "image/gif", "image/webp"] },
});

/** The Durable Object class wrangler.toml binds as CARDS. */
export const CardsRoom = server.DurableObject;
export default server.worker;
