/**
 * The W1 curves as an SVG (no plotting library: a few dozen lines of SVG):
 * cursor staleness p99 and arrival p99 against N, one line per system, log
 * scale on both axes, the 100 ms limit drawn. Written next to latest.json;
 * BENCHMARKS.md embeds it.
 */
import { writeFileSync } from "node:fs";
import type { BenchResults } from "./report.ts";

const W = 900;
const H = 420;
const PANEL_W = 420;
const PAD = { l: 50, r: 10, t: 30, b: 40 };
const COLORS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666", "#1f78b4", "#000000"];
const N_MIN = 2;
const N_MAX = 250;
const MS_MIN = 1;
const MS_MAX = 2_000;

const lx = (n: number) => Math.log10(n);
function xOf(n: number, x0: number): number {
  return x0 + PAD.l + ((lx(n) - lx(N_MIN)) / (lx(N_MAX) - lx(N_MIN))) * (PANEL_W - PAD.l - PAD.r);
}
function yOf(ms: number): number {
  const v = Math.min(MS_MAX, Math.max(MS_MIN, ms));
  return PAD.t + (1 - (lx(v) - lx(MS_MIN)) / (lx(MS_MAX) - lx(MS_MIN))) * (H - PAD.t - PAD.b);
}

function panel(res: BenchResults, x0: number, title: string, pick: "stalenessP99Ms" | "p99Ms"): string {
  const parts: string[] = [];
  parts.push(`<text x="${x0 + PANEL_W / 2}" y="18" text-anchor="middle" font-size="13">${title}</text>`);
  for (const ms of [1, 10, 100, 1000]) {
    const y = yOf(ms);
    parts.push(`<line x1="${x0 + PAD.l}" x2="${x0 + PANEL_W - PAD.r}" y1="${y}" y2="${y}" stroke="${ms === 100 ? "#c00" : "#ddd"}" stroke-dasharray="${ms === 100 ? "4 3" : ""}"/>`);
    parts.push(`<text x="${x0 + PAD.l - 4}" y="${y + 4}" text-anchor="end" font-size="10">${ms} ms</text>`);
  }
  for (const n of [2, 5, 10, 20, 50, 100, 250]) {
    const x = xOf(n, x0);
    parts.push(`<line x1="${x}" x2="${x}" y1="${PAD.t}" y2="${H - PAD.b}" stroke="#eee"/>`);
    parts.push(`<text x="${x}" y="${H - PAD.b + 14}" text-anchor="middle" font-size="10">${n}</text>`);
  }
  parts.push(`<text x="${x0 + PANEL_W / 2}" y="${H - 8}" text-anchor="middle" font-size="11">N clients in the room (log)</text>`);
  Object.entries(res.W1).forEach(([, r], i) => {
    const pts = (r?.curve ?? []).filter((p) => !Number.isNaN(p[pick]));
    if (pts.length === 0) return;
    const color = COLORS[i % COLORS.length];
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${xOf(p.n, x0).toFixed(1)},${yOf(p[pick]).toFixed(1)}`).join(" ")}"/>`);
    for (const p of pts) parts.push(`<circle cx="${xOf(p.n, x0).toFixed(1)}" cy="${yOf(p[pick]).toFixed(1)}" r="2.5" fill="${color}"/>`);
  });
  return parts.join("\n");
}

/** Write the SVG of the run's W1 curves to `path`. */
export function writePlot(res: BenchResults, path: string): void {
  const systems = Object.keys(res.W1);
  const legend = systems
    .map((s, i) => `<rect x="${10 + (i % 5) * 175}" y="${H + 8 + Math.floor(i / 5) * 18}" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/><text x="${26 + (i % 5) * 175}" y="${H + 18 + Math.floor(i / 5) * 18}" font-size="11">${s}</text>`)
    .join("\n");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H + 66}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
${panel(res, 0, "cursor staleness p99 (median of repeats)", "stalenessP99Ms")}
${panel(res, PANEL_W + 40, "cursor arrival latency p99 (median of repeats)", "p99Ms")}
${legend}
<text x="${W - 10}" y="${H + 60}" text-anchor="end" font-size="9">commit ${res.meta.commit}${res.meta.dirty ? "+dirty" : ""}, ${res.meta.date}, ${res.meta.isolated ? "isolated" : "not isolated"}</text>
</svg>
`;
  writeFileSync(path, svg);
}
