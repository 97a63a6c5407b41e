/**
 * `edgeroom/client`: what an app's browser (or Node) code imports. A typed
 * `RoomClient` for the app's schema, `defineRoom` to build that schema in a
 * module both sides share, and the protocol's codes and types an app needs to
 * read what the room says. React hooks are the separate `edgeroom/react`
 * entry. Re-exports only. See docs/BUILD-YOUR-OWN.md.
 */
export { RoomClient } from "./room-client.ts";
export { MutationError } from "./mutation-error.ts";
export type { EditOp, LiveEntries, LiveSchemas, PatchSet, RejectCode } from "../../party/shared/typed-ops.ts";
export type {
  RoomClientBaseOptions,
  RoomClientHostOptions,
  RoomClientOptions,
  RoomClientTransportOptions,
} from "./room-client-options.ts";
export type { ConnectionState, ConnectionStatus, RejectNotice, RoomClientEvents } from "./room-events.ts";
export type { BroadcastMessage, JsonValue } from "../../party/shared/broadcast.ts";
export type { RemoteCursor } from "./peer-roster.ts";
export type { PendingMutation } from "./pending-edits.ts";
export { HistoryError, HistoryRequestError, type HistoryTarget, type PreviewBoard, type RestoreResult } from "./room-history.ts";
export { MemoryPendingStore, type PendingStore } from "./pending-store.ts";
export { IdbPendingStore } from "./idb-pending-store.ts";
export { AssetError, ASSET_RETRY_MAX_MS, ASSET_RETRY_MIN_MS, RoomAssets, type AddedAsset, type AssetLocks, type RoomAssetsOptions } from "./room-assets.ts";
export { MemoryAssetStore, type AssetStore, type LocalAsset } from "./asset-store.ts";
export { IdbAssetStore } from "./idb-asset-store.ts";
export {
  AssetErrorCode,
  ASSET_HASH_PATTERN,
  ASSET_TYPES,
  assetHash,
  assetPath,
  sniffAssetType,
  type AssetType,
  type StoredAsset,
} from "../../party/shared/assets.ts";
export {
  idbSnapshotStore,
  MemorySnapshotStore,
  OfflineSnapshot,
  type CachedSnapshot,
  type OfflineSnapshotOptions,
  type SnapshotStore,
} from "./offline-snapshot.ts";
export { partySocketTransport, type PartySocketOptions, type Transport, type TransportFactory, type TransportHandlers, type TransportKind } from "./connection.ts";
export { fallbackTransport, type FallbackTransportOptions } from "./fallback-transport.ts";
export type { RecordMigration } from "../../party/shared/migrations.ts";
export { browserNetwork, onlineAwareTransport, type NetworkEvents } from "./offline-transport.ts";
export { newRecordId, newRoomId, newShortId } from "./ids.ts";
export { type Clock, realClock } from "./clock.ts";
export { defineRoom, type RecordLimits, type RecordOf, type RoomDefinition, type RoomSchema } from "../../party/shared/schema.ts";
export {
  CloseCode,
  ErrorCode,
  isTerminalClose,
  MIN_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  type Change,
  type Op,
  type Peer,
  type PresenceStatus,
  type RecordBase,
  type Role,
  type ServerMessage,
  type ChangeSummary,
  type CheckpointSummary,
  type HistoryPageMessage,
  type VersionSummary,
  type VersionSavedMessage,
} from "../../party/shared/protocol.ts";
