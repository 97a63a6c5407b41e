/**
 * The board's pointer state machine in a unit test: records, selection, tool
 * and camera around a real PointerInput, with a real Editor writing straight
 * into the records (an always-acknowledging room). Shared by the input tests.
 */
import { whiteboard } from "../../party/whiteboard/schema.ts";
import { applyAccepted, planOps } from "../../party/shared/apply.ts";
import type { Op } from "../../party/whiteboard/schema.ts";
import type { Shape } from "../../party/whiteboard/records.ts";
import { Editor } from "../../client/whiteboard/editor.ts";
import { type Camera, HOME_CAMERA, type Rect } from "../../client/whiteboard/canvas/camera.ts";
import { type InputHost, PointerInput, type PointerSample } from "../../client/whiteboard/canvas/pointer-input.ts";
import { SceneIndex } from "../../client/whiteboard/canvas/scene.ts";
import { BoardStructure } from "../../client/whiteboard/canvas/board-structure.ts";
import type { BoardUiState } from "../../client/whiteboard/canvas/board-ui.ts";
import type { Tool } from "../../client/whiteboard/canvas/tools.ts";
import { FakeClock } from "../support/fake-clock.ts";

export const rect = (id: string, x: number, y: number, w = 100, h = 100): Shape => ({ id, type: "rect", x, y, z: 1, color: "#1e1e1e", stroke: 2, w, h, fill: null });

/** A board around the machine: records, selection, tool and camera, with the
 * Editor writing straight into the records (an always-acknowledging room). */
export class Board {
  records = new Map<string, Shape>();
  readonly scene = new SceneIndex();
  readonly clock = new FakeClock(1_000);
  readonly mutations: Op[][] = [];
  readonly editor = new Editor(
    {
      records: () => this.records,
      mutate: (ops) => {
        const plan = planOps(whiteboard, this.records, ops);
        if (!plan.ok) throw new Error(`${plan.code}: ${plan.message}`);
        const next = new Map(this.records);
        applyAccepted(next, plan.ops);
        this.records = next;
        this.scene.update(this.records, this.mutations.push(ops));
        return `m${this.mutations.length}`;
      },
    },
    () => {},
    this.clock,
  );
  tool: Tool = "select";
  selection: string[] = [];
  camera: Camera = HOME_CAMERA;
  /** The world on screen: what a drag snaps to (nothing by default, so a move goes exactly where the pointer does). */
  view: Rect = { minX: 1e9, minY: 1e9, maxX: 1e9, maxY: 1e9 };
  space = false;
  texts: [number, number][] = [];
  cursor: [number, number] | null = null;
  laser: [number, number][] = [];
  readonly input: PointerInput;
  /** The board's selection rules (groups, locks) and structure commands. */
  readonly structure: BoardStructure = new BoardStructure({
    editor: this.editor,
    records: () => this.records,
    shapes: () => this.scene.shapes,
    ui: () => ({ selection: this.selection }) as unknown as BoardUiState,
    setUi: (p) => {
      if (p.selection) this.selection = [...p.selection];
    },
    selectedShapes: () => this.selection.map((id) => this.records.get(id)!).filter(Boolean),
    invalidate: () => {},
  });

  constructor(shapes: Shape[] = []) {
    for (const s of shapes) this.records.set(s.id, s);
    this.scene.update(this.records, 0);
    const host: InputHost = {
      scene: this.scene,
      editor: this.editor,
      tool: () => this.tool,
      selection: () => this.selection,
      select: (ids) => this.structure.select(ids),
      together: (a, b) => this.structure.together(a, b),
      isEditingText: () => false,
      spaceHeld: () => this.space,
      camera: () => this.camera,
      view: () => this.view,
      setCamera: (c) => (this.camera = c),
      // As the board does: shapes as drawn (bound arrows resolved).
      selectedShapes: (preview) =>
        this.selection.map((id) => preview?.get(id) ?? this.records.get(id)!).filter(Boolean).map((s) => this.scene.resolved(s, preview ?? null)),
      recordBase: (id) => ({ id, z: this.scene.nextZ(), color: "#1e1e1e", stroke: 2 }),
      created: (id) => {
        this.selection = [id];
        this.tool = "select";
      },
      startNewText: (wx, wy) => this.texts.push([wx, wy]),
      placeSticky: () => {},
      laserAt: (wx, wy) => this.laser.push([wx, wy]),
      moveCursor: (x, y) => (this.cursor = [x, y]),
      invalidate: () => {},
    };
    this.input = new PointerInput(host);
  }

  /** Press at the first point, move through the rest, release. World = screen (camera at home). */
  gesture(points: [number, number][], opts: { shift?: boolean; alt?: boolean; button?: number; release?: boolean } = {}): void {
    const at = ([x, y]: [number, number]): PointerSample => ({ sx: x, sy: y, wx: x, wy: y, button: opts.button ?? 0, shiftKey: opts.shift ?? false, altKey: opts.alt ?? false, pointerType: "mouse", pressure: 0.5 });
    const [first, ...rest] = points;
    this.input.down(at(first!));
    for (const p of rest) this.input.move(at(p));
    if (opts.release !== false) this.input.up();
  }
}
