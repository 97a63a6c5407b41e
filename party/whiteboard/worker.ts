/**
 * The whiteboard's server: the engine, given the whiteboard's schema. This is
 * the Worker's main module on the wrangler host (wrangler.toml); the PartyKit
 * party (partykit.ts) is built by the same call.
 */
import { createRoomServer } from "edgeroom/server";
import { whiteboard } from "./schema.ts";

export const server = createRoomServer(whiteboard, {
  binding: "WHITEBOARD",
  // Images on the board (the image shape). SVG is rasterised in the browser.
  assets: { types: ["image/png", "image/jpeg", "image/gif", "image/webp"] },
});

/** The Durable Object class wrangler.toml binds as WHITEBOARD. */
export const WhiteboardRoom = server.DurableObject;
export default server.worker;
