/**
 * Where the terminal client keeps its offline snapshot: one JSON file per room
 * in a folder. The engine's OfflineSnapshot calls load and save; a browser app
 * passes no store at all and gets IndexedDB. Best effort, as the engine asks:
 * an unreadable file is no snapshot.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { CachedSnapshot, SnapshotStore } from "edgeroom/client";
import type { Item } from "./schema.ts";

export function fileSnapshotStore(dir: string): SnapshotStore<Item> {
  // Room ids are A-Z a-z 0-9 _ - only: safe as file names.
  const file = (room: string) => join(dir, `${room}.json`);
  return {
    async load(room) {
      try {
        return JSON.parse(await readFile(file(room), "utf8")) as CachedSnapshot<Item>;
      } catch {
        return null;
      }
    },
    async save(snapshot) {
      await mkdir(dir, { recursive: true });
      // Write, then rename: a crash mid-write leaves the previous snapshot whole.
      await writeFile(`${file(snapshot.room)}.tmp`, JSON.stringify(snapshot));
      await rename(`${file(snapshot.room)}.tmp`, file(snapshot.room));
    },
  };
}
