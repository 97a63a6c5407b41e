/**
 * The HTTP API: server-to-server access to any app's rooms, for backends,
 * scripts and operators (docs/HTTP-API.md). Two halves, one concept:
 *
 * - at the edge (the Worker, `apiAction` + `checkApiSecret`): which endpoint a
 *   request names, and whether it carries the deployment's `API_SECRET` as
 *   `Authorization: Bearer <secret>`; the secret stops there;
 * - in the room's Durable Object (`serveApi`): the endpoint itself, through the
 *   room core's host-free methods — a mutation runs in the room's one event
 *   queue, through the same parser, planner, authorization hook and
 *   exactly-once table as a socket's `mutate`.
 *
 * With `API_SECRET` unset the API is off: every endpoint answers `404` and says so.
 */
import { MAX_MESSAGE_BYTES } from "../shared/limits.ts";
import { ErrorCode, MutationId, type RecordBase } from "../shared/protocol.ts";
import type { RoomSchema } from "../shared/schema.ts";
import type { MutationResult, Room } from "./room.ts";

/** The endpoints, as the Worker hands them to the room (headers.ts API_HEADER). */
export type ApiAction = "snapshot" | "mutate" | "delete";

/** Sub-paths of `/parties/<party>/<room>/` that belong to the API. */
export const API_PATHS: ReadonlySet<string> = new Set(["snapshot", "mutate"]);

const METHOD: Record<ApiAction, string> = { snapshot: "GET", mutate: "POST", delete: "DELETE" };

/** The endpoint `method` + `sub` (the path after the room id, if any) names,
 * `"method"` when the path is the API's but the method is not, or null when
 * the request is not for the API. */
export function apiAction(method: string, sub: string | undefined): ApiAction | "method" | null {
  const action: ApiAction | null = sub === undefined ? (method === "DELETE" ? "delete" : null) : API_PATHS.has(sub) ? (sub as ApiAction) : null;
  if (action === null) return null;
  return method === METHOD[action] ? action : "method";
}

/** `{code, message}` with a status: the API's error body. */
export function apiError(status: number, code: ErrorCode, message: string): Response {
  return Response.json({ code, message }, { status });
}

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/** Compare the digests, not the strings: the time taken says nothing about
 * how much of a guess was right, or how long the secret is. */
async function sameSecret(given: string, secret: string): Promise<boolean> {
  const [a, b] = await Promise.all([digest(given), digest(secret)]);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** null when `request` carries `Bearer <secret>`; else the refusal. */
export async function checkApiSecret(request: Request, secret: string | undefined): Promise<Response | null> {
  if (!secret) return apiError(404, ErrorCode.FORBIDDEN, "the HTTP API is disabled on this deployment: set the API_SECRET secret to enable it");
  const header = request.headers.get("Authorization") ?? "";
  const given = /^Bearer (.+)$/.exec(header)?.[1];
  if (!given) return apiError(401, ErrorCode.UNAUTHORIZED, "send Authorization: Bearer <API_SECRET>");
  if (!(await sameSecret(given, secret))) return apiError(401, ErrorCode.UNAUTHORIZED, "wrong API secret");
  return null;
}

/** HTTP status of a reject, by its code: the body is the typed reject itself. */
const REJECT_STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.INTERNAL]: 500,
  [ErrorCode.TOO_LARGE]: 413,
  [ErrorCode.ROOM_LIMIT]: 409,
};

/** The answer to a mutation: `200` with the ack, or the reject with its status (422 by default). */
export function mutationResponse(result: MutationResult): Response {
  if (result.type === "ack") return Response.json(result);
  return Response.json(result, { status: REJECT_STATUS[result.code] ?? 422 });
}

/** Parse `{mid, ops}` as the socket's `mutate` is parsed: the answer to a body
 * that is not one, or the mutation. */
export async function readMutation<R extends RecordBase>(
  schema: RoomSchema<R>,
  request: Request,
): Promise<{ ok: true; mid: string; ops: Parameters<Room<R>["apiMutate"]>[1] } | { ok: false; response: Response }> {
  const text = await request.text();
  if (text.length > MAX_MESSAGE_BYTES) {
    return { ok: false, response: apiError(413, ErrorCode.TOO_LARGE, `a body of ${text.length} bytes exceeds ${MAX_MESSAGE_BYTES}`) };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, response: apiError(400, ErrorCode.BAD_MESSAGE, "the body is not valid JSON") };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, response: apiError(400, ErrorCode.BAD_MESSAGE, "the body is a JSON object {mid, ops}") };
  }
  const mid = (body as { mid?: unknown }).mid;
  if (!MutationId.safeParse(mid).success) return { ok: false, response: apiError(400, ErrorCode.BAD_MESSAGE, "mid: 1-64 characters of A-Z a-z 0-9 _ -") };
  const parsed = schema.protocol.Mutate.safeParse({ ...body, type: "mutate" });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const message = ((issue?.path.length ? issue.path.join(".") + ": " : "") + (issue?.message ?? "invalid mutation")).slice(0, 200);
    return { ok: false, response: mutationResponse({ type: "reject", mid: mid as string, code: ErrorCode.INVALID_MUTATION, message }) };
  }
  return { ok: true, mid: parsed.data.mid, ops: parsed.data.ops };
}

/** Serve one API request inside the room's Durable Object. */
export async function serveApi<R extends RecordBase>(room: Room<R>, schema: RoomSchema<R>, action: string, request: Request): Promise<Response> {
  switch (action) {
    case "snapshot":
      return Response.json(await room.snapshot());
    case "mutate": {
      const read = await readMutation(schema, request);
      if (!read.ok) return read.response;
      return mutationResponse(await room.apiMutate(read.mid, read.ops));
    }
    case "delete":
      await room.erase();
      return Response.json({ deleted: true, room: room.roomId });
    default:
      return apiError(404, ErrorCode.BAD_MESSAGE, `no API endpoint ${action.slice(0, 32)}`);
  }
}
