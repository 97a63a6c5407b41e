/**
 * The whiteboard's server: the engine, given the whiteboard's schema. This is
 * the Worker's main module on the wrangler host (wrangler.toml); the PartyKit
 * party (partykit.ts) is built from the same schema and options.
 */
import { createRoomServer, type RecordOf, type RoomOptions } from "edgeroom/server";
import { whiteboard } from "./schema.ts";

/** The room's options on both hosts. */
export const roomOptions: RoomOptions<RecordOf<typeof whiteboard>> = {
  // Images on the board (the image shape). SVG is rasterised in the browser.
  assets: { types: ["image/png", "image/jpeg", "image/gif", "image/webp"] },
};

export const server = createRoomServer(whiteboard, { binding: "WHITEBOARD", ...roomOptions });

/** The Durable Object class wrangler.toml binds as WHITEBOARD. */
export const WhiteboardRoom = server.DurableObject;
export default server.worker;
