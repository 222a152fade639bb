/**
 * The core runs on Node, Deno, Bun and edge runtimes: src/ uses Web APIs only, except the Node
 * entry (src/node/, `oauthkit/node`), which exists to use node:http and node:crypto — and which the
 * core must never import.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, sep } from "node:path";
import { describe, expect, it } from "vitest";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

const NODE_ENTRY = `src${sep}node${sep}`;

describe("src/ is Web-standard only", () => {
  const all = sourceFiles(join(import.meta.dirname, "..", "src"));
  const files = all.filter((file) => !file.includes(NODE_ENTRY));

  it("finds the sources", () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files.map((file) => [file.slice(file.indexOf("src/"))]))("%s imports no node: module", (file) => {
    const text = readFileSync(join(import.meta.dirname, "..", file), "utf8");
    const nodeImports = text.match(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)["'](node:[^"']+|fs|path|crypto|buffer|http|https|net|os|stream|url|util)["']/g);
    expect(nodeImports).toBeNull();
    expect(text).not.toMatch(/\bBuffer\./);
    expect(text).not.toMatch(/\bprocess\.env\b/);
  });
});

describe("the Node entry (src/node/)", () => {
  const all = sourceFiles(join(import.meta.dirname, "..", "src"));
  const nodeFiles = all.filter((file) => file.includes(NODE_ENTRY));

  it("exists, and is the only place with node: imports", () => {
    expect(nodeFiles.length).toBeGreaterThan(0);
    expect(nodeFiles.some((file) => /from\s+["']node:/.test(readFileSync(file, "utf8")))).toBe(true);
  });

  it.each(all.filter((file) => !file.includes(NODE_ENTRY)).map((file) => [file.slice(file.indexOf("src"))]))("%s does not import the Node entry", (file) => {
    const text = readFileSync(join(import.meta.dirname, "..", file), "utf8");
    expect(text).not.toMatch(/from\s+["'][./]*node\//);
  });
});
