/**
 * The board's side of the live path (canvas/live.ts has the pure parts): the
 * draft this person shares while drawing or typing, the laser trail, others'
 * drafts as they arrive, and following someone's view. State that is never a
 * record and never undone, which is why it sits apart from the commands.
 */
import type { Shape } from "../../../party/whiteboard/records.ts";
import type { BoardRoom } from "./board-room.ts";
import type { Camera } from "./camera.ts";
import { LaserPointer } from "./laser.ts";
import { cameraFor, draftForWire, RemoteLive } from "./live.ts";

/** What the live path needs from the board. */
export interface BoardLiveHost {
  readonly room: BoardRoom;
  /** The shape the pointer is drawing, if any. */
  pointerDraft(): Shape | null;
  /** Show `camera` (a followed view): unlike a pan of ours, this keeps following. */
  applyCamera(camera: Camera): void;
  /** The canvas size in CSS px. */
  viewport(): { width: number; height: number };
  /** Repaint the board layer / only the overlay. */
  invalidate(): void;
  invalidateCursors(): void;
}

export class BoardLive {
  /** Everyone else's drafts and views. */
  readonly remote = new RemoteLive();
  readonly laser: LaserPointer;
  /** The draft last sent as live state (the same object: nothing new to send). */
  private sentDraft: Shape | null = null;
  /** The text box's record as typed so far (sent as the draft while the box is open). */
  private typedDraft: Shape | null = null;
  /** Whose view this board follows (their pan and zoom drive ours), if anyone's. */
  private followingConn: string | null = null;
  private readonly followFns = new Set<() => void>();

  constructor(private readonly host: BoardLiveHost) {
    this.laser = new LaserPointer(
      (trail) => host.room.setLive("laser", trail),
      () => host.invalidateCursors(),
    );
  }

  dispose(): void {
    this.laser.dispose();
  }

  /** Others see what is being drawn or typed as it grows (canvas/live.ts). */
  sendDraft(): void {
    const draft = this.host.pointerDraft() ?? this.typedDraft;
    if (draft === this.sentDraft) return;
    this.sentDraft = draft;
    this.host.room.setLive("draft", draft ? draftForWire(draft) : null);
  }

  /** The text box's record as typed so far (null: the box closed); sent at once. */
  setTyped(draft: Shape | null): void {
    this.typedDraft = draft;
    this.sendDraft();
  }

  /** The room's live state changed: others' drafts, lasers, the followed view. */
  onLive(): void {
    const live = this.host.room.live();
    this.remote.update(live);
    this.laser.update(live, performance.now());
    this.showFollowedView();
    this.refreshRemoteEdits();
  }

  /** Someone's change arrived: their draft of it is done. */
  onRemoteChange(by: string): void {
    if (this.remote.committedBy(by)) this.refreshRemoteEdits();
  }

  /** Others' drafts of existing records are drawn on the board layer (repainted), new shapes on the overlay. */
  private refreshRemoteEdits(): void {
    if (this.remote.sortDrafts(this.host.room.records())) this.host.invalidate();
    else this.host.invalidateCursors();
  }

  /** Follow `conn`'s view (null: stop). The board stops it on any pan or zoom of ours. */
  follow(conn: string | null): void {
    this.followingConn = conn;
    this.showFollowedView();
    for (const fn of this.followFns) fn();
  }

  get following(): string | null {
    return this.followingConn;
  }

  /** React subscribes to who is followed (useSyncExternalStore). */
  readonly subscribeFollowing = (fn: () => void): (() => void) => {
    this.followFns.add(fn);
    return () => this.followFns.delete(fn);
  };

  private showFollowedView(): void {
    const view = this.followingConn ? this.remote.viewOf(this.followingConn) : undefined;
    if (!view) return;
    const { width, height } = this.host.viewport();
    this.host.applyCamera(cameraFor(view, width, height));
  }
}
