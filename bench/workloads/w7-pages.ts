/**
 * W7's page-side parts, as source text handed to Chromium:
 *
 * - SENDER_PROBE (person A's page): records every pointermove A's page
 *   receives — its event time (the input's own timestamp) and position —
 *   and every cursor frame A's page hands its socket (time, x, y), which
 *   splits the network part into A's page (input → send) and the wire and
 *   room (send → B's page).
 * - RECEIVER_PROBE (person B's page): records (1) every WebSocket frame that
 *   reaches the page carrying A's cursor, timestamped as its message event is
 *   dispatched, before the page's own handlers run; and (2) once per
 *   animation frame, after every rAF callback of that frame (a task posted
 *   from rAF runs after the frame's rendering step), where A's cursor is on
 *   B's canvas: the first pixel of A's colour on one row through the arrow.
 *   The canvas backing store read there is what that frame hands the
 *   compositor; what the compositor adds after it is the same for both pages.
 * - FLOOR_PAGE: the floor of this machine — a plain page that sends every
 *   pointermove at once over a bare relay and draws each received position
 *   at the next animation frame, with the same arrow and label as the board.
 *
 * Every timestamp is `performance.timeOrigin + performance.now()`; the
 * driver maps each page's clock onto its own (w7-glass-to-glass.ts).
 * Nothing here is product code: these strings are evaluated in the pages.
 */

/** Runs in A's page before any of its scripts. */
export const SENDER_PROBE = `(() => {
  const events = (window.__w7a = []);
  const sends = (window.__w7s = []);
  addEventListener("pointermove", (e) => { events.push(performance.timeOrigin + e.timeStamp, e.clientX, e.clientY); }, { capture: true, passive: true });
  // edgeroom's cursor frame is {"type":"cursor","p":[x,y]}; the floor's {s,p:[x,y]}.
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (typeof data === "string" && (data.startsWith('{"type":"cursor"') || data.startsWith('{"s":0'))) {
      const p = JSON.parse(data).p;
      if (p) sends.push(performance.timeOrigin + performance.now(), p[0], p[1]);
    }
    return send.call(this, data);
  };
})();`;

/**
 * Runs in B's page before any of its scripts. \`window.__w7.scan\` (set by the
 * driver) says what to look for: A's row in world units (\`rowY\`), the canvas
 * (\`selector\`), the pixel row through A's arrow (\`y\`) and A's colour.
 */
export const RECEIVER_PROBE = `(() => {
  const w7 = (window.__w7 = { arrivals: [], frames: [], scan: null });
  const now = () => performance.timeOrigin + performance.now();
  const Native = window.WebSocket;
  // A's entry in a frame: edgeroom's cursors frame lists [conn, x, y]; the
  // floor's relay frame is { s, p: [x, y] } with A as sender 0.
  const take = (t, data) => {
    const s = w7.scan;
    if (!s || typeof data !== "string") return;
    if (s.kind === "edgeroom") {
      if (!data.startsWith('{"type":"cursors"')) return;
      for (const e of JSON.parse(data).f) if (e.length === 3 && Math.abs(e[2] - s.rowY) < 0.5) w7.arrivals.push(t, e[1]);
    } else {
      const m = JSON.parse(data);
      if (m.s === 0) w7.arrivals.push(t, m.p[0]);
    }
  };
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      // Added before the page can add its own: runs first for every frame.
      this.addEventListener("message", (e) => take(now(), e.data));
    }
  };
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    const s = w7.scan;
    if (!s) return;
    const canvas = document.querySelector(s.selector);
    if (!canvas || canvas.width === 0) return;
    const t = now();
    const row = canvas.getContext("2d").getImageData(0, s.y, canvas.width, 1).data;
    let x = -1;
    for (let i = 0; i < canvas.width; i++) {
      const o = i * 4;
      if (row[o + 3] > 240 && Math.abs(row[o] - s.r) + Math.abs(row[o + 1] - s.g) + Math.abs(row[o + 2] - s.b) < 24) { x = i; break; }
    }
    w7.frames.push(t, x);
  };
  const tick = () => { channel.port2.postMessage(0); requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
})();`;

/** The arrow and label, as client/whiteboard/canvas/draw.ts drawCursor paints them. */
const DRAW_CURSOR = `function drawCursor(ctx, x, y, color, name) {
  ctx.save();
  ctx.translate(x, y);
  ctx.beginPath();
  ctx.moveTo(0, 0); ctx.lineTo(0, 17); ctx.lineTo(4.5, 12.5); ctx.lineTo(8, 20); ctx.lineTo(11, 18.5); ctx.lineTo(7.5, 11.5); ctx.lineTo(13, 11.5);
  ctx.closePath();
  ctx.fillStyle = color; ctx.fill();
  ctx.strokeStyle = "#ffffff"; ctx.lineWidth = 1.5; ctx.stroke();
  ctx.font = "600 12px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  const w = ctx.measureText(name).width;
  ctx.fillStyle = color; ctx.beginPath(); ctx.roundRect(12, 20, w + 12, 20, 6); ctx.fill();
  ctx.fillStyle = "#ffffff"; ctx.fillText(name, 18, 30.5);
  ctx.restore();
}`;

/**
 * The floor: `/w7-floor?room=…&role=A|B&color=#rrggbb`. A sends each
 * pointermove at once (sender 0); B draws every sender's newest position at
 * the next animation frame on a full-window canvas.
 */
export const FLOOR_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>W7 floor</title>
<style>html,body{margin:0;height:100%;overflow:hidden;background:#f8f9fa}canvas{position:fixed;left:0;top:0;width:100vw;height:100vh}</style>
</head><body><canvas id="c" data-testid="cursor-layer"></canvas>
<script>
${DRAW_CURSOR}
const q = new URLSearchParams(location.search);
const ws = new WebSocket("ws://" + location.host + "/parties/relay/" + q.get("room"));
ws.onopen = () => { window.__w7open = true; };
const canvas = document.getElementById("c");
const ctx = canvas.getContext("2d");
const cursors = new Map();
let raf = 0;
function draw() {
  raf = 0;
  const dpr = devicePixelRatio || 1;
  if (canvas.width !== innerWidth * dpr) { canvas.width = innerWidth * dpr; canvas.height = innerHeight * dpr; }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, innerWidth, innerHeight);
  for (const [s, c] of cursors) drawCursor(ctx, c.x, c.y, c.color, c.name);
}
if (q.get("role") === "A") {
  addEventListener("pointermove", (e) => { if (ws.readyState === 1) ws.send(JSON.stringify({ s: 0, p: [e.clientX, e.clientY], c: q.get("color") })); });
} else {
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    cursors.set(m.s, { x: m.p[0], y: m.p[1], color: m.c, name: m.s === 0 ? "A" : "P" + m.s });
    if (!raf) raf = requestAnimationFrame(draw);
  };
}
</script></body></html>`;
