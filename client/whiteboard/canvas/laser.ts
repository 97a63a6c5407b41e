/**
 * The laser pointer: a trail that follows the pointer and fades, on everyone's
 * screen, to point at things during a call. It is live state (the `laser` key
 * of party/whiteboard/schema.ts): lossy, latest-wins, never a record and never
 * in the op log. What is sent is the trail's recent points, each with its age;
 * a receiver keeps fading them from when they arrived, so a dropped update
 * costs nothing and a trail fades even if its author goes quiet.
 */
import { type LaserTrail, MAX_LASER_POINTS } from "../../../party/whiteboard/schema.ts";
import { round2 } from "./geometry.ts";

/** How long a point of the trail stays visible (ms): long enough to follow a
 * gesture, short enough that old circles do not clutter the board. */
export const LASER_FADE_MS = 1_000;
/** The laser's colour (the conventional red of a presenter's pointer). */
export const LASER_COLOR = "#ff2d55";
/** The trail's width on screen (px), the same at every zoom. */
export const LASER_WIDTH_PX = 4;

/** A trail as drawn: world points with the time (ms, this page's clock) each stops showing. */
export interface DrawnTrail {
  pts: { x: number; y: number; until: number }[];
}

/** This person's trail while the laser tool is held down or moves. */
export class LocalLaser {
  private pts: { x: number; y: number; t: number }[] = [];

  /** The pointer is at (wx, wy) at `now`. */
  add(wx: number, wy: number, now: number): void {
    this.pts.push({ x: round2(wx), y: round2(wy), t: now });
    if (this.pts.length > MAX_LASER_POINTS) this.pts.splice(0, this.pts.length - MAX_LASER_POINTS);
  }

  /** The trail to send (points younger than the fade, with their age), or null when it has faded. */
  wire(now: number): LaserTrail | null {
    this.pts = this.pts.filter((p) => now - p.t < LASER_FADE_MS);
    if (!this.pts.length) return null;
    return { pts: this.pts.map((p) => [p.x, p.y, Math.round(now - p.t)] as [number, number, number]) };
  }

  drawn(now: number): DrawnTrail | null {
    const live = this.pts.filter((p) => now - p.t < LASER_FADE_MS);
    return live.length ? { pts: live.map((p) => ({ x: p.x, y: p.y, until: p.t + LASER_FADE_MS })) } : null;
  }
}

/** Everyone else's trails, from the room's live state. */
export class RemoteLasers {
  private trails = new Map<string, { sent: LaserTrail; drawn: DrawnTrail }>();

  /** New live state arrived at `now`: a trail that changed restarts its fade from its points' ages. */
  update(live: ReadonlyMap<string, ReadonlyMap<string, unknown>>, now: number): void {
    const next = new Map<string, { sent: LaserTrail; drawn: DrawnTrail }>();
    for (const [conn, keys] of live) {
      const sent = keys.get("laser") as LaserTrail | undefined | null;
      if (!sent) continue;
      const had = this.trails.get(conn);
      next.set(conn, had && had.sent === sent ? had : { sent, drawn: { pts: sent.pts.map(([x, y, age]) => ({ x, y, until: now - age + LASER_FADE_MS })) } });
    }
    this.trails = next;
  }

  /** The trails still showing at `now`. */
  visible(now: number): DrawnTrail[] {
    const out: DrawnTrail[] = [];
    for (const { drawn } of this.trails.values()) if (drawn.pts.some((p) => p.until > now)) out.push(drawn);
    return out;
  }
}

type Ctx = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** Paint a trail in world coordinates: each segment as opaque as its newer end is young. */
export function drawLaser(ctx: Ctx, trail: DrawnTrail, now: number, zoom: number): void {
  const pts = trail.pts;
  ctx.strokeStyle = LASER_COLOR;
  ctx.fillStyle = LASER_COLOR;
  ctx.lineWidth = LASER_WIDTH_PX / zoom;
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1]!;
    const b = pts[i]!;
    const alpha = (b.until - now) / LASER_FADE_MS;
    if (alpha <= 0) continue;
    ctx.globalAlpha = Math.min(1, alpha);
    ctx.beginPath();
    ctx.moveTo(a.x, a.y);
    ctx.lineTo(b.x, b.y);
    ctx.stroke();
  }
  const head = pts[pts.length - 1];
  if (head && head.until > now) {
    ctx.globalAlpha = Math.min(1, (head.until - now) / LASER_FADE_MS);
    ctx.beginPath();
    ctx.arc(head.x, head.y, LASER_WIDTH_PX / zoom, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.globalAlpha = 1;
}

/** The board's laser: this person's trail (sent as live state as it grows,
 * cleared once it has faded so a newcomer never sees a stale one) and the
 * others' trails. */
export class LaserPointer {
  private readonly local = new LocalLaser();
  private readonly remote = new RemoteLasers();
  private clearTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly send: (trail: LaserTrail | null) => void,
    private readonly repaint: () => void,
  ) {}

  /** The laser is at (wx, wy) now. */
  add(wx: number, wy: number, now: number): void {
    this.local.add(wx, wy, now);
    this.send(this.local.wire(now));
    this.repaint();
    clearTimeout(this.clearTimer);
    this.clearTimer = setTimeout(() => this.send(null), LASER_FADE_MS);
  }

  /** The room's live state changed. */
  update(live: ReadonlyMap<string, ReadonlyMap<string, unknown>>, now: number): void {
    this.remote.update(live, now);
  }

  /** Every trail still showing: the others', then this person's. */
  visible(now: number): DrawnTrail[] {
    const own = this.local.drawn(now);
    const out = this.remote.visible(now);
    if (own) out.push(own);
    return out;
  }

  dispose(): void {
    clearTimeout(this.clearTimer);
  }
}
