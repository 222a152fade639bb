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

describe("examples/quickstart.ts", () => {
  it("stays a snippet: at most 45 lines, one file, node:http and oauthkit only", () => {
    expect(quickstart.trimEnd().split("\n").length).toBeLessThanOrEqual(45);
    const imports = [...quickstart.matchAll(/^import .* from "([^"]+)";$/gm)].map((match) => match[1]);
    expect(imports).toEqual(["node:http", "node:stream", "oauthkit"]);
  });

  it("is named by the README (as a path: the package ships no examples), which shows no partial copy of it", () => {
    expect(readme).toContain("`examples/quickstart.ts`");
    // The README shows the Web-standard snippet (run by readme.test.ts) and links the node:http file;
    // a code block importing node:http would be a stale copy of the quickstart.
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) expect(block).not.toContain('from "node:http"');
  });
});
