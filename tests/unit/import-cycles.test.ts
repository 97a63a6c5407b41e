/**
 * No import cycles in the engine or the apps (STYLE.md, issue 19): a cycle
 * means two files that cannot be read, tested or moved apart — `room.ts` and
 * `commit-outbox.ts` were one. Every relative specifier counts, type-only
 * imports and re-exports too (a type cycle still ties the files' meanings
 * together); TypeScript's own pre-processor reads them, so a specifier in a
 * comment or a string is not mistaken for one.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

function sources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules") return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The file a relative specifier names, as the bundler would find it. */
function resolveSpecifier(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, "index.ts"), join(base, "index.tsx")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** Edges of the import graph among `files` (absolute paths). */
function graphOf(files: string[]): Map<string, string[]> {
  const inside = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    const targets = info.importedFiles
      .map((f) => f.fileName)
      .filter((spec) => spec.startsWith("."))
      .map((spec) => resolveSpecifier(file, spec))
      .filter((t): t is string => t !== null && inside.has(t));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every cycle's strongly connected component, each named by one cycle through
 * it (`a.ts → b.ts → a.ts`), paths relative to the repository. */
function cyclesOf(graph: Map<string, string[]>): string[] {
  // Tarjan's algorithm, iterative over an explicit stack so deep graphs cannot overflow.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: { node: string; edge: number }[] = [{ node: start, edge: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const top = work[work.length - 1]!;
      const edges = graph.get(top.node) ?? [];
      if (top.edge < edges.length) {
        const to = edges[top.edge++]!;
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(top.node, Math.min(low.get(top.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1]!.node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== top.node);
        const selfLoop = (graph.get(top.node) ?? []).includes(top.node);
        if (component.length > 1 || selfLoop) components.push(component);
      }
    }
  }
  return components.map((component) => describeCycle(graph, new Set(component))).sort();
}

/** One concrete cycle inside a component: breadth-first back to its first file. */
function describeCycle(graph: Map<string, string[]>, component: Set<string>): string {
  const first = [...component].sort()[0]!;
  const cameFrom = new Map<string, string>();
  const queue = [first];
  while (queue.length) {
    const node = queue.shift()!;
    for (const to of graph.get(node) ?? []) {
      if (!component.has(to)) continue;
      if (to === first) {
        const path = [first];
        for (let at = node; at !== first; at = cameFrom.get(at)!) path.unshift(at);
        path.unshift(first);
        return path.map((p) => relative(ROOT, p)).join(" → ");
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, node);
        queue.push(to);
      }
    }
  }
  return [...component].map((p) => relative(ROOT, p)).join(", ");
}

/**
 * Cycles known at the time this test was written, which may only shrink.
 * Empty: none. (While the "client-split" work restructures
 * `client/engine/room-client.ts` and `tab-hub.ts`, a cycle there would be
 * listed here with the sentence that says when it goes.)
 */
const KNOWN_CYCLES: readonly string[] = [];

describe("import cycles", () => {
  it("finds a cycle when there is one (the check itself works)", () => {
    const g = new Map([
      ["/r/a.ts", ["/r/b.ts"]],
      ["/r/b.ts", ["/r/c.ts"]],
      ["/r/c.ts", ["/r/a.ts", "/r/d.ts"]],
      ["/r/d.ts", []],
      ["/r/e.ts", ["/r/e.ts"]],
    ]);
    const found = cyclesOf(g);
    expect(found).toHaveLength(2);
    expect(found.some((c) => /a\.ts → .*b\.ts → .*c\.ts → .*a\.ts$/.test(c))).toBe(true);
    expect(found.some((c) => /e\.ts → .*e\.ts$/.test(c))).toBe(true);
  });

  it("party/ (the engine and the apps' servers) has none", () => {
    expect(cyclesOf(graphOf(sources(join(ROOT, "party"))))).toEqual([]);
  });

  it("client/ has none beyond the known ones", () => {
    const found = cyclesOf(graphOf(sources(join(ROOT, "client"))));
    expect(found.filter((c) => !KNOWN_CYCLES.includes(c))).toEqual([]);
  });

  it("party/ and client/ together have none (no cycle crosses the two)", () => {
    const found = cyclesOf(graphOf([...sources(join(ROOT, "party")), ...sources(join(ROOT, "client"))]));
    expect(found.filter((c) => !KNOWN_CYCLES.includes(c))).toEqual([]);
  });
});
