/** The core runs on Node, Deno, Bun and edge runtimes: src/ uses Web APIs only. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("src/ is Web-standard only", () => {
  const files = sourceFiles(join(import.meta.dirname, "..", "src"));

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
