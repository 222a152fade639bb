/**
 * One docs page per component, each with a runnable example that uses that component without
 * createAuthorizationServer (issue 11); test/docs-snippets.test.ts runs the examples.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");

const PAGES = [
  { page: "client-authentication.md", uses: "authenticateClient" },
  { page: "pkce.md", uses: "verifyPkce" },
  { page: "code-exchange.md", uses: "exchangeAuthorizationCode" },
  { page: "refresh-rotation.md", uses: "refreshAccessToken" },
  { page: "metadata.md", uses: "buildAuthorizationServerMetadata" },
];

describe("a docs page per component, with a runnable example of it alone", () => {
  it.each(PAGES.map((entry) => [entry.page, entry] as const))("%s", (_name, { page, uses }) => {
    const text = readFileSync(join(root, "docs", page), "utf8");
    const alone = [...text.matchAll(/```ts runnable\n([\s\S]*?)```/g)]
      .map((match) => match[1]!)
      .filter((code) => code.includes(uses) && !code.includes("createAuthorizationServer"));
    expect(alone.length).toBeGreaterThan(0);
    expect(readFileSync(join(root, "docs", "README.md"), "utf8")).toContain(`](${page})`);
  });
});
