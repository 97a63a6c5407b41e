/**
 * The engine's own Worker for the workerd tier: the engine given its test
 * schema (tests/support/cards.ts), as an app's worker.ts gives it its own
 * (examples/checklist/worker.ts). tests/workerd/wrangler.toml makes it the
 * main module and binds its room class as CARDS, with the ROOM_OPENS
 * rate-limiting binding and the ROOM_ASSETS bucket, so these tests need
 * nothing of the whiteboard. A second party, `lecture`, is the same schema
 * with the audience room option.
 */
import { createRoomServer, type RoomEnv } from "edgeroom/server";
import { cards } from "../support/cards.ts";

export const server = createRoomServer(cards, {
  binding: "CARDS",
  // Pictures on cards: the asset store's tests (assets.test.ts).
  assets: { types: ["image/png", "image/jpeg", "image/gif", "image/webp"] },
});

/** The Durable Object class wrangler.toml binds as CARDS. */
export const CardsRoom = server.DurableObject;

/** Rooms for an audience (RoomOptions.audience): the first 3 members with an
 * editor role edit, whoever joins past them watches (audience-seats.test.ts),
 * at /parties/lecture/<room>, bound as LECTURE. */
export const lecture = createRoomServer({ ...cards, party: "lecture" }, { binding: "LECTURE", audience: { editors: 3 } });
export const LectureRoom = lecture.DurableObject;

export default {
  fetch: (request, env, ctx) => (new URL(request.url).pathname.startsWith("/parties/lecture/") ? lecture.worker : server.worker).fetch!(request, env, ctx),
} satisfies ExportedHandler<RoomEnv>;
