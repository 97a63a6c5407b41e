/**
 * The history panel's changes, grouped and worded as a person tells them:
 * "Ada added 3 stickies and moved 2 shapes". A burst is a run of consecutive
 * ordinary changes (no restore, no import) by the same person — the same
 * token subject, else the same name, else the same connection — each less
 * than BURST_GAP_MS after the one before, with no named version inside it.
 * A drag's many commits and a burst of typing are one entry each. Times are
 * when the edits were made (`made`, PROTOCOL.md §15), not when they arrived:
 * edits made offline group as they were made — a burst at 14:00 delivered at
 * 14:10 is one entry at 14:00, and two bursts an hour apart stay two entries
 * even though they arrived together.
 *
 * The words come from what a change summary carries (PROTOCOL.md §15): the
 * kinds of records it put (`types`), the fields its patches set (`fields`),
 * its counts, and the first few ids it touched (so a shape dragged through
 * ten commits counts once, and a sticky added and typed in is "added"). Pure.
 */
import type { ChangeSummary } from "edgeroom/client";

/** Changes by one person closer together than this (ms) are one burst. */
export const BURST_GAP_MS = 60_000;

/** When a change's edit was made: `made` for one that waited (offline), else when it was committed. */
export const madeTime = (c: Pick<ChangeSummary, "at" | "made">): number => c.made ?? c.at;

/** Who a change is by, for grouping: two connections of one person (a reconnect, a second tab) are one author. */
export function authorKey(c: Pick<ChangeSummary, "by" | "name" | "sub">): string {
  return c.sub ? `sub:${c.sub}` : c.name ? `name:${c.name}` : `by:${c.by}`;
}

/** The changes (newest first) in bursts, newest first, each newest first.
 * `versions`: the seqs named versions stand at — a burst never spans one. */
export function bursts(changes: readonly ChangeSummary[], versions: ReadonlySet<number> = new Set()): ChangeSummary[][] {
  const out: ChangeSummary[][] = [];
  let current: ChangeSummary[] | null = null;
  for (const c of changes) {
    const last = current?.[current.length - 1];
    const joins =
      current !== null && last !== undefined && !c.kind && !last.kind && authorKey(c) === authorKey(last) && Math.abs(madeTime(last) - madeTime(c)) < BURST_GAP_MS && !versions.has(c.seq);
    if (joins) current!.push(c);
    else out.push((current = [c]));
  }
  return out;
}

/** What a record kind is called, one and many. */
const KIND_NAMES: Record<string, [string, string]> = {
  rect: ["rectangle", "rectangles"],
  ellipse: ["ellipse", "ellipses"],
  line: ["line", "lines"],
  pen: ["drawing", "drawings"],
  text: ["text", "texts"],
  sticky: ["sticky", "stickies"],
  frame: ["frame", "frames"],
  image: ["picture", "pictures"],
};

const count = (n: number, kind: string) => {
  const [one, many] = KIND_NAMES[kind] ?? ["shape", "shapes"];
  return `${n} ${n === 1 ? one : many}`;
};

/** What a patch did, by the fields it set (most telling first). */
const PATCH_VERBS: [string, (f: ReadonlySet<string>) => boolean][] = [
  ["edited the text of", (f) => f.has("text") || f.has("label") || f.has("name")],
  ["rotated", (f) => f.has("rotation")],
  ["resized", (f) => f.has("w") || f.has("h")],
  ["grouped or ungrouped", (f) => f.has("groups")],
  ["locked or unlocked", (f) => f.has("locked")],
  ["moved", (f) => f.size > 0 && [...f].every((x) => ["x", "y", "pts", "start", "end"].includes(x))],
  ["reordered", (f) => f.size === 1 && f.has("z")],
  ["restyled", (f) => f.size > 0 && [...f].every((x) => ["color", "stroke", "fill", "opacity", "dash", "font", "size", "fontSize", "align", "sketchy"].includes(x))],
];

/** Shapes a verb applies to: ids named once each, plus the ops of changes whose ids were cut short. */
class Tally {
  private readonly ids = new Set<string>();
  private unnamed = 0;
  /** `skip`: shapes the burst added — "added 3 stickies" already says their text was typed. */
  add(c: ChangeSummary, n: number, skip: ReadonlySet<string> = new Set()): void {
    // The ids belong to this verb when the change did nothing else and named every one.
    if (named(c, n)) for (const id of c.ids) !skip.has(id) && this.ids.add(id);
    else this.unnamed += n;
  }
  get size(): number {
    return this.ids.size + this.unnamed;
  }
}

/** Did change `c` do only its `n` ops of one kind, naming every id? */
const named = (c: ChangeSummary, n: number) => c.ids.length === n && c.puts + c.patches + c.dels === n;

const list = (parts: readonly string[]) => (parts.length < 2 ? parts.join("") : `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`);

/** "added 3 stickies and moved 2 shapes": what a burst (or one change) did, without who. */
export function burstWords(changes: readonly ChangeSummary[]): string {
  const added = new Map<string, number>();
  const patched = new Map<string, Tally>();
  const deleted = new Tally();
  const addedIds = new Set(changes.filter((c) => c.puts && named(c, c.puts)).flatMap((c) => c.ids));
  for (const c of changes) {
    let typed = 0;
    for (const [kind, n] of Object.entries(c.types ?? {})) {
      const k = kind in KIND_NAMES ? kind : "";
      added.set(k, (added.get(k) ?? 0) + n);
      typed += n;
    }
    if (c.puts > typed) added.set("", (added.get("") ?? 0) + c.puts - typed);
    if (c.patches && !(named(c, c.patches) && c.ids.every((id) => addedIds.has(id)))) {
      const fields = new Set(c.fields ?? []);
      const verb = PATCH_VERBS.find(([, test]) => test(fields))?.[0] ?? "changed";
      if (!patched.has(verb)) patched.set(verb, new Tally());
      patched.get(verb)!.add(c, c.patches, addedIds);
    }
    if (c.dels) deleted.add(c, c.dels);
  }
  const parts: string[] = [];
  if (added.size) parts.push(`added ${list([...added].sort((a, b) => b[1] - a[1]).map(([k, n]) => count(n, k)))}`);
  for (const [verb, t] of patched) parts.push(`${verb} ${count(t.size, "")}`);
  if (deleted.size) parts.push(`deleted ${count(deleted.size, "")}`);
  if (!parts.length) return "changed nothing";
  // Several kinds added already say "and": the parts are then joined by commas only.
  return parts.length > 1 && added.size > 1 ? parts.join(", ") : list(parts);
}
