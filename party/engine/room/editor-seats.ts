/**
 * How many may edit a room at once, and what becomes of an editor who says
 * hello past them (PROTOCOL.md §16 "Roles"; `RoomOptions.audience`): refused
 * ROOM_FULL (retried) — or, in a room whose option says so, let in as a
 * viewer: a watcher on a relay, an ordinary viewer among the room's own
 * members, told by its welcome's `self.role`. The bound counts the editors
 * the room holds itself and those its relays hold (relay-face.ts), whichever
 * door the next one comes through.
 */
import { MAX_EDITORS_PER_ROOM } from "../../shared/limits.ts";
import type { AudienceOptions } from "./types.ts";

/** An editor's place: editing, watching (the room's option), or none (ROOM_FULL). */
export type Seat = "editor" | "viewer" | "full";

export class EditorSeats {
  private readonly option: AudienceOptions | undefined;
  private readonly editing: () => number;
  private readonly deployment: () => number | undefined;

  /** `editing`: the editors in the room now, direct and relayed; `deployment`:
   * the deployment's bound (AUDIENCE_EDITORS, which only tests set). */
  constructor(option: AudienceOptions | undefined, editing: () => number, deployment: () => number | undefined) {
    const n = option?.editors;
    if (n !== undefined && !(Number.isInteger(n) && n >= 0)) throw new TypeError(`audience.editors: a whole number ≥ 0, not ${n}`);
    this.option = option;
    this.editing = editing;
    this.deployment = deployment;
  }

  /** How many may edit at once. */
  get max(): number {
    return Math.min(this.deployment() ?? MAX_EDITORS_PER_ROOM, this.option?.editors ?? Number.POSITIVE_INFINITY);
  }

  /** The seat of an editor saying hello now (it is not among `editing` yet). */
  seat(): Seat {
    if (this.editing() < this.max) return "editor";
    return this.option ? "viewer" : "full";
  }
}
