/**
 * W7's figures from what the pages recorded, all on the driver's clock (ms):
 * A's pointer events, the frames carrying A's cursor that reached B's page,
 * and where B's canvas showed A's cursor at each animation frame. Pure.
 *
 * A moves in sweeps along one row (there and back, a rest between sweeps),
 * so "A's cursor at the new place" is one coordinate: B has shown A's move
 * to x once B's drawn x has reached x (within PIXEL_TOLERANCE) in the sweep's
 * direction — a page that interpolates passes through x, a page that draws
 * what it received lands on it.
 */

/** The detected arrow edge is a whole pixel; an interpolated cursor sits anywhere between two. */
export const PIXEL_TOLERANCE = 1;
/** A pause in A's events longer than this separates two sweeps. */
const SWEEP_GAP_MS = 150;
/** How long after A's move B may take to show it before the move counts as never shown. */
const SHOW_TIMEOUT_MS = 1_000;

export interface Recorded {
  /** A's pointer events: time, x (A's client coordinates). */
  input: { t: number; x: number }[];
  /** Cursor frames A's page handed its socket on A's row: time, x (world, as arrivals). */
  sends: { t: number; x: number }[];
  /** Frames with A's cursor reaching B's page: time, x (world = A's client x + worldDx). */
  arrivals: { t: number; x: number }[];
  /** B's animation frames: time, the arrow's detected left edge (-1: not seen). */
  frames: { t: number; x: number }[];
  /** Detected edge minus A's client x, measured at rest. */
  pixelDx: number;
  /** Arrival x minus A's client x, measured at rest (0 when both cameras are at home). */
  worldDx: number;
}

export interface W7Samples {
  /** Per A move shown: A's input → B's pixels, → the frame at B's page, frame → pixels (ms). */
  glass: number[];
  network: number[];
  render: number[];
  /** The network part split: A's input → A's page sends it, → the frame at B's page (wire and room). */
  page: number[];
  wire: number[];
  /** Moves never shown within SHOW_TIMEOUT_MS. */
  missed: number;
  /** Per B frame while A moves: how long ago A's pointer was where B draws it (ms), and how far behind it is now (px). */
  trailMs: number[];
  trailPx: number[];
  /** B frames while B's cursor was on its way, and those where it did not move. */
  motionFrames: number;
  stalls: number;
  /** B frames while moving where A's cursor was not found on the row. */
  unseen: number;
  /** Largest move of B's cursor between two frames, and of A's pointer between two events (px). */
  maxJumpPx: number;
  maxSenderStepPx: number;
  /** Interval between B's animation frames (ms). */
  frameIntervals: number[];
}

interface Sweep {
  events: { t: number; x: number }[];
  from: number;
  to: number;
  dir: 1 | -1;
  /** Until the next sweep starts (B's frames up to here belong to this one). */
  until: number;
}

function sweeps(input: Recorded["input"], end: number): Sweep[] {
  const out: Sweep[] = [];
  let rest = input[0]?.x ?? 0;
  let cur: { t: number; x: number }[] = [];
  const close = (until: number) => {
    const last = cur.at(-1);
    if (last && last.x !== rest) out.push({ events: cur, from: rest, to: last.x, dir: last.x > rest ? 1 : -1, until });
    if (last) rest = last.x;
    cur = [];
  };
  for (const e of input) {
    const prev = cur.at(-1);
    if (prev && e.t - prev.t > SWEEP_GAP_MS) close(e.t);
    cur.push(e);
  }
  close(end);
  return out;
}

/** The first time A's path reached x in this sweep (linear between events; its first event's time if x lies before it). */
function timeAt(s: Sweep, x: number): number {
  const ev = s.events;
  let prevX = s.from;
  for (let i = 0; i < ev.length; i++) {
    const e = ev[i]!;
    if (s.dir * (e.x - x) >= 0) {
      if (i === 0) return e.t;
      const p = ev[i - 1]!;
      const span = e.x - prevX;
      return span === 0 ? e.t : p.t + ((x - prevX) / span) * (e.t - p.t);
    }
    prevX = e.x;
  }
  return ev.at(-1)!.t;
}

export function analyse(r: Recorded, windowStart: number, windowEnd: number): W7Samples {
  const out: W7Samples = { glass: [], network: [], render: [], page: [], wire: [], missed: 0, trailMs: [], trailPx: [], motionFrames: 0, stalls: 0, unseen: 0, maxJumpPx: 0, maxSenderStepPx: 0, frameIntervals: [] };
  const frames = r.frames.map((f) => ({ t: f.t, x: f.x < 0 ? NaN : f.x - r.pixelDx }));
  const arrivals = r.arrivals.map((a) => ({ t: a.t, x: a.x - r.worldDx }));
  const sends = r.sends.map((a) => ({ t: a.t, x: a.x - r.worldDx }));
  for (let i = 1; i < frames.length; i++) if (frames[i]!.t >= windowStart && frames[i]!.t <= windowEnd) out.frameIntervals.push(frames[i]!.t - frames[i - 1]!.t);
  for (const s of sweeps(r.input, windowEnd + SHOW_TIMEOUT_MS)) {
    const start = s.events[0]!.t;
    if (start < windowStart || start > windowEnd) continue;
    let prevX = s.from;
    for (const e of s.events) {
      out.maxSenderStepPx = Math.max(out.maxSenderStepPx, Math.abs(e.x - prevX));
      prevX = e.x;
      // Glass to glass: the first frame at or past this move.
      const shown = frames.find((f) => f.t > e.t && f.t < e.t + SHOW_TIMEOUT_MS && s.dir * (f.x - e.x) >= -PIXEL_TOLERANCE);
      if (!shown) {
        out.missed++;
        continue;
      }
      out.glass.push(shown.t - e.t);
      const arrived = arrivals.find((a) => a.t > e.t && s.dir * (a.x - e.x) >= -0.05);
      if (arrived && arrived.t <= shown.t) {
        out.network.push(arrived.t - e.t);
        out.render.push(shown.t - arrived.t);
        const sent = sends.find((a) => a.t >= e.t && s.dir * (a.x - e.x) >= -0.05);
        if (sent && sent.t <= arrived.t) {
          out.page.push(sent.t - e.t);
          out.wire.push(arrived.t - sent.t);
        }
      }
    }
    // B's frames of this sweep: from A's first move until the next sweep.
    const mine = frames.filter((f) => f.t >= start && f.t < s.until);
    const lastEvent = s.events.at(-1)!.t;
    const left = mine.findIndex((f) => s.dir * (f.x - s.from) > PIXEL_TOLERANCE);
    const arrivedAt = mine.findIndex((f) => s.dir * (f.x - s.to) >= -PIXEL_TOLERANCE);
    if (left < 1 || arrivedAt < left) continue;
    for (let i = left; i <= arrivedAt; i++) {
      const f = mine[i]!;
      const prev = mine[i - 1]!;
      if (Number.isNaN(f.x)) {
        out.unseen++;
        continue;
      }
      if (!Number.isNaN(prev.x)) out.maxJumpPx = Math.max(out.maxJumpPx, Math.abs(f.x - prev.x));
      if (i < arrivedAt) {
        out.motionFrames++;
        if (!Number.isNaN(prev.x) && Math.abs(f.x - prev.x) < 0.5) out.stalls++;
      }
      // Trail, while A is still moving and B is strictly inside the sweep.
      if (f.t <= lastEvent && s.dir * (f.x - s.from) > PIXEL_TOLERANCE && s.dir * (s.to - f.x) > PIXEL_TOLERANCE) {
        out.trailMs.push(f.t - timeAt(s, f.x));
        const aNow = [...s.events].reverse().find((e) => e.t <= f.t)?.x ?? s.from;
        out.trailPx.push(Math.max(0, s.dir * (aNow - f.x)));
      }
    }
  }
  return out;
}

export function mergeSamples(xs: W7Samples[]): W7Samples {
  const out: W7Samples = { glass: [], network: [], render: [], page: [], wire: [], missed: 0, trailMs: [], trailPx: [], motionFrames: 0, stalls: 0, unseen: 0, maxJumpPx: 0, maxSenderStepPx: 0, frameIntervals: [] };
  for (const x of xs) {
    out.glass.push(...x.glass);
    out.network.push(...x.network);
    out.render.push(...x.render);
    out.page.push(...x.page);
    out.wire.push(...x.wire);
    out.trailMs.push(...x.trailMs);
    out.trailPx.push(...x.trailPx);
    out.frameIntervals.push(...x.frameIntervals);
    out.missed += x.missed;
    out.motionFrames += x.motionFrames;
    out.stalls += x.stalls;
    out.unseen += x.unseen;
    out.maxJumpPx = Math.max(out.maxJumpPx, x.maxJumpPx);
    out.maxSenderStepPx = Math.max(out.maxSenderStepPx, x.maxSenderStepPx);
  }
  return out;
}

/** p50/p95/p99 (nearest rank), to 0.1 ms. */
export function quantiles(xs: number[]): { p50: number; p95: number; p99: number; n: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => (s.length ? Math.round(s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]! * 10) / 10 : NaN);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), n: s.length };
}
