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
 * With neither `API_SECRET` nor `API_READ_SECRET` set the API is off: every
 * endpoint answers `404` and says so. `API_READ_SECRET` is read-only: the
 * `GET` endpoints accept it, the others refuse it with `403`.
 */
import { z } from "zod";
import { HISTORY_PAGE_MAX, MAX_IMPORT_BYTES, MAX_MESSAGE_BYTES, WATCHERS_PAGE_MAX } from "../shared/limits.ts";
import { ErrorCode, MutationId, type RecordBase, Seq, VersionName } from "../shared/protocol.ts";
import type { RoomSchema } from "../shared/schema.ts";
import { buildExport } from "../shared/export-format.ts";
import { type AssetIo, exportAssets, importAssets } from "./asset-transfer.ts";
import { parseImport } from "./export-file.ts";
import type { HistoryTarget } from "./history.ts";
import { API_HEADER, ROOM_HEADER } from "./headers.ts";
import type { MutationResult, Room } from "./room.ts";
import { WatcherList } from "./room/watcher-list.ts";

/** The endpoints, as the Worker hands them to the room (headers.ts API_HEADER). */
export type ApiAction = "snapshot" | "mutate" | "delete" | "history" | "restore" | "export" | "import" | "fork" | "webhooks" | "presence" | "metadata" | "metadata-set" | "broadcast";

/** Sub-paths of `/parties/<party>/<room>/` that belong to the API
 * (`history` also with one more segment: `history/<seq>`). */
export const API_PATHS: ReadonlySet<string> = new Set(["snapshot", "mutate", "history", "restore", "export", "import", "fork", "webhooks", "presence", "metadata", "broadcast"]);

const METHOD: Record<ApiAction, string> = {
  snapshot: "GET",
  mutate: "POST",
  delete: "DELETE",
  history: "GET",
  restore: "POST",
  export: "GET",
  import: "POST",
  fork: "POST",
  webhooks: "GET",
  presence: "GET",
  metadata: "GET",
  "metadata-set": "PUT",
  broadcast: "POST",
};

/** The most bytes a request body to `action` may have (413 past it; the
 * Worker reads at most this much before it wakes the room). */
export function bodyLimit(action: ApiAction): number {
  return action === "import" ? MAX_IMPORT_BYTES : MAX_MESSAGE_BYTES;
}

/** Endpoints that only read: the read-only secret may call these. */
const READ_ONLY: ReadonlySet<ApiAction> = new Set(["snapshot", "history", "export", "webhooks", "presence", "metadata"]);

/** The endpoint `method` + `sub` (the path after the room id, if any) names,
 * `"method"` when the path is the API's but the method is not, or null when
 * the request is not for the API. */
export function apiAction(method: string, sub: string | undefined): ApiAction | "method" | null {
  let action: ApiAction | null = null;
  if (sub === undefined) action = method === "DELETE" ? "delete" : null;
  else if (API_PATHS.has(sub)) action = sub as ApiAction;
  else if (/^history\/[^/]{1,256}$/.test(sub)) action = "history";
  if (action === null) return null;
  // `…/metadata`: GET reads it, PUT replaces it, PATCH merges into it.
  if (action === "metadata" && (method === "PUT" || method === "PATCH")) return "metadata-set";
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

/** null when `request` carries a secret that may call `action` — `Bearer
 * <API_SECRET>`, or `Bearer <API_READ_SECRET>` for a read-only endpoint;
 * else the refusal. */
export async function checkApiSecret(request: Request, secrets: { API_SECRET?: string | undefined; API_READ_SECRET?: string | undefined }, action: ApiAction): Promise<Response | null> {
  const { API_SECRET: secret, API_READ_SECRET: readSecret } = secrets;
  if (!secret && !readSecret) return apiError(404, ErrorCode.FORBIDDEN, "the HTTP API is disabled on this deployment: set the API_SECRET secret to enable it");
  const header = request.headers.get("Authorization") ?? "";
  const given = /^Bearer (.+)$/.exec(header)?.[1];
  if (!given) return apiError(401, ErrorCode.UNAUTHORIZED, "send Authorization: Bearer <API_SECRET>");
  // Both comparisons always run: the time taken does not say which secret matched.
  const [full, read] = await Promise.all([secret ? sameSecret(given, secret) : false, readSecret ? sameSecret(given, readSecret) : false]);
  if (full) return null;
  if (read) return READ_ONLY.has(action) ? null : apiError(403, ErrorCode.FORBIDDEN, "this secret is read-only (API_READ_SECRET): it may only read");
  return apiError(401, ErrorCode.UNAUTHORIZED, "wrong API secret");
}

/** HTTP status of a reject, by its code: the body is the typed reject itself. */
const REJECT_STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.INTERNAL]: 500,
  [ErrorCode.TOO_LARGE]: 413,
  [ErrorCode.ROOM_LIMIT]: 409,
  [ErrorCode.HISTORY_UNAVAILABLE]: 404,
  [ErrorCode.ROOM_NOT_EMPTY]: 409,
  [ErrorCode.BAD_MESSAGE]: 400,
};

/** The answer to a mutation: `200` with the ack, or the reject with its status (422 by default). */
export function mutationResponse(result: MutationResult): Response {
  if (result.type === "ack") return Response.json(result);
  return Response.json(result, { status: REJECT_STATUS[result.code] ?? 422 });
}

/**
 * A request's body, read to at most `max` bytes: refused with `413`
 * TOO_LARGE by its declared `Content-Length` before a byte is read, and a
 * body without one (chunked) is cut at the first byte past `max` — never read
 * whole. The bytes as a string (UTF-8).
 */
export async function readBounded(request: Request, max: number, what = "a body"): Promise<{ ok: true; text: string; bytes: Uint8Array } | { ok: false; response: Response }> {
  const tooLarge = (n: number | string) => ({ ok: false as const, response: apiError(413, ErrorCode.TOO_LARGE, `${what} of ${n} bytes exceeds ${max}`) });
  const declared = request.headers.get("Content-Length");
  if (declared !== null && /^\d{1,16}$/.test(declared) && Number(declared) > max) return tooLarge(declared);
  const parts: Uint8Array[] = [];
  let total = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > max) {
        await reader.cancel().catch(() => undefined);
        return tooLarge(`more than ${max}`);
      }
      parts.push(value);
    }
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.byteLength;
  }
  return { ok: true, text: new TextDecoder().decode(bytes), bytes };
}

/** Parse `{mid, ops}` as the socket's `mutate` is parsed: the answer to a body
 * that is not one, or the mutation. */
export async function readMutation<R extends RecordBase>(
  schema: RoomSchema<R>,
  request: Request,
): Promise<{ ok: true; mid: string; ops: Parameters<Room<R>["apiMutate"]>[1] } | { ok: false; response: Response }> {
  const read = await readBounded(request, MAX_MESSAGE_BYTES);
  if (!read.ok) return read;
  const text = read.text;
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

/** Read a JSON object body of at most MAX_MESSAGE_BYTES. */
async function readJson(request: Request): Promise<{ ok: true; body: Record<string, unknown> } | { ok: false; response: Response }> {
  const read = await readBounded(request, MAX_MESSAGE_BYTES);
  if (!read.ok) return read;
  try {
    const body = JSON.parse(read.text) as unknown;
    if (typeof body === "object" && body !== null && !Array.isArray(body)) return { ok: true, body: body as Record<string, unknown> };
  } catch {
    // answered below
  }
  return { ok: false, response: apiError(400, ErrorCode.BAD_MESSAGE, "the body is not a JSON object") };
}

const oneTarget = (m: { seq?: number | undefined; version?: string | undefined }) => (m.seq === undefined) !== (m.version === undefined);
/** `{mid, seq}` or `{mid, version}`: a restore. */
const RestoreBody = z.object({ mid: MutationId, seq: Seq.optional(), version: VersionName.optional() }).refine(oneTarget, { message: "name exactly one of seq or version" });
/** `{mid, from, seq?|version?}`: a fork from room `from`. */
export const ForkBody = z
  .object({ mid: MutationId, from: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), seq: Seq.optional(), version: VersionName.optional() })
  .refine((m) => m.seq === undefined || m.version === undefined, { message: "name at most one of seq or version" });

const issue = (error: z.ZodError) => {
  const first = error.issues[0];
  return ((first?.path.length ? first.path.join(".") + ": " : "") + (first?.message ?? "invalid")).slice(0, 200);
};

/** The point `…/history/<x>` or `?seq=`/`?version=` names: digits are a seq,
 * anything else a version name; null for "now". */
function targetOf(url: URL): HistoryTarget | null | { error: string } {
  const tail = /\/history\/([^/]+)\/?$/.exec(url.pathname)?.[1];
  const raw = tail !== undefined ? decodeURIComponent(tail) : null;
  const seq = raw !== null && /^\d{1,15}$/.test(raw) ? raw : url.searchParams.get("seq");
  const version = raw !== null && !/^\d{1,15}$/.test(raw) ? raw : url.searchParams.get("version");
  if (seq !== null && version !== null) return { error: "name at most one of seq or version" };
  if (seq !== null) return /^\d{1,15}$/.test(seq) ? { seq: Number(seq) } : { error: "seq: a whole number" };
  if (version !== null) {
    const v = VersionName.safeParse(version);
    return v.success ? { version: v.data } : { error: "version: 1-60 visible characters" };
  }
  return null;
}

/** A request from the Worker to a room's object for endpoint `action`
 * (the Worker checked the secret; the room trusts API_HEADER). */
function roomRequest(url: string, roomId: string, action: ApiAction, init: RequestInit = {}): Request {
  return new Request(url, { ...init, headers: { [ROOM_HEADER]: roomId, [API_HEADER]: action, "Content-Type": "application/json" } });
}

/**
 * `POST …/<room>/fork` with `{mid, from, seq?|version?}`, at the edge: the
 * board of room `from` (now, or at a seq or version) is exported by that
 * room's object and imported into this one — which must be new and empty
 * (`409` ROOM_NOT_EMPTY otherwise) — as one mutation, exactly once by `mid`.
 */
export async function fork(request: Request, url: URL, roomId: string, stubFor: (roomId: string) => DurableObjectStub | Response): Promise<Response> {
  const read = await readJson(request);
  if (!read.ok) return read.response;
  const body = ForkBody.safeParse(read.body);
  if (!body.success) return apiError(400, ErrorCode.BAD_MESSAGE, issue(body.error));
  const { mid, from, seq, version } = body.data;
  if (from === roomId) return apiError(400, ErrorCode.BAD_MESSAGE, "a room cannot be forked into itself");
  const source = stubFor(from);
  const dest = stubFor(roomId);
  if (source instanceof Response) return source;
  if (dest instanceof Response) return dest;
  const base = `${url.origin}${url.pathname.replace(/\/[^/]+\/fork\/?$/, "")}`;
  const query = seq !== undefined ? `?seq=${seq}` : version !== undefined ? `?version=${encodeURIComponent(version)}` : "";
  const exported = await source.fetch(roomRequest(`${base}/${from}/export${query}`, from, "export"));
  if (!exported.ok) return exported;
  const file = await exported.text();
  return dest.fetch(roomRequest(`${base}/${roomId}/import?mid=${encodeURIComponent(mid)}`, roomId, "import", { method: "POST", body: file }));
}

/** Serve one API request inside the room's Durable Object; `assets`: the
 * room's asset bucket and table (an export carries its assets, an import
 * stores them: asset-transfer.ts). */
export async function serveApi<R extends RecordBase>(room: Room<R>, schema: RoomSchema<R>, action: string, request: Request, assets?: AssetIo): Promise<Response> {
  const url = new URL(request.url);
  switch (action) {
    case "history": {
      const target = targetOf(url);
      if (target !== null && "error" in target) return apiError(400, ErrorCode.BAD_MESSAGE, target.error);
      if (target !== null) {
        const board = await room.apiBoard(target);
        return "code" in board ? apiError(REJECT_STATUS[board.code] ?? 500, board.code, board.message) : Response.json(board);
      }
      const before = url.searchParams.get("before");
      const limit = url.searchParams.get("limit");
      if ((before !== null && !/^\d{1,15}$/.test(before)) || (limit !== null && !(/^\d{1,3}$/.test(limit) && Number(limit) >= 1 && Number(limit) <= HISTORY_PAGE_MAX))) {
        return apiError(400, ErrorCode.BAD_MESSAGE, `before: a seq; limit: 1-${HISTORY_PAGE_MAX}`);
      }
      return Response.json(await room.apiHistory(before === null ? undefined : Number(before), limit === null ? 100 : Number(limit)));
    }
    case "restore": {
      const read = await readJson(request);
      if (!read.ok) return read.response;
      const body = RestoreBody.safeParse(read.body);
      if (!body.success) return apiError(400, ErrorCode.BAD_MESSAGE, issue(body.error));
      const target: HistoryTarget = body.data.seq !== undefined ? { seq: body.data.seq } : { version: body.data.version! };
      return mutationResponse(await room.apiRestore(body.data.mid, target));
    }
    case "export": {
      const target = targetOf(url);
      if (target !== null && "error" in target) return apiError(400, ErrorCode.BAD_MESSAGE, target.error);
      const board = await room.apiBoard(target);
      if ("code" in board) return apiError(REJECT_STATUS[board.code] ?? 500, board.code, board.message);
      const pictures = assets ? await exportAssets(assets, room.roomId, board.records) : [];
      const file = buildExport(schema, { room: room.roomId, ...board, assets: pictures });
      return Response.json(file, { headers: { "Content-Disposition": `attachment; filename="${room.roomId}-${board.seq}.edgeroom.json"` } });
    }
    case "import": {
      const mid = url.searchParams.get("mid");
      if (!MutationId.safeParse(mid).success) return apiError(400, ErrorCode.BAD_MESSAGE, "?mid=: 1-64 characters of A-Z a-z 0-9 _ -");
      // The Worker bounded the read already (worker.ts); bounded again here.
      const file = await readBounded(request, MAX_IMPORT_BYTES, "an export");
      if (!file.ok) return file.response;
      const parsed = parseImport(schema, file.text);
      if (!parsed.ok) return apiError(parsed.code === ErrorCode.TOO_LARGE ? 413 : parsed.code === ErrorCode.BAD_MESSAGE ? 400 : 422, parsed.code, parsed.message);
      // The assets first, so no record is ever there without its picture —
      // and only into a room that was never written (any other refuses below).
      if (assets && parsed.file.assets?.length && (await room.snapshot()).epoch === null) {
        const refused = await importAssets(assets, room.roomId, parsed.file.assets);
        if (refused) return refused;
      }
      return mutationResponse(await room.apiImport(mid!, parsed.file.records));
    }
    case "snapshot":
      return Response.json(await room.snapshot());
    case "webhooks":
      return Response.json(await room.apiWebhooks());
    case "presence": {
      if (!url.searchParams.has("watchers")) return Response.json(await room.apiPresence());
      // The watchers on an audience room's relays, a page at a time (watcher-list.ts).
      const cursor = url.searchParams.get("cursor");
      const limit = Number(url.searchParams.get("limit") ?? WATCHERS_PAGE_MAX);
      const bad = WatcherList.check(cursor, limit);
      if (bad) return apiError(400, ErrorCode.BAD_MESSAGE, bad);
      const page = await room.apiWatchers(cursor, limit);
      return page ? Response.json(page) : apiError(503, ErrorCode.INTERNAL, "a relay did not answer in time; retry with the same cursor");
    }
    case "metadata":
      return Response.json({ metadata: await room.backend.metadata() });
    case "metadata-set": {
      const read = await readJson(request);
      if (!read.ok) return read.response;
      const out = await room.backend.setMetadata(read.body, request.method === "PATCH");
      return "refused" in out ? apiError(out.refused.status, out.refused.code, out.refused.message) : Response.json(out);
    }
    case "broadcast": {
      const read = await readJson(request);
      if (!read.ok) return read.response;
      if (!("event" in read.body) || read.body.event === undefined) return apiError(400, ErrorCode.BAD_MESSAGE, "the body is {\"event\": <any JSON value>}");
      const out = await room.backend.broadcast(JSON.stringify(read.body.event));
      return "code" in out ? apiError(out.status, out.code, out.message) : Response.json(out);
    }
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
