/**
 * The board's DOM events: pointer, touch, wheel, double-click, context menu,
 * clipboard and keys become samples for the pointer state machine
 * (pointer-input.ts), pinches (touch-gestures.ts) and commands
 * (board-commands.ts). It owns what only the DOM knows — whether Space is held,
 * whether the canvas was pressed since it had keyboard focus, the pointer
 * capture and the CSS cursor — and registers every listener it adds for dispose.
 */
import type { Shape } from "../../../party/whiteboard/records.ts";
import type { BoardClipboard } from "./board-clipboard.ts";
import type { BoardStructure } from "./board-structure.ts";
import type { BoardUiState } from "./board-ui.ts";
import { type Camera, screenToWorld } from "./camera.ts";
import { wheelCamera } from "./camera-gestures.ts";
import { CLIPBOARD_MIME } from "./clipboard.ts";
import { round2 } from "./geometry.ts";
import { handleAt, hitTolerance, hoverCursor, rotateHandleOf, selectionHandles, toolCursor } from "./hit-test.ts";
import { type KeyCommand, keyCommand } from "./keyboard.ts";
import type { PointerInput, PointerSample } from "./pointer-input.ts";
import type { SceneIndex } from "./scene.ts";
import { TouchGestures } from "./touch-gestures.ts";

/** What the DOM events need from the board. */
export interface DomEventsHost {
  readonly scene: SceneIndex;
  readonly input: PointerInput;
  readonly clipboard: BoardClipboard;
  readonly structure: BoardStructure;
  ui(): BoardUiState;
  setUi(patch: Partial<BoardUiState>): void;
  /** The selected shapes, as a gesture in progress shows them. */
  selectedShapes(): Shape[];
  camera(): Camera;
  /** The person moved the view (stops following). */
  setCamera(camera: Camera): void;
  hideCursor(): void;
  /** Share where the pointer is (world coordinates; the room client throttles). */
  moveCursor(x: number, y: number): void;
  /** The pointer's draft may have changed: share it (board-live.ts). */
  sendDraft(): void;
  editText(id: string): void;
  startNewText(wx: number, wy: number): void;
  /** A keyboard shortcut. */
  run(command: KeyCommand): void;
  invalidate(): void;
}

export class BoardDomEvents {
  private readonly disposers: (() => void)[] = [];
  private readonly touch = new TouchGestures();
  private spaceDown = false;
  /** The canvas has been pressed (clicked, touched) since it last had keyboard focus. */
  private pressedCanvas = false;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly host: DomEventsHost,
  ) {
    this.listen(canvas, "pointerdown", (e) => this.onPointerDown(e as PointerEvent));
    this.listen(canvas, "pointermove", (e) => this.onPointerMove(e as PointerEvent));
    // Where the browser has it (Chromium), the raw pointer update arrives as
    // the input does; `pointermove` waits for the next animation frame while
    // the page animates (others' cursors), a frame of delay before the others
    // see the move. The cursor goes out from here; pointermove still does the
    // rest (and sends the same position, which the throttle drops).
    if ("onpointerrawupdate" in window) {
      this.listen(canvas, "pointerrawupdate", (e) => {
        const pe = e as PointerEvent;
        if (pe.pointerType === "touch") return;
        const p = this.sample(pe);
        host.moveCursor(round2(p.wx), round2(p.wy));
      });
    }
    this.listen(canvas, "pointerup", (e) => this.onPointerUp(e as PointerEvent));
    this.listen(canvas, "pointercancel", (e) => {
      this.touch.up((e as PointerEvent).pointerId);
      this.cancelInteraction();
    });
    this.listen(canvas, "pointerleave", () => host.hideCursor());
    // The focus ring shows when the canvas was reached by keyboard, never
    // after a click (a shortcut pressed after a click would show it otherwise).
    this.listen(canvas, "focus", () => canvas.toggleAttribute("data-focus-ring", !this.pressedCanvas));
    this.listen(canvas, "blur", () => canvas.removeAttribute("data-focus-ring"));
    this.listen(canvas, "dblclick", (e) => this.onDoubleClick(e as MouseEvent));
    this.listen(canvas, "wheel", (e) => this.onWheel(e as WheelEvent), { passive: false });
    this.listen(canvas, "contextmenu", (e) => this.onContextMenu(e as MouseEvent));
    this.listen(document, "copy", (e) => this.onClipboardEvent(e as ClipboardEvent));
    this.listen(document, "cut", (e) => this.onClipboardEvent(e as ClipboardEvent));
    this.listen(document, "paste", (e) => this.onClipboardEvent(e as ClipboardEvent));
    this.listen(window, "keydown", (e) => {
      if ((e as KeyboardEvent).key === "Tab") this.pressedCanvas = false; // focus moving by keyboard
      this.onKeyDown(e as KeyboardEvent);
    });
    this.listen(window, "keyup", (e) => this.onKeyUp(e as KeyboardEvent));
    this.listen(window, "resize", () => host.invalidate());
    this.listen(window, "blur", () => this.setSpace(false));
  }

  dispose(): void {
    for (const d of this.disposers) d();
  }

  /** Space is held: a press pans whatever the tool. */
  get spaceHeld(): boolean {
    return this.spaceDown;
  }

  /** Drop what the pointer began, uncommitted (Escape, a second finger, a cancelled pointer). */
  cancelInteraction(): void {
    this.host.input.cancel();
    this.host.sendDraft();
    this.updateCursorStyle();
    this.host.invalidate();
  }

  updateCursorStyle(): void {
    this.setCursor(toolCursor(this.host.ui().tool, this.spaceDown, this.host.input.mode.kind === "pan"));
  }

  /**
   * Writing `style.cursor` invalidates the canvas's style even when the value
   * is the same, and every pointer move hovers: set it only when it changes.
   */
  private setCursor(cursor: string): void {
    if (this.canvas.style.cursor !== cursor) this.canvas.style.cursor = cursor;
  }

  private listen(target: EventTarget, type: string, fn: (e: Event) => void, opts?: AddEventListenerOptions): void {
    target.addEventListener(type, fn, opts);
    this.disposers.push(() => target.removeEventListener(type, fn, opts));
  }

  private setSpace(down: boolean): void {
    this.spaceDown = down;
    this.updateCursorStyle();
  }

  private sample(e: PointerEvent | MouseEvent): PointerSample {
    const rect = this.canvas.getBoundingClientRect();
    const sx = e.clientX - rect.left;
    const sy = e.clientY - rect.top;
    const [wx, wy] = screenToWorld(this.host.camera(), sx, sy);
    const pe = e as Partial<PointerEvent>;
    return { sx, sy, wx, wy, button: e.button, shiftKey: e.shiftKey, altKey: e.altKey, pointerType: pe.pointerType ?? "mouse", pressure: pe.pressure ?? 0.5 };
  }

  private onPointerDown(e: PointerEvent): void {
    const { host } = this;
    this.pressedCanvas = true;
    this.canvas.removeAttribute("data-focus-ring");
    if (host.ui().menu) host.setUi({ menu: null });
    const p = this.sample(e);
    if (e.pointerType === "touch" && this.touchDown(e.pointerId, p)) return;
    if (!host.input.down(p)) return;
    if (host.input.mode.kind === "pan") e.preventDefault(); // a middle-button press would start autoscroll
    this.canvas.setPointerCapture(e.pointerId);
    this.updateCursorStyle();
  }

  /** A finger went down; true when it belongs to a pinch (touch-gestures.ts):
   * a second finger drops what the first began, uncommitted. */
  private touchDown(id: number, p: PointerSample): boolean {
    if (this.touch.down(id, p.sx, p.sy)) this.cancelInteraction();
    if (!this.touch.active) return false;
    this.canvas.setPointerCapture(id);
    return true;
  }

  private onPointerMove(e: PointerEvent): void {
    const { host } = this;
    const p = this.sample(e);
    if (e.pointerType === "touch") {
      const cam = this.touch.move(e.pointerId, p.sx, p.sy, host.camera());
      if (cam) host.setCamera(cam);
      if (this.touch.active) return;
    }
    const coalesced = host.input.mode.kind === "pen" && typeof e.getCoalescedEvents === "function" ? e.getCoalescedEvents() : [];
    host.input.move(p, coalesced.length ? coalesced.map((ev) => this.sample(ev)) : [p]);
    if (host.input.mode.kind === "idle") this.updateHover(p.wx, p.wy);
    host.sendDraft();
  }

  private onPointerUp(e: PointerEvent): void {
    if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    if (e.pointerType === "touch" && this.touch.up(e.pointerId)) return;
    this.host.input.up();
    this.host.sendDraft();
    this.updateCursorStyle();
    this.host.invalidate();
  }

  private onDoubleClick(e: MouseEvent): void {
    const { host } = this;
    if (host.ui().tool !== "select" || host.ui().editing) return;
    const p = this.sample(e);
    const hit = host.scene.topmostAt(p.wx, p.wy, hitTolerance(host.camera().zoom));
    if (hit && !host.structure.enter(hit.id)) host.editText(hit.id);
    else if (!hit) host.startNewText(p.wx, p.wy); // double-click on empty board: write there, like most whiteboards
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const p = this.sample(e);
    const { deltaX, deltaY, deltaMode, ctrlKey, metaKey, shiftKey } = e;
    this.host.setCamera(wheelCamera(this.host.camera(), { sx: p.sx, sy: p.sy, deltaX, deltaY, deltaMode, ctrlKey, metaKey, shiftKey }, this.canvas.clientHeight));
  }

  /** Right click (a long press on touch): select what is under it, open the menu there. */
  private onContextMenu(e: MouseEvent): void {
    const { host } = this;
    e.preventDefault();
    if (host.ui().editing) return;
    const p = this.sample(e);
    // A locked shape is found too: its menu offers Unlock.
    const hit = host.scene.topmostAt(p.wx, p.wy, hitTolerance(host.camera().zoom), null, () => true);
    if (hit?.locked) host.setUi({ selection: [], tool: "select" });
    else if (hit && !host.ui().selection.includes(hit.id)) {
      host.structure.select([hit.id]);
      host.setUi({ tool: "select" });
    } else if (!hit && host.ui().tool !== "select") host.setUi({ tool: "select" });
    host.setUi({ menu: { x: p.sx, y: p.sy, locked: hit?.locked ? hit.id : null } });
    host.invalidate();
  }

  /** Copy, cut and paste from the browser, unless a text field is the target. */
  private onClipboardEvent(e: ClipboardEvent): void {
    const { clipboard } = this.host;
    if (this.host.ui().editing || isTextField(e.target)) return;
    if (e.type === "paste") {
      e.preventDefault();
      const data = e.clipboardData;
      clipboard.pasteData(data?.getData(CLIPBOARD_MIME) ?? "", data?.getData("text/plain") ?? "", [...(data?.files ?? [])]);
      return;
    }
    const done = e.type === "cut" ? clipboard.cut(e.clipboardData) : clipboard.copy(e.clipboardData);
    if (done) e.preventDefault(); // our data, not the page's text selection
  }

  private updateHover(wx: number, wy: number): void {
    const { host } = this;
    if (host.ui().tool !== "select" || this.spaceDown) return;
    const zoom = host.camera().zoom;
    const selected = host.selectedShapes();
    const turn = rotateHandleOf(selected, zoom);
    if (turn && handleAt([turn], wx, wy, zoom) === 0) {
      this.setCursor("grab"); // the rotate handle
      return;
    }
    const h = handleAt(selectionHandles(selected), wx, wy, zoom);
    const over = h < 0 && host.scene.topmostAt(wx, wy, hitTolerance(zoom)) !== null;
    this.setCursor(hoverCursor(selected, h, over));
  }

  private onKeyDown(e: KeyboardEvent): void {
    if (isTextField(e.target)) return;
    const { host } = this;
    if (host.ui().editing) {
      // A key typed while the text editor opens (it takes focus a frame after
      // the double-click or tap that opened it): focus it now, so this key's
      // character lands in it — never a tool shortcut, never lost.
      this.canvas.ownerDocument.querySelector<HTMLTextAreaElement>(".text-editor")?.focus();
      return;
    }
    const found = keyCommand(e, { selectionSize: host.ui().selection.length, canvasFocused: document.activeElement === this.canvas && host.scene.shapes.length > 0 });
    if (!found) return;
    if (found.preventDefault) e.preventDefault();
    if (found.command.kind === "space-down") {
      if (!this.spaceDown) this.setSpace(true);
    } else host.run(found.command);
  }

  private onKeyUp(e: KeyboardEvent): void {
    if (e.key === " ") this.setSpace(false);
  }
}

/** Typing in a field of the page: its keys and clipboard are its own. */
function isTextField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.isContentEditable);
}
