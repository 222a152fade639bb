import { defineConfig } from "tsup";

export default defineConfig({
  // One entry per public entry point of package.json "exports".
  entry: {
    index: "src/index.ts",
    // testing / redis / postgres entries are added with their modules (issue 5)
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
