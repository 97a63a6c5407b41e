import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import type { RoomClient } from "edgeroom/client";
import { usePeers } from "edgeroom/react";
import { BoardController, type BoardRoom } from "../canvas/board-controller.ts";
import { INK_COLORS } from "../canvas/tools.ts";
import { BoardMenu } from "./BoardMenu.tsx";
import { BoardPreview } from "./board-preview.ts";
import { HistoryPanel, PreviewBar } from "./HistoryPanel.tsx";
import { restoreShown } from "./restore-version.ts";
import { boardExportFile, download, picturesOf } from "./board-transfer.ts";
import { FileDrop } from "./FileDrop.tsx";
import { TransferDialog } from "./TransferDialog.tsx";
import { useBoardTransfer } from "./use-board-transfer.ts";
import { ContextMenu, type ExportAction } from "./ContextMenu.tsx";
import { copyImage, downloadImage } from "../canvas/board-export.ts";
import { isImageFile } from "../canvas/board-images.ts";
import { screenToWorld } from "../canvas/camera.ts";
import { onPictureLoaded, setPictureSource } from "../canvas/images.ts";
import { DebugOverlay } from "./DebugOverlay.tsx";
import { keepColorDistinct } from "./distinct-color.ts";
import { Icon } from "./icons.tsx";
import { loadColor, loadName } from "./identity.ts";
import { PeoplePanel, PeopleToggle } from "./PeoplePanel.tsx";
import { createRoomSession, type RoomSession } from "./room-session.ts";
import { ShortcutSheet, useShortcutKey } from "./ShortcutSheet.tsx";
import { modifierKeyName } from "./shortcuts.ts";
import { StatusBar } from "./StatusBar.tsx";
import { TextEditor } from "./TextEditor.tsx";
import { type Toast, TOAST_MS, Toasts } from "./Toasts.tsx";
import { StylePanel, Toolbar } from "./Toolbar.tsx";
import { ArrangeBar } from "./ArrangeBar.tsx";
import { TopBar } from "./TopBar.tsx";
import { useBoardUi } from "./use-room.ts";
import { useTheme } from "./use-theme.ts";

/** Why the room refused an edit, in words a person understands. */
function rejectText(code: string, message: string): string {
  switch (code) {
    case "RECORD_NOT_FOUND":
      return "Your change was undone: someone else deleted that shape.";
    case "ROOM_LIMIT":
      return "Your change was undone: this board is full.";
    case "RECORD_TOO_LARGE":
      return "Your change was undone: that shape is too large to save.";
    case "FORBIDDEN":
      return "Your change was undone: you can only view this board.";
    case "RATE_LIMITED":
      return "Your change was undone: too many edits at once. Try again.";
    case "ASSET_QUOTA":
      return "That picture was removed: this board holds all the pictures it can.";
    case "ASSET_TYPE":
    case "ASSET_TOO_LARGE":
      return `That picture was removed: ${message}`;
    default:
      return `Your change was undone: ${message}`;
  }
}

export interface TestHooks {
  session: RoomSession;
  controller: BoardController;
  /** What the canvas draws: the live board, or the version previewed. */
  board: BoardRoom;
}

declare global {
  interface Window {
    /** Set only with `?test` in the address: lets browser tests read state. */
    __edgeroom?: TestHooks;
  }
}

export function App({ room, debug, testHooks }: { room: string; debug: boolean; testHooks: boolean }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextToast = useRef(1);
  const notify = useCallback((text: string, tone: Toast["tone"] = "warning") => {
    const id = nextToast.current++;
    // A drag is several mutations: when they are all rejected, say it once.
    setToasts((ts) => (ts.some((t) => t.text === text) ? ts : [...ts.slice(-3), { id, text, tone }]));
    setTimeout(() => setToasts((ts) => ts.filter((t) => t.id !== id)), TOAST_MS);
  }, []);
  const dismiss = useCallback((id: number) => setToasts((ts) => ts.filter((t) => t.id !== id)), []);

  const [session, setSession] = useState<RoomSession | null>(null);
  useEffect(() => {
    const s = createRoomSession(room, (message) => notify(message));
    const offReject = s.client.on("reject", (r) => notify(rejectText(r.code, r.message)));
    const offColor = keepColorDistinct(s.client); // subscribed before the welcome can arrive
    setSession(s);
    return () => {
      offReject();
      offColor();
      s.dispose();
    };
  }, [room, notify]);

  if (!session) return null;
  return <Board session={session} debug={debug} testHooks={testHooks} notify={notify} toasts={toasts} dismiss={dismiss} />;
}

function Board({
  session,
  debug,
  testHooks,
  notify,
  toasts,
  dismiss,
}: {
  session: RoomSession;
  debug: boolean;
  testHooks: boolean;
  notify: (text: string, tone?: Toast["tone"]) => void;
  toasts: readonly Toast[];
  dismiss: (id: number) => void;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const cursorCanvasRef = useRef<HTMLCanvasElement>(null);
  const notifyRef = useRef(notify);
  notifyRef.current = notify;
  const [controller, setController] = useState<BoardController | null>(null);
  const following = useSyncExternalStore(
    useCallback((fn: () => void) => controller?.subscribeFollowing(fn) ?? (() => {}), [controller]),
    () => controller?.following ?? null,
  );
  const [initialName] = useState(loadName);
  const [color] = useState(loadColor);
  const { theme, toggle: onToggleTheme } = useTheme();
  // The people list as a sheet on narrow screens (always shown on wide ones).
  const [peopleOpen, setPeopleOpen] = useState(false);
  const togglePeople = useCallback(() => setPeopleOpen((o) => !o), []);
  const closePeople = useCallback(() => setPeopleOpen(false), []);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const toggleShortcuts = useCallback(() => setShortcutsOpen((o) => !o), []);
  const closeShortcuts = useCallback(() => setShortcutsOpen(false), []);
  useShortcutKey(toggleShortcuts);

  // What the canvas shows: the live board, or a version previewed from the history panel.
  const preview = useMemo(() => new BoardPreview(session.board, session.editor), [session]);
  const shown = useSyncExternalStore(preview.subscribe, () => preview.shown);
  const [historyOpen, setHistoryOpen] = useState(false);
  const [restoring, setRestoring] = useState(false);
  const closeHistory = useCallback(() => {
    setHistoryOpen(false);
    preview.clear();
  }, [preview]);
  const restore = async () => {
    setRestoring(true);
    const done = await restoreShown(session.client, session.editor, preview);
    setRestoring(false);
    notify(done.ok ? `Restored the version of ${done.label}. ${modifierKeyName()}+Z undoes it.` : done.message, done.ok ? "info" : "warning");
  };
  const previewing = shown !== null;
  useEffect(() => {
    // Previewing: the hand tool (a drag pans; there is nothing to edit); back to live: select.
    controller?.setTool(previewing ? "hand" : "select");
  }, [controller, previewing]);

  useEffect(() => {
    const canvas = canvasRef.current!;
    const c = new BoardController(canvas, cursorCanvasRef.current!, preview.board, session.editor, { color: INK_COLORS[0], stroke: 4 });
    setController(c);
    // Pictures: staged and uploaded through the room's assets, painted once decoded.
    c.images.attach(session.assets, session.room, (text) => notifyRef.current(text));
    const pictureUrl = (hash: string) => session.assets.assetUrl(hash);
    setPictureSource(pictureUrl);
    const offPictures = onPictureLoaded(() => c.invalidate());
    const offAssets = session.assets.subscribe(() => {
      setPictureSource(pictureUrl); // a local copy appeared, or the room has it now
      c.invalidate();
    });
    if (testHooks) window.__edgeroom = { session, controller: c, board: preview.board };
    return () => {
      offPictures();
      offAssets();
      c.dispose();
      if (window.__edgeroom?.controller === c) delete window.__edgeroom;
    };
  }, [session, preview, testHooks]);

  useEffect(() => {
    // Same records, new paint: repaint both layers in the theme just applied.
    controller?.invalidate();
  }, [controller, theme]);

  const transfer = useBoardTransfer();
  const pictureUrl = (hash: string) => session.assets.assetUrl(hash);
  const exportJson = async () => {
    const records = preview.board.records(); // a previewed version exports as that version
    if (records.size === 0) return notify("The board is empty: nothing to export.", "info");
    const shownVersion = preview.shown;
    const from = { room: session.room, seq: shownVersion?.seq ?? session.client.seq, epoch: session.client.epoch };
    // The pictures go in the file, so an import has them.
    const pictures = await picturesOf(records.values(), pictureUrl);
    const file = boardExportFile(shownVersion?.version !== undefined ? { ...from, version: shownVersion.version } : from, records.values(), pictures);
    download(file.blob, file.name);
  };
  const duplicateBoard = async () => {
    const records = preview.board.records();
    if (records.size === 0) return notify("The board is empty: nothing to duplicate.", "info");
    transfer.duplicate([...records.values()], await picturesOf(records.values(), pictureUrl));
  };

  const copyLink = async () => {
    try {
      await navigator.clipboard.writeText(location.origin + location.pathname);
      notify("Link copied. Anyone with it can join this board.", "info");
    } catch {
      notify(`Share this link: ${location.origin + location.pathname}`, "info");
    }
  };

  /** The top bar's PNG exports the whole board; the menu's exports the selection (or the board). */
  const exportImage = async (action: ExportAction, scope: "selection-or-board" | "board") => {
    const shapes = controller?.shapesToExport(scope) ?? [];
    if (action === "copy") {
      const done = await copyImage(shapes);
      if (done === "copied") notify("Copied as an image.", "info");
      else notify(done === "empty" ? "The board is empty: nothing to copy." : "This browser would not copy an image; use Export PNG.", "info");
      return;
    }
    if (!(await downloadImage(action, shapes, `edgeroom-${session.room}`))) notify("The board is empty: nothing to export.", "info");
  };
  const exportPng = () => void exportImage("png", "board");

  return (
    <div className="app">
      {/* Focusable: Tab walks the shapes, arrows nudge, Delete deletes (keyboard.ts). */}
      <canvas ref={canvasRef} className="board" data-testid="board" aria-label="Whiteboard canvas: Tab selects shapes, arrow keys move them" role="application" tabIndex={0} />
      {/* Remote cursors on their own layer: moving them never repaints 10,000 shapes. */}
      <canvas ref={cursorCanvasRef} className="board cursor-layer" data-testid="cursor-layer" aria-hidden="true" />
      <TopBar room={session.room} theme={theme} onShare={copyLink} onExport={exportPng} onToggleTheme={onToggleTheme}>
        <BoardMenu
          items={[
            { label: "Export board (.json)", run: () => void exportJson(), title: "Download the board as a file you can import later" },
            { label: "Duplicate board", run: () => void duplicateBoard(), title: "Make a new board with these shapes and open it" },
            { label: historyOpen ? "Hide history" : "History…", run: () => (historyOpen ? closeHistory() : setHistoryOpen(true)), title: "Earlier versions of this board: preview, restore, name" },
          ]}
          onImport={transfer.importFile}
        />
        <button type="button" className="button icon-button" onClick={toggleShortcuts} aria-label="Keyboard shortcuts" title="Keyboard shortcuts — ?">
          <Icon name="keyboard" />
        </button>
        <PeopleToggle client={session.client} open={peopleOpen} onToggle={togglePeople} />
      </TopBar>
      {controller && !shown ? <Toolbar controller={controller} /> : null}
      {controller && !shown ? <StylePanel controller={controller} /> : null}
      {controller && !shown ? <ArrangeBar controller={controller} mod={modifierKeyName()} /> : null}
      <PeoplePanel
        client={session.client}
        initialName={initialName}
        color={color}
        open={peopleOpen}
        onClose={closePeople}
        following={following}
        onFollow={(conn) => controller?.follow(conn)}
      />
      {following ? <FollowBanner client={session.client} conn={following} onStop={() => controller?.follow(null)} /> : null}
      {historyOpen ? <HistoryPanel client={session.client} preview={preview} onClose={closeHistory} notify={notify} /> : null}
      <PreviewBar preview={preview} restoring={restoring} onRestore={() => void restore()} onName={() => document.getElementById("version-name")?.focus()} />
      <StatusBar client={session.client} cachedAt={session.cachedAt} />
      {controller ? <ZoomControls controller={controller} /> : null}
      {controller ? <EditingLayer controller={controller} /> : null}
      {controller ? <ContextMenu controller={controller} mod={modifierKeyName()} onExport={(action) => void exportImage(action, "selection-or-board")} /> : null}
      {debug && controller ? <DebugOverlay session={session} controller={controller} /> : null}
      <ShortcutSheet open={shortcutsOpen} onClose={closeShortcuts} />
      <Toasts toasts={toasts} onDismiss={dismiss} />
      <FileDrop
        onFiles={(files, at) => {
          const pictures = files.filter(isImageFile);
          if (!pictures.length) return transfer.importFile(files[0]!);
          if (!controller || shown) return;
          const box = canvasRef.current?.getBoundingClientRect();
          void controller.images.insert(pictures, screenToWorld(controller.getCamera(), at.x - (box?.left ?? 0), at.y - (box?.top ?? 0)));
        }}
      />
      <TransferDialog transfer={transfer} />
    </div>
  );
}

/** "Following Ada": whose view drives this board, and how to stop (any pan or zoom stops it too). */
function FollowBanner({ client, conn, onStop }: { client: RoomClient; conn: string; onStop: () => void }) {
  const peer = usePeers(client).get(conn);
  return (
    <div className="follow-banner panel" role="status" data-testid="following" style={{ borderColor: peer?.color }}>
      <span>Following {peer?.name ?? "someone who left"}</span>
      <button type="button" className="button" onClick={onStop}>
        Stop
      </button>
    </div>
  );
}

function EditingLayer({ controller }: { controller: BoardController }) {
  const ui = useBoardUi(controller);
  if (!ui.editing) return null;
  // Keyed by what is edited: a new text box starts with fresh state.
  return <TextEditor key={`${ui.editing.id ?? "new"}:${ui.editing.x}:${ui.editing.y}`} controller={controller} editing={ui.editing} />;
}

function ZoomControls({ controller }: { controller: BoardController }) {
  // The camera's own subscription, as a whole percentage: a zoom gesture
  // re-renders this display once per percent, and nothing else.
  const percent = useSyncExternalStore(controller.subscribeCamera, () => Math.round(controller.getCamera().zoom * 100));
  return (
    <div className="zoom panel" role="group" aria-label="Zoom">
      <button type="button" className="tool" aria-label="Zoom out (-)" title="Zoom out — −" onClick={() => controller.zoomBy(1 / 1.25)}>
        <Icon name="minus" />
      </button>
      <button type="button" className="zoom-level" title="Reset to 100% (Ctrl+0); Shift+1 fits the board" onClick={() => controller.resetZoom()} data-testid="zoom-level">
        {percent}%
      </button>
      <button type="button" className="tool" aria-label="Zoom in (+)" title="Zoom in — +" onClick={() => controller.zoomBy(1.25)}>
        <Icon name="plus" />
      </button>
      <button type="button" className="tool" aria-label="Zoom to fit (Shift+1)" title="Back to the content: fit the board — Shift+1" onClick={() => controller.zoomToFit()}>
        <Icon name="fit" />
      </button>
    </div>
  );
}
