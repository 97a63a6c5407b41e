import { describe, expect, it } from "vitest";
import { authorize, mintToken } from "../../party/engine/auth.ts";
import { CloseCode, ErrorCode } from "../../party/shared/protocol.ts";

const SECRET = "test-secret-of-reasonable-length";

describe("access tokens", () => {
  it("leaves rooms open by link when no secret is configured", async () => {
    expect(await authorize(undefined, "r1", null)).toEqual({ ok: true, role: "editor", subject: null });
  });

  it("grants the role a valid token names, for its room only", async () => {
    const viewer = await mintToken(SECRET, { room: "r1", role: "viewer", subject: "ada" });
    const before = Date.now();
    const access = await authorize(SECRET, "r1", viewer);
    expect(access).toMatchObject({ ok: true, role: "viewer", subject: "ada" });
    // The room learns when to close the connection: the token's expiry (10 min) plus the clock tolerance.
    const expiresAt = access.ok ? access.expiresAt! : 0;
    expect(expiresAt).toBeGreaterThan(before + 10 * 60_000);
    expect(expiresAt).toBeLessThan(before + 11 * 60_000);
    expect(await authorize(SECRET, "r2", viewer)).toMatchObject({ ok: false, code: ErrorCode.UNAUTHORIZED, close: CloseCode.UNAUTHORIZED });
  });

  it("refuses a missing, forged or tampered token as UNAUTHORIZED", async () => {
    const forged = await mintToken("another-secret-entirely-xxxxxxxx", { room: "r1", role: "editor" });
    const good = await mintToken(SECRET, { room: "r1", role: "viewer" });
    const [h, p, sig] = good.split(".");
    const payload = JSON.parse(Buffer.from(p!, "base64url").toString());
    const tampered = [h, Buffer.from(JSON.stringify({ ...payload, role: "editor" })).toString("base64url"), sig].join(".");
    for (const token of [null, "garbage", forged, tampered]) {
      expect(await authorize(SECRET, "r1", token)).toMatchObject({ ok: false, code: ErrorCode.UNAUTHORIZED });
    }
  });

  it("tells an expired token apart, so the client fetches a fresh one", async () => {
    const expired = await mintToken(SECRET, { room: "r1", role: "editor", ttlSeconds: -120 });
    expect(await authorize(SECRET, "r1", expired)).toMatchObject({ ok: false, code: ErrorCode.TOKEN_EXPIRED, close: CloseCode.TOKEN_EXPIRED });
  });
});
