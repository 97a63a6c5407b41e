/**
 * The board's pointer state machine: what a press, a move and a release do
 * with the active tool — pan, draw a pen stroke, drag out a shape, place a
 * text or sticky note, select (click, shift-click, marquee), move, resize,
 * rotate, drag a line's end (an arrow's end dropped on a shape binds to it), or erase (every shape the stroke crosses, a frame with what it holds, deleted together). It works on plain pointer samples (screen and world
 * coordinates), so it runs without a browser; the board controller turns DOM
 * events into samples, captures the pointer and repaints.
 */
import type { Binding, Shape } from "../../../party/whiteboard/records.ts";
import { newRecordId } from "edgeroom/client";
import type { Editor } from "../editor.ts";
import { type Camera, panBy, type Rect } from "./camera.ts";
import { bindingTo, canBindTo, moveOps } from "./binding.ts";
import { groupResizeOps, lineEndOp, normalizeRect, resizeOp, round2, shapeBox } from "./geometry.ts";
import { handleAt, hitTolerance, rotateHandleOf, selectionBox, selectionHandles } from "./hit-test.ts";
import { centreOf, rotateOp, rotatePoint, rotationOf } from "./rotate.ts";
import { constrainDrag, keepAspect, keepCornerTurned } from "./drag-constraints.ts";
import { withFrameContents } from "./frames.ts";
import { CLICK_SLOP_PX, draggedRecord, penRecord, type RecordBase, type ShapeDrag } from "./record-factory.ts";
import type { SceneIndex } from "./scene.ts";
import { type Guide, guidesFor, SNAP_THRESHOLD_PX, snappedMove, snapPoint, type SnapTargets, targetsAmong } from "./snapping.ts";
import type { Tool } from "./tools.ts";

/** Pen strokes are split into several records beyond this many points: a record
 * must stay under MAX_RECORD_BYTES (64 KB) and ~16 bytes per point fits 2,500. */
export const MAX_STROKE_POINTS = 2_500;
/** Pointer travel (screen px) before a press on a shape becomes a drag. */
export const DRAG_THRESHOLD_PX = 3;
/** The eraser's reach beyond the usual hit tolerance, and how often (screen px)
 * its path is sampled: about a fingertip, and finer than any stroke is thin. */
export const ERASER_RADIUS_PX = 6;
const ERASER_STEP_PX = 4;
/** Pen points closer than this on screen (px) add bytes, not detail. */
const MIN_PEN_STEP_PX = 1;

/** One pointer event as the machine sees it. */
export interface PointerSample {
  /** Screen position (CSS px, relative to the canvas). */
  sx: number;
  sy: number;
  /** World position under it. */
  wx: number;
  wy: number;
  button: number;
  shiftKey: boolean;
  /** Alt held: a move or resize does not snap (snapping.ts). */
  altKey?: boolean;
  pointerType: string;
  pressure: number;
}

export type Mode =
  | { kind: "idle" }
  | { kind: "pan"; lastSx: number; lastSy: number }
  | { kind: "pen"; points: number[][] }
  /** The laser pointer held down: its trail is live state, never a record. */
  | { kind: "laser" }
  /** Shapes the eraser has passed over so far: deleted together on release. */
  | { kind: "erase"; ids: Set<string>; lastWx: number; lastWy: number }
  /** An arrow's ends bind to the shapes they start and end on. */
  | ({ kind: "create"; start: Binding | null; end: Binding | null } & ShapeDrag)
  | { kind: "press"; sx: number; sy: number; wx: number; wy: number; hit: string | null; wasSelected: boolean; shift: boolean }
  | { kind: "move"; wx: number; wy: number; originals: Shape[]; box: Rect; targets: SnapTargets }
  /** A corner of the selection dragged: one shape, or several scaled about their box. */
  | { kind: "resize"; corner: number; originals: Shape[]; from: Rect; targets: SnapTargets }
  | { kind: "line-end"; end: 0 | 1; original: Extract<Shape, { type: "line" }> }
  /** The rotate handle dragged: the shape turns about its box's centre (cx, cy). */
  | { kind: "rotate"; original: Shape; cx: number; cy: number; start: [number, number] }
  | { kind: "marquee"; x0: number; y0: number; x1: number; y1: number; base: string[] }
  | { kind: "place"; tool: "text" | "sticky"; wx: number; wy: number };

/** What the machine needs from the board. */
export interface InputHost {
  readonly scene: SceneIndex;
  readonly editor: Editor;
  tool(): Tool;
  selection(): readonly string[];
  /** Select `ids`, each with the rest of its group, locked shapes left out (board-structure.ts). */
  select(ids: string[]): void;
  /** Are the two shapes selected together (one group)? */
  together(a: string, b: string): boolean;
  /** The text box is open: presses go to it (its blur commits it first). */
  isEditingText(): boolean;
  /** Space is held: a press pans whatever the tool. */
  spaceHeld(): boolean;
  camera(): Camera;
  /** The world on screen (what a drag snaps to). */
  view(): Rect;
  setCamera(camera: Camera): void;
  /** The selected shapes; with `preview`, as a gesture in progress shows them. */
  selectedShapes(preview?: ReadonlyMap<string, Shape> | null): Shape[];
  /** Id, z and style for a new record. */
  recordBase(id: string): RecordBase;
  /** A shape was drawn: select it and go back to the select tool. */
  created(id: string): void;
  startNewText(wx: number, wy: number): void;
  placeSticky(wx: number, wy: number): void;
  /** The laser pointer is at a world point (its trail is the board's, laser.ts). */
  laserAt(wx: number, wy: number): void;
  moveCursor(x: number, y: number): void;
  invalidate(): void;
}

export class PointerInput {
  mode: Mode = { kind: "idle" };
  /** Where the move or resize in progress snapped: the guides drawn over the board. */
  guides: Guide[] = [];

  constructor(private readonly host: InputHost) {}

  /** A button went down. True when the pointer should be captured (an
   * interaction began). */
  down(p: PointerSample): boolean {
    const host = this.host;
    if (host.isEditingText()) return false;
    if (p.button === 1 || (p.button === 0 && (host.spaceHeld() || host.tool() === "hand"))) {
      this.mode = { kind: "pan", lastSx: p.sx, lastSy: p.sy };
      return true;
    }
    if (p.button !== 0) return false;
    const tool = host.tool();
    switch (tool) {
      case "pen":
        this.mode = { kind: "pen", points: [penPoint(p)] };
        break;
      case "laser":
        this.mode = { kind: "laser" };
        host.laserAt(p.wx, p.wy);
        break;
      case "eraser":
        this.mode = { kind: "erase", ids: new Set(), lastWx: p.wx, lastWy: p.wy };
        this.eraseAlong(p.wx, p.wy);
        break;
      case "rect":
      case "ellipse":
      case "line":
      case "arrow":
      case "frame":
        this.mode = {
          kind: "create", tool, x0: p.wx, y0: p.wy, x1: p.wx, y1: p.wy, sx0: p.sx, sy0: p.sy, sx1: p.sx, sy1: p.sy,
          start: tool === "arrow" ? this.bindingAt(p.wx, p.wy, null) : null,
          end: null,
        };
        break;
      case "text":
      case "sticky":
        this.mode = { kind: "place", tool, wx: p.wx, wy: p.wy };
        break;
      case "select":
        this.pressSelect(p);
        break;
      case "hand":
        break;
    }
    host.invalidate();
    return true;
  }

  private pressSelect(p: PointerSample): void {
    const host = this.host;
    const selected = host.selectedShapes();
    const zoom = host.camera().zoom;
    // Handles of a single selected shape come first: they sit on top.
    const turn = rotateHandleOf(selected, zoom);
    if (turn && handleAt([turn], p.wx, p.wy, zoom) === 0) {
      const s = selected[0]!;
      const [cx, cy] = centreOf(shapeBox(s));
      host.editor.beginGesture([s.id]);
      this.mode = { kind: "rotate", original: s, cx, cy, start: [p.wx, p.wy] };
      return;
    }
    const h = handleAt(selectionHandles(selected), p.wx, p.wy, zoom);
    if (h >= 0 && !p.shiftKey) {
      const s = selected[0]!;
      host.editor.beginGesture(selected.map((x) => x.id));
      if (selected.length === 1 && s.type === "line") this.mode = { kind: "line-end", end: h as 0 | 1, original: s };
      else this.mode = { kind: "resize", corner: h, originals: selected, from: selected.length === 1 ? shapeBox(s) : selectionBox(selected)!, targets: this.snapTargets(selected) };
      return;
    }
    const hit = host.scene.topmostAt(p.wx, p.wy, hitTolerance(zoom));
    const selection = host.selection();
    const wasSelected = hit ? selection.includes(hit.id) : false;
    if (hit && !wasSelected) host.select(p.shiftKey ? [...selection, hit.id] : [hit.id]);
    if (!hit && !p.shiftKey) host.select([]);
    this.mode = { kind: "press", sx: p.sx, sy: p.sy, wx: p.wx, wy: p.wy, hit: hit?.id ?? null, wasSelected, shift: p.shiftKey };
  }

  /** The pointer moved to `p`; `samples` are the coalesced events since the
   * last move (the pen uses them all: a fast stroke stays smooth). */
  move(p: PointerSample, samples: readonly PointerSample[] = [p]): void {
    const host = this.host;
    host.moveCursor(round2(p.wx), round2(p.wy));
    const m = this.mode;
    switch (m.kind) {
      case "idle":
      case "place":
        return;
      case "pan":
        host.setCamera(panBy(host.camera(), p.sx - m.lastSx, p.sy - m.lastSy));
        m.lastSx = p.sx;
        m.lastSy = p.sy;
        return;
      case "pen": {
        const zoom = host.camera().zoom;
        for (const q of samples) {
          const last = m.points[m.points.length - 1]!;
          if (Math.hypot(q.wx - last[0]!, q.wy - last[1]!) * zoom < MIN_PEN_STEP_PX) continue;
          m.points.push(penPoint(q));
        }
        if (m.points.length >= MAX_STROKE_POINTS) {
          // Long stroke: save what we have and carry on from its last point.
          const last = m.points[m.points.length - 1]!;
          this.commitPen(m.points);
          m.points = [last];
        }
        host.invalidate();
        return;
      }
      case "erase":
        this.eraseAlong(p.wx, p.wy);
        return;
      case "laser":
        host.laserAt(p.wx, p.wy);
        return;
      case "create":
        m.x1 = p.wx;
        m.y1 = p.wy;
        m.sx1 = p.sx;
        m.sy1 = p.sy;
        if (p.shiftKey) constrainDrag(m);
        if (m.tool === "arrow") m.end = this.bindingAt(m.x1, m.y1, null);
        host.invalidate();
        return;
      case "press": {
        if (Math.hypot(p.sx - m.sx, p.sy - m.sy) < DRAG_THRESHOLD_PX) return;
        if (m.hit) {
          const originals = withFrameContents(host.selectedShapes(null), host.scene.shapes);
          host.editor.beginGesture(originals.map((s) => s.id));
          this.mode = { kind: "move", wx: m.wx, wy: m.wy, originals, box: selectionBox(originals)!, targets: this.snapTargets(originals) };
        } else {
          this.mode = { kind: "marquee", x0: m.wx, y0: m.wy, x1: p.wx, y1: p.wy, base: m.shift ? [...host.selection()] : [] };
        }
        this.move(p, samples);
        return;
      }
      case "move": {
        const snap = snappedMove(m.box, p.wx - m.wx, p.wy - m.wy, p.altKey ? null : m.targets, SNAP_THRESHOLD_PX / host.camera().zoom);
        this.guides = snap.guides;
        host.editor.updateGesture(moveOps(m.originals, snap.dx, snap.dy));
        return;
      }
      case "resize": {
        const f = m.from;
        // One turned shape is resized in its own frame: the pointer turned back about its centre.
        const angle = m.originals.length === 1 ? rotationOf(m.originals[0]!) : 0;
        const [fcx, fcy] = centreOf(f);
        // An unturned corner snaps to the lines of the shapes around (Alt: not).
        const snaps = !angle && !p.altKey;
        let [px, py] = rotatePoint(p.wx, p.wy, fcx, fcy, -angle);
        if (snaps) [px, py] = snapPoint(px, py, m.targets, SNAP_THRESHOLD_PX / host.camera().zoom);
        // The corner opposite the dragged one stays put.
        const fixed = ([[f.maxX, f.maxY], [f.minX, f.maxY], [f.minX, f.minY], [f.maxX, f.minY]] as const)[m.corner] as readonly [number, number];
        let to = normalizeRect(fixed[0], fixed[1], px, py);
        // Text cannot stretch one way only: a selection holding some keeps its shape.
        if (p.shiftKey || m.originals.some((s) => s.type === "text" || s.type === "image")) to = keepAspect(f, to, fixed);
        if (angle) to = keepCornerTurned(f, to, angle);
        this.guides = snaps ? guidesFor(to, m.targets) : [];
        host.editor.updateGesture(m.originals.length === 1 ? [resizeOp(m.originals[0]!, f, to)] : groupResizeOps(m.originals, f, to));
        return;
      }
      case "rotate":
        host.editor.updateGesture([rotateOp(m.original, rotationOf(m.original), m.cx, m.cy, m.start, [p.wx, p.wy], p.shiftKey)]);
        return;
      case "line-end": {
        const op = lineEndOp(m.original, m.end, p.wx, p.wy);
        // An arrow's end binds to the shape it is over, and lets go off it.
        if (m.original.arrow && op.op === "patch") op.set[m.end === 0 ? "start" : "end"] = this.bindingAt(p.wx, p.wy, m.original.id);
        host.editor.updateGesture([op]);
        return;
      }
      case "marquee": {
        m.x1 = p.wx;
        m.y1 = p.wy;
        const inside = host.scene.within(normalizeRect(m.x0, m.y0, m.x1, m.y1)).map((s) => s.id);
        host.select([...new Set([...m.base, ...inside])]);
        host.invalidate();
        return;
      }
    }
  }

  /** The button went up: finish what the press began. */
  up(): void {
    const host = this.host;
    const m = this.mode;
    this.mode = { kind: "idle" };
    this.guides = [];
    switch (m.kind) {
      case "pen":
        this.commitPen(m.points);
        break;
      case "erase": {
        // One edit, one undo step, however many shapes the stroke crossed.
        const records = host.scene.shapes;
        const alive = new Set(records.map((r) => r.id));
        const ops = [...m.ids].filter((id) => alive.has(id)).map((id) => ({ op: "del" as const, id }));
        if (ops.length) host.editor.apply(ops);
        host.invalidate();
        break;
      }
      case "create": {
        const rec = this.created(m, newRecordId());
        if (host.editor.apply([{ op: "put", rec }])) host.created(rec.id);
        break;
      }
      case "press":
        // A click (no drag) on a shape of a multi-selection selects just it;
        // shift-click on a selected shape deselects it.
        if (m.hit && m.wasSelected) host.select(m.shift ? host.selection().filter((id) => !host.together(id, m.hit!)) : [m.hit]);
        break;
      case "move":
      case "resize":
      case "rotate":
      case "line-end":
        host.editor.endGesture();
        break;
      case "place":
        if (m.tool === "text") host.startNewText(m.wx, m.wy);
        else host.placeSticky(m.wx, m.wy);
        break;
      case "pan":
      case "marquee":
      case "laser":
      case "idle":
        break;
    }
  }

  /** The pointer was lost (or Escape): drop the interaction, put a drag back. */
  cancel(): void {
    if (this.host.editor.inGesture) this.host.editor.cancelGesture();
    this.mode = { kind: "idle" };
    this.guides = [];
  }

  /** The shape being drawn right now (not yet in the document). */
  draft(): Shape | null {
    const m = this.mode;
    if (m.kind === "pen") return m.points.length ? penRecord(m.points, this.host.recordBase("draft")) : null;
    if (m.kind === "create") return this.created(m, "draft");
    return null;
  }

  /** The record a drag-out makes: an arrow dragged (not clicked) keeps the bindings of its ends. */
  private created(m: Extract<Mode, { kind: "create" }>, id: string): Shape {
    const rec = draggedRecord(m, this.host.recordBase(id));
    if (rec.type !== "line" || !rec.arrow || Math.hypot(m.sx1 - m.sx0, m.sy1 - m.sy0) < CLICK_SLOP_PX) return rec;
    const out = { ...rec };
    if (m.start) out.start = m.start;
    if (m.end) out.end = m.end;
    return out;
  }

  /** Where an arrow's end at (wx, wy) binds: the topmost shape that takes
   * bindings under it (never the arrow `self`), or null. */
  private bindingAt(wx: number, wy: number, self: string | null): Binding | null {
    const zoom = this.host.camera().zoom;
    const target = this.host.scene.topmostAt(wx, wy, hitTolerance(zoom), this.host.editor.preview(), (s) => s.id !== self && canBindTo(s));
    return target ? bindingTo(target, wx, wy) : null;
  }

  /** What a drag of `dragged` snaps to: the other shapes on screen. */
  private snapTargets(dragged: readonly Shape[]): SnapTargets {
    return targetsAmong(this.host.scene.visible(this.host.view(), null), dragged);
  }

  /** The shapes an eraser stroke in progress will delete (drawn faded until release). */
  erasing(): ReadonlySet<string> | null {
    return this.mode.kind === "erase" && this.mode.ids.size ? this.mode.ids : null;
  }

  /** Add what lies under the eraser's path from its last point to (wx, wy):
   * sampled every few screen pixels, so a fast swipe misses nothing thin. A
   * frame goes with what it holds (not locked shapes), as with Delete. */
  private eraseAlong(wx: number, wy: number): void {
    const m = this.mode;
    if (m.kind !== "erase") return;
    const zoom = this.host.camera().zoom;
    const tolerance = hitTolerance(zoom) + ERASER_RADIUS_PX / zoom;
    const steps = Math.max(1, Math.ceil((Math.hypot(wx - m.lastWx, wy - m.lastWy) * zoom) / ERASER_STEP_PX));
    const before = m.ids.size;
    for (let i = 1; i <= steps; i++) {
      const x = m.lastWx + ((wx - m.lastWx) * i) / steps;
      const y = m.lastWy + ((wy - m.lastWy) * i) / steps;
      const hit = this.host.scene.topmostAt(x, y, tolerance);
      if (hit && !m.ids.has(hit.id)) for (const s of withFrameContents([hit], this.host.scene.shapes)) m.ids.add(s.id);
    }
    m.lastWx = wx;
    m.lastWy = wy;
    if (m.ids.size !== before) this.host.invalidate();
  }

  /** The marquee being dragged (world), if any. */
  marquee(): Rect | null {
    const m = this.mode;
    return m.kind === "marquee" ? normalizeRect(m.x0, m.y0, m.x1, m.y1) : null;
  }

  private commitPen(points: number[][]): void {
    if (points.length === 0) return;
    this.host.editor.apply([{ op: "put", rec: penRecord(points, this.host.recordBase(newRecordId())) }]);
  }
}

/** A pen point: pressure only from a real pen (a mouse reports 0.5 always). */
function penPoint(p: PointerSample): number[] {
  return p.pointerType === "pen" ? [p.wx, p.wy, p.pressure] : [p.wx, p.wy];
}
