import { useEffect, useRef, useState } from "react";
import type { BoardController } from "../canvas/board-controller.ts";
import type { RoomSession } from "./room-session.ts";
import { useConnection, useRoomStats } from "edgeroom/react";

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const fmt = (n: number | null, unit = "") => (n === null ? "–" : `${n.toFixed(1)}${unit}`);

/** `?debug`: seq, lag, pending edits, messages/s and paint cost, once a second. */
export function DebugOverlay({ session, controller }: { session: RoomSession; controller: BoardController }) {
  const connection = useConnection(session.client);
  const view = useRoomStats(session.client);
  const [rate, setRate] = useState(0);
  const last = useRef({ frames: session.client.framesReceived, at: performance.now() });
  useEffect(() => {
    const t = setInterval(() => {
      const now = performance.now();
      const frames = session.client.framesReceived;
      setRate(((frames - last.current.frames) * 1000) / (now - last.current.at));
      last.current = { frames, at: now };
    }, 1000);
    return () => clearInterval(t);
  }, [session]);
  return (
    <dl className="debug panel" data-testid="debug-overlay">
      <dt>room</dt>
      <dd>{session.room}</dd>
      <dt>status</dt>
      <dd>{connection.status}</dd>
      <dt>seq</dt>
      <dd data-testid="debug-seq">{view.seq}</dd>
      <dt>ack lag</dt>
      <dd>{fmt(session.ackLag.last, " ms")}</dd>
      <dt>pending</dt>
      <dd>
        {view.pendingEdits} ({view.pendingMutations} mutations)
      </dd>
      <dt>msgs/s</dt>
      <dd>{rate.toFixed(1)}</dd>
      <dt>shapes</dt>
      <dd>
        {view.records} ({controller.stats.lastDrawn} drawn)
      </dd>
      <dt>paint</dt>
      <dd>{fmt(median(controller.stats.drawMs), " ms")}</dd>
      <dt>storage</dt>
      <dd>{session.pendingStore.durable ? "IndexedDB" : "memory only"}</dd>
    </dl>
  );
}
