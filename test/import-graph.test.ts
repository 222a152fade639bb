/**
 * The layout of src/ holds (issue 11, docs/README.md#architecture): no import cycle anywhere, and
 * nothing below the endpoints — protocol rules, grants, metadata documents, the resource-server
 * side, clients, HTTP helpers, storage — reaches the configuration resolver (`src/config.ts`),
 * so each piece can be used without `createAuthorizationServer`.
 *
 * Every import counts, type-only ones too: a type cycle costs nothing at run time, but it ties two
 * modules together just the same. Imports are read with TypeScript's own scanner
 * (`ts.preProcessFile`), so comments and strings are not mistaken for imports, and `export … from`,
 * `import type`, `import("…")` types and dynamic imports are all seen.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const src = join(root, "src");

/** Every `.ts` module under src/, as a path relative to the repository (`src/…`). */
function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return modules(path);
    return entry.name.endsWith(".ts") ? [relative(root, path)] : [];
  });
}

/** The module a relative specifier names (`./x.js` is `x.ts`, a folder its `index.ts`), or `undefined`. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  const base = join(dirname(join(root, from)), specifier);
  for (const candidate of [base.replace(/\.js$/, ".ts"), `${base}.ts`, join(base, "index.ts")]) {
    if (candidate.endsWith(".ts") && existsSync(candidate)) return relative(root, candidate);
  }
  return undefined;
}

interface ImportGraph {
  /** Module → the modules it imports (relative imports only: packages cannot import back). */
  edges: Map<string, string[]>;
  /** Relative imports that name no module: reported, so that a mis-resolution cannot hide a cycle. */
  unresolved: string[];
}

/** The relative imports of every module under src/. */
function importGraph(files: readonly string[]): ImportGraph {
  const edges = new Map<string, string[]>();
  const unresolved: string[] = [];
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(join(root, file), "utf8"), true, true);
    const targets = new Set<string>();
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith(".")) continue;
      const target = resolveSpecifier(file, fileName);
      if (target === undefined) unresolved.push(`${file} imports ${fileName}`);
      else targets.add(target);
    }
    edges.set(file, [...targets].sort());
  }
  return { edges, unresolved };
}

/**
 * One cycle through each strongly connected component that has one (Tarjan), written as the path
 * `a -> b -> … -> a`: enough to see what to break, and every cyclic component is reported.
 */
function findCycles(edges: ReadonlyMap<string, readonly string[]>): string[] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (edges.get(node) ?? []).includes(node)) components.push(component);
    }
  };
  for (const node of [...edges.keys()].sort()) if (!index.has(node)) visit(node);
  return components.map((component) => cycleThrough(edges, new Set(component)));
}

/** A shortest cycle from the component's first module (in sorted order) back to itself. */
function cycleThrough(edges: ReadonlyMap<string, readonly string[]>, component: ReadonlySet<string>): string {
  const start = [...component].sort()[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of edges.get(node) ?? []) {
      if (!component.has(next)) continue;
      if (next === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return [...path, start].join(" -> ");
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return start;
}

/** Every module `from` reaches through its imports, with the path to each. */
function reachable(edges: ReadonlyMap<string, readonly string[]>, from: string): Map<string, string[]> {
  const paths = new Map<string, string[]>([[from, [from]]]);
  const queue = [from];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of edges.get(node) ?? []) {
      if (paths.has(next)) continue;
      paths.set(next, [...paths.get(node)!, next]);
      queue.push(next);
    }
  }
  return paths;
}

/** The folders below the endpoints (docs/README.md#architecture): none of them may need the configuration resolver. */
const BELOW_ENDPOINTS = ["rules", "grants", "discovery", "resource", "clients", "http", "storage"];
const CONFIG = "src/config.ts";

describe("src/ import graph (issue 11)", () => {
  const files = modules(src);
  const { edges, unresolved } = importGraph(files);

  it("reads every module and resolves every relative import", () => {
    expect(files.length).toBeGreaterThan(40);
    expect(files).toContain("src/index.ts");
    expect(unresolved).toEqual([]);
  });

  it("has no import cycle, type-only imports included", () => {
    expect(findCycles(edges)).toEqual([]);
  });

  it("no module below the endpoints imports the configuration resolver, directly or through another module", () => {
    const offending: string[] = [];
    for (const file of files) {
      if (!BELOW_ENDPOINTS.some((folder) => file.startsWith(`src/${folder}/`))) continue;
      const path = reachable(edges, file).get(CONFIG);
      if (path !== undefined) offending.push(path.join(" -> "));
    }
    expect(offending).toEqual([]);
  });
});

describe("the cycle finder itself", () => {
  it("finds a two-module cycle, a longer one and a self-import, and nothing in a DAG", () => {
    const graph = new Map<string, string[]>([
      ["a", ["b"]],
      ["b", ["a", "c"]],
      ["c", ["d"]],
      ["d", ["e"]],
      ["e", ["c"]],
      ["f", ["f"]],
      ["g", ["a"]],
    ]);
    expect(findCycles(graph).sort()).toEqual(["a -> b -> a", "c -> d -> e -> c", "f -> f"]);
    expect(findCycles(new Map([["a", ["b", "c"]], ["b", ["c"]], ["c", []]]))).toEqual([]);
  });

  it("sees every form of import, and not one written in a comment", () => {
    const { importedFiles } = ts.preProcessFile(
      [
        '/** import { x } from "./in-a-comment.js"; */',
        'import type { A } from "./a.js";',
        'export { B } from "./b.js";',
        'export * from "./c.js";',
        'type D = import("./d.js").D;',
        'const e = await import("./e.js");',
        'import "./f.js";',
      ].join("\n"),
      true,
      true,
    );
    expect(importedFiles.map((file) => file.fileName)).toEqual(["./a.js", "./b.js", "./c.js", "./d.js", "./e.js", "./f.js"]);
  });
});
