/**
 * What each member owes the room: characters of broadcast frames sent to it
 * and not yet acknowledged by a `read` (PROTOCOL.md §7). The room cannot see
 * a socket's buffer, so a reader that stopped reading is found only this way;
 * past SOCKET_MAX_OWED_BYTES it gets nothing more and is cut (the room closes
 * it with SLOW_READER and it resyncs from its last seq).
 *
 * Only members whose hello said `reads` are bounded: a client from before
 * never acknowledges, and must not be cut for it (docs/SECURITY.md §3.9).
 * Counted from the member's welcome on: its sync and the answers to its own
 * requests are not counted (their budgets bound them, and a big snapshot
 * must not trip the bound), so acknowledgements can run ahead of what is
 * counted — what is owed never drops below zero, so no acknowledgement buys
 * credit for later.
 *
 * In memory: after a hibernation a member's count starts again at zero (its
 * attachment says whether it is bounded), which forgives at most what was in
 * flight when the room went idle.
 */
import { SOCKET_MAX_OWED_BYTES } from "../../shared/limits.ts";

export class ReadWindows {
  /** Owed characters of each bounded member seen by this instance; null: a
   * member that is not bounded (its hello did not say `reads`). */
  private readonly owed = new Map<string, number | null>();
  /** Members over the bound, until their socket is gone: nothing more is sent. */
  private readonly cut = new Set<string>();
  private readonly bound: number;
  private readonly isBounded: (conn: string) => boolean;
  private readonly onCut: (conn: string) => void;

  /** `isBounded` answers for a member this instance has not seen (after a
   * wake); `onCut` closes a member over the bound (called once, later). */
  constructor(isBounded: (conn: string) => boolean, onCut: (conn: string) => void, bound = SOCKET_MAX_OWED_BYTES) {
    this.isBounded = isBounded;
    this.onCut = onCut;
    this.bound = bound;
  }

  /** The member was welcomed: count from here, or never. */
  open(conn: string, bounded: boolean): void {
    this.owed.set(conn, bounded ? 0 : null);
  }

  /** The member read `n` more characters. */
  read(conn: string, n: number): void {
    const owed = this.owed.get(conn);
    if (owed !== undefined && owed !== null) this.owed.set(conn, Math.max(0, owed - n));
  }

  /** May a frame of `chars` go to `conn`? False once the member is over the
   * bound: it is cut (once) and gets nothing more. */
  charge(conn: string, chars: number): boolean {
    if (this.cut.has(conn)) return false;
    let owed = this.owed.get(conn);
    if (owed === undefined) {
      owed = this.isBounded(conn) ? 0 : null;
      this.owed.set(conn, owed);
    }
    if (owed === null) return true;
    if (owed + chars > this.bound) {
      this.owed.delete(conn);
      this.cut.add(conn);
      this.onCut(conn);
      return false;
    }
    this.owed.set(conn, owed + chars);
    return true;
  }

  /** What `conn` owes now (tests, logs); 0 when it is not bounded. */
  owing(conn: string): number {
    return this.owed.get(conn) ?? 0;
  }

  /** The member is gone. */
  forget(conn: string): void {
    this.owed.delete(conn);
    this.cut.delete(conn);
  }
}
