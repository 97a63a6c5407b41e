/**
 * Yjs as y-partyserver hosts it, in two configurations of the same release:
 *
 * - `YjsRoom` (system `yjs`): `YServer` with `hibernate: true`, how the
 *   benchmark first ran it.
 * - `YjsReadmeRoom` (system `yjs-readme`): `YServer` exactly as its README
 *   sets it up — no options, so no hibernation: the object stays in memory
 *   and partyserver keeps its own connection set.
 *
 * Both awareness for cursors and the shared document for shapes. Persistence
 * is what the README shows: `onLoad` applies the stored state, `onSave`
 * (debounced by y-partyserver, 2 s by default) writes the whole document as
 * one update into the object's storage.
 */
import { YServer } from "y-partyserver";
import * as Y from "yjs";

/** One stored value holds the encoded document. Values are capped at 2 MB on
 * Durable Objects; 10,000 small shapes encode to well under that. */
const DOC_KEY = "ydoc";

export class YjsReadmeRoom extends YServer {
  override async onLoad(): Promise<void> {
    const stored = await this.ctx.storage.get<Uint8Array>(DOC_KEY);
    if (stored) Y.applyUpdate(this.document, stored);
  }

  override async onSave(): Promise<void> {
    await this.ctx.storage.put(DOC_KEY, Y.encodeStateAsUpdate(this.document));
  }
}

export class YjsRoom extends YjsReadmeRoom {
  static override options = { hibernate: true };
}
