/**
 * The starter's server: a room per id for the `notes` party, and /login,
 * which mints the access tokens the rooms check (AUTH_SECRET).
 */
import { createRoomServer, mintToken, type RoomEnv } from "edgeroom/server";
import { hooks } from "./hooks.ts";
import { notes } from "./schema.ts";

const server = createRoomServer(notes, { binding: "NOTES", hooks });

/** The Durable Object class wrangler.toml binds as NOTES. */
export const NotesRoom = server.DurableObject;

/** POST /login {name, room} → {token}: a token for that room, its subject the name.
 * This stand-in believes the name it is given; put your own sign-in here
 * (a session cookie, an OAuth callback) and mint the token the same way. */
async function login(request: Request, env: RoomEnv): Promise<Response> {
  if (request.method !== "POST") return new Response("POST {name, room}", { status: 405 });
  if (!env.AUTH_SECRET) return new Response("AUTH_SECRET is not set (npm run dev makes one in .dev.vars)", { status: 500 });
  const body = (await request.json().catch(() => null)) as { name?: unknown; room?: unknown } | null;
  const name = typeof body?.name === "string" ? body.name.trim().slice(0, 40) : "";
  const room = typeof body?.room === "string" ? body.room : "";
  if (!name || !room) return new Response("name and room are required", { status: 400 });
  const token = await mintToken(env.AUTH_SECRET, { room, role: "editor", subject: name, ttlSeconds: 3_600 });
  return Response.json({ token });
}

export default {
  fetch(request, env, ctx) {
    if (new URL(request.url).pathname === "/login") return login(request, env);
    return server.worker.fetch!(request, env, ctx);
  },
} satisfies ExportedHandler<RoomEnv>;
