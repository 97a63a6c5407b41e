/**
 * Pending edits in a file, for Node clients (a backend, a CLI, a bot): the
 * PendingStore that keeps exactly-once across a crash or a restart. A client
 * killed mid-edit (SIGKILL, power loss) leaves the file as it was after the
 * last completed write, never half of one: each write goes to a temporary file
 * beside it, is fsynced, renamed over the file (atomic on POSIX file systems),
 * and the folder is fsynced so the rename itself is durable. The next client
 * given the same file loads the edits and sends them under their original
 * mutation ids, so the room applies each once even if it had applied it
 * before the crash (it answers the resend as a duplicate).
 *
 * One file per room, and one client at a time per file (two processes writing
 * one file would each overwrite the other's edits). Writes are serialized;
 * changes made while one is in flight share the next. The whole list is
 * rewritten each time: pending edits are few (those the room has not yet
 * acknowledged), so that is small.
 */
import { open, readFile, rename } from "node:fs/promises";
import { dirname } from "node:path";
import type { PendingMutation } from "./pending-edits.ts";
import type { PendingStore } from "./pending-store.ts";

export class FilePendingStore implements PendingStore {
  readonly path: string;
  private readonly items = new Map<string, PendingMutation>();
  private loading: Promise<void> | null = null;
  /** The last write started; the next waits for it. */
  private writing: Promise<void> = Promise.resolve();
  /** The write not yet started, shared by the changes made before it starts. */
  private next: Promise<void> | null = null;

  /** `path`: the room's file (its folder must exist), e.g. `.edits/<room>.json`. */
  constructor(path: string) {
    this.path = path;
  }

  async load(): Promise<PendingMutation[]> {
    await this.read();
    return [...this.items.values()];
  }

  async add(m: PendingMutation): Promise<void> {
    await this.read();
    this.items.set(m.mid, m);
    return this.save();
  }

  async remove(mid: string): Promise<void> {
    await this.read();
    if (!this.items.delete(mid)) return;
    return this.save();
  }

  private read(): Promise<void> {
    this.loading ??= (async () => {
      let text: string;
      try {
        text = await readFile(this.path, "utf8");
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return; // nothing pending yet
        throw e;
      }
      let list: unknown;
      try {
        list = JSON.parse(text);
      } catch {
        // Not written by this store (writes are atomic): refuse rather than overwrite someone's edits.
        throw new Error(`${this.path} is not a pending-edits file (not JSON); move it away to start afresh`);
      }
      if (!Array.isArray(list)) throw new Error(`${this.path} is not a pending-edits file (not a list)`);
      for (const m of list as PendingMutation[]) this.items.set(m.mid, m);
    })();
    return this.loading;
  }

  private save(): Promise<void> {
    if (this.next) return this.next;
    const write = this.writing.then(() => {
      this.next = null; // changes from here on go into the write after this one
      return this.write(JSON.stringify([...this.items.values()]));
    });
    this.next = write;
    this.writing = write.catch(() => {});
    return write;
  }

  private async write(text: string): Promise<void> {
    const temp = `${this.path}.${process.pid}.tmp`;
    const file = await open(temp, "w");
    try {
      await file.writeFile(text, "utf8");
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, this.path);
    const dir = await open(dirname(this.path), "r");
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
