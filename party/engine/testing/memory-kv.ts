/**
 * An in-memory KvLike with Durable Object semantics (sorted list, copies on
 * read and write), for tests and the fuzz harness. Survives a "restart" when
 * the same instance is handed to a new room. Part of the testing kit: never
 * imported by production code.
 */
import type { KvLike } from "../kv-storage.ts";

export class MemoryKv implements KvLike {
  readonly data = new Map<string, string>();

  get<T>(key: string): Promise<T | undefined>;
  get<T>(keys: string[]): Promise<Map<string, T>>;
  async get<T>(keyOrKeys: string | string[]): Promise<T | undefined | Map<string, T>> {
    if (Array.isArray(keyOrKeys)) {
      const out = new Map<string, T>();
      for (const k of keyOrKeys) {
        const v = this.data.get(k);
        if (v !== undefined) out.set(k, JSON.parse(v) as T);
      }
      return out;
    }
    const v = this.data.get(keyOrKeys);
    return v === undefined ? undefined : (JSON.parse(v) as T);
  }

  async put(entries: Record<string, unknown>): Promise<void> {
    for (const [k, v] of Object.entries(entries)) this.data.set(k, JSON.stringify(v));
  }

  async delete(keys: string[]): Promise<number> {
    let n = 0;
    for (const k of keys) if (this.data.delete(k)) n++;
    return n;
  }

  async list<T>(options: { prefix?: string; start?: string; end?: string; limit?: number; reverse?: boolean } = {}): Promise<Map<string, T>> {
    const keys = [...this.data.keys()].sort();
    if (options.reverse) keys.reverse();
    const out = new Map<string, T>();
    for (const k of keys) {
      if (options.prefix && !k.startsWith(options.prefix)) continue;
      if (options.start && k < options.start) continue;
      if (options.end && k >= options.end) continue;
      out.set(k, JSON.parse(this.data.get(k)!) as T);
      if (options.limit && out.size >= options.limit) break;
    }
    return out;
  }

  /** Bytes held (keys + values), for tests that assert a storage bound. */
  bytes(): number {
    let n = 0;
    for (const [k, v] of this.data) n += k.length + v.length;
    return n;
  }
}
