/**
 * What `RoomClient.mutate` throws for an edit it refuses before sending (the
 * room would refuse it too): the protocol's code, to branch on without
 * parsing a message. Nothing was applied or queued.
 *
 * ```ts
 * try { client.mutate(ops); } catch (e) { if (e instanceof MutationError && e.code === ErrorCode.RECORD_NOT_FOUND) … }
 * ```
 */
import type { ErrorCode } from "../../party/shared/protocol.ts";

export class MutationError extends Error {
  /** INVALID_MUTATION (the schema, a fixed field), RECORD_NOT_FOUND,
   * RECORD_TOO_LARGE, ROOM_LIMIT or TOO_LARGE (split the edit). */
  readonly code: ErrorCode;
  /** The reason without the code, e.g. "ops.0: text: Too small". */
  readonly detail: string;

  constructor(code: ErrorCode, detail: string) {
    // The message keeps the "CODE: detail" form it always had.
    super(`${code}: ${detail}`);
    this.name = "MutationError";
    this.code = code;
    this.detail = detail;
  }
}
