/**
 * Preloaded by `bun test` (see sqlite-bun.conformance.mjs): the storage conformance suite is written
 * against vitest's `describe`/`it`/`expect`, which `bun:test` provides under the same names, so the
 * very same suite runs under Bun.
 */
import { plugin } from "bun";

plugin({
  name: "vitest-as-bun-test",
  setup(build) {
    build.module("vitest", () => ({ exports: require("bun:test"), loader: "object" }));
  },
});
