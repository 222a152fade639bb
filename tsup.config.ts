import { defineConfig } from "tsup";

export default defineConfig({
  // One entry per public entry point of package.json "exports".
  entry: {
    index: "src/index.ts",
    testing: "src/testing/index.ts",
    redis: "src/storage/redis/index.ts",
    postgres: "src/storage/postgres/index.ts",
    sqlite: "src/storage/sqlite/index.ts",
  },
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "es2022",
  platform: "neutral",
  treeshake: true,
  external: ["vitest", "redis", "pg"],
});
