/**
 * examples/quickstart.ts is the integration snippet the README shows: it must stay short, and any
 * README copy of it must be the file verbatim (the file is what oauth4webapi.test.ts runs).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root } from "./child-process.js";

const quickstart = readFileSync(join(root, "examples", "quickstart.ts"), "utf8");
const readme = readFileSync(join(root, "README.md"), "utf8");
const FIRST_LINE = quickstart.split("\n")[0]!;

describe("examples/quickstart.ts", () => {
  it("stays a snippet: at most 45 lines, one file, node:http and oauthkit only", () => {
    expect(quickstart.trimEnd().split("\n").length).toBeLessThanOrEqual(45);
    const imports = [...quickstart.matchAll(/^import .* from "([^"]+)";$/gm)].map((match) => match[1]);
    expect(imports).toEqual(["node:http", "node:stream", "oauthkit"]);
  });

  it("is shown verbatim wherever the README shows it", () => {
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
    for (const block of blocks.filter((code) => code.startsWith(FIRST_LINE))) expect(block).toBe(quickstart);
  });
});
