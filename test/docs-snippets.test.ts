/**
 * Every ```ts runnable block in docs/ runs as written (importing "oauthkit", aliased to src/), so the
 * documentation cannot drift from the library.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const out = join(root, ".tmp", "snippets");
mkdirSync(out, { recursive: true });

const snippets = readdirSync(join(root, "docs"))
  .filter((name) => name.endsWith(".md"))
  .flatMap((name) => {
    const text = readFileSync(join(root, "docs", name), "utf8");
    return [...text.matchAll(/```ts runnable\n([\s\S]*?)```/g)].map((match, index) => ({ name: `${name}#${index + 1}`, code: match[1]! }));
  });

describe("runnable documentation snippets", () => {
  it("finds them", () => {
    expect(snippets.length).toBeGreaterThanOrEqual(5);
  });

  it.each(snippets.map((snippet) => [snippet.name, snippet] as const))("%s runs", async (_name, snippet) => {
    const file = join(out, `${snippet.name.replace(/[^a-z0-9]+/gi, "-")}.ts`);
    writeFileSync(file, snippet.code);
    await import(/* @vite-ignore */ file);
  });
});
