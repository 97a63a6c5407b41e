/**
 * What a relay (relay.ts) holds of its room's board: the epoch and seq, a copy
 * of the records (the room's sync, then every change applied with
 * `applyAccepted`), and a ring of the most recent changes — enough to answer
 * a member's `hello` or `resync` by the rule of PROTOCOL.md §9 (a delta when
 * the ring covers its seq in the same epoch and it is the smaller, else the
 * snapshot, serialized once per seq and shared by every joiner at that seq).
 * Bounded: RELAY_RING_CHANGES changes and RELAY_RING_BYTES characters.
 */
import { applyAccepted } from "../shared/apply.ts";
import { RELAY_RING_BYTES, RELAY_RING_CHANGES } from "../shared/limits.ts";
import type { Change, RecordBase } from "../shared/protocol.ts";

export class RelayBoard<R extends RecordBase = RecordBase> {
  epoch: string | null = null;
  seq = 0;
  private records = new Map<string, R>();
  /** Recent changes, as their JSON (a delta's entries). */
  private ring: { seq: number; json: string }[] = [];
  private ringChars = 0;
  private snapshot: { seq: number; frame: string } | null = null;

  /** Start over from a snapshot (or from nothing: epoch null). */
  reset(epoch: string | null, seq: number, records: readonly R[]): void {
    this.epoch = epoch;
    this.seq = seq;
    this.records = new Map(records.map((r) => [r.id, r]));
    this.ring = [];
    this.ringChars = 0;
    this.snapshot = null;
  }

  /** Apply the next change (`change.seq` is `seq + 1`); `json` is its entry. */
  apply(change: Change<R>, json: string): void {
    applyAccepted(this.records, change.ops);
    this.seq = change.seq;
    this.ring.push({ seq: change.seq, json });
    this.ringChars += json.length;
    while (this.ring.length > RELAY_RING_CHANGES || this.ringChars > RELAY_RING_BYTES) this.ringChars -= this.ring.shift()!.json.length;
    this.snapshot = null;
  }

  /** The snapshot frame at the current seq (serialized once per seq). */
  snapshotFrame(): string {
    if (this.snapshot?.seq !== this.seq) {
      const frame = JSON.stringify({ type: "sync", mode: "snapshot", epoch: this.epoch, seq: this.seq, records: [...this.records.values()] });
      this.snapshot = { seq: this.seq, frame };
    }
    return this.snapshot.frame;
  }

  /** The sync for a member holding `epoch` up to `lastSeq`: a delta from the
   * ring when it covers `lastSeq` and is smaller, else the snapshot. */
  syncFrame(epoch: string | null, lastSeq: number): { frame: string; mode: "delta" | "snapshot" } {
    const snapshot = this.snapshotFrame();
    const first = this.ring[0]?.seq ?? this.seq + 1;
    if (epoch === this.epoch && lastSeq >= first - 1 && lastSeq <= this.seq) {
      const changes = this.ring.filter((c) => c.seq > lastSeq).map((c) => c.json);
      const delta = `{"type":"sync","mode":"delta","epoch":${JSON.stringify(this.epoch)},"seq":${this.seq},"changes":[${changes.join(",")}]}`;
      if (delta.length < snapshot.length) return { frame: delta, mode: "delta" };
    }
    return { frame: snapshot, mode: "snapshot" };
  }
}
