/**
 * Sync frames — what a joining or resyncing client is sent — and the op-log
 * window they are built from.
 *
 * The rule that bounds them: a sync is a delta only when the delta's bytes are
 * below the snapshot's, so no sync is ever larger than the board it replaces.
 * Both sizes are known without serializing anything: each log entry's size is
 * kept (from storage, `LoadedRoom.logBytes`) and the records' sizes are kept by
 * the room. A delta is built from the stored entry strings, concatenated; a
 * snapshot is serialized once per seq and shared by every joiner at that seq.
 * So one hello costs at most one snapshot's worth of memory.
 */
import { LOG_COMPACT_AT, LOG_KEEP, LOG_KEEP_BYTES, LOG_MAX_BYTES } from "../shared/limits.ts";
import type { RecordBase } from "../shared/protocol.ts";
import type { RoomMeta, RoomStorage } from "./storage.ts";

export interface SyncFrame {
  mode: "snapshot" | "delta";
  /** The serialized `sync` message. */
  frame: string;
}

export class OpLogWindow {
  /** Size of each kept entry; index 0 is seq `start`. */
  private sizes: number[] = [];
  private start = 1;
  private total = 0;

  reset(logStart: number, sizes: number[]): void {
    this.start = logStart;
    this.sizes = sizes.slice();
    this.total = sizes.reduce((a, b) => a + b, 0);
  }

  append(bytes: number): void {
    this.sizes.push(bytes);
    this.total += bytes;
  }

  get entries(): number {
    return this.sizes.length;
  }

  get bytes(): number {
    return this.total;
  }

  /** Bytes of the entries after `seq` (the changes a client at `seq` misses),
   * plus one separator each. */
  bytesAfter(seq: number): number {
    let sum = 0;
    for (let i = Math.max(0, seq + 1 - this.start); i < this.sizes.length; i++) sum += this.sizes[i]! + 1;
    return sum;
  }

  /** Where the log should start after compaction, or null when it needs none:
   * at most LOG_KEEP entries and LOG_KEEP_BYTES bytes are kept once the log has
   * LOG_COMPACT_AT entries or LOG_MAX_BYTES bytes. */
  compactionStart(headSeq: number): number | null {
    if (this.sizes.length < LOG_COMPACT_AT && this.total <= LOG_MAX_BYTES) return null;
    let keep = 0;
    let bytes = 0;
    for (let i = this.sizes.length - 1; i >= 0 && keep < LOG_KEEP; i--) {
      if (bytes + this.sizes[i]! > LOG_KEEP_BYTES) break;
      bytes += this.sizes[i]!;
      keep++;
    }
    return headSeq - keep + 1;
  }

  /** Drop entries below `logStart` (after storage compacted them). */
  dropBefore(logStart: number): void {
    const cut = Math.max(0, logStart - this.start);
    for (let i = 0; i < cut && i < this.sizes.length; i++) this.total -= this.sizes[i]!;
    this.sizes = this.sizes.slice(cut);
    this.start = logStart;
  }
}

export class SyncBuilder {
  readonly log = new OpLogWindow();
  private cached: { epoch: string; seq: number; frame: string } | null = null;
  private readonly storage: RoomStorage;

  constructor(storage: RoomStorage) {
    this.storage = storage;
  }

  /** The records changed: the shared snapshot is stale. */
  invalidate(): void {
    this.cached = null;
  }

  /**
   * A delta since `lastSeq` when the log covers it and it is smaller than the
   * snapshot; otherwise the snapshot. `recordBytes` is the sum of the records'
   * serialized sizes.
   */
  async build(meta: RoomMeta, records: ReadonlyMap<string, RecordBase>, recordBytes: number, epoch: string | null, lastSeq: number): Promise<SyncFrame> {
    const missing = meta.seq - lastSeq;
    const covered = epoch === meta.epoch && missing >= 0 && lastSeq + 1 >= meta.logStart;
    if (covered && missing === 0) return { mode: "delta", frame: deltaFrame(meta, []) };
    if (covered && this.log.bytesAfter(lastSeq) < recordBytes + records.size) {
      return { mode: "delta", frame: deltaFrame(meta, await this.storage.changesSince(lastSeq)) };
    }
    if (this.cached?.seq !== meta.seq || this.cached.epoch !== meta.epoch) {
      const frame = JSON.stringify({ type: "sync", mode: "snapshot", epoch: meta.epoch, seq: meta.seq, records: [...records.values()] });
      this.cached = { epoch: meta.epoch, seq: meta.seq, frame };
    }
    return { mode: "snapshot", frame: this.cached.frame };
  }
}

function deltaFrame(meta: RoomMeta, changes: string[]): string {
  return `{"type":"sync","mode":"delta","epoch":${JSON.stringify(meta.epoch)},"seq":${meta.seq},"changes":[${changes.join(",")}]}`;
}
