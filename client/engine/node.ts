/**
 * `edgeroom/node`: what only a Node client needs, apart from `edgeroom/client`
 * so a browser bundle never meets `node:fs`. `FilePendingStore` keeps a Node
 * client's pending edits in a crash-safe file: pass it as `pendingStore` and
 * a client restarted after a crash resends them, applied once. Re-exports only.
 */
export { FilePendingStore } from "./file-pending-store.ts";
