import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Code written as a user writes it (docs snippets) imports "oauthkit": test it against src/.
    alias: [
      { find: /^oauthkit$/, replacement: src("index.ts") },
      { find: /^oauthkit\/testing$/, replacement: src("testing/index.ts") },
      { find: /^oauthkit\/testing\/app$/, replacement: src("testing/app.ts") },
      { find: /^oauthkit\/redis$/, replacement: src("storage/redis/index.ts") },
      { find: /^oauthkit\/postgres$/, replacement: src("storage/postgres/index.ts") },
      { find: /^oauthkit\/sqlite$/, replacement: src("storage/sqlite/index.ts") },
      { find: /^oauthkit\/node$/, replacement: src("node/index.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // The JSON report gives CI its closing "N passed, N failed" line.
    // (VITEST_REPORT names another file, e.g. for the runs on other Node versions.)
    reporters: ["default", ["json", { outputFile: process.env.VITEST_REPORT ?? ".tmp/vitest-report.json" }]],
  },
});
