/**
 * Yjs as y-partyserver hosts it: `YServer` (a partyserver `Server`, itself a
 * Durable Object) with hibernation on, awareness for cursors and the shared
 * document for shapes. Persistence is what its README shows: `onLoad` applies
 * the stored state, `onSave` (debounced by y-partyserver, 2 s by default)
 * writes the whole document as one update into the object's storage.
 */
import { YServer } from "y-partyserver";
import * as Y from "yjs";

/** One stored value holds the encoded document. Values are capped at 2 MB on
 * Durable Objects; 10,000 small shapes encode to well under that. */
const DOC_KEY = "ydoc";

export class YjsRoom extends YServer {
  static override options = { hibernate: true };

  override async onLoad(): Promise<void> {
    const stored = await this.ctx.storage.get<Uint8Array>(DOC_KEY);
    if (stored) Y.applyUpdate(this.document, stored);
  }

  override async onSave(): Promise<void> {
    await this.ctx.storage.put(DOC_KEY, Y.encodeStateAsUpdate(this.document));
  }
}
