/**
 * `edgeroom/testing`: the engine's test kit for apps and for storages of
 * one's own. `MemoryRoomHost` runs the room core in memory (sockets that record
 * what they are sent, timers fired by hand, a storage that survives an
 * "eviction"); `MemoryKv` is the in-memory key-value store under it;
 * `storageContract` is the vitest suite every RoomStorage must pass (vitest is
 * an optional peer dependency, needed only for that one). Re-exports only.
 */
export { MemoryRoomHost, TestSocket } from "./memory-host.ts";
export { MemoryKv } from "./memory-kv.ts";
export { commitOf, storageContract, type WithStorage } from "./storage-contract.ts";
export { KvRoomStorage, type KvLike } from "../kv-storage.ts";
export type { Commit, HistoryIndex, LoadedRoom, OutboxEvent, RoomMeta, RoomStorage, StoredCheckpoint } from "../storage.ts";
