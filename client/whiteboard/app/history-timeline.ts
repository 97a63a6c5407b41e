/**
 * The history panel's timeline, from the room's history pages (PROTOCOL.md
 * §15): one entry per burst of changes by one person (history-bursts.ts: who
 * did what, when), per restore or import, per named version, and per
 * kept board no listed change stands for (the empty start, checkpoints older
 * than the oldest listed change) — newest first. Pure: words and order only;
 * HistoryPanel renders them.
 */
import type { ChangeSummary, CheckpointSummary, HistoryPageMessage, VersionSummary } from "edgeroom/client";
import { BURST_GAP_MS, bursts, burstWords, madeTime } from "./history-bursts.ts";

export interface TimelineEntry {
  /** Unique within the timeline (React key, test id). */
  key: string;
  kind: "change" | "version" | "checkpoint";
  /** The board this entry shows: as it was right after this seq. */
  seq: number;
  at: number;
  /** The line a person reads first: "Ada deleted 40 shapes", "“before the review”". */
  title: string;
  /** The second line: when, and for a version who named it. */
  detail: string;
  /** How the preview bar names the board shown. */
  label: string;
  /** A named version's name. */
  version?: string;
  /** A burst's earlier changes, newest first, each an entry of its own (the panel unfolds them). */
  earlier?: TimelineEntry[];
}

/** The history the panel has: the newest page, with older pages' changes appended. */
export interface HistoryView {
  head: number;
  floor: number | null;
  checkpoints: CheckpointSummary[];
  versions: VersionSummary[];
  /** Newest first, no duplicates. */
  changes: ChangeSummary[];
  more: boolean;
}

/** The panel's history after a first page (`older` false) or an older one. */
export function mergePage(view: HistoryView | null, page: HistoryPageMessage, older: boolean): HistoryView {
  if (!older || !view) {
    const { head, floor, checkpoints, versions, changes, more } = page;
    return { head, floor, checkpoints, versions, changes, more };
  }
  const known = new Set(view.changes.map((c) => c.seq));
  return { ...view, changes: [...view.changes, ...page.changes.filter((c) => !known.has(c.seq))], more: page.more };
}

/** "14:02:37" today, "1 Dec 14:02:37" another day of this year, with the year
 * otherwise. Seconds, because a busy minute holds many changes and the preview
 * bar must name the one shown. */
export function formatTime(at: number, now: number = Date.now()): string {
  const d = new Date(at);
  const n = new Date(now);
  const time = d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  if (d.toDateString() === n.toDateString()) return time;
  const date = d.toLocaleDateString("en-GB", d.getFullYear() === n.getFullYear() ? { day: "numeric", month: "short" } : { day: "numeric", month: "short", year: "numeric" });
  return `${date} ${time}`;
}

function who(a: { by: string; name?: string | undefined }): string {
  if (a.name) return a.name;
  return a.by === "api" ? "The HTTP API" : "Someone";
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

/** What a change did, in words: "added 2 shapes, changed 1 and deleted 40". */
export function describeChange(c: ChangeSummary, timeOfSeq: (seq: number) => number | undefined, now: number = Date.now()): string {
  if (c.kind === "restore") {
    const at = c.restored === undefined ? undefined : timeOfSeq(c.restored);
    return `${who(c)} restored the board of ${at === undefined ? `change ${c.restored ?? "?"}` : formatTime(at, now)}`;
  }
  if (c.kind === "import") return `${who(c)} imported ${count(c.puts, "shape")}`;
  return `${who(c)} ${burstWords([c])}`;
}

/** One timeline entry for a burst (newest change first): its newest change's
 * board, stamped with when it was made — or the span, when the burst took
 * longer — and when it arrived, if that was later (an edit made offline). */
function burstEntry(group: readonly ChangeSummary[], timeOfSeq: (seq: number) => number | undefined, now: number): TimelineEntry {
  const newest = group[0]!;
  const made = group.map(madeTime);
  const [first, last] = [Math.min(...made), Math.max(...made)];
  const time = formatTime(last, now);
  const from = formatTime(first, now);
  const arrived = Math.max(...group.map((c) => c.at));
  const title = group.length === 1 ? describeChange(newest, timeOfSeq, now) : `${who(newest)} ${burstWords(group)}`;
  const span = group.length === 1 ? time : `${from === time ? time : `${from}–${time}`} · ${count(group.length, "change")}`;
  const detail = arrived - last >= BURST_GAP_MS ? `${span} · made offline, arrived ${formatTime(arrived, now)}` : span;
  const entry: TimelineEntry = { key: `c:${newest.seq}`, kind: "change", seq: newest.seq, at: last, title, detail, label: time };
  if (group.length > 1) entry.earlier = group.slice(1).map((c) => burstEntry([c], timeOfSeq, now));
  return entry;
}

/** The timeline, newest first; at one seq a named version comes before the change it names. */
export function timeline(view: HistoryView, now: number = Date.now()): TimelineEntry[] {
  const times = new Map<number, number>();
  for (const c of view.checkpoints) times.set(c.seq, c.at);
  for (const c of view.changes) times.set(c.seq, madeTime(c));
  const timeOfSeq = (seq: number) => times.get(seq);
  const entries: (TimelineEntry & { order: number })[] = [];
  for (const v of view.versions) {
    entries.push({ key: `v:${v.version}`, kind: "version", seq: v.seq, at: v.at, title: `“${v.version}”`, detail: `${formatTime(v.at, now)} · named by ${who(v)}`, label: `“${v.version}”`, version: v.version, order: 0 });
  }
  const changed = new Set<number>();
  for (const c of view.changes) changed.add(c.seq);
  for (const group of bursts(view.changes, new Set(view.versions.map((v) => v.seq)))) entries.push({ ...burstEntry(group, timeOfSeq, now), order: 1 });
  for (const c of view.checkpoints) {
    if (changed.has(c.seq)) continue;
    const time = formatTime(c.at, now);
    const title = c.seq === 0 ? "The empty board it started as" : `Kept board · ${count(c.records, "shape")}`;
    entries.push({ key: `k:${c.seq}`, kind: "checkpoint", seq: c.seq, at: c.at, title, detail: time, label: c.seq === 0 ? "the empty start" : time, order: 2 });
  }
  return entries.sort((a, b) => b.seq - a.seq || a.order - b.order).map(({ order: _order, ...e }) => e);
}
