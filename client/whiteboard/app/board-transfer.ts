/**
 * Boards in and out of files, and boards made from boards: "Export board"
 * writes the export document (party/shared/export-format.ts, docs/EXPORT.md);
 * "Import" and "Duplicate board" write records into a NEW room — never over an
 * existing board — and then open it.
 *
 * The writes are ordinary edits of a RoomClient of the new room: chunked to
 * the room's per-mutation limits, each with its own mutation id, kept in the
 * new room's IndexedDB pending store before this page leaves. So they survive
 * going offline or a reload exactly like a drawn shape: the page that opens
 * the new board (this tab, after the navigation) loads them and sends whatever
 * the room has not acknowledged; the room applies each mutation id once.
 *
 * Pictures travel with the board: an export file carries the pictures its
 * image shapes name (`assets`, base64), and a new board stages them with its
 * room's assets before its records, which wait for their upload (RoomAssets),
 * offline too.
 */
import { whiteboard } from "../../../party/whiteboard/schema.ts";
import type { Shape } from "../../../party/whiteboard/records.ts";
import type { Op } from "../../../party/whiteboard/schema.ts";
import { assetsNamed, buildExport, type ExportedAsset, maxExportChars, type ParsedExport, parseExport, serializeExport, sniffAssetType, ExportErrorCode, MAX_OPS_PER_MUTATION } from "edgeroom/schema";
import { partySocketTransport, IdbAssetStore, IdbPendingStore, newRoomId, newShortId, browserNetwork, onlineAwareTransport, RoomAssets, RoomClient } from "edgeroom/client";
import { MAX_MUTATION_OPS_BYTES } from "../editor.ts";
import { chunkOps } from "../undo.ts";
import { paintOrder } from "../canvas/scene.ts";
import { loadClientId, loadColor, loadName } from "./identity.ts";

/** How long a new board's writes may take to be acknowledged before the page
 * opens the board anyway (ms). Opening sooner is safe — the edits wait in
 * IndexedDB and the new page sends them — but a board that opens with its
 * shapes already confirmed shows no "pending" flicker. Long enough for a full
 * 20,000-shape import through the room's mutation rate limit (~7 s). */
export const NEW_BOARD_ACK_WAIT_MS = 15_000;

/** The export file for these records: a Blob and its file name (the HTTP
 * API's name for the same file: `<room>-<seq>.edgeroom.json`). */
export function boardExportFile(from: { room: string; seq: number; epoch: string | null; version?: string }, records: Iterable<Shape>, pictures: readonly ExportedAsset[] = []): { blob: Blob; name: string } {
  const doc = buildExport(whiteboard, { ...from, records: [...records].sort(paintOrder), assets: pictures });
  return { blob: new Blob([serializeExport(doc)], { type: "application/json" }), name: `${from.room}-${from.seq}.edgeroom.json` };
}

/** The pictures `records` name, read from where this board shows them
 * (`urlOf`: the room's asset URL, or local bytes not yet uploaded). A
 * picture that cannot be read is left out (its shape imports without it). */
export async function picturesOf(records: Iterable<Shape>, urlOf: (hash: string) => string): Promise<ExportedAsset[]> {
  const out: ExportedAsset[] = [];
  for (const hash of assetsNamed(records)) {
    try {
      const bytes = new Uint8Array(await (await fetch(urlOf(hash))).arrayBuffer());
      const type = sniffAssetType(bytes);
      if (type === null || type === "image/svg+xml") continue;
      let s = "";
      for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      out.push({ hash, type, data: btoa(s) });
    } catch {
      // left out
    }
  }
  return out;
}

function bytesOf(data: string): Uint8Array {
  const s = atob(data);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Hand a Blob to the browser as a download. */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Read and check a picked or dropped file. A file too large to be an export
 * is refused by its size, before it is read into memory. */
export async function readExportFile(file: Blob): Promise<ParsedExport<Shape>> {
  if (file.size > maxExportChars(whiteboard)) {
    const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;
    return { ok: false, error: { code: ExportErrorCode.TOO_LARGE, message: `The file is ${mib(file.size)}; a board export is at most ${mib(maxExportChars(whiteboard))}.` } };
  }
  let text: string;
  try {
    text = await file.text();
  } catch {
    return { ok: false, error: { code: ExportErrorCode.NOT_JSON, message: "The file could not be read." } };
  }
  return parseExport(whiteboard, text);
}

/** How far writing a new board has got. */
export interface NewBoardProgress {
  /** Mutations the room has acknowledged, of `total`. */
  acked: number;
  total: number;
}

/** The outcome of writing a new board. */
export type NewBoardResult =
  | {
      ok: true;
      room: string;
      /** False when the page goes before the room acknowledged everything
       * (offline, slow): the rest is in IndexedDB and goes from the new page. */
      confirmed: boolean;
    }
  | {
      ok: false;
      /** The new room (it may hold part of the records), if one was written to. */
      room: string | null;
      message: string;
    };

/**
 * Write `records` into a fresh room, as one edit of several mutations, and
 * wait until they are safe: acknowledged by the room, or — offline, slow — at
 * least in IndexedDB. Records keep their ids and z (the room is empty).
 */
export async function writeNewBoard(records: readonly Shape[], onProgress: (p: NewBoardProgress) => void = () => {}, pictures: readonly ExportedAsset[] = []): Promise<NewBoardResult> {
  if (records.length === 0) return { ok: false, room: null, message: "There is nothing to put on a new board." };
  for (let attempt = 1; ; attempt++) {
    const room = newRoomId();
    const pendingStore = new IdbPendingStore(room);
    const protocol = location.protocol === "https:" ? "wss" : "ws";
    const transport = onlineAwareTransport(partySocketTransport({ host: location.host, party: whiteboard.party, room, protocol }), browserNetwork());
    // Its own connection, never a shared one: this client lives for the
    // writes only, and must not become the tab leader of the new room.
    const client = new RoomClient({ schema: whiteboard, room, clientId: loadClientId(), name: loadName(), color: loadColor(), pendingStore, transport, shareTabs: false });
    try {
      await client.ready;
      // Never over an existing board: online, the room must say it is empty
      // first. A fresh id is 62 random bits, so this is belt and braces —
      // and offline, the id alone has to do.
      if (navigator.onLine && (await firstSync(client)) && client.seq > 0) {
        if (attempt < FRESH_ROOM_ATTEMPTS) continue;
        return { ok: false, room: null, message: "No empty room could be found for the new board. Try again." };
      }
      return await writeInto(client, pendingStore, records, onProgress, pictures);
    } finally {
      client.close();
    }
  }
}

/** New room ids tried before giving up (each is 62 random bits: one is plenty). */
const FRESH_ROOM_ATTEMPTS = 3;
/** How long to wait for a new room to say whether it is empty (ms). */
const FRESH_ROOM_CHECK_MS = 5_000;

/** Resolves true once `client` has synced, false if it did not within FRESH_ROOM_CHECK_MS. */
function firstSync(client: RoomClient<Shape>): Promise<boolean> {
  if (client.epoch !== null || client.connection.status === "live") return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(false), FRESH_ROOM_CHECK_MS);
    const off = client.on("status", (s) => {
      if (s.status === "live") finish(true);
      else if (s.status === "offline" || s.status === "error") finish(false);
    });
    function finish(synced: boolean) {
      clearTimeout(timer);
      off();
      resolve(synced);
    }
  });
}

/** Write the records into the (empty) room of `client`; see writeNewBoard. */
async function writeInto(client: RoomClient<Shape>, pendingStore: IdbPendingStore, records: readonly Shape[], onProgress: (p: NewBoardProgress) => void, pictures: readonly ExportedAsset[]): Promise<NewBoardResult> {
  const room = client.room;
  // The pictures first, kept with the new room's assets: the records that
  // name them wait for their upload (here, or on the page that opens the board).
  const assets = new RoomAssets(client, { store: new IdbAssetStore(room) });
  try {
    for (const p of pictures) {
      try {
        await assets.stage(bytesOf(p.data));
      } catch {
        // not a picture the room takes, or not base64: its shape shows the placeholder
      }
    }
    return await writeRecords(client, pendingStore, records, onProgress, assets);
  } finally {
    assets.close();
  }
}

async function writeRecords(client: RoomClient<Shape>, pendingStore: IdbPendingStore, records: readonly Shape[], onProgress: (p: NewBoardProgress) => void, assets: RoomAssets<Shape>): Promise<NewBoardResult> {
  const room = client.room;
  const ops: Op[] = [...records].sort(paintOrder).map((rec) => ({ op: "put", rec }));
  const edit = newShortId();
  const mids = new Set<string>();
  const settled = new Map<string, string | null>(); // mid → null (acknowledged) or the refusal
  let onSettled = () => {};
  const offMessage = client.on("message", (m) => {
    // A "change" with our mid: applied from an earlier connection, the ack lost.
    if ((m.type !== "ack" && m.type !== "change") || !mids.has(m.mid)) return;
    settled.set(m.mid, null);
    onSettled();
  });
  const offReject = client.on("reject", (r) => {
    if (!mids.has(r.mid)) return;
    settled.set(r.mid, `${r.code}: ${r.message}`);
    onSettled();
  });
  try {
    for (const chunk of chunkOps(ops, MAX_OPS_PER_MUTATION, MAX_MUTATION_OPS_BYTES)) mids.add(client.mutate(chunk, { edit, awaits: assets.awaitsFor(chunk) }));
  } catch (e) {
    offMessage();
    offReject();
    return { ok: false, room: null, message: `The new board could not be written: ${e instanceof Error ? e.message : String(e)}` };
  }
  await client.saved();
  const total = mids.size;
  const done = await new Promise<boolean>((resolve) => {
    const durable = pendingStore.durable;
    // Where the edits would not outlive this page, wait for the room however long it takes.
    const timer = durable ? setTimeout(() => finish(false), NEW_BOARD_ACK_WAIT_MS) : null;
    const offStatus = client.on("status", () => onSettled());
    function finish(all: boolean) {
      if (timer !== null) clearTimeout(timer);
      onSettled = () => {};
      offStatus();
      resolve(all);
    }
    onSettled = () => {
      onProgress({ acked: [...settled.values()].filter((v) => v === null).length, total });
      if (settled.size === total) finish(true);
      else if (durable && !navigator.onLine) finish(false); // offline: the new page sends them when it can
    };
    onSettled();
  });
  offMessage();
  offReject();
  const refusals = [...settled.values()].filter((v): v is string => v !== null);
  if (refusals.length) {
    return { ok: false, room, message: `The room refused ${refusals.length} of ${total} writes to the new board (${refusals[0]}).` };
  }
  return { ok: true, room, confirmed: done };
}
