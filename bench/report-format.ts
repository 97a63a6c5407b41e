/** The report's small helpers (bench/report.ts and the tables of each workload). */

export type Failed = { error: string };

export const fmt = (n: number | null | undefined, digits = 1) =>
  n === null || n === undefined || Number.isNaN(n) ? "–" : Number.isInteger(n) ? n.toLocaleString("en-US") : n.toFixed(digits);

export function ok<T>(r: T | undefined): r is Exclude<T, Failed> {
  return r !== undefined && !(typeof r === "object" && r !== null && "error" in r);
}

export function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}
