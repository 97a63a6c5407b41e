/** W8 reconnect storm's and W9 history flood's tables (issue 23 items 6 and 2). */
import { type Failed, fmt, ok, table } from "./report-format.ts";
import type { W8Result } from "./workloads/w8-reconnect-storm.ts";
import type { W9Result } from "./workloads/w9-history-flood.ts";

const kib = (chars: number) => (chars < 2 ** 20 ? `${fmt(chars / 1024, 0)} KiB` : `${fmt(chars / 2 ** 20, 1)} MiB`);

export function w8Report(w8: W8Result | Failed): string {
  const head = "\n### W8 reconnect storm (one room; every socket dropped at once by a workerd restart; the library's jittered backoff; two editors editing throughout)";
  if (!ok(w8)) return `${head}\n\nfailed: ${w8.error}`;
  return `${head}\n\n${table(
    ["", ""],
    [
      ["members (editors among them)", `${fmt(w8.members)} (${w8.editors}); joined in ${fmt(w8.joinSec)} s before the storm`],
      ["host down (stop → answering again, restart included)", `${fmt(w8.downSec)} s`],
      ["99 % live again, after the host answered (after the drop)", w8.live99Sec === null ? `**not within 90 s** (${w8.liveAtEnd} of ${w8.members} live then)` : `**${fmt(w8.live99Sec)} s** (${fmt(w8.live99SinceDropSec)} s)`],
      ["100 % live again, after the host answered", w8.live100Sec === null ? `not within 30 s more (${w8.liveAtEnd} of ${w8.members})` : `${fmt(w8.live100Sec)} s`],
      ["edits; seq everywhere afterwards", `${fmt(w8.edits)}; ${w8.seqs}`],
      ["converged (same seq, every shape once, nothing doubled)", w8.converged ? "yes" : `**no** (${w8.missing} members missing shapes, ${w8.doubled} doubled)`],
      ["sync received by the members during the storm", `${kib(w8.syncChars)} over ${fmt(w8.stormSec)} s (the room's sync budget: ${kib(w8.syncBoundChars)})`],
      ["workerd resident memory", `${fmt(w8.rssBeforeMiB)} MiB with everyone in before; ${fmt(w8.rssAfterRestartMiB)} MiB after the restart → peak ${fmt(w8.rssPeakMiB)} MiB during the storm`],
    ],
  )}`;
}

export function w9Report(w9: W9Result | Failed): string {
  const head = "\n### W9 history flood (a bystander's edits while 12 sockets flood previews of a 3.5 MiB board, and while restores flood)";
  if (!ok(w9)) return `${head}\n\nfailed: ${w9.error}`;
  const quiet = w9.phases.find((p) => p.phase === "quiet");
  const rows = w9.phases.map((p) => [
    p.phase,
    `${fmt(p.ackP50Ms)} / ${fmt(p.ackP99Ms)} / ${fmt(p.ackMaxMs)}`,
    p.previewsAsked ? `${fmt(p.previewsAsked)}: ${fmt(p.previewsServed)} boards, ${fmt(p.previewsRateLimited)} RATE_LIMITED` : "–",
    p.restoresAsked ? `${fmt(p.restoresAsked)}: ${fmt(p.restoresApplied)} applied, ${fmt(p.restoresRefused)} RATE_LIMITED` : "–",
    p.phase === "quiet" ? "–" : p.ackP99Ms <= 500 ? "met" : `missed by ${fmt(p.ackP99Ms - 500)} ms`,
  ]);
  return `${head}\n\nBoard ${kib(w9.boardChars)} as one preview frame; ${w9.points} past points; ${w9.phases[0]?.edits ?? "?"} bystander edits per phase, one in flight, every 100 ms.\n\n${table(
    ["phase", "bystander ack p50 / p99 / max ms", "previews asked: answered", "restores asked: answered", "target: ack p99 ≤ 500 ms (issue 23)"],
    rows,
  )}`;
}
