import { defineConfig } from "tsup";

export default defineConfig({
  // One entry per public entry point of package.json "exports".
  entry: {
    index: "src/index.ts",
    testing: "src/testing/index.ts",
    "testing-app": "src/testing/app.ts",
    redis: "src/storage/redis/index.ts",
    postgres: "src/storage/postgres/index.ts",
    sqlite: "src/storage/sqlite/index.ts",
    node: "src/node/index.ts",
  },
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "es2022",
  platform: "neutral",
  treeshake: true,
  // node: builtins only in the Node entry (src/node/), which is why they are external here.
  external: ["vitest", "redis", "pg", /^node:/],
});
