/** W6 audience's tables (issue 18 item 9): every system side by side per V. */
import { type Failed, fmt, table } from "./report-format.ts";
import { W6_P99_TARGET_MS, W6_SYSTEMS, type W6Result, type W6Row } from "./workloads/w6-audience.ts";

export function w6Report(w6: W6Result | W6Row[] | Failed): string {
  const head = "\n### W6 audience (one room, 10 editors: 5 edits/s, cursors at 20 Hz; V watching)";
  if ("error" in w6 && typeof w6.error === "string") return `${head}\n\nfailed: ${w6.error}`;
  // Results from before the side-by-side run: edgeroom's rows alone.
  const bySystem: [string, W6Row[]][] = Array.isArray(w6)
    ? [["edgeroom", w6]]
    : W6_SYSTEMS.flatMap((s): [string, W6Row[]][] => {
        const r = (w6 as W6Result)[s];
        if (!r) return [];
        return [["rows" in r ? s : `${s} (failed: ${r.error.slice(0, 120)})`, "rows" in r ? r.rows : []]];
      });
  const vs = [...new Set(bySystem.flatMap(([, rows]) => rows.map((r) => r.v)))].sort((a, b) => a - b);
  const rows: string[][] = [];
  for (const v of vs) {
    for (const [system, list] of bySystem) {
      const r = list.find((x) => x.v === v);
      if (!r) continue;
      if (typeof r.joined !== "number") {
        rows.push([fmt(r.v), system, "", "", "", "", "", "", "", "", r.stop ?? ""]);
        continue;
      }
      rows.push([
        fmt(r.v),
        system,
        fmt(r.joined),
        `${fmt(r.joinP50Ms)} / ${fmt(r.joinP99Ms)}`,
        `${fmt(r.editP50Ms)} / ${fmt(r.editP99Ms)}${r.deliveredRatio < 1 ? ` (${fmt(r.deliveredRatio * 100)}% arrived)` : ""}`,
        fmt(r.bytesPerMemberPerSec),
        r.framesPerMemberPerSec === undefined ? "–" : fmt(r.framesPerMemberPerSec),
        fmt(r.roomInboundPerSec),
        fmt(r.relays),
        fmt(r.workerdCpuMsPerEdit, 2),
        r.stop ?? "",
      ]);
    }
  }
  // Failed systems (no rows) are still named.
  for (const [system, list] of bySystem) if (list.length === 0) rows.push(["–", system, "", "", "", "", "", "", "", "", ""]);
  const labels = Array.isArray(w6) ? "" : `\n${W6_SYSTEMS.filter((s) => (w6 as W6Result)[s]).map((s) => `- \`${s}\`: ${(w6 as W6Result)[s]!.label}`).join("\n")}\n`;
  return `${head}\n${labels}\nIssue 18's target: edit → member p99 under ${W6_P99_TARGET_MS} ms, the room's inbound messages/s and CPU per edit flat as V grows.\n\n${table(
    ["V", "system", "joined", "join p50 / p99 ms", "edit → member p50 / p99 ms", "bytes/member/s", "frames/member/s", "room inbound msg/s", "relays", "CPU ms/edit (edgeroom: workerd, room + relays)", "stopped"],
    rows,
  )}`;
}
