/**
 * The whiteboard's live state (the engine's `setLive`, party/whiteboard/schema.ts
 * declares the keys): what others see before it is a record, and what can be
 * followed.
 * - `draft`: the shape being drawn or typed, as a shape record; shown to the
 *   others as it grows (a draft with an existing record's id — a text, note or
 *   label being retyped — is drawn in that record's place, not over it) and
 *   hidden the moment its author's committed change arrives (the
 *   room broadcasts the change before it sends the author's cleared draft, so
 *   nothing flickers and nothing is drawn twice).
 * - `view`: where someone is looking (the centre of their screen and their
 *   zoom), so others can follow them.
 * Pure apart from the maps it keeps.
 */
import { MAX_LIVE_BYTES } from "edgeroom/schema";
import type { Shape } from "../../../party/whiteboard/records.ts";
import type { View } from "../../../party/whiteboard/schema.ts";
import type { Camera } from "./camera.ts";

/** A draft as sent: a pen stroke too long for one live value keeps its
 * newest points (the whole stroke arrives as the record on release). */
export function draftForWire(shape: Shape): Shape {
  if (shape.type !== "pen" || JSON.stringify(shape).length <= MAX_LIVE_BYTES) return shape;
  let pts = shape.pts;
  while (pts.length > 2 && JSON.stringify({ ...shape, pts }).length > MAX_LIVE_BYTES) pts = pts.slice(Math.ceil(pts.length / 4));
  return { ...shape, pts };
}

/** Where `camera` looks on a `width` × `height` screen. */
export function viewOf(camera: Camera, width: number, height: number): View {
  const r = (n: number) => Math.round(n * 10) / 10;
  return { x: r(camera.x + width / 2 / camera.zoom), y: r(camera.y + height / 2 / camera.zoom), zoom: camera.zoom };
}

/** The camera that shows `view` on a `width` × `height` screen. */
export function cameraFor(view: View, width: number, height: number): Camera {
  return { x: view.x - width / 2 / view.zoom, y: view.y - height / 2 / view.zoom, zoom: view.zoom };
}

/** Everyone else's drafts and views, from the room's live state. */
export class RemoteLive {
  private drafts = new Map<string, Shape>();
  private views = new Map<string, View>();
  /** Drafts hidden because their author committed since; shown again only
   * when the author sends a new one. */
  private readonly hidden = new Map<string, unknown>();

  update(live: ReadonlyMap<string, ReadonlyMap<string, unknown>>): void {
    const drafts = new Map<string, Shape>();
    const views = new Map<string, View>();
    for (const [conn, keys] of live) {
      const draft = keys.get("draft") as Shape | undefined;
      if (draft && this.hidden.get(conn) !== draft) {
        this.hidden.delete(conn);
        drafts.set(conn, draft);
      }
      const view = keys.get("view") as View | undefined;
      if (view) views.set(conn, view);
    }
    this.drafts = drafts;
    this.views = views;
  }

  /** `conn` committed a change: its draft is a record now. */
  committedBy(conn: string): boolean {
    const draft = this.drafts.get(conn);
    if (!draft) return false;
    this.hidden.set(conn, draft);
    this.drafts.delete(conn);
    return true;
  }

  draftShapes(): Shape[] {
    return [...this.drafts.values()];
  }

  /** Drafts of records that exist (a text being retyped, a label): drawn in the record's place, not over it. */
  private edits: ReadonlyMap<string, Shape> = new Map();
  private previewCache: { own: unknown; edits: unknown; map: ReadonlyMap<string, Shape> | null } = { own: null, edits: null, map: null };

  /** Sort the drafts into new shapes and edits of `records`; true when the
   * edits changed (the board layer must repaint). */
  sortDrafts(records: ReadonlyMap<string, Shape>): boolean {
    const edits = new Map<string, Shape>();
    for (const d of this.drafts.values()) if (records.has(d.id)) edits.set(d.id, d);
    const changed = edits.size > 0 || this.edits.size > 0;
    this.edits = edits;
    return changed;
  }

  /** Drafts of new shapes (drawn on the overlay). */
  newDrafts(): Shape[] {
    return [...this.drafts.values()].filter((d) => !this.edits.has(d.id));
  }

  /** What the board layer draws over the document: `own` (a drag in
   * progress) over the others' edits. The same map until either changes. */
  overPreview(own: ReadonlyMap<string, Shape> | null): ReadonlyMap<string, Shape> | null {
    const c = this.previewCache;
    if (c.own !== own || c.edits !== this.edits) {
      const map = this.edits.size ? new Map([...this.edits, ...(own ?? [])]) : own;
      this.previewCache = { own, edits: this.edits, map };
    }
    return this.previewCache.map;
  }

  viewOf(conn: string): View | undefined {
    return this.views.get(conn);
  }
}
