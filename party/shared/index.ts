/**
 * `edgeroom/schema`: the contract an app's schema module imports — the one
 * module both its server and its client import. `defineRoom` and the protocol's
 * codes and types, and nothing host-specific, so the Worker's bundle does not
 * pull in the browser client and the browser's does not pull in the Durable
 * Object. (`edgeroom/server` and `edgeroom/client` re-export the same
 * `defineRoom`, for code that lives on one side only.) Re-exports only.
 */
export { defineRoom, type RecordLimits, type RecordOf, type RoomDefinition, type RoomSchema } from "./schema.ts";
export type { RecordMigration } from "./migrations.ts";
export type { EditOp, LiveEntries, LiveSchemas, PatchSet, RejectCode } from "./typed-ops.ts";
export type { Actor, RoomHooks, RoomView } from "./hooks.ts";
export { planOps, type Plan } from "./apply.ts";
export { BROADCAST_QUERY, parseBroadcast, type BroadcastMessage, type JsonValue } from "./broadcast.ts";
export {
  buildExport,
  maxExportChars,
  EXPORT_FORMAT,
  EXPORT_VERSION,
  ExportErrorCode,
  parseExport,
  serializeExport,
  assetsNamed,
  type BoardExport,
  type ExportedAsset,
  type ExportError,
  type ParsedExport,
  type RefusedRecord,
} from "./export-format.ts";
export {
  CloseCode,
  ErrorCode,
  MIN_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  type Change,
  type Op,
  type Peer,
  type PresenceStatus,
  type RecordBase,
  type Role,
  type ServerMessage,
  type SyncMessage,
  Color,
  cleanName,
  Coord,
  RecordId,
} from "./protocol.ts";
export { Watching, type Watcher, type WatchersPage, type WatchingMessage } from "./audience.ts";
export {
  AssetErrorCode,
  ASSET_HASH_PATTERN,
  ASSET_TYPES,
  assetHash,
  assetPath,
  sniffAssetType,
  type AssetPolicy,
  type AssetType,
  type SniffedType,
  type StoredAsset,
} from "./assets.ts";
// The limits an app's own code checks before the room would refuse (each
// documented where it is defined, with its reason).
export {
  CURSOR_FRAME_MS,
  MAX_COORD,
  MAX_ASSET_BYTES,
  MAX_ASSETS_PER_ROOM,
  MAX_BROADCAST_BYTES,
  MAX_LIVE_BYTES,
  MAX_MESSAGE_BYTES,
  MAX_NAME_CHARS,
  MAX_OPS_PER_MUTATION,
  MAX_ROOM_ASSET_BYTES,
  MAX_VERSION_NAME_CHARS,
  ROOM_ID_PATTERN,
  ROOM_METADATA_MAX_BYTES,
  ROOM_METADATA_MAX_KEYS,
  ROOM_METADATA_VALUE_CHARS,
} from "./limits.ts";
