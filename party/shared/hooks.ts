/**
 * The types an app's hooks are written against (`RoomHooks`, and the `Actor`
 * and `RoomView` they are given): part of the app's contract with the room,
 * so they live beside the protocol and come from `edgeroom/schema` — a Node
 * test of the hooks (on `edgeroom/testing`) type-checks without the Workers
 * types that `edgeroom/server`'s declarations need. The room calls them
 * (party/engine/room/types.ts re-exports them).
 */
import type { Change, Op, RecordBase, Role } from "./protocol.ts";

/** Who is asking, as the app's hooks see it. */
export interface Actor {
  conn: string;
  role: Role;
  clientId: string;
  /** The access token's subject, when the deployment uses tokens with one. */
  subject: string | null;
}

/** The room as `authorize` reads it: its id, and any record by id. */
export interface RoomView<R extends RecordBase = RecordBase> {
  readonly id: string;
  get(id: string): R | undefined;
}

/** The app's say in what the room does. Hooks run inside the room's one event
 * queue, so they see the room exactly as the mutation does. */
export interface RoomHooks<R extends RecordBase = RecordBase> {
  /**
   * May `actor` apply `op`? Called for every op of a mutation that passed the
   * schema, before anything is written, with the record as it is before the op
   * (`undefined` for a new one). Return `true`, or a sentence saying why not:
   * the whole mutation is then rejected with FORBIDDEN and that sentence —
   * inside the same exactly-once path as every mutation (a retried mid gets
   * the same answer while it is remembered). Throwing rejects it with INTERNAL.
   * `room.get(id)` reads any other record as this op sees it (the mutation's
   * earlier ops applied), for rules such as "only members of this column may
   * add cards to it".
   */
  authorize?(actor: Actor, op: Op<R>, before: R | undefined, room: RoomView<R>): true | string;
  /** A mutation was committed and acknowledged. Errors are logged, never sent
   * to a client; the room does not wait for a returned promise. */
  onCommit?(change: Change<R>, room: { id: string; records: ReadonlyMap<string, R> }): void | Promise<void>;
}
