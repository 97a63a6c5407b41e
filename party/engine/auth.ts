/**
 * Access tokens. Without a configured secret a room is open by link (local dev
 * just works). With one, a connection must present `?token=<JWT>`: HS256, signed
 * with the secret, naming the room (`room`) and a role (`role`: editor | viewer),
 * short-lived (`exp`). Verified with `jose`; no hand-rolled crypto.
 * Host-free: both adapters call `authorize`.
 */
import { errors, jwtVerify, SignJWT } from "jose";
import { CloseCode, ErrorCode, type Role } from "../shared/protocol.ts";

/** Tokens live at most this long; clients fetch a fresh one on every reconnect. */
export const TOKEN_TTL_SECONDS = 10 * 60;
/** The longest a token may live, however it was minted: a leaked token with an
 * `exp` centuries away is refused, not honoured. Mint short ones (TOKEN_TTL_SECONDS). */
export const MAX_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;
/** Clock skew tolerated between the minting server and the room. */
export const CLOCK_TOLERANCE_SECONDS = 30;

export type Access =
  /** `expiresAt` (ms): when the token runs out; the room closes the connection
   * then (TOKEN_EXPIRED), and the client reconnects with a fresh token. */
  | { ok: true; role: Role; subject: string | null; expiresAt?: number }
  | { ok: false; code: ErrorCode; close: number; message: string };

const keyOf = (secret: string) => new TextEncoder().encode(secret);

export async function mintToken(secret: string, claims: { room: string; role: Role; subject?: string; ttlSeconds?: number }): Promise<string> {
  const ttl = claims.ttlSeconds ?? TOKEN_TTL_SECONDS;
  if (!(ttl <= MAX_TOKEN_LIFETIME_SECONDS)) throw new RangeError(`ttlSeconds may not exceed ${MAX_TOKEN_LIFETIME_SECONDS}`);
  const jwt = new SignJWT({ room: claims.room, role: claims.role })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setExpirationTime(`${ttl}s`);
  if (claims.subject) jwt.setSubject(claims.subject);
  return jwt.sign(keyOf(secret));
}

/** The token of a request's `Authorization: Bearer` header, if any. */
export function bearerOf(request: Request): string | null {
  const m = /^Bearer\s+(\S+)$/i.exec(request.headers.get("Authorization") ?? "");
  return m ? m[1]! : null;
}

/** What a fallback ticket stands for: the token's verdict, and the id the
 * room redeems once. */
export type TicketAccess = { ok: true; role: Role; subject: string | null; expiresAt?: number; id: string } | Extract<Access, { ok: false }>;

/** Sign a ticket the room issued (`id`, redeemable once there) for a verdict.
 * Signed so the Worker refuses a forged one without waking the room; it has
 * no `role` claim, so it never passes as an access token. */
export async function mintTicket(secret: string, t: { room: string; role: Role; subject: string | null; expiresAt?: number; id: string; ttlMs: number }): Promise<string> {
  const jwt = new SignJWT({ room: t.room, use: "fallback-ticket", tr: t.role, ...(t.expiresAt ? { tx: t.expiresAt } : {}) })
    .setProtectedHeader({ alg: "HS256" })
    .setJti(t.id)
    .setIssuedAt()
    .setExpirationTime(`${Math.ceil(t.ttlMs / 1000)}s`);
  if (t.subject) jwt.setSubject(t.subject);
  return jwt.sign(keyOf(secret));
}

/** Check a ticket's signature, lifetime and room (the room checks it was not used). */
export async function readTicket(secret: string, room: string, ticket: string | null): Promise<TicketAccess> {
  const denied = (message: string): TicketAccess => ({ ok: false, code: ErrorCode.UNAUTHORIZED, close: CloseCode.UNAUTHORIZED, message });
  if (!ticket) return denied("this room needs a ticket: POST …/ticket with Authorization: Bearer <token>, then GET …/events?ticket=");
  try {
    const { payload } = await jwtVerify(ticket, keyOf(secret), { algorithms: ["HS256"], clockTolerance: CLOCK_TOLERANCE_SECONDS, requiredClaims: ["exp", "jti"] });
    if (payload.use !== "fallback-ticket" || (payload.tr !== "editor" && payload.tr !== "viewer")) return denied("not a fallback ticket");
    if (payload.room !== room) return denied("the ticket is for another room");
    return {
      ok: true,
      role: payload.tr,
      subject: typeof payload.sub === "string" ? payload.sub : null,
      ...(typeof payload.tx === "number" ? { expiresAt: payload.tx } : {}),
      id: payload.jti!,
    };
  } catch {
    return denied("the ticket is invalid or expired; ask for another");
  }
}

/** Decide what a connection to `room` may do. `secret` unset/empty = open room. */
export async function authorize(secret: string | undefined, room: string, token: string | null): Promise<Access> {
  if (!secret) return { ok: true, role: "editor", subject: null };
  const denied = (message: string): Access => ({ ok: false, code: ErrorCode.UNAUTHORIZED, close: CloseCode.UNAUTHORIZED, message });
  if (!token) return denied("this room needs an access token (?token=)");
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), { algorithms: ["HS256"], clockTolerance: CLOCK_TOLERANCE_SECONDS, requiredClaims: ["exp"] });
    if (payload.room !== room) return denied("the token is for another room");
    if (payload.role !== "editor" && payload.role !== "viewer") return denied("the token names no valid role");
    const exp = payload.exp as number;
    const nowS = Date.now() / 1000;
    if (exp - nowS > MAX_TOKEN_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS || (typeof payload.iat === "number" && exp - payload.iat > MAX_TOKEN_LIFETIME_SECONDS)) {
      return denied(`the token lives longer than ${MAX_TOKEN_LIFETIME_SECONDS} s; mint a short-lived one`);
    }
    return {
      ok: true,
      role: payload.role,
      subject: typeof payload.sub === "string" ? payload.sub : null,
      // requiredClaims guarantees exp; the tolerance applies here as at connect.
      expiresAt: (exp + CLOCK_TOLERANCE_SECONDS) * 1000,
    };
  } catch (err) {
    if (err instanceof errors.JWTExpired) {
      return { ok: false, code: ErrorCode.TOKEN_EXPIRED, close: CloseCode.TOKEN_EXPIRED, message: "the access token expired; fetch a new one" };
    }
    return denied("the access token is invalid");
  }
}
